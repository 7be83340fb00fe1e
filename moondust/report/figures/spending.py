"""Figure 2: civil and military space spending paths, by actor and by bloc."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure

from moondust.report.data import (
    SPENDING_ACTORS,
    actor_labels,
    actor_styles,
    bloc_totals,
    budget_order,
    check_subset,
    quiet_quantile,
    run_meta,
)
from moondust.report.figures.bands import bloc_bands
from moondust.report.style import draw_band, new_figure, plain
from moondust.results import Results


def spending_figure(results: Results, actors: Sequence[str] | None = None) -> Figure:
    """Civil and military space spending paths: largest actors (top) and bloc totals (bottom).

    Lines are medians over runs, shaded bands the 10–90 % range. Actors keep the colours and
    markers of :func:`~moondust.report.figures.timeline.milestone_timeline_figure`; blocs differ
    by colour, line style and marker.

    Parameters
    ----------
    results
        A batch of runs.
    actors
        Actor ids to draw individually. Default: the five largest space budgets in the start year.

    Returns
    -------
    matplotlib.figure.Figure
        Four panels: civil and military spending, by actor and summed by bloc class, in USD bn per
        year (2025 dollars).

    Raises
    ------
    ValueError
        If an actor id is not in the results.
    """
    ds = results.dataset
    meta = run_meta(results)
    known = [str(a) for a in ds["actor"].values]
    chosen = (
        budget_order(ds)[:SPENDING_ACTORS]
        if actors is None
        else check_subset("actor", actors, known)
    )
    styles = actor_styles(ds)
    labels = actor_labels(ds)
    years = ds["year"].values
    every = max(1, len(years) // 8)
    variables = ("civil_usd_bn", "military_usd_bn")
    kinds = ("civil", "military")

    fig = new_figure(12.0, 8.2)
    axes = fig.subplots(2, 2, sharex=True)
    for column, (variable, kind) in enumerate(zip(variables, kinds, strict=True)):
        by_actor = (
            quiet_quantile(ds[variable].sel(actor=chosen), (0.1, 0.5, 0.9), "run")
            .transpose("quantile", "actor", "year")
            .values
        )
        ax = axes[0, column]
        for k, actor in enumerate(chosen):
            colour, marker = styles[actor]
            draw_band(
                ax,
                years,
                by_actor[:, k],
                (colour, "-", marker),
                plain(labels[actor]),
                f"{kind}:{actor}",
                every,
                alpha=0.18,
            )
        ax.set_title(f"{kind.capitalize()} space spending, largest actors", fontsize=10)
        ax.set_ylabel(f"{kind} space spending\n(USD bn per year, 2025 dollars)")
        ax.legend(fontsize=7.5, loc="upper left", frameon=False)

        ax = axes[1, column]
        bloc_bands(ax, bloc_totals(ds, variable), years, f"{kind}-bloc", alpha=0.18)
        ax.set_title(f"{kind.capitalize()} space spending, summed by bloc", fontsize=10)
        ax.set_ylabel(f"{kind} space spending\n(USD bn per year, 2025 dollars)")
        ax.set_xlabel("year")
        ax.legend(fontsize=7.5, loc="upper left", frameon=False)
    for ax in axes.flat:
        ax.set_xlim(years[0], years[-1])
        ax.set_ylim(bottom=0)
        ax.grid(color="#BBBBBB", lw=0.5, alpha=0.7)
    fig.suptitle(
        plain(
            f"Space spending — scenario {meta.scenario!r}, {meta.runs} runs "
            f"(median and 10–90 % of runs)"
        ),
        fontsize=11,
    )
    return fig
