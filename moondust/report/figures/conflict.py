"""Figure 5: military spending, counterspace stocks, orbital debris, ASAT tests and incidents."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from moondust.report.data import (
    CONFLICT_VARIABLES,
    bloc_totals,
    missing_variables,
    per_run_year,
    quiet_quantile,
    run_meta,
)
from moondust.report.figures.bands import bloc_bands
from moondust.report.style import (
    BLUE,
    VERMILLION,
    draw_band,
    finish_axes,
    new_figure,
    panel_grid,
    suptitle,
)
from moondust.results import Results


def conflict_figure(results: Results) -> Figure | None:
    """Military space spending, counterspace stocks, orbital debris and conflict events.

    Panels, each drawn when its variables are in the results:

    * military space spending per year summed by bloc class (always);
    * counterspace stocks by bloc class (``counterspace_usd_bn``);
    * objects in low Earth orbit: debris ≥ 10 cm (``debris``) with a horizontal reference line
      at its 2025 level (the start year's when 2025 is not simulated), and active satellites
      (``active_satellites``);
    * destructive ASAT tests (``asat_tests``, markers) and incidents (``incidents``) per year,
      mean over runs, all actors together.

    Lines are medians over runs and bands the 10–90 % range.

    Parameters
    ----------
    results
        A batch of runs.

    Returns
    -------
    matplotlib.figure.Figure or None
        ``None`` when the results carry none of the conflict and debris variables
        (:data:`~moondust.report.data.CONFLICT_VARIABLES`); military spending alone is already in
        :func:`~moondust.report.figures.spending.spending_figure`.
    """
    ds = results.dataset
    if len(missing_variables(ds, CONFLICT_VARIABLES)) == len(CONFLICT_VARIABLES):
        return None
    meta = run_meta(results)
    years = ds["year"].values
    every = max(1, len(years) // 8)
    keys = ["military"]
    if "counterspace_usd_bn" in ds:
        keys.append("counterspace")
    if "debris" in ds or "active_satellites" in ds:
        keys.append("orbit")
    if "asat_tests" in ds or "incidents" in ds:
        keys.append("events")
    fig = new_figure(13.0, 4.6 * (-(-len(keys) // 2)) + 0.8)
    panels = panel_grid(fig, keys, 2)

    for key, variable, ylabel, title in (
        (
            "military",
            "military_usd_bn",
            "military space spending\n(USD bn per year, 2025 dollars)",
            "Military space spending, summed by bloc",
        ),
        (
            "counterspace",
            "counterspace_usd_bn",
            "counterspace stock\n(USD bn, 2025 dollars)",
            "Counterspace stocks, summed by bloc",
        ),
    ):
        if key not in panels:
            continue
        ax = panels[key]
        bloc_bands(ax, bloc_totals(ds, variable), years, f"{key}-bloc")
        finish_axes(ax, years, ylabel, title)
        ax.legend(fontsize=7.5, loc="upper left", frameon=False)

    if "orbit" in panels:
        ax = panels["orbit"]
        for variable, style, label in (
            ("debris", (VERMILLION, "-", "s"), "debris ≥ 10 cm"),
            ("active_satellites", (BLUE, "--", "o"), "active satellites"),
        ):
            if variable not in ds:
                continue
            q = quiet_quantile(per_run_year(ds[variable]), (0.1, 0.5, 0.9), "run")
            draw_band(
                ax,
                years,
                q.transpose("quantile", "year").values,
                style,
                label,
                variable.replace("_", "-"),
                every,
            )
        if "debris" in ds:
            ref_year = 2025 if 2025 in years else int(years[0])
            level = float(per_run_year(ds["debris"]).sel(year=ref_year).median("run"))
            ax.axhline(
                level,
                color="#555555",
                ls=":",
                lw=1.2,
                gid="debris-reference",
                label=f"debris in {ref_year} ({level:,.0f})",
            )
        finish_axes(
            ax,
            years,
            "objects in low Earth orbit (count)",
            "Low Earth orbit: debris and active satellites",
        )
        ax.yaxis.set_major_formatter(lambda y, _pos: f"{y:,.0f}")
        ax.legend(fontsize=7.5, loc="upper left", frameon=False)

    if "events" in panels:
        ax = panels["events"]
        for variable, (colour, marker, filled), label in (
            ("asat_tests", (VERMILLION, "X", True), "destructive ASAT tests"),
            ("incidents", (BLUE, "o", False), "incidents between rivals"),
        ):
            if variable not in ds:
                continue
            per_run = per_run_year(ds[variable])
            total = per_run.sum("year")
            mean = per_run.mean("run").values
            mean = np.where(mean > 0, mean, np.nan)  # no marker in years without any event
            lo, mid, hi = np.quantile(total.values, (0.05, 0.5, 0.95))
            ax.plot(
                years,
                mean,
                ls="none",
                marker=marker,
                markersize=6 if filled else 5,
                color=colour,
                markerfacecolor=colour if filled else "white",
                markeredgecolor="black" if filled else colour,
                markeredgewidth=0.5 if filled else 1.1,
                label=f"{label} (whole period: median {mid:,.0f}, 5–95 % {lo:,.0f}–{hi:,.0f})",
                gid=variable.replace("_", "-"),
            )
        finish_axes(
            ax,
            years,
            "events per year\n(mean over runs, all actors)",
            "Destructive ASAT tests and incidents",
        )
        top = max((np.nanmax(ln.get_ydata(), initial=0.0) for ln in ax.get_lines()), default=0.0)
        ax.set_ylim(0, 1.4 * top if top > 0 else 1.0)  # room for the legend above the markers
        ax.legend(fontsize=7.5, loc="upper left", frameon=False)

    suptitle(fig, "Conflict and the orbital commons", meta, "median and 10–90 % of runs")
    return fig
