"""Figure 3: the probability that each bloc is first to each milestone."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from moondust.report.data import bloc_first, milestone_names, open_milestones, pct, run_meta
from moondust.report.style import (
    BLOC_LABEL,
    BLOC_STYLE,
    NOBODY_COLOUR,
    empty_message,
    new_figure,
    plain,
)
from moondust.results import Results, Summary
from moondust.world.blocs import BLOC_CLASSES


def race_figure(results: Results, summary: Summary | None = None) -> Figure:
    """The probability that each bloc class is first to each milestone after the start year.

    One stacked horizontal bar per milestone nobody held at the start and someone reaches in some
    run: the shares of runs in which an actor of the Artemis Accords only, the ILRS only, both or
    neither is first (ties in a year share the credit), and the share in which nobody gets there
    by the end year. Blocs differ by Okabe–Ito colour and by hatching. Comparing this figure
    between a cooperative and a cut-throat scenario answers the question the model asks.

    Parameters
    ----------
    results
        A batch of runs.
    summary
        ``results.summary()`` when the caller already has it (the report does): the shares are
        then read from it instead of being recomputed.

    Returns
    -------
    matplotlib.figure.Figure
        The figure (not registered with pyplot; save it with ``fig.savefig``).
    """
    ds = results.dataset
    meta = run_meta(results)
    names = milestone_names(ds)
    milestones = open_milestones(ds, meta.start)
    title = (
        f"Which bloc is first? — scenario {meta.scenario!r}, {meta.runs} runs "
        f"({meta.start + 1}–{meta.end})"
    )
    if not milestones:
        fig = new_figure(10.0, 3.0)
        return empty_message(
            fig,
            plain(title),
            f"No milestone that was open in {meta.start} is reached in any run.",
        )
    table = bloc_first(results, summary)
    fig = new_figure(11.0, 2.0 + 0.42 * len(milestones))
    ax = fig.subplots()
    rows = np.arange(len(milestones))
    left = np.zeros(len(milestones))
    segments = [
        *((b, BLOC_LABEL[b], BLOC_STYLE[b][0], BLOC_STYLE[b][1]) for b in BLOC_CLASSES),
        ("nobody", f"nobody by {meta.end}", NOBODY_COLOUR, ""),
    ]
    for key, label, colour, hatch in segments:
        width = np.array([table[m][key] for m in milestones])
        ax.barh(
            rows,
            width,
            left=left,
            height=0.72,
            color=colour,
            hatch=hatch,
            edgecolor="white",
            linewidth=0.6,
            label=label,
            gid=f"race:{key}",
        )
        for row, (x0, w) in enumerate(zip(left, width, strict=True)):
            if w >= 0.07:
                ax.text(
                    x0 + w / 2,
                    row,
                    pct(float(w)),
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    color="black",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
                )
        left = left + width
    ax.set_yticks(rows)
    ax.set_yticklabels([plain(names[m]) for m in milestones])
    ax.set_ylim(len(milestones) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda x, _pos: f"{100 * x:.0f} %")
    ax.set_xlabel("probability of being first (share of runs; ties in a year share the credit)")
    ax.set_title(plain(title), fontsize=11)
    fig.legend(loc="outside lower center", ncol=len(segments), fontsize=8, frameon=False)
    return fig
