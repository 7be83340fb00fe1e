"""The self-contained HTML report written after ``moondust run`` (docs/outputs.md).

:func:`write_report` draws every figure of :mod:`moondust.report.figures`, saves them as PNG and
writes ``report.html``: the images embedded as data URIs (no external resources), each with a
text alternative, the tables of :mod:`moondust.report.tables` and the race metrics. A figure whose
variables are missing is skipped and the page says so.
"""

from __future__ import annotations

import base64
import io
import json
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from moondust.errors import writing
from moondust.outputs import atomic_write
from moondust.report.data import (
    CONFLICT_VARIABLES,
    CREW_VARIABLES,
    HE3_VARIABLES,
    SITE_VARIABLES,
    VARIABLE_LABEL,
    Sites,
    Timeline,
    actor_labels,
    actor_names,
    bloc_first,
    held_at_start,
    milestone_names,
    missing_variables,
    open_milestones,
    pct,
    per_run_year,
    race_milestones,
    run_meta,
    seats_by_nationality,
    site_holders,
    timeline_data,
)
from moondust.report.figures.conflict import conflict_figure
from moondust.report.figures.crew import crew_figure
from moondust.report.figures.he3_energy import he3_energy_figure
from moondust.report.figures.he3_market import he3_market_figure
from moondust.report.figures.race import race_figure
from moondust.report.figures.sites_map import sites_map_figure
from moondust.report.figures.spending import spending_figure
from moondust.report.figures.timeline import milestone_timeline_figure
from moondust.report.style import BLOC_LABEL, DPI
from moondust.report.tables import (
    bloc_table,
    esc,
    milestone_table,
    outcomes_table,
    sites_table,
    spending_table,
)
from moondust.results import Results, Summary
from moondust.world.blocs import BLOC_CLASSES

FIGURE_FILES = {
    "timeline": "milestone_timeline.png",
    "spending": "spending.png",
    "race": "race.png",
    "he3_energy": "he3_energy.png",
    "he3_market": "he3_market.png",
    "conflict": "conflict.png",
    "crew": "crew.png",
    "sites_map": "sites_map.png",
}
"""File name under ``figures/`` of each figure the report draws, in the order it draws them."""

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto;
       max-width: 74rem; padding: 1rem 1.5rem 3rem; color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #ccc; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; white-space: pre-line; }
