"""The hindcast's HTML report: a calibration plot, a timeline of bands against real years, the
table and the Brier scores (``moondust hindcast --out DIR``).

It reads only the hindcast's JSON contract (``moondust.experiments.hindcast.Hindcast.as_dict``),
so a saved ``hindcast.json`` can be drawn again. Style and HTML helpers are the run report's.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from moondust.errors import writing
from moondust.outputs import atomic_write
from moondust.report.html import _CSS, _figure_html, _png_bytes
from moondust.report.style import BLACK, BLUE, OKABE_ITO, VERMILLION, new_figure
from moondust.report.tables import esc, table

FIT_END = 2016
"""Last year of the calibration period (the held-out events are those open at its end)."""

BINS = (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0)
"""Forecast-probability bins of the calibration plot."""


def held_out(events: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Events not demonstrated by the end of 2016 (the scored ones)."""
    return [e for e in events if e["actual_year"] is None or e["actual_year"] > FIT_END]


def calibration(events: Sequence[Mapping[str, Any]]) -> list[tuple[float, float, int]]:
    """(mean forecast, observed frequency, count) per non-empty bin of :data:`BINS`."""
    scored = held_out(events)
    p = np.array([e["p_by_2025"] for e in scored], dtype=float)
    y = np.array([e["actual_year"] is not None for e in scored], dtype=float)
    rows = []
    for k, (low, high) in enumerate(itertools.pairwise(BINS)):
        last = k == len(BINS) - 2
        inside = (p >= low) & ((p <= high) if last else (p < high))
        if inside.any():
            rows.append((float(p[inside].mean()), float(y[inside].mean()), int(inside.sum())))
    return rows


def calibration_figure(events: Sequence[Mapping[str, Any]]) -> Figure:
    """Predicted probability (by 2025) against the observed frequency, held-out events."""
    fig = new_figure(5.2, 4.6)
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], color="#999999", ls="--", lw=1, label="perfect calibration")
    points = calibration(events)
    if points:
        x, y, n = (np.array(column) for column in zip(*points, strict=True))
        ax.plot(x, y, color=BLUE, lw=1.4, marker="o", markeredgecolor="black", label="model")
        for xi, yi, ni in zip(x, y, n, strict=True):
            ax.annotate(
                f"n={ni}", (xi, yi), textcoords="offset points", xytext=(5, -11), fontsize=8
            )
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("model probability of the event by 2025")
    ax.set_ylabel("observed frequency (2017–2025)")
    ax.set_title("Calibration on the held-out events", fontsize=10)
    ax.grid(color="#BBBBBB", lw=0.5, alpha=0.7)
    ax.legend(fontsize=8, loc="upper left")
    return fig


