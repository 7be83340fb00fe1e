"""Figure 4: cumulative He-3 delivered, fusion electricity and CO2 avoided, by bloc."""

from __future__ import annotations

from matplotlib.figure import Figure

from moondust.report.data import bloc_totals, quiet_quantile, run_meta
from moondust.report.figures.bands import bloc_bands
from moondust.report.style import WORLD_STYLE, finish_axes, new_figure, panel_grid, suptitle
from moondust.results import Results

HE3_PANELS = {  # variable: (panel title, axis label)
    "he3_delivered_kg": ("He-3 delivered to Earth", "cumulative He-3 delivered (kg)"),
    "energy_twh": ("Electricity from D-He3 fusion", "cumulative fusion electricity (TWh)"),
    "co2_avoided_mt": ("CO₂ emissions avoided", "cumulative CO₂ avoided (Mt CO₂)"),
}
"""Panel title and axis label of each quantity the figure cumulates."""


def he3_energy_figure(results: Results) -> Figure:
    """Cumulative He-3 delivered to Earth, fusion electricity and CO2 avoided, by bloc.

    Three panels, one per quantity, each cumulated from the start year. Per bloc class (actors
    summed) the line is the median over runs and the shaded band the 10–90 % range; a black line
    is the median of the all-actor total. Blocs differ by colour, line style and marker. A
    quantity missing from the results gets a panel saying so.

    Parameters
    ----------
    results
        A batch of runs.

    Returns
    -------
    matplotlib.figure.Figure
        Panels with gids ``panel:<variable>``; lines ``<variable>:<bloc>`` and
        ``<variable>:world``, in kg, TWh and Mt CO2.
    """
    ds = results.dataset
    meta = run_meta(results)
    years = ds["year"].values
    every = max(1, len(years) // 8)
    fig = new_figure(14.0, 5.0)
    panels = panel_grid(fig, list(HE3_PANELS), 3)
    for variable, (title, ylabel) in HE3_PANELS.items():
        ax = panels[variable]
        if variable not in ds:
            ax.set_axis_off()
            ax.set_title(title, fontsize=10)
            ax.text(
                0.5,
                0.5,
                f"{variable} is not in these results",
                ha="center",
                va="center",
                transform=ax.transAxes,
                fontsize=9,
            )
            continue
        bloc_bands(ax, bloc_totals(ds, variable).cumsum("year"), years, variable)
        total = ds[variable].astype(float).sum("actor").cumsum("year")
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
            gid=f"{variable}:world",
        )
        finish_axes(ax, years, ylabel, title)
        ax.yaxis.set_major_formatter(lambda y, _pos: f"{y:,.0f}")
    handles, labels = next(
        (ax.get_legend_handles_labels() for ax in panels.values() if ax.get_lines()), ([], [])
    )
    if handles:
        fig.legend(
            handles,
            labels,
            loc="outside lower center",
            ncol=len(handles),
            fontsize=8,
            frameon=False,
        )
    suptitle(
        fig,
        "He-3, fusion electricity and CO₂ avoided",
        meta,
        "cumulative from the start; median and 10–90 % of runs",
    )
    return fig
