"""The report's HTML tables: milestones, blocs, spending, race metrics and mining sites.

Every header and cell goes through :func:`table`, which escapes it, so scenario text (names,
descriptions from a user's file) can never inject markup.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from moondust.report.data import Sites, milestone_names, pct
from moondust.report.style import BLOC_LABEL
from moondust.results import Results, Summary
from moondust.world.blocs import BLOC_CLASSES

_OUTCOME_LABELS = {
    "he3_delivered_kg": "He-3 delivered to Earth by {year} (kg, cumulative, all actors)",
    "energy_twh": "Electricity from fusion by {year} (TWh, cumulative, all actors)",
    "co2_avoided_mt": "CO₂ avoided by {year} (Mt CO₂, cumulative, all actors)",
}
_OUTCOME_FIXED = {
    "military_cum_usd_bn": "Military space spending after the start year (USD bn, 2025 dollars)",
    "civil_cum_usd_bn": "Civil space spending after the start year (USD bn, 2025 dollars)",
    "climate_value_usd_bn": "Climate value of the CO₂ avoided (USD bn, 2020 dollars, EPA SCC 2 %)",
    "debris_end": "Debris in low Earth orbit at the end (objects ≥ 10 cm)",
    "asat_tests": "Destructive ASAT tests (count, whole period)",
    "incidents": "Incidents between rivals (count, whole period)",
    "foreign_crew_flights": "Foreign crew flights (seats flown as a guest, whole period)",
    "p_he3_delivered_by_2100": "Share of runs with lunar He-3 on Earth by 2100",
    "he3_revenue_usd_bn": "He-3 revenue, all sellers, whole period (USD bn)",
    "first_he3_sold_year": "First year lunar He-3 is sold (runs where it is)",
}


def esc(value: Any) -> str:
    """``value`` as text escaped for HTML, quotes included (safe in attributes)."""
    return html.escape(str(value), quote=True)


def table(header: Sequence[str], rows: Sequence[Sequence[str]], caption: str) -> str:
    """An HTML table; every header and cell is escaped here."""
    head = "".join(f"<th scope='col'>{esc(h)}</th>" for h in header)
    body = "\n".join(
        "<tr>"
        + "".join(
            f"<th scope='row'>{esc(c)}</th>" if i == 0 else f"<td>{esc(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return (
        f"<table>\n<caption>{esc(caption)}</caption>\n<thead><tr>{head}</tr></thead>\n"
        f"<tbody>\n{body}\n</tbody>\n</table>"
    )


def _year(value: float) -> str:
    return f"{value:.0f}" if np.isfinite(value) else "—"


def milestone_table(
    summary: Summary,
    milestones: list[str],
    open_: list[str],
    actors: list[str],
    names: dict[str, str],
) -> str:
    """Per milestone and actor: median year (5–95 %), share reaching it, chance of being first.

    Being first is only stated for milestones nobody held at the start (``open_``): for the
    others the credit belongs to history.
    """
    indexed = {
        (str(r["actor"]), str(r["milestone"])): r
        for r in summary.milestones.to_dict(orient="records")
    }
    rows = []
    for milestone in milestones:
        cells = [names[milestone]]
        for actor in actors:
            row = indexed[(actor, milestone)]
            p_reached = float(row["p_achieved"])
            if p_reached == 0:
                cells.append("—")
            elif float(row["p95_year"]) <= summary.start:
                cells.append(f"held since {_year(float(row['median_year']))}")
            else:
                text = (
                    f"{_year(float(row['median_year']))} "
                    f"({_year(float(row['p5_year']))}–{_year(float(row['p95_year']))})"
                )
                if p_reached < 1:
                    text += f"; reached in {pct(p_reached)}"
                if milestone in open_:
                    text += f"; first {pct(float(row['p_first']))}"
                cells.append(text)
        rows.append(cells)
    return table(
        ["milestone", *actors],
        rows,
        "Median year (5–95 % of runs that reach it), share of runs reaching it by the end "
        "year when below 100 %, and probability of being first (for milestones nobody held at "
        "the start)",
    )


def bloc_table(
    blocs: dict[str, dict[str, float]], milestones: list[str], names: dict[str, str]
) -> str:
    """Per milestone, the probability that each bloc class (or nobody) is first."""
    columns = [*BLOC_CLASSES, "nobody"]
    rows = [[names[m], *(pct(blocs[m][c]) for c in columns)] for m in milestones]
    return table(
        ["milestone", *(BLOC_LABEL.get(c, "nobody by the end") for c in columns)],
        rows,
        "Probability that an actor of each bloc class is first (ties share the credit)",
    )


def spending_table(summary: Summary, names: dict[str, str]) -> str:
    """Cumulative civil and military spending per actor, largest total first."""
    frame = summary.spending.copy()
    frame["total"] = frame["civil_cum_median"] + frame["military_cum_median"]
    frame = frame.sort_values("total", ascending=False, kind="stable")

    def band(row: pd.Series, kind: str) -> str:
        return (
            f"{row[f'{kind}_cum_median']:,.0f} "
            f"({row[f'{kind}_cum_p5']:,.0f}–{row[f'{kind}_cum_p95']:,.0f})"
        )

    rows = [
        [
            str(row["actor"]),
            names.get(str(row["actor"]), str(row["actor"])),
            str(row["bloc"]),
            band(row, "civil"),
            band(row, "military"),
        ]
        for _, row in frame.iterrows()
    ]
    return table(
        ["actor", "name", "bloc", "civil, USD bn", "military, USD bn"],
        rows,
        f"Cumulative space spending {summary.start + 1}–{summary.end}, USD bn (2025 dollars): "
        "median (5–95 % of runs)",
    )


def outcome_label(metric: str, names: dict[str, str]) -> str:
    """A readable label with units for a column of :meth:`Results.run_outcomes`."""
    if metric in _OUTCOME_FIXED:
        return _OUTCOME_FIXED[metric]
    for prefix, template in _OUTCOME_LABELS.items():
        head, _, year = metric.rpartition("_by_")
        if head == prefix and year.isdigit():
            return template.format(year=year)
    head, _, year = metric.rpartition("_")
    if head == "he3_price_usd_per_kg" and year.isdigit():
        return f"He-3 price in {year} (USD per kg)"
    if metric.startswith("first_") and metric.endswith("_year"):
        milestone = metric.removeprefix("first_").removesuffix("_year")
        name = names.get(milestone, milestone.replace("_", " "))
        return f"First year anyone reaches “{name}” (runs where someone does)"
    return metric.replace("_", " ")


def _number(value: float, year: bool = False) -> str:
    if not np.isfinite(value):
        return "—"
    if year:
        return f"{value:.0f}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.1f}"
    return f"{value:.2g}"


def outcomes_table(results: Results, summary: Summary, chance: Summary | None = None) -> str:
    """The per-run race metrics: median (5–95 %) and mean over runs, one row per metric; with
    ``chance`` (a chance-only batch's summary) its median (5–95 %) beside them."""
    ds = results.dataset
    names = milestone_names(ds)
    beside = (
        {}
        if chance is None
        else {str(r["metric"]): r for r in chance.outcomes.to_dict(orient="records")}
    )
    rows = []
    for record in summary.outcomes.to_dict(orient="records"):
        metric = str(record["metric"])
        is_year = metric.endswith("_year")
        label = outcome_label(metric, names)
        milestone = metric.removeprefix("first_").removesuffix("_year")
        if is_year and metric.startswith("first_") and milestone in names:
            reached = ds["milestone_year"].sel(milestone=milestone).notnull().any("actor")
            label += f"; reached in {pct(float(reached.mean('run')))} of runs"
        median, p5, p95 = (float(record[k]) for k in ("median", "p5", "p95"))
        row = [
            label,
            _number(median, is_year),
            f"{_number(p5, is_year)}–{_number(p95, is_year)}",
            _number(float(record["mean"]), is_year),
        ]
        if chance is not None:
            other = beside.get(metric)
            row.append(
                "—"
                if other is None
                else f"{_number(float(other['median']), is_year)} "
                f"({_number(float(other['p5']), is_year)}–{_number(float(other['p95']), is_year)})"
            )
        rows.append(row)
    headers = ["metric", "median", f"5–95 % of runs ({summary.band})", "mean"]
    caption = (
        f"Race metrics per run, over {summary.runs:,} runs, bands of {summary.band} "
        f"(cumulative quantities from {summary.start} unless stated)"
    )
    if chance is not None:
        headers.append(f"{chance.band}: median (5–95 %)")
        caption += f"; beside them, {chance.band} over {chance.runs:,} runs"
    return table(headers, rows, caption)


def sites_table(sites: Sites) -> str:
    """Each mining site, largest first: where, how much He-3, who holds it and how often."""
    rows = []
    for i in np.argsort(-sites.he3_kg, kind="stable"):
        holder = sites.holder[i]
        rows.append(
            [
                sites.names[i],
                f"{sites.lat[i]:.1f}°, {sites.lon[i]:.1f}°",
                f"{sites.he3_kg[i]:,.0f}",
                holder or "unclaimed",
                pct(float(sites.share[i])),
                "yes" if sites.joint[i] else "no",
            ]
        )
    return table(
        ["site", "latitude, east longitude", "He-3, kg", "holder", "share of runs", "joint base"],
        rows,
        f"Mining sites in {sites.year}: the actor holding each in the most runs (or unclaimed) "
        "and whether it is a joint base in most of those runs",
    )