def timeline_events(events: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Events that happened or that the model gives at least 5 % by 2025 (the timeline's rows)."""
    return [e for e in events if e["actual_year"] is not None or e["p_by_2025"] >= 0.05]


def timeline_figure(events: Sequence[Mapping[str, Any]], start: int, end: int) -> Figure:
    """For each event: the model's 5–95 % band and median of the first year, and the real year."""
    rows = timeline_events(events)
    fig = new_figure(8.0, max(2.5, 0.28 * len(rows) + 1.2))
    ax = fig.subplots()
    beyond = end + 1.5
    for k, e in enumerate(rows):
        low = e["year_q05"] if e["year_q05"] is not None else beyond
        high = e["year_q95"] if e["year_q95"] is not None else beyond
        ax.plot([low, high], [k, k], color=OKABE_ITO[0], lw=5, alpha=0.35, solid_capstyle="butt")
        if e["year_q50"] is not None:
            ax.plot(e["year_q50"], k, marker="|", color=BLUE, markersize=11, mew=2)
        if e["actual_year"] is not None:
            ax.plot(
                e["actual_year"],
                k,
                marker="*",
                color=VERMILLION,
                markersize=10,
                markeredgecolor=BLACK,
                markeredgewidth=0.5,
            )
        else:
            ax.plot(beyond, k, marker=">", color=VERMILLION, markersize=6)
    ax.set_yticks(range(len(rows)), [f"{e['actor']} {e['milestone']}" for e in rows], fontsize=7)
    ax.invert_yaxis()
    ax.axvline(FIT_END + 0.5, color="#777777", ls=":", lw=1)
    ax.set_xlim(start, beyond + 0.8)
    ax.set_xlabel(f"year (→ at the right edge: not by {end})")
    ax.set_title(
        "Model 5–95 % band (bar) and median (|) of the first year vs the real year (★)", fontsize=10
    )
    ax.grid(axis="x", color="#BBBBBB", lw=0.5, alpha=0.7)
    return fig


def _debris_html(rows: Sequence[Mapping[str, Any]]) -> str:
    """The debris hindcast's rows as a table (nothing when there are none)."""
    if not rows:
        return ""
    body = [
        [
            f"{r['year']} {r['metric']}",
            f"{r['observed']:,.0f}",
            f"{r['model_q50']:,.0f}",
            f"{r['model_q05']:,.0f}–{r['model_q95']:,.0f}",
        ]
        for r in rows
    ]
    return "<h2>Debris</h2>\n" + table(
        ["count", "recorded", "model median", "model 5–95 %"],
        body,
        "Objects ≥ 10 cm: the model counts LEO only, the records every orbit "
        '(docs/validation.md, "Debris hindcast")',
    )


def _skill(model: float, reference: float) -> str:
    return "n/a" if reference == 0 else f"{1.0 - model / reference:+.3f}"


def report_html(data: Mapping[str, Any], pngs: Mapping[str, bytes]) -> str:
    """The hindcast's self-contained HTML page."""
    events = data["events"]
    brier = data["brier"]
    scored = held_out(events)

    def cell(value: Any) -> str:
        return "—" if value is None else str(value)

    rows = [
        [
            f"{e['actor']} {e['milestone']}",
            f"{e['p_by_2016']:.2f}",
            f"{e['p_by_2025']:.2f}",
            cell(e["year_q50"]),
            f"{cell(e['year_q05'])}–{cell(e['year_q95'])}",
            cell(e["actual_year"]) if e["actual_year"] is not None else "not by 2025",
        ]
        for e in timeline_events(events)
    ]
    scores = table(
        ["forecaster", "Brier score", "model's skill against it"],
        [
            ["model", f"{brier['model']:.3f}", ""],
            [
                "announced plans",
                f"{brier['announced_plans']:.3f}",
                _skill(brier["model"], brier["announced_plans"]),
            ],
            [
                "base rate 2007–2016",
                f"{brier['base_rate']:.3f}",
                _skill(brier["model"], brier["base_rate"]),
            ],
        ],
        f"Brier scores on the {len(scored)} held-out events (open at the end of {FIT_END}; "
        f"outcome: demonstrated {FIT_END + 1}–{data['end']}); lower is better",
    )
    title = f"moondust hindcast {data['start']}→{data['end']}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<h1>{esc(title)}</h1>\n"
        f"<p>{data['runs']} runs started from the world at the end of {data['start']} "
        "(its budgets, growth projections, achievements and announced plans; later dated events "
        'in their years). docs/validation.md, "Hindcast", defines the events and scores.</p>\n'
        "<h2>Scores</h2>\n" + scores + "\n"
        "<h2>Calibration</h2>\n"
        + _figure_html(
            pngs["calibration"],
            "calibration plot of the held-out events",
            "Mean model probability against the observed frequency per probability "
            "bin; the diagonal is perfect calibration.",
        )
        + "\n<h2>Timeline</h2>\n"
        + _figure_html(
            pngs["timeline"],
            "timeline of model bands against real years",
            "Events that happened or that the model gives at least 5 % by "
            f"{data['end']}; the dotted line separates the calibration period from "
            "the held-out period.",
        )
        + '\n<h2>Events</h2>\n<div class="scroll">'
        + table(
            ["event", "P by 2016", "P by 2025", "median", "5–95 %", "actual"],
            rows,
            "Events that happened or that the model gives at least 5 % by 2025",
        )
        + "</div>\n"
        + _debris_html(data.get("debris") or [])
        + "<footer>Written by moondust. Fitted: "
        + esc(data.get("fitted") or "nothing")
        + ".</footer>\n</body>\n</html>\n"
    )


def write_hindcast_report(data: Mapping[str, Any], directory: str | Path) -> dict[str, Path]:
    """Write ``hindcast.html``, ``hindcast.json`` and the two figures into ``directory``."""
    import json

    directory = Path(directory)
    figures = directory / "figures"
    with writing(directory):
        figures.mkdir(parents=True, exist_ok=True)
        pngs = {
            "calibration": _png_bytes(calibration_figure(data["events"])),
            "timeline": _png_bytes(timeline_figure(data["events"], data["start"], data["end"])),
        }
        written: dict[str, Path] = {}
        for name, png in pngs.items():
            path = figures / f"hindcast_{name}.png"
            atomic_write(path, png)
            written[name] = path
        written["json"] = directory / "hindcast.json"
        atomic_write(written["json"], (json.dumps(data, indent=2) + "\n").encode())
        written["report"] = directory / "hindcast.html"
        atomic_write(written["report"], report_html(data, pngs).encode())
    return written
