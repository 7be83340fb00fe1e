"""Figure 1: when each main actor reaches each milestone, and how likely it gets there at all."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from moondust.report.data import (
    actor_labels,
    actor_styles,
    milestone_names,
    pct,
    run_meta,
    timeline_data,
)
from moondust.report.style import empty_message, new_figure, plain
from moondust.results import Results


def milestone_timeline_figure(
    results: Results,
    actors: Sequence[str] | None = None,
    milestones: Sequence[str] | None = None,
) -> Figure:
    """When each main actor reaches each milestone, and how likely it gets there at all.

    One row per milestone (ladder order, top to bottom); inside a row one line per actor. The
    marker is the median year over the runs in which the actor reached the milestone after the
    start year, the bar spans the 5–95 % range of those years. A filled marker means the milestone
    is reached by the end year in at least half of the runs, a hollow one in fewer (the percentage
    is written next to the bar whenever it is below 100 %). Milestones an actor already held at
    the start are not drawn. Actors differ by colour (Okabe–Ito) and by marker shape.

    Parameters
    ----------
    results
        A batch of runs.
    actors
        Actor ids to show, in this order. Default: the actors that reach any milestone after the
        start year in some run, largest space budget first, at most eight.
    milestones
        Milestone ids to show. Default: those someone reaches after the start year in some run.

    Returns
    -------
    matplotlib.figure.Figure
        The figure (not registered with pyplot; save it with ``fig.savefig``).

    Raises
    ------
    ValueError
        If an actor or milestone id is not in the results.
    """
    ds = results.dataset
    meta = run_meta(results)
    data = timeline_data(results, actors, milestones)
    names = milestone_names(ds)
    labels = actor_labels(ds)
    styles = actor_styles(ds)
    title = (
        f"Milestone timeline — scenario {meta.scenario!r}, {meta.runs} runs "
        f"({meta.start}–{meta.end})"
    )
    n_actors, n_milestones = len(data.actors), len(data.milestones)
    if n_actors == 0 or n_milestones == 0:
        fig = new_figure(10.0, 3.0)
        return empty_message(
            fig, plain(title), f"No milestone is reached after {meta.start} in any run."
        )

    row_height = max(0.5, 0.11 * n_actors)
    fig = new_figure(11.0, 1.9 + row_height * n_milestones)
    ax = fig.subplots()
    slot = 0.8 / n_actors
    offsets = (np.arange(n_actors) - (n_actors - 1) / 2) * slot
    rows = np.arange(n_milestones, dtype=float)
    for row in rows[::2]:  # shade every other row so an actor's line is easy to follow
        ax.axhspan(row - 0.5, row + 0.5, color="#F2F2F2", zorder=0, lw=0)

    text_x = float(meta.end) + 1.0
    for k, actor in enumerate(data.actors):
        colour, marker = styles[actor]
        drawn = (data.p_reached[k] > 0) & ~data.held[k]
        y = rows[drawn] + offsets[k]
        p = data.p_reached[k][drawn]
        median = data.median[k][drawn]
        ax.hlines(
            y,
            data.p5[k][drawn],
            data.p95[k][drawn],
            colors=colour,
            lw=2.6,
            alpha=0.45,
            zorder=2,
            gid=f"band:{actor}",
        )
        likely = p >= 0.5
        ax.scatter(
            median[likely],
            y[likely],
            marker=marker,
            s=34,
            color=colour,
            edgecolors="black",
            linewidths=0.5,
            zorder=3,
            gid=f"median:{actor}",
        )
        ax.scatter(
            median[~likely],
            y[~likely],
            marker=marker,
            s=34,
            facecolors="white",
            edgecolors=colour,
            linewidths=1.3,
            zorder=3,
            gid=f"median-unlikely:{actor}",
        )
        for yy, pp, hi in zip(y, p, data.p95[k][drawn], strict=True):
            if pp < 0.995:
                ax.text(
                    min(float(hi) + 0.6, text_x),
                    yy,
                    pct(float(pp)),
                    fontsize=6,
                    va="center",
                    ha="left",
                    color="#333333",
                    clip_on=True,
                )

    ax.set_yticks(rows)
    ax.set_yticklabels([plain(names[m]) for m in data.milestones])
    ax.set_ylim(n_milestones - 0.5, -0.5)  # first milestone of the ladder on top
    ax.set_xlim(meta.start, meta.end + 4)
    ax.set_xlabel("year")
    ax.grid(axis="x", color="#BBBBBB", lw=0.5, alpha=0.7)
    ax.set_axisbelow(True)
    ax.set_title(plain(title), fontsize=11)

    handles: list[Any] = [
        Line2D(
            [],
            [],
            color=styles[a][0],
            marker=styles[a][1],
            markeredgecolor="black",
            markeredgewidth=0.5,
            lw=2.6,
            alpha=0.9,
            label=plain(labels[a]),
        )
        for a in data.actors
    ]
    handles += [
        Line2D([], [], ls="none", marker="o", color="#555555", label="reached in ≥ 50 % of runs"),
        Line2D(
            [],
            [],
            ls="none",
            marker="o",
            markerfacecolor="white",
            markeredgecolor="#555555",
            label="reached in < 50 % of runs (% written)",
        ),
        Line2D([], [], color="#555555", lw=2.6, alpha=0.45, label="5–95 % of runs"),
    ]
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncol=min(5, len(handles)),
        fontsize=7.5,
        frameon=False,
    )
    return fig
