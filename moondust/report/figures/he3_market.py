"""Figure: the He-3 market — price path and revenue by bloc (M5b, docs/model.md)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from moondust.report.data import bloc_totals, quiet_quantile, run_meta
from moondust.report.figures.bands import bloc_bands
from moondust.report.style import (
    WORLD_STYLE,
    draw_band,
    finish_axes,
    new_figure,
    panel_grid,
    suptitle,
)
from moondust.results import Results

MARKET_VARIABLES = ("he3_price_usd_per_kg", "he3_revenue_usd_bn")
"""What the figure reads; without them it is not drawn."""


def he3_market_figure(results: Results) -> Figure | None:
    """The He-3 price that clears the market and the revenue of He-3 sellers, by bloc.

    Two panels: the price (USD M per kg; median over runs and 10–90 % band, log scale: it spans
    orders of magnitude), and cumulative He-3 revenue (USD bn) per bloc class (actors summed;
    median and 10–90 % band) with the all-actor median in black.

    Parameters
    ----------
    results
        A batch of runs.

    Returns
    -------
    matplotlib.figure.Figure or None
        Panels with gids ``panel:price`` and ``panel:revenue``; lines ``price:world``,
        ``he3_revenue_usd_bn:<bloc>`` and ``he3_revenue_usd_bn:world``. None when the results
        carry no market variables.
    """
    ds = results.dataset
    if any(name not in ds for name in MARKET_VARIABLES):
        return None
    meta = run_meta(results)
    years = ds["year"].values
    every = max(1, len(years) // 8)
    fig = new_figure(12.0, 4.8)
    panels = panel_grid(fig, ["price", "revenue"], 2)

    ax = panels["price"]
    price = quiet_quantile(ds["he3_price_usd_per_kg"].astype(float) / 1e6, (0.1, 0.5, 0.9), "run")
    draw_band(
        ax,
        years,
        price.transpose("quantile", "year").values,
        WORLD_STYLE,
        "price (median, 10–90 %)",
        "price:world",
        every,
    )
    finish_axes(ax, years, "He-3 price (USD M per kg)", "He-3 price that clears the market")
    ax.set_yscale("log")
    values = price.values[np.isfinite(price.values) & (price.values > 0)]
    if values.size:  # finish_axes starts y at zero, which a log axis cannot show
        ax.set_ylim(float(values.min()) / 2, float(values.max()) * 2)
    ax.yaxis.set_major_formatter(lambda y, _pos: f"{y:,.3g}")
    ax.yaxis.set_minor_formatter(lambda y, _pos: f"{y:,.3g}")
    ax.legend(fontsize=8, frameon=False)

    ax = panels["revenue"]
    bloc_bands(
        ax, bloc_totals(ds, "he3_revenue_usd_bn").cumsum("year"), years, "he3_revenue_usd_bn"
    )
    total = ds["he3_revenue_usd_bn"].astype(float).sum("actor").cumsum("year")
    world = quiet_quantile(total, (0.5,), "run")
    colour, line, marker = WORLD_STYLE
    ax.plot(
        years,
        world.sel(quantile=0.5).values,
        color=colour,
        ls=line,
        marker=marker,
        markevery=every,
        markersize=4,
        lw=1.0,
        label="all actors (median)",
        gid="he3_revenue_usd_bn:world",
    )
    finish_axes(ax, years, "cumulative He-3 revenue (USD bn)", "He-3 sales (lunar and D-D)")
    ax.yaxis.set_major_formatter(lambda y, _pos: f"{y:,.0f}")
    ax.legend(fontsize=8, frameon=False)
    suptitle(fig, "The He-3 market", meta, "median and 10–90 % of runs")
    return fig