.note { background: #f4f6f8; border-left: 4px solid #0072B2; padding: 0.6rem 1rem; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { font-size: 0.92rem; color: #333; margin-top: 0.3rem; }
table { border-collapse: collapse; font-size: 0.82rem; margin: 0.8rem 0; }
caption { text-align: left; font-weight: 600; padding-bottom: 0.3rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.45rem; vertical-align: top; }
thead th { background: #eef1f4; }
tbody th { text-align: left; font-weight: 600; white-space: nowrap; }
td { text-align: right; }
.scroll { overflow-x: auto; }
footer { margin-top: 2.5rem; font-size: 0.85rem; color: #555; }
.missing { color: #444; font-style: italic; }
"""


def _png_bytes(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _figure_html(png: bytes, alt: str, caption: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure>\n<img src="data:image/png;base64,{data}" alt="{esc(alt)}">\n'
        f"<figcaption>{esc(caption)}</figcaption>\n</figure>"
    )


def _scenario_info(ds: xr.Dataset) -> dict[str, Any]:
    try:
        info = json.loads(str(ds.attrs.get("scenario_json", "{}")))
    except json.JSONDecodeError:
        return {}
    return info if isinstance(info, dict) else {}


# --- text alternatives of the figures -----------------------------------------------------------
def _race_alt(
    blocs: dict[str, dict[str, float]], milestones: list[str], names: dict[str, str]
) -> str:
    parts = []
    for m in milestones:
        row = blocs[m]
        best = max(row, key=lambda key: row[key])
        label = BLOC_LABEL.get(best, "nobody by the end year")
        parts.append(f"{names[m]}: {label} {pct(row[best])}")
    return (
        "Stacked horizontal bars, one per milestone, giving the probability that each bloc "
        "class is first. Most likely outcome per milestone — " + "; ".join(parts) + "."
    )


def _timeline_alt(data: Timeline, names: dict[str, str], labels: dict[str, str]) -> str:
    parts = []
    for j, m in enumerate(data.milestones):
        medians = np.where((data.p_reached[:, j] > 0) & ~data.held[:, j], data.median[:, j], np.nan)
        if np.all(np.isnan(medians)):
            continue
        k = int(np.nanargmin(medians))
        parts.append(f"{names[m]}: {labels[data.actors[k]]} around {medians[k]:.0f}")
    return (
        "Timeline with one row per milestone and one marker per actor at the median year, with "
        "a bar for the 5–95 % range; hollow markers mean fewer than half of the runs get there. "
        "Earliest median per milestone — " + "; ".join(parts) + "."
    )


def _he3_alt(results: Results) -> str:
    ds = results.dataset
    parts = []
    for variable, unit in zip(HE3_VARIABLES, ("kg", "TWh", "Mt CO2"), strict=True):
        if variable in ds:
            total = float(ds[variable].sum(["actor", "year"]).median("run"))
            parts.append(f"{VARIABLE_LABEL[variable]} {total:,.0f} {unit}")
    return (
        "Three line charts of cumulative He-3 delivered to Earth, fusion electricity and CO2 "
        "avoided over time by bloc class, median with a 10–90 % band. Median all-actor totals at "
        "the end — " + "; ".join(parts) + "."
    )


def _market_alt(results: Results) -> str:
    ds = results.dataset
    median = ds["he3_price_usd_per_kg"].median("run") / 1e6
    years = [y for y in (2030, 2050, 2075, 2100) if y in ds["year"].values]
    path = "; ".join(f"{y}: {float(median.sel(year=y)):,.3g}" for y in years)
    return (
        "Line chart of the median He-3 price in USD M per kg with a 10–90 % band ("
        + path
        + "), and cumulative He-3 revenue by bloc."
    )


def _conflict_alt(results: Results) -> str:
    ds = results.dataset
    text = (
        "Line charts of military space spending by bloc class and, where modelled, counterspace "
        "stocks, objects in low Earth orbit and conflict events per year."
    )
    if "debris" in ds:
        debris = per_run_year(ds["debris"])
        start = float(debris.isel(year=0).median("run"))
        end = float(debris.isel(year=-1).median("run"))
        text += (
            f" Median debris goes from {start:,.0f} objects in {int(ds['year'][0])} to "
            f"{end:,.0f} in {int(ds['year'][-1])}."
        )
    return text


def _crew_alt(results: Results) -> str:
    ds = results.dataset
    text = "Stacked area chart of crew seats flown per year by nationality (mean over runs)"
    seats = seats_by_nationality(ds)
    if seats is not None:
        total = seats.sum("year").mean("run")
        order = np.argsort(-total.values, kind="stable")[:3]
        top = [f"{ds['actor'].values[i]} {total.values[i]:,.0f}" for i in order]
        text += "; most seats over the period — " + ", ".join(top)
    return text + "; and cumulative foreign crew seats per host station, median with a band."


def _sites_alt(sites: Sites | None) -> str:
    if sites is None:
        return "He-3 map of the Moon; these results have no mining sites."
    held = [
        f"{n} {h} {pct(float(p))}"
        for n, h, p in zip(sites.names, sites.holder, sites.share, strict=True)
        if h is not None
    ]
    return (
        f"He-3 map of the Moon, near side left, far side right, with {len(sites.names)} mining "
        f"sites; in {sites.year} held in most runs — " + ("; ".join(held) or "none") + "."
    )


# --- the race-metric sections (M4–M7) ------------------------------------------------------------
def _first_delivery_sentence(results: Results, summary: Summary, race: str) -> str:
    """The probability each bloc class is first to deliver He-3 (ties share the credit)."""
    ds = results.dataset
    if race not in map(str, ds["milestone"].values):
        return f"<p>These results have no {esc(race)} milestone, so no bloc can be first to it.</p>"
    row = bloc_first(results, summary)[race]
    present = set(map(str, ds["bloc"].values))
    parts = [f"{BLOC_LABEL[b]} {pct(row[b])}" for b in BLOC_CLASSES if b in present]
    return (
        "<p><strong>Who first delivers He-3 to Earth?</strong> Probability that an actor of each "
        "bloc class is first to deliver commercial He-3 (ties in a year share the credit): "
        + esc("; ".join(parts))
        + f"; nobody by {summary.end}: {esc(pct(row['nobody']))}.</p>"
    )


def _missing_note(ds: xr.Dataset, names: Sequence[str], what: str) -> str:
    """A sentence naming the variables ``names`` the results lack ('' when none is missing)."""
    gone = missing_variables(ds, names)
    if not gone:
        return ""
    listed = ", ".join(f"{VARIABLE_LABEL.get(n, n)} ({n})" for n in gone)
    return f'<p class="missing">Not in these results, so {esc(what)}: {esc(listed)}.</p>'


def _race_metric_sections(
    results: Results, summary: Summary, pngs: dict[str, bytes], chance: Summary | None = None
) -> list[str]:
    ds = results.dataset
    meta = run_meta(results)
    sections = [
        "<h2>He-3 and energy</h2>",
        _first_delivery_sentence(results, summary, "he3_delivered"),
        _figure_html(
            pngs["he3_energy"],
            _he3_alt(results),
            "Cumulative He-3 delivered to Earth (kg), electricity from D-He3 fusion (TWh) and "
            "CO₂ avoided (Mt CO₂) from the start year: median over runs (line) and 10–90 % "
            "band per bloc class (actors summed); black, the median all-actor total.",
        ),
        _missing_note(ds, HE3_VARIABLES, "their panels are empty"),
        _figure_html(
            pngs["he3_market"],
            _market_alt(results),
            "The He-3 price that clears the market each year (USD M per kg, log scale: median "
            "and 10–90 % of runs) and cumulative revenue of He-3 sellers (USD bn; lunar and D-D "
            "He-3) per bloc class, with the all-actor median in black.",
        )
        if "he3_market" in pngs
        else "<p class='missing'>Not drawn: these results carry no He-3 market variables.</p>",
        "<h2>Conflict and the orbital commons</h2>",
    ]
    if "conflict" in pngs:
        sections += [
            _figure_html(
                pngs["conflict"],
                _conflict_alt(results),
                "Military space spending (USD bn per year) and counterspace stocks (USD bn) by "
                "bloc class, objects in low Earth orbit with the debris level of 2025 as a "
                "dotted line, and destructive ASAT tests and incidents per year (mean over "
                "runs): medians with 10–90 % bands.",
            ),
            _missing_note(ds, CONFLICT_VARIABLES, "they are not drawn"),
        ]
    else:
        sections.append(
            "<p class='missing'>Not drawn: these results carry no conflict or debris variables ("
            + esc(", ".join(CONFLICT_VARIABLES))
            + "). Military space spending by bloc is in the spending figure above.</p>"
        )
    sections.append("<h2>Crews and stations</h2>")
    if "crew" in pngs:
        sections += [
            _figure_html(
                pngs["crew"],
                _crew_alt(results),
                "Crew seats flown per year by nationality on all modelled stations (mean over "
                "runs, stacked; colours and hatching tell nationalities apart), and seats flown "
                "by foreign crews on each station since the start (median, 10–90 % band).",
            ),
            _missing_note(ds, CREW_VARIABLES, "they are not drawn"),
        ]
    else:
        sections.append(
            "<p class='missing'>Not drawn: these results carry no station or crew variables ("
            + esc(", ".join(CREW_VARIABLES))
            + ").</p>"
        )
    sites = site_holders(results, None)
    sections += [
        "<h2>Who holds the Moon's He-3 sites</h2>",
        _figure_html(
            pngs["sites_map"],
            _sites_alt(sites),
            f"The He-3 map (near side left, far side right) with the mining sites in {meta.end}: "
            "marker area grows with the site's He-3; colour and shape show the actor holding it "
            "in the most runs, labelled with that share; hollow, unclaimed in most runs; a "
            "dashed ring, a joint base.",
        ),
        '<div class="scroll">' + sites_table(sites) + "</div>"
        if sites is not None
        else _missing_note(ds, SITE_VARIABLES, "no site is drawn"),
        "<h2>Race metrics over the runs</h2>",
        '<div class="scroll">' + outcomes_table(results, summary, chance) + "</div>",
    ]
    return [s for s in sections if s]


# --- the page -----------------------------------------------------------------------------------
def report_html(
    results: Results, summary: Summary, pngs: dict[str, bytes], chance: Summary | None = None
) -> str:
    """The whole page, with ``pngs`` (figure key to PNG bytes, see :data:`FIGURE_FILES`) embedded.

    Parameters
    ----------
    results
        A batch of runs.
    summary
        ``results.summary()``.
    pngs
        The figures drawn; ``timeline``, ``spending``, ``race``, ``he3_energy`` and
        ``sites_map`` are required, a missing ``conflict`` or ``crew`` is reported as skipped.
    chance
        The summary of a chance-only batch, shown beside the race metrics (optional).

    Returns
    -------
    str
        A complete HTML5 document that loads nothing from elsewhere.
    """
    ds = results.dataset
    meta = run_meta(results)
    info = _scenario_info(ds)
    names = milestone_names(ds)
    labels = actor_labels(ds)
    full_names = actor_names(ds)
    race = race_milestones(ds, meta.start)
    open_ = open_milestones(ds, meta.start)
    timeline = timeline_data(results, None, None)
    blocs = bloc_first(results, summary)
    description = str(info.get("description") or ds.attrs.get("description", "")).strip()

    held_before = [m for m in map(str, ds["milestone"].values) if m not in open_]
    held_held = held_at_start(ds, meta.start)
    held_items = []
    for m in held_before:
        holders = [
            str(a)
            for a, h in zip(ds["actor"].values, held_held.sel(milestone=m).values, strict=True)
            if h
        ]
        if holders:
            held_items.append(f"{names[m]} ({', '.join(holders)})")

    meta_rows = [
        ("scenario", meta.scenario),
        ("description", description or "—"),
        ("seed", str(ds.attrs.get("seed", "—"))),
        ("runs", f"{meta.runs:,}"),
        ("bands", summary.band),
        (
            "years",
            f"{meta.start}–{meta.end} (the start year is the data; {meta.start + 1} on "
            "is simulated)",
        ),
        ("actors", str(ds.sizes.get("actor", 0))),
        ("moondust version", str(ds.attrs.get("moondust_version", "unknown"))),
        ("scenario digest", str(ds.attrs.get("scenario_digest", "—"))),
    ]
    meta_html = "\n".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in meta_rows)

    how_to_read = (
        f"Each number summarises {meta.runs:,} Monte Carlo runs of the same scenario; the bands "
        f"span {summary.band}"
        + (
            " (every documented parameter range in docs/model.md is sampled in each run, so they "
            "show what we do not know as well as chance; the chance-only band is given beside "
            "the race metrics)"
            if results.uncertainty == "full"
            else " (the parameters are fixed at their values, so a band shows run-to-run chance "
            "only, not what we do not know about the parameters)"
        )
        + ". Years are "
        "medians with a 5–95 % band over the runs in which something happens (spending bands are "
        "10–90 % in the figure and 5–95 % in the table); percentages are shares of runs. When "
        "several actors reach a milestone in the same year they share the credit for being "
        "first. Nothing here is hard-coded or a forecast: the outcome follows from the "
        "assumptions listed in docs/model.md (budgets, technology, spillovers, policies), and "
        "changes when they change. Compare scenarios (moondust compare A B) rather than reading "
        "one run's years literally."
    )

    sections = [
        "<h2>Which bloc gets there first?</h2>",
        _figure_html(
            pngs["race"],
            _race_alt(blocs, open_, names),
            f"Probability that an actor of each bloc class is first to each milestone nobody "
            f"held in {meta.start} (hatching tells the blocs apart without colour; grey: nobody "
            f"reaches it by {meta.end}).",
        ),
        '<div class="scroll">' + bloc_table(blocs, open_, names) + "</div>"
        if open_
        else f"<p>No milestone that was open in {meta.start} is reached in any run.</p>",
    ]
    if held_items:
        sections.append(
            f"<p>Already reached before {meta.start + 1} (history, not part of the race): "
            + esc("; ".join(held_items))
            + ".</p>"
        )
    sections += [
        "<h2>Who reaches what, and when?</h2>",
        _figure_html(
            pngs["timeline"],
            _timeline_alt(timeline, names, labels),
            "Median year (marker) and 5–95 % band (bar) of each milestone for the main actors, "
            "over the runs in which they reach it after the start year. Filled markers: reached "
            "in at least half of the runs; hollow: fewer (percentage written). Actors differ by "
            "colour and marker shape; milestones an actor already held are not drawn.",
        ),
        '<div class="scroll">'
        + milestone_table(summary, race, open_, timeline.actors, names)
        + "</div>"
        if race and timeline.actors
        else f"<p>No milestone is reached after {meta.start} in any run.</p>",
        "<h2>What does it cost?</h2>",
        _figure_html(
            pngs["spending"],
            "Four line charts of space spending per year in 2025 US dollars: civil (left) and "
            "military (right), for the largest actors (top) and summed by bloc class (bottom), "
            "each a median line with a 10–90 % band.",
            "Civil and military space spending per year (USD bn, 2025 dollars): median over runs "
            "and 10–90 % band; top, the largest actors; bottom, summed over the actors of each "
            "bloc class.",
        ),
        '<div class="scroll">' + spending_table(summary, full_names) + "</div>",
        *_race_metric_sections(results, summary, pngs, chance),
    ]

    title = f"moondust report — {meta.scenario}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<h1>{esc(title)}</h1>\n"
        f'<dl class="meta">\n{meta_html}\n</dl>\n'
        f'<div class="note"><strong>How to read this.</strong> {esc(how_to_read)}</div>\n'
        + "\n".join(sections)
        + "\n<footer>Written by moondust "
        + esc(ds.attrs.get("moondust_version", "unknown"))
        + ". Model, parameters and sources: docs/model.md.</footer>\n</body>\n</html>\n"
    )


def write_report(
    results: Results, directory: str | Path, chance: Summary | None = None
) -> dict[str, Path]:
    """Save the figures as PNG and write a self-contained HTML report.

    Writes into ``directory/figures/``: ``milestone_timeline.png``, ``spending.png``,
    ``race.png``, ``he3_energy.png`` and ``sites_map.png`` always, ``he3_market.png``,
    ``conflict.png`` and ``crew.png`` when the results carry the variables they need
    (:func:`he3_market_figure`, :func:`conflict_figure`, :func:`crew_figure`); a figure that is
    skipped has its old PNG, if any, removed so the folder matches the report. Then
    ``directory/report.html``, which embeds the same images as base64 data URIs, says which
    figures were skipped and why, and loads nothing from elsewhere (it works offline and can be
    mailed as one file). Every file is written to a temporary name and
    renamed, so an interrupted run never leaves a half-written file under a final name.

    Parameters
    ----------
    results
        A batch of runs.
    directory
        Output directory (created if missing).
    chance
        The summary of a chance-only batch of the same scenario, shown beside the race metrics
        when the results sample the parameter ranges (``moondust run`` gives it).

    Returns
    -------
    dict[str, pathlib.Path]
        ``report`` and one key per figure written: ``timeline``, ``spending``, ``race``,
        ``he3_energy``, ``sites_map``, and ``he3_market``, ``conflict`` and ``crew`` when drawn.
    """
    directory = Path(directory)
    figures = directory / "figures"
    with writing(figures):
        figures.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():  # runs that never reach a milestone: NaN quantiles
        warnings.filterwarnings("ignore", "All-NaN slice", RuntimeWarning)
        summary = results.summary()

    builders: dict[str, Callable[[], Figure | None]] = {
        "timeline": lambda: milestone_timeline_figure(results),
        "spending": lambda: spending_figure(results),
        "race": lambda: race_figure(results, summary),
        "he3_energy": lambda: he3_energy_figure(results),
        "he3_market": lambda: he3_market_figure(results),
        "conflict": lambda: conflict_figure(results),
        "crew": lambda: crew_figure(results),
        "sites_map": lambda: sites_map_figure(results),
    }
    paths: dict[str, Path] = {}
    pngs: dict[str, bytes] = {}
    for key, build in builders.items():
        path = figures / FIGURE_FILES[key]
        fig = build()
        if fig is None:
            path.unlink(missing_ok=True)  # a stale figure of an earlier report would mislead
            continue
        try:
            pngs[key] = _png_bytes(fig)
        finally:
            fig.clear()
        atomic_write(path, pngs[key])
        paths[key] = path

    report = directory / "report.html"
    atomic_write(report, report_html(results, summary, pngs, chance).encode("utf-8"))
    return {"report": report, **paths}
