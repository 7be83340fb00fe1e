"""Figures and the HTML report written after ``moondust run`` (DESIGN §5).

Figures read a :class:`~moondust.results.Results`:

* :func:`milestone_timeline_figure`: when each main actor reaches each milestone (median year and
  5–95 % band over the Monte Carlo runs) and how likely it is to get there at all;
* :func:`spending_figure`: civil and military space spending paths, by actor and by bloc;
* :func:`race_figure`: the probability that each bloc is first to each milestone;
* :func:`he3_energy_figure`: cumulative He-3 delivered, fusion electricity and CO2 avoided by bloc;
* :func:`conflict_figure`: military spending, counterspace stocks, orbital debris, ASAT tests and
  incidents (``None`` when the results carry no conflict or debris variables);
* :func:`crew_figure`: crew seats by nationality and foreign flights per host station (``None``
  without station variables);
* :func:`sites_map_figure`: the He-3 map with the mining sites and who holds them.

:func:`write_report` saves them as PNG and writes a self-contained ``report.html`` (images embedded
as data URIs, no external resources) with the summary tables and the race metrics; a figure whose
variables are missing is skipped and the report says so.

Everything is computed with xarray reductions over the ``run`` dimension; the only Python loops are
over actors and milestones (a few hundred points at most). Figures are plain
:class:`matplotlib.figure.Figure` objects rendered by the Agg canvas, never registered with pyplot,
so they need no closing and never touch the caller's backend.
"""

from __future__ import annotations

import base64
import html
import io
import json
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from moondust.errors import writing
from moondust.outputs import atomic_write
from moondust.results import Results, Summary
from moondust.world.blocs import BLOC_CLASSES

__all__ = [
    "conflict_figure",
    "crew_figure",
    "he3_energy_figure",
    "milestone_timeline_figure",
    "race_figure",
    "sites_map_figure",
    "spending_figure",
    "write_report",
]

# Okabe & Ito (2008) colour-blind-safe palette, most distinct first; yellow last (weak on white).
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#E69F00",  # orange
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow
)
_MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "h", "<", ">")

# Bloc classes: colour, hatch, line style and marker, so no reading relies on colour alone.
_BLOC_STYLE: dict[str, tuple[str, str, str, str]] = {
    "artemis": ("#0072B2", "//", "-", "o"),
    "ilrs": ("#D55E00", "\\\\", "--", "s"),
    "both": ("#CC79A7", "xx", "-.", "^"),
    "neither": ("#009E73", "..", ":", "D"),
}
_BLOC_LABEL = {
    "artemis": "Artemis Accords only",
    "ilrs": "ILRS only",
    "both": "both blocs",
    "neither": "neither bloc",
}
_NOBODY_COLOUR = "#DDDDDD"

DEFAULT_MAX_ACTORS = 8
"""How many actors the timeline shows unless told which."""
SPENDING_ACTORS = 5
"""How many of the largest actors the spending figure draws individually."""
DPI = 130
"""Resolution of the saved PNGs."""

_FIGURE_FILES = {
    "timeline": "milestone_timeline.png",
    "spending": "spending.png",
    "race": "race.png",
    "he3_energy": "he3_energy.png",
    "conflict": "conflict.png",
    "crew": "crew.png",
    "sites_map": "sites_map.png",
}


# --- reading the dataset ------------------------------------------------------------------------
@dataclass(frozen=True)
class _Meta:
    scenario: str
    runs: int
    start: int
    end: int


def _meta(results: Results) -> _Meta:
    ds = results.dataset
    years = ds["year"].values
    return _Meta(
        scenario=str(ds.attrs.get("scenario", "unnamed scenario")),
        runs=results.runs,
        start=int(ds.attrs.get("start", years[0])),
        end=int(ds.attrs.get("end", years[-1])),
    )


def _plain(text: str) -> str:
    """Text safe for a Matplotlib label: ``$`` would otherwise start mathtext."""
    return text.replace("$", r"\$")


def _milestone_names(ds: xr.Dataset) -> dict[str, str]:
    """Readable milestone names from the packaged ladder; ids prettified as a fallback."""
    names = {str(m): str(m).replace("_", " ").capitalize() for m in ds["milestone"].values}
    try:
        from moondust.engine.ladder import load_ladder

        ladder = load_ladder()
        names.update({i: n for i, n in zip(ladder.ids, ladder.names, strict=True) if i in names})
    except Exception:  # the labels are cosmetic: never fail a report over them
        pass
    return names


def _actor_label(actor: str, name: str) -> str:
    """Short label for a figure: the actor's name when short, else its id."""
    short = name.split(" (")[0].strip()
    if not short or name.startswith("Rest of world") or len(short) > 22:
        return actor
    return short


def _actor_labels(ds: xr.Dataset) -> dict[str, str]:
    ids = [str(a) for a in ds["actor"].values]
    if "actor_name" not in ds.coords:
        return {a: a for a in ids}
    names = [str(n) for n in ds["actor_name"].values]
    return {a: _actor_label(a, n) for a, n in zip(ids, names, strict=True)}


def _actor_names(ds: xr.Dataset) -> dict[str, str]:
    ids = [str(a) for a in ds["actor"].values]
    if "actor_name" not in ds.coords:
        return {a: a for a in ids}
    return dict(zip(ids, (str(n) for n in ds["actor_name"].values), strict=True))


def _budget_order(ds: xr.Dataset) -> list[str]:
    """Actors by space budget (civil + military) in the start year, largest first."""
    first = ds["civil_usd_bn"].isel(year=0) + ds["military_usd_bn"].isel(year=0)
    budget = first.median("run").values
    actors = [str(a) for a in ds["actor"].values]
    order = np.argsort(-np.nan_to_num(budget, nan=-np.inf), kind="stable")
    return [actors[i] for i in order]


def _actor_styles(ds: xr.Dataset) -> dict[str, tuple[str, str]]:
    """(colour, marker) per actor, fixed by budget rank so every figure agrees.

    Colours repeat after eight actors but the (colour, marker) pair stays unique for 40.
    """
    return {
        actor: (OKABE_ITO[rank % len(OKABE_ITO)], _MARKERS[rank % len(_MARKERS)])
        for rank, actor in enumerate(_budget_order(ds))
    }


def _post_start_years(ds: xr.Dataset, start: int) -> xr.DataArray:
    """``milestone_year`` with achievements up to and including the start year masked out."""
    years = ds["milestone_year"]
    return years.where(years > start)


def _held_at_start(ds: xr.Dataset, start: int) -> xr.DataArray:
    """(actor, milestone): held at the start in every run (history, not the simulated race)."""
    return (ds["milestone_year"] <= start).all("run")


def _race_milestones(ds: xr.Dataset, start: int) -> list[str]:
    """Milestones someone reaches after the start year in at least one run, in ladder order."""
    later = _post_start_years(ds, start).notnull().any(["run", "actor"])
    return [str(m) for m, hit in zip(ds["milestone"].values, later.values, strict=True) if hit]


def _open_milestones(ds: xr.Dataset, start: int) -> list[str]:
    """Race milestones nobody held at the start: the ones a "who is first" question is about."""
    held_by_someone = _held_at_start(ds, start).any("actor")
    held = {
        str(m) for m, h in zip(ds["milestone"].values, held_by_someone.values, strict=True) if h
    }
    return [m for m in _race_milestones(ds, start) if m not in held]


def _default_actors(ds: xr.Dataset, start: int, limit: int = DEFAULT_MAX_ACTORS) -> list[str]:
    """Actors reaching any milestone after the start year in some run, by budget, at most limit."""
    active = _post_start_years(ds, start).notnull().any(["run", "milestone"])
    achieving = {str(a) for a, hit in zip(ds["actor"].values, active.values, strict=True) if hit}
    return [a for a in _budget_order(ds) if a in achieving][:limit]


def _check_subset(kind: str, chosen: Sequence[str], known: Sequence[str]) -> list[str]:
    chosen = [str(c) for c in chosen]
    unknown = [c for c in chosen if c not in set(known)]
    if unknown:
        raise ValueError(f"unknown {kind}(s) {unknown}; expected some of {list(known)}")
    return chosen


def _quiet_quantile(data: xr.DataArray, q: Sequence[float], dim: str) -> xr.DataArray:
    """Quantiles over ``dim`` skipping NaN; all-NaN slices give NaN without a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        return data.quantile(list(q), dim=dim, skipna=True)


def _pct(p: float) -> str:
    """A probability as a percentage that never rounds a possibility away."""
    if not np.isfinite(p):
        return "—"
    if p <= 0.0:
        return "0 %"
    if p < 0.01:
        return "<1 %"
    if p >= 1.0:
        return "100 %"
    if p > 0.99:
        return ">99 %"
    return f"{100 * p:.0f} %"


def _new_figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _empty_message(fig: Figure, title: str, message: str) -> Figure:
    ax = fig.subplots()
    ax.set_axis_off()
    ax.set_title(title, fontsize=11)
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=10, transform=ax.transAxes)
    return fig


# --- figure 1: the milestone timeline -----------------------------------------------------------
@dataclass(frozen=True)
class _Timeline:
    """What the timeline plots: per (actor, milestone) statistics over runs after the start."""

    actors: list[str]
    milestones: list[str]
    p5: np.ndarray  # (actor, milestone)
    median: np.ndarray
    p95: np.ndarray
    p_reached: np.ndarray
    held: np.ndarray  # bool: held before the start, not drawn


def _timeline_data(
    results: Results, actors: Sequence[str] | None, milestones: Sequence[str] | None
) -> _Timeline:
    ds = results.dataset
    meta = _meta(results)
    known_actors = [str(a) for a in ds["actor"].values]
    known_milestones = [str(m) for m in ds["milestone"].values]
    chosen_actors = (
        _default_actors(ds, meta.start)
        if actors is None
        else _check_subset("actor", actors, known_actors)
    )
    chosen_milestones = (
        _race_milestones(ds, meta.start)
        if milestones is None
        else _check_subset("milestone", milestones, known_milestones)
    )
    if not chosen_actors or not chosen_milestones:
        empty = np.empty((len(chosen_actors), len(chosen_milestones)))
        return _Timeline(
            chosen_actors, chosen_milestones, empty, empty, empty, empty, empty.astype(bool)
        )
    sel = {"actor": chosen_actors, "milestone": chosen_milestones}
    later = _post_start_years(ds, meta.start).sel(sel)
    q = _quiet_quantile(later, (0.05, 0.5, 0.95), "run").transpose("quantile", "actor", "milestone")
    p_reached = later.notnull().mean("run").transpose("actor", "milestone")
    held = _held_at_start(ds, meta.start).sel(sel).transpose("actor", "milestone")
    values = q.values
    return _Timeline(
        actors=chosen_actors,
        milestones=chosen_milestones,
        p5=values[0],
        median=values[1],
        p95=values[2],
        p_reached=p_reached.values,
        held=held.values,
    )


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
    meta = _meta(results)
    data = _timeline_data(results, actors, milestones)
    names = _milestone_names(ds)
    labels = _actor_labels(ds)
    styles = _actor_styles(ds)
    title = (
        f"Milestone timeline — scenario {meta.scenario!r}, {meta.runs} runs "
        f"({meta.start}–{meta.end})"
    )
    n_actors, n_milestones = len(data.actors), len(data.milestones)
    if n_actors == 0 or n_milestones == 0:
        fig = _new_figure(10.0, 3.0)
        return _empty_message(
            fig, _plain(title), f"No milestone is reached after {meta.start} in any run."
        )

    row_height = max(0.5, 0.11 * n_actors)
    fig = _new_figure(11.0, 1.9 + row_height * n_milestones)
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
                    _pct(float(pp)),
                    fontsize=6,
                    va="center",
                    ha="left",
                    color="#333333",
                    clip_on=True,
                )

    ax.set_yticks(rows)
    ax.set_yticklabels([_plain(names[m]) for m in data.milestones])
    ax.set_ylim(n_milestones - 0.5, -0.5)  # first milestone of the ladder on top
    ax.set_xlim(meta.start, meta.end + 4)
    ax.set_xlabel("year")
    ax.grid(axis="x", color="#BBBBBB", lw=0.5, alpha=0.7)
    ax.set_axisbelow(True)
    ax.set_title(_plain(title), fontsize=11)

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
            label=_plain(labels[a]),
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


# --- figure 2: spending paths -------------------------------------------------------------------
def _bloc_totals(ds: xr.Dataset, variable: str) -> xr.DataArray:
    """(run, bloc, year): ``variable`` summed over the actors of each bloc class."""
    return ds[variable].astype(float).groupby(ds["bloc"]).sum("actor")


def spending_figure(results: Results, actors: Sequence[str] | None = None) -> Figure:
    """Civil and military space spending paths: largest actors (top) and bloc totals (bottom).

    Lines are medians over runs, shaded bands the 10–90 % range. Actors keep the colours and
    markers of :func:`milestone_timeline_figure`; blocs differ by colour, line style and marker.

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
    meta = _meta(results)
    known = [str(a) for a in ds["actor"].values]
    chosen = (
        _budget_order(ds)[:SPENDING_ACTORS]
        if actors is None
        else _check_subset("actor", actors, known)
    )
    styles = _actor_styles(ds)
    labels = _actor_labels(ds)
    years = ds["year"].values
    every = max(1, len(years) // 8)
    variables = ("civil_usd_bn", "military_usd_bn")
    kinds = ("civil", "military")

    fig = _new_figure(12.0, 8.2)
    axes = fig.subplots(2, 2, sharex=True)
    for column, (variable, kind) in enumerate(zip(variables, kinds, strict=True)):
        by_actor = (
            _quiet_quantile(ds[variable].sel(actor=chosen), (0.1, 0.5, 0.9), "run")
            .transpose("quantile", "actor", "year")
            .values
        )
        ax = axes[0, column]
        for k, actor in enumerate(chosen):
            colour, marker = styles[actor]
            ax.fill_between(years, by_actor[0, k], by_actor[2, k], color=colour, alpha=0.18, lw=0)
            ax.plot(
                years,
                by_actor[1, k],
                color=colour,
                marker=marker,
                markevery=every,
                markersize=5,
                markeredgecolor="black",
                markeredgewidth=0.4,
                lw=1.6,
                label=_plain(labels[actor]),
                gid=f"{kind}:{actor}",
            )
        ax.set_title(f"{kind.capitalize()} space spending, largest actors", fontsize=10)
        ax.set_ylabel(f"{kind} space spending\n(USD bn per year, 2025 dollars)")
        ax.legend(fontsize=7.5, loc="upper left", frameon=False)

        totals = _bloc_totals(ds, variable)
        q = _quiet_quantile(totals, (0.1, 0.5, 0.9), "run").transpose("quantile", "bloc", "year")
        present = [b for b in BLOC_CLASSES if b in q["bloc"].values]
        ax = axes[1, column]
        for bloc in present:
            colour, _hatch, style, marker = _BLOC_STYLE[bloc]
            band = q.sel(bloc=bloc).values
            ax.fill_between(years, band[0], band[2], color=colour, alpha=0.18, lw=0)
            ax.plot(
                years,
                band[1],
                color=colour,
                ls=style,
                marker=marker,
                markevery=every,
                markersize=5,
                markeredgecolor="black",
                markeredgewidth=0.4,
                lw=1.6,
                label=_BLOC_LABEL[bloc],
                gid=f"{kind}-bloc:{bloc}",
            )
        ax.set_title(f"{kind.capitalize()} space spending, summed by bloc", fontsize=10)
        ax.set_ylabel(f"{kind} space spending\n(USD bn per year, 2025 dollars)")
        ax.set_xlabel("year")
        ax.legend(fontsize=7.5, loc="upper left", frameon=False)
    for ax in axes.flat:
        ax.set_xlim(years[0], years[-1])
        ax.set_ylim(bottom=0)
        ax.grid(color="#BBBBBB", lw=0.5, alpha=0.7)
    fig.suptitle(
        _plain(
            f"Space spending — scenario {meta.scenario!r}, {meta.runs} runs "
            f"(median and 10–90 % of runs)"
        ),
        fontsize=11,
    )
    return fig


# --- figure 3: which bloc is first --------------------------------------------------------------
def _bloc_first(results: Results, summary: Summary | None = None) -> dict[str, dict[str, float]]:
    """``{milestone: {bloc class: p_first, "nobody": p}}``; nobody means not by the end year."""
    if summary is not None:
        frame = summary.blocs
        pairs = zip(frame["milestone"].astype(str), frame["bloc"].astype(str), strict=True)
        values = dict(zip(pairs, frame["p_first"].to_numpy(dtype=float), strict=True))
    else:
        ds = results.dataset
        per_bloc = results.first_credit().groupby(ds["bloc"]).sum("actor").mean("run")
        per_bloc = per_bloc.transpose("milestone", "bloc")
        values = {
            (str(m), str(b)): float(v)
            for m, row in zip(per_bloc["milestone"].values, per_bloc.values, strict=True)
            for b, v in zip(per_bloc["bloc"].values, row, strict=True)
        }
    table: dict[str, dict[str, float]] = {}
    for milestone in map(str, results.dataset["milestone"].values):
        row = {b: float(np.nan_to_num(values.get((milestone, b), 0.0))) for b in BLOC_CLASSES}
        row["nobody"] = max(0.0, 1.0 - sum(row.values()))
        table[milestone] = row
    return table


def _race_figure(results: Results, summary: Summary | None) -> Figure:
    ds = results.dataset
    meta = _meta(results)
    names = _milestone_names(ds)
    milestones = _open_milestones(ds, meta.start)
    title = (
        f"Which bloc is first? — scenario {meta.scenario!r}, {meta.runs} runs "
        f"({meta.start + 1}–{meta.end})"
    )
    if not milestones:
        fig = _new_figure(10.0, 3.0)
        return _empty_message(
            fig,
            _plain(title),
            f"No milestone that was open in {meta.start} is reached in any run.",
        )
    table = _bloc_first(results, summary)
    fig = _new_figure(11.0, 2.0 + 0.42 * len(milestones))
    ax = fig.subplots()
    rows = np.arange(len(milestones))
    left = np.zeros(len(milestones))
    segments = [
        *((b, _BLOC_LABEL[b], _BLOC_STYLE[b][0], _BLOC_STYLE[b][1]) for b in BLOC_CLASSES),
        ("nobody", f"nobody by {meta.end}", _NOBODY_COLOUR, ""),
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
                    _pct(float(w)),
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    color="black",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
                )
        left = left + width
    ax.set_yticks(rows)
    ax.set_yticklabels([_plain(names[m]) for m in milestones])
    ax.set_ylim(len(milestones) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda x, _pos: f"{100 * x:.0f} %")
    ax.set_xlabel("probability of being first (share of runs; ties in a year share the credit)")
    ax.set_title(_plain(title), fontsize=11)
    fig.legend(loc="outside lower center", ncol=len(segments), fontsize=8, frameon=False)
    return fig


def race_figure(results: Results) -> Figure:
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

    Returns
    -------
    matplotlib.figure.Figure
        The figure (not registered with pyplot; save it with ``fig.savefig``).
    """
    return _race_figure(results, None)


# --- shared helpers for the race-metric figures (M4–M7) ------------------------------------------
HE3_VARIABLES = ("he3_delivered_kg", "energy_twh", "co2_avoided_mt")
"""Flows the He-3 and energy figure cumulates (run, actor, year)."""
CONFLICT_VARIABLES = (
    "debris",
    "active_satellites",
    "counterspace_usd_bn",
    "incidents",
    "asat_tests",
)
"""Variables of the conflict and debris model (M7) the conflict figure reads when present."""
CREW_VARIABLES = ("seats_flown", "foreign_flights", "station_seats")
"""Variables of the stations model (M4) the crew figure reads when present."""
SITE_VARIABLES = ("site_holder", "site_lat", "site_lon", "site_he3_kg")
"""What the sites map needs (``site_joint`` is optional)."""
CREW_NATIONALITIES = 8
"""How many nationalities the seats figure stacks individually (the rest are summed)."""

_VARIABLE_LABEL = {
    "he3_delivered_kg": "He-3 delivered",
    "energy_twh": "fusion electricity",
    "co2_avoided_mt": "CO₂ avoided",
    "debris": "orbital debris",
    "active_satellites": "active satellites",
    "counterspace_usd_bn": "counterspace stocks",
    "incidents": "incidents",
    "asat_tests": "ASAT tests",
    "seats_flown": "crew seats by nationality",
    "foreign_flights": "foreign flights",
    "station_seats": "seats per station",
    "site_holder": "site holders",
    "site_lat": "site latitudes",
    "site_lon": "site longitudes",
    "site_he3_kg": "site He-3",
}
_WORLD_STYLE = ("#000000", "-", "X")  # colour, line style, marker of the all-actor total
_HATCHES = ("//", "\\\\", "xx", "..", "oo", "++", "--", "||", "**", "OO")


def _missing(ds: xr.Dataset, names: Sequence[str]) -> list[str]:
    """Which of ``names`` the dataset lacks (as a data variable or a coordinate)."""
    return [n for n in names if n not in ds.variables]


def _per_run_year(data: xr.DataArray) -> xr.DataArray:
    """(run, year): ``data`` summed over every other dimension (actors, shells, stations)."""
    others = [d for d in data.dims if d not in ("run", "year")]
    return data.astype(float).sum(others).transpose("run", "year")


def _draw_band(
    ax: Axes,
    years: np.ndarray,
    q: np.ndarray,
    style: tuple[str, str, str],
    label: str,
    gid: str,
    every: int,
) -> None:
    """A median line (``q[1]``) with its 10–90 % band (``q[0]``..``q[2]``)."""
    colour, line, marker = style
    ax.fill_between(years, q[0], q[2], color=colour, alpha=0.16, lw=0)
    ax.plot(
        years,
        q[1],
        color=colour,
        ls=line,
        marker=marker,
        markevery=every,
        markersize=5,
        markeredgecolor="black",
        markeredgewidth=0.4,
        lw=1.6,
        label=label,
        gid=gid,
    )


def _bloc_bands(ax: Axes, totals: xr.DataArray, years: np.ndarray, prefix: str) -> None:
    """Median and 10–90 % band of ``totals`` (run, bloc, year) for every bloc class present."""
    q = _quiet_quantile(totals, (0.1, 0.5, 0.9), "run").transpose("quantile", "bloc", "year")
    present = [b for b in BLOC_CLASSES if b in q["bloc"].values]
    every = max(1, len(years) // 8)
    for bloc in present:
        colour, _hatch, line, marker = _BLOC_STYLE[bloc]
        _draw_band(
            ax,
            years,
            q.sel(bloc=bloc).values,
            (colour, line, marker),
            _BLOC_LABEL[bloc],
            f"{prefix}:{bloc}",
            every,
        )


def _finish_axes(ax: Axes, years: np.ndarray, ylabel: str, title: str) -> None:
    ax.set_xlim(years[0], years[-1])
    ax.set_ylim(bottom=0)
    ax.set_xlabel("year")
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.grid(color="#BBBBBB", lw=0.5, alpha=0.7)


def _panel_grid(fig: Figure, keys: Sequence[str], columns: int) -> dict[str, Axes]:
    """One axes per key (gid ``panel:<key>``) on a grid of ``columns``; spare cells removed."""
    rows = -(-len(keys) // columns)
    axes = fig.subplots(rows, columns, sharex=True, squeeze=False).ravel()
    for ax in axes[len(keys) :]:
        fig.delaxes(ax)
    panels = dict(zip(keys, axes, strict=False))
    for key, ax in panels.items():
        ax.set_gid(f"panel:{key}")
        ax.xaxis.set_tick_params(labelbottom=True)
    return panels


def _suptitle(fig: Figure, what: str, meta: _Meta, note: str) -> None:
    fig.suptitle(
        _plain(f"{what} — scenario {meta.scenario!r}, {meta.runs} runs ({note})"), fontsize=11
    )


# --- figure 4: He-3 delivered, fusion electricity and CO2 avoided --------------------------------
_HE3_PANELS = {  # variable: (panel title, axis label)
    "he3_delivered_kg": ("He-3 delivered to Earth", "cumulative He-3 delivered (kg)"),
    "energy_twh": ("Electricity from D-He3 fusion", "cumulative fusion electricity (TWh)"),
    "co2_avoided_mt": ("CO₂ emissions avoided", "cumulative CO₂ avoided (Mt CO₂)"),
}


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
    meta = _meta(results)
    years = ds["year"].values
    every = max(1, len(years) // 8)
    fig = _new_figure(14.0, 5.0)
    panels = _panel_grid(fig, list(_HE3_PANELS), 3)
    for variable, (title, ylabel) in _HE3_PANELS.items():
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
        _bloc_bands(ax, _bloc_totals(ds, variable).cumsum("year"), years, variable)
        total = ds[variable].astype(float).sum("actor").cumsum("year")
        world = _quiet_quantile(total, (0.5,), "run")
        colour, line, marker = _WORLD_STYLE
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
        _finish_axes(ax, years, ylabel, title)
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
    _suptitle(
        fig,
        "He-3, fusion electricity and CO₂ avoided",
        meta,
        "cumulative from the start; median and 10–90 % of runs",
    )
    return fig


# --- figure 5: conflict and the orbital commons --------------------------------------------------
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
        (:data:`CONFLICT_VARIABLES`); military spending alone is already in
        :func:`spending_figure`.
    """
    ds = results.dataset
    if len(_missing(ds, CONFLICT_VARIABLES)) == len(CONFLICT_VARIABLES):
        return None
    meta = _meta(results)
    years = ds["year"].values
    every = max(1, len(years) // 8)
    keys = ["military"]
    if "counterspace_usd_bn" in ds:
        keys.append("counterspace")
    if "debris" in ds or "active_satellites" in ds:
        keys.append("orbit")
    if "asat_tests" in ds or "incidents" in ds:
        keys.append("events")
    fig = _new_figure(13.0, 4.6 * (-(-len(keys) // 2)) + 0.8)
    panels = _panel_grid(fig, keys, 2)

    ax = panels["military"]
    _bloc_bands(ax, _bloc_totals(ds, "military_usd_bn"), years, "military-bloc")
    _finish_axes(
        ax,
        years,
        "military space spending\n(USD bn per year, 2025 dollars)",
        "Military space spending, summed by bloc",
    )
    ax.legend(fontsize=7.5, loc="upper left", frameon=False)

    if "counterspace" in panels:
        ax = panels["counterspace"]
        _bloc_bands(ax, _bloc_totals(ds, "counterspace_usd_bn"), years, "counterspace-bloc")
        _finish_axes(
            ax,
            years,
            "counterspace stock\n(USD bn, 2025 dollars)",
            "Counterspace stocks, summed by bloc",
        )
        ax.legend(fontsize=7.5, loc="upper left", frameon=False)

    if "orbit" in panels:
        ax = panels["orbit"]
        for variable, style, label in (
            ("debris", ("#D55E00", "-", "s"), "debris ≥ 10 cm"),
            ("active_satellites", ("#0072B2", "--", "o"), "active satellites"),
        ):
            if variable not in ds:
                continue
            q = _quiet_quantile(_per_run_year(ds[variable]), (0.1, 0.5, 0.9), "run")
            _draw_band(
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
            level = float(_per_run_year(ds["debris"]).sel(year=ref_year).median("run"))
            ax.axhline(
                level,
                color="#555555",
                ls=":",
                lw=1.2,
                gid="debris-reference",
                label=f"debris in {ref_year} ({level:,.0f})",
            )
        _finish_axes(
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
            ("asat_tests", ("#D55E00", "X", True), "destructive ASAT tests"),
            ("incidents", ("#0072B2", "o", False), "incidents between rivals"),
        ):
            if variable not in ds:
                continue
            per_run = _per_run_year(ds[variable])
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
        _finish_axes(
            ax,
            years,
            "events per year\n(mean over runs, all actors)",
            "Destructive ASAT tests and incidents",
        )
        top = max((np.nanmax(ln.get_ydata(), initial=0.0) for ln in ax.get_lines()), default=0.0)
        ax.set_ylim(0, 1.4 * top if top > 0 else 1.0)  # room for the legend above the markers
        ax.legend(fontsize=7.5, loc="upper left", frameon=False)

    _suptitle(fig, "Conflict and the orbital commons", meta, "median and 10–90 % of runs")
    return fig


# --- figure 6: crews and stations ----------------------------------------------------------------
def _seats_by_nationality(ds: xr.Dataset) -> xr.DataArray | None:
    """(run, actor, year) seats flown on all stations: ``seats_flown``, else ``station_seats``."""
    if "seats_flown" in ds:
        return ds["seats_flown"].astype(float).transpose("run", "actor", "year")
    if "station_seats" in ds:
        return ds["station_seats"].astype(float).sum("station").transpose("run", "actor", "year")
    return None


def _station_info(ds: xr.Dataset) -> tuple[dict[str, str | None], dict[str, str]]:
    """Host actor id and display name of each station in ``station_seats``.

    Read from the coordinates ``station_host`` and ``station_name`` when the results carry them,
    else from the packaged station table; a host that cannot be found is ``None``.
    """
    ids = [str(s) for s in ds["station"].values]
    hosts: dict[str, str | None] = dict.fromkeys(ids)
    names = {s: s for s in ids}
    try:
        from moondust.world.stations import station_specs

        for spec in station_specs():
            if spec.id in hosts:
                hosts[spec.id] = spec.host
                names[spec.id] = spec.name
    except Exception:  # labels and hosts fall back to the coordinates below
        pass
    if "station_host" in ds.coords:
        hosts.update(zip(ids, (str(h) for h in ds["station_host"].values), strict=True))
    if "station_name" in ds.coords:
        names.update(zip(ids, (str(n) for n in ds["station_name"].values), strict=True))
    return hosts, names


def _layer_colours(ds: xr.Dataset, layers: Sequence[str]) -> dict[str, str]:
    """Each actor's usual colour, unless an earlier layer has it: then the first free one.

    Budget-rank colours repeat after eight actors; in a stack, neighbours must still differ.
    ``"other"`` is grey.
    """
    styles = _actor_styles(ds)
    colours: dict[str, str] = {}
    for actor in layers:
        if actor not in styles:
            colours[actor] = _NOBODY_COLOUR
            continue
        colour = styles[actor][0]
        if colour in colours.values():
            free = [c for c in OKABE_ITO if c not in colours.values()]
            colour = free[0] if free else colour
        colours[actor] = colour
    return colours


def _foreign_by_station(ds: xr.Dataset) -> tuple[xr.DataArray, dict[str, str]] | None:
    """(run, station, year) seats flown by foreign crews on each station with a known host."""
    if "station_seats" not in ds:
        return None
    hosts, names = _station_info(ds)
    actors = ds["actor"].values.astype(str)
    known = [s for s, h in hosts.items() if h is not None]
    if not known:
        return None
    host = xr.DataArray([str(hosts[s]) for s in known], dims="station", coords={"station": known})
    seats = ds["station_seats"].sel(station=known).astype(float)
    foreign = seats.where(xr.DataArray(actors, dims="actor", coords={"actor": ds["actor"]}) != host)
    labels = {s: f"{names[s]} ({hosts[s]})" for s in known}
    return foreign.sum("actor").transpose("run", "station", "year"), labels


def crew_figure(results: Results) -> Figure | None:
    """Crew seats flown by nationality, and foreign flights per host station.

    Left: seats flown per year on every modelled station, stacked by nationality (the
    :data:`CREW_NATIONALITIES` nationalities with the most seats, the rest summed), mean over
    runs so the stack adds up to the mean total. Layers differ by colour and hatching. Right: the
    seats flown by foreign crews on each station (``station_seats``: seats of nationalities other
    than the station's host), cumulated from the start, median and 10–90 % band. Hosts come from
    a ``station_host`` coordinate when present, else from the packaged station table; a station
    whose host is unknown is left out. Without ``station_seats`` (or any known host), the panel
    shows foreign flights (``foreign_flights``) summed by the guest's bloc class.

    Parameters
    ----------
    results
        A batch of runs.

    Returns
    -------
    matplotlib.figure.Figure or None
        ``None`` when the results carry none of :data:`CREW_VARIABLES`.
    """
    ds = results.dataset
    seats = _seats_by_nationality(ds)
    foreign = _foreign_by_station(ds)
    if seats is None and foreign is None and "foreign_flights" not in ds:
        return None
    meta = _meta(results)
    years = ds["year"].values
    every = max(1, len(years) // 8)
    keys = (["seats"] if seats is not None else []) + (
        ["foreign"] if foreign is not None or "foreign_flights" in ds else []
    )
    fig = _new_figure(13.0 if len(keys) == 2 else 8.0, 5.4)
    panels = _panel_grid(fig, keys, len(keys))

    if seats is not None:
        ax = panels["seats"]
        mean = seats.mean("run").transpose("actor", "year")
        order = np.argsort(-mean.sum("year").values, kind="stable")
        actors = [str(a) for a in mean["actor"].values]
        flown = [actors[i] for i in order if mean.values[i].sum() > 0]
        shown = flown[:CREW_NATIONALITIES]
        layers = [(a, mean.sel(actor=a).values) for a in shown]
        rest = [a for a in actors if a not in shown]
        if rest and mean.sel(actor=rest).sum().item() > 0:
            layers.append(("other", mean.sel(actor=rest).sum("actor").values))
        colours = _layer_colours(ds, [a for a, _ in layers])
        labels = _actor_labels(ds)
        lower = np.zeros(len(years))
        for k, (actor, values) in enumerate(layers):
            upper = lower + values
            colour = colours[actor]
            ax.fill_between(
                years,
                lower,
                upper,
                color=colour,
                alpha=0.75,
                lw=0,
                hatch=_HATCHES[k % len(_HATCHES)],
                edgecolor="white",
                label=_plain(labels.get(actor, "other nationalities")),
                gid=f"seats:{actor}",
            )
            ax.plot(years, upper, color="black", lw=0.5, gid=f"seats-top:{actor}")
            lower = upper
        _finish_axes(
            ax,
            years,
            "crew seats flown per year\n(mean over runs)",
            "Crew seats flown by nationality, all stations",
        )
        if layers:  # top layer first, beside the stack so it hides nothing
            handles, texts = ax.get_legend_handles_labels()
            ax.legend(
                handles[::-1],
                texts[::-1],
                fontsize=7.5,
                loc="upper left",
                bbox_to_anchor=(1.0, 1.0),
                frameon=False,
            )

    if "foreign" in panels:
        ax = panels["foreign"]
        if foreign is not None:
            data, names = foreign
            q = _quiet_quantile(data.cumsum("year"), (0.1, 0.5, 0.9), "run").transpose(
                "quantile", "station", "year"
            )
            for k, station in enumerate(str(s) for s in data["station"].values):
                style = (
                    OKABE_ITO[k % len(OKABE_ITO)],
                    ("-", "--", "-.", ":")[k % 4],
                    _MARKERS[k % len(_MARKERS)],
                )
                _draw_band(
                    ax,
                    years,
                    q.sel(station=station).values,
                    style,
                    _plain(names[station]),
                    f"foreign:{station}",
                    every,
                )
            title = "Foreign crew seats per host station"
        else:
            guests = _bloc_totals(ds, "foreign_flights").cumsum("year")
            _bloc_bands(ax, guests, years, "foreign-bloc")
            title = "Foreign flights, summed by the guest's bloc"
        _finish_axes(
            ax, years, "cumulative seats flown by foreign crews\n(seats since the start)", title
        )
        ax.legend(fontsize=7.5, loc="upper left", frameon=False)

    _suptitle(fig, "Crews and stations", meta, "stack: mean over runs; lines: median, 10–90 %")
    return fig


# --- figure 7: who holds the Moon's He-3 sites ---------------------------------------------------
@dataclass(frozen=True)
class _Sites:
    """Majority holder of each mining site in one year (arrays along ``site``)."""

    year: int
    names: list[str]
    lat: np.ndarray
    lon: np.ndarray
    he3_kg: np.ndarray
    holder: list[str | None]  # actor id, None when unclaimed in most runs
    share: np.ndarray  # share of runs in which ``holder`` (or nobody) holds it
    top_claimant: list[str | None]  # the actor holding it in the most runs, whatever the mode
    top_share: np.ndarray
    joint: np.ndarray  # bool: a joint base in most of the runs where the holder holds it


def _site_holders(results: Results, year: int | None) -> _Sites | None:
    ds = results.dataset
    if _missing(ds, SITE_VARIABLES) or ds.sizes.get("site", 0) == 0:
        return None
    year = int(ds["year"].values[-1]) if year is None else int(year)
    if year not in ds["year"].values:
        known = ds["year"].values
        raise ValueError(f"year {year} is not simulated; expected {known[0]}–{known[-1]}")
    actors = [str(a) for a in ds["actor"].values]
    holder = ds["site_holder"].sel(year=year).transpose("run", "site").values.astype(int)
    # counts[s, k]: runs in which site s is held by actor k - 1 (k = 0: unclaimed)
    counts = np.stack([(holder == k).sum(axis=0) for k in range(-1, len(actors))], axis=1)
    mode = counts.argmax(axis=1) - 1  # ties: unclaimed, then the lower actor index
    runs = max(holder.shape[0], 1)
    claimed = counts[:, 1:]
    top = claimed.argmax(axis=1)
    if "site_joint" in ds:
        joint_runs = ds["site_joint"].sel(year=year).transpose("run", "site").values.astype(bool)
    else:
        joint_runs = np.zeros_like(holder, dtype=bool)
    held_by_mode = holder == mode[None, :]
    joint_share = (joint_runs & held_by_mode).sum(axis=0) / np.maximum(held_by_mode.sum(axis=0), 1)
    return _Sites(
        year=year,
        names=[str(n) for n in ds["site_name"].values]
        if "site_name" in ds.variables
        else [f"site {s}" for s in ds["site"].values],
        lat=np.asarray(ds["site_lat"].values, dtype=float),
        lon=np.asarray(ds["site_lon"].values, dtype=float),
        he3_kg=np.asarray(ds["site_he3_kg"].values, dtype=float),
        holder=[actors[m] if m >= 0 else None for m in mode],
        share=counts.max(axis=1) / runs,
        top_claimant=[actors[t] if claimed[s, t] > 0 else None for s, t in enumerate(top)],
        top_share=claimed.max(axis=1) / runs,
        joint=(mode >= 0) & (joint_share > 0.5),
    )


def _sci(value: float) -> str:
    """``9.7×10⁷``: a positive number in scientific notation with a superscript exponent."""
    if not np.isfinite(value) or value <= 0:
        return f"{value:g}"
    exponent = int(np.floor(np.log10(value)))
    mantissa = value / 10**exponent
    return f"{mantissa:.1f}×10" + str(exponent).translate(_SUPERSCRIPT)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
SITE_LABEL_MIN_SHARE = 0.2
"""An unclaimed-in-most-runs site is labelled with its main claimant from this share of runs."""


def _site_size(he3_kg: np.ndarray, largest: float) -> np.ndarray:
    """Marker area (points²): grows with the square root of the site's He-3."""
    return 40.0 + 260.0 * np.sqrt(np.clip(he3_kg, 0, None) / max(largest, 1.0))


def sites_map_figure(results: Results, year: int | None = None) -> Figure:
    """The He-3 map with the mining sites and who holds them.

    The map is :func:`moondust.report.moon_map.he3_map_figure` (1° grid; near side left, far
    side right, longitudes shifted to −90..270). Each mining site is a marker at its latitude
    and longitude, its area growing with the square root of the site's He-3. Its colour and shape
    are those of the actor that holds it in the most runs in ``year`` (the same styles as the
    other figures), and its label gives that actor's id and the share of runs, e.g. "CHN 62 %".
    Sites unclaimed in most runs are hollow (labelled with their main claimant when one holds
    them in at least :data:`SITE_LABEL_MIN_SHARE` of the runs); a white ring marks a joint base
    (in most of the runs where the holder holds it).

    Parameters
    ----------
    results
        A batch of runs.
    year
        Year to show. Default: the end year.

    Returns
    -------
    matplotlib.figure.Figure
        Marker collections with gids ``sites:<actor id>``, ``sites:unclaimed`` and
        ``sites:joint``; labels are texts with gid ``site-label:<position along site>``.

    Raises
    ------
    ValueError
        If ``year`` is not a simulated year.
    """
    from moondust.moon.he3 import He3Map
    from moondust.report.moon_map import _OUTLINE, _shift, he3_map_figure

    meta = _meta(results)
    sites = _site_holders(results, year)
    fig = he3_map_figure(He3Map(1.0), landing_sites=False)
    FigureCanvasAgg(fig)
    fig.set_size_inches(13.0, 7.0)
    ax = fig.axes[0]
    ax.set_xlabel("longitude (degrees; near side left, far side right)")
    ax.set_ylabel("latitude (degrees)")
    shown = meta.end if sites is None else sites.year
    fig.suptitle(
        _plain(
            f"Who holds the Moon's He-3 mining sites in {shown} — scenario {meta.scenario!r}, "
            f"{meta.runs} runs (majority holder and share of runs)"
        ),
        fontsize=11,
    )
    if sites is None:
        ax.text(
            0.5,
            0.08,
            "These results have no mining sites.",
            transform=ax.transAxes,
            ha="center",
            color="white",
            fontsize=11,
            path_effects=_OUTLINE,
        )
        return fig

    ds = results.dataset
    styles = _actor_styles(ds)
    x = np.asarray(_shift(sites.lon), dtype=float)
    size = _site_size(sites.he3_kg, float(np.max(sites.he3_kg, initial=0.0)))
    holders = [a for a in _budget_order(ds) if a in set(sites.holder)]
    handles: list[Any] = []
    for actor in [*holders, None]:
        idx = np.array([i for i, h in enumerate(sites.holder) if h == actor], dtype=int)
        if actor is None and idx.size == 0:
            continue
        if actor is None:
            ax.scatter(
                x[idx],
                sites.lat[idx],
                s=size[idx],
                marker="o",
                facecolors="none",
                edgecolors="white",
                linewidths=1.4,
                zorder=4,
                gid="sites:unclaimed",
                path_effects=_OUTLINE,
            )
            handles.append(
                Line2D(
                    [],
                    [],
                    ls="none",
                    marker="o",
                    markersize=9,
                    markerfacecolor="none",
                    markeredgecolor="#333333",
                    label="unclaimed in most runs",
                )
            )
            continue
        colour, marker = styles[actor]
        ax.scatter(
            x[idx],
            sites.lat[idx],
            s=size[idx],
            marker=marker,
            color=colour,
            edgecolors="white",
            linewidths=1.0,
            zorder=4,
            gid=f"sites:{actor}",
        )
        handles.append(
            Line2D(
                [],
                [],
                ls="none",
                marker=marker,
                markersize=9,
                color=colour,
                markeredgecolor="black",
                markeredgewidth=0.5,
                label=_plain(f"{actor}: {_actor_names(ds)[actor]}"),
            )
        )
    joint = np.flatnonzero(sites.joint)
    if joint.size:
        ax.scatter(
            x[joint],
            sites.lat[joint],
            s=size[joint] * 2.6,
            marker="o",
            facecolors="none",
            edgecolors="white",
            linewidths=1.2,
            linestyles="--",
            zorder=5,
            gid="sites:joint",
        )
        handles.append(
            Line2D(
                [],
                [],
                ls="none",
                marker="o",
                markersize=13,
                markerfacecolor="none",
                markeredgecolor="#333333",
                label="joint base (dashed ring)",
            )
        )
    largest = float(np.max(sites.he3_kg))
    for kg in (largest, largest / 10, largest / 100):
        handles.append(
            Line2D(
                [],
                [],
                ls="none",
                marker="o",
                color="#999999",
                markersize=float(np.sqrt(_site_size(np.array([kg]), largest)[0])),
                label=f"site with {_sci(kg)} kg He-3",
            )
        )

    placed: list[tuple[float, float]] = []
    for i in np.argsort(-sites.he3_kg, kind="stable"):
        if sites.holder[i] is not None:
            text = f"{sites.holder[i]} {_pct(float(sites.share[i]))}"
            if sites.joint[i]:
                text += " joint"
        elif sites.top_claimant[i] is not None and sites.top_share[i] >= SITE_LABEL_MIN_SHARE:
            text = f"({sites.top_claimant[i]} {_pct(float(sites.top_share[i]))})"
        else:
            continue
        near = any(abs(px - x[i]) < 14 and abs(py - sites.lat[i]) < 6 for px, py in placed)
        placed.append((float(x[i]), float(sites.lat[i])))
        ax.annotate(
            _plain(text),
            (float(x[i]), float(sites.lat[i])),
            xytext=(7, -11 if near else 5),
            textcoords="offset points",
            fontsize=7.5,
            fontweight="bold",
            color="white",
            path_effects=_OUTLINE,
            zorder=6,
            gid=f"site-label:{i}",
        )
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncol=min(6, len(handles)),
        fontsize=7.5,
        frameon=False,
    )
    return fig


# --- the HTML report ----------------------------------------------------------------------------
def _png_bytes(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], caption: str) -> str:
    """An HTML table; every header and cell is escaped here."""
    head = "".join(f"<th scope='col'>{_esc(h)}</th>" for h in header)
    body = "\n".join(
        "<tr>"
        + "".join(
            f"<th scope='row'>{_esc(c)}</th>" if i == 0 else f"<td>{_esc(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return (
        f"<table>\n<caption>{_esc(caption)}</caption>\n<thead><tr>{head}</tr></thead>\n"
        f"<tbody>\n{body}\n</tbody>\n</table>"
    )


def _year(value: float) -> str:
    return f"{value:.0f}" if np.isfinite(value) else "—"


def _milestone_table(
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
                    text += f"; reached in {_pct(p_reached)}"
                if milestone in open_:
                    text += f"; first {_pct(float(row['p_first']))}"
                cells.append(text)
        rows.append(cells)
    return _table(
        ["milestone", *actors],
        rows,
        "Median year (5–95 % of runs that reach it), share of runs reaching it by the end "
        "year when below 100 %, and probability of being first (for milestones nobody held at "
        "the start)",
    )


def _bloc_table(
    blocs: dict[str, dict[str, float]], milestones: list[str], names: dict[str, str]
) -> str:
    columns = [*BLOC_CLASSES, "nobody"]
    rows = [[names[m], *(_pct(blocs[m][c]) for c in columns)] for m in milestones]
    return _table(
        ["milestone", *(_BLOC_LABEL.get(c, "nobody by the end") for c in columns)],
        rows,
        "Probability that an actor of each bloc class is first (ties share the credit)",
    )


def _spending_table(summary: Summary, names: dict[str, str]) -> str:
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
    return _table(
        ["actor", "name", "bloc", "civil, USD bn", "military, USD bn"],
        rows,
        f"Cumulative space spending {summary.start + 1}–{summary.end}, USD bn (2025 dollars): "
        "median (5–95 % of runs)",
    )


def _scenario_info(ds: xr.Dataset) -> dict[str, Any]:
    try:
        info = json.loads(str(ds.attrs.get("scenario_json", "{}")))
    except json.JSONDecodeError:
        return {}
    return info if isinstance(info, dict) else {}


def _race_alt(
    blocs: dict[str, dict[str, float]], milestones: list[str], names: dict[str, str]
) -> str:
    parts = []
    for m in milestones:
        row = blocs[m]
        best = max(row, key=lambda key: row[key])
        label = _BLOC_LABEL.get(best, "nobody by the end year")
        parts.append(f"{names[m]}: {label} {_pct(row[best])}")
    return (
        "Stacked horizontal bars, one per milestone, giving the probability that each bloc "
        "class is first. Most likely outcome per milestone — " + "; ".join(parts) + "."
    )


def _timeline_alt(data: _Timeline, names: dict[str, str], labels: dict[str, str]) -> str:
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


def _figure_html(png: bytes, alt: str, caption: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure>\n<img src="data:image/png;base64,{data}" alt="{_esc(alt)}">\n'
        f"<figcaption>{_esc(caption)}</figcaption>\n</figure>"
    )


# --- the race-metric sections (M4–M7) ------------------------------------------------------------
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
}


def _outcome_label(metric: str, milestone_names: dict[str, str]) -> str:
    """A readable label with units for a column of :meth:`Results.run_outcomes`."""
    if metric in _OUTCOME_FIXED:
        return _OUTCOME_FIXED[metric]
    for prefix, template in _OUTCOME_LABELS.items():
        head, _, year = metric.rpartition("_by_")
        if head == prefix and year.isdigit():
            return template.format(year=year)
    if metric.startswith("first_") and metric.endswith("_year"):
        milestone = metric.removeprefix("first_").removesuffix("_year")
        name = milestone_names.get(milestone, milestone.replace("_", " "))
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


def _outcomes_table(results: Results, summary: Summary) -> str:
    """The per-run race metrics: median (5–95 %) and mean over runs, one row per metric."""
    ds = results.dataset
    names = _milestone_names(ds)
    rows = []
    for record in summary.outcomes.to_dict(orient="records"):
        metric = str(record["metric"])
        is_year = metric.endswith("_year")
        label = _outcome_label(metric, names)
        milestone = metric.removeprefix("first_").removesuffix("_year")
        if is_year and metric.startswith("first_") and milestone in names:
            reached = ds["milestone_year"].sel(milestone=milestone).notnull().any("actor")
            label += f"; reached in {_pct(float(reached.mean('run')))} of runs"
        median, p5, p95 = (float(record[k]) for k in ("median", "p5", "p95"))
        rows.append(
            [
                label,
                _number(median, is_year),
                f"{_number(p5, is_year)}–{_number(p95, is_year)}",
                _number(float(record["mean"]), is_year),
            ]
        )
    return _table(
        ["metric", "median", "5–95 % of runs", "mean"],
        rows,
        f"Race metrics per run, over {summary.runs:,} runs (cumulative quantities from "
        f"{summary.start} unless stated)",
    )


def _first_delivery_sentence(results: Results, summary: Summary, race: str) -> str:
    """The probability each bloc class is first to deliver He-3 (ties share the credit)."""
    ds = results.dataset
    if race not in map(str, ds["milestone"].values):
        return (
            f"<p>These results have no {_esc(race)} milestone, so no bloc can be first to it.</p>"
        )
    row = _bloc_first(results, summary)[race]
    present = set(map(str, ds["bloc"].values))
    parts = [f"{_BLOC_LABEL[b]} {_pct(row[b])}" for b in BLOC_CLASSES if b in present]
    return (
        "<p><strong>Who first delivers He-3 to Earth?</strong> Probability that an actor of each "
        "bloc class is first to deliver commercial He-3 (ties in a year share the credit): "
        + _esc("; ".join(parts))
        + f"; nobody by {summary.end}: {_esc(_pct(row['nobody']))}.</p>"
    )


def _missing_note(ds: xr.Dataset, names: Sequence[str], what: str) -> str:
    """A sentence naming the variables ``names`` the results lack ('' when none is missing)."""
    gone = _missing(ds, names)
    if not gone:
        return ""
    listed = ", ".join(f"{_VARIABLE_LABEL.get(n, n)} ({n})" for n in gone)
    return f'<p class="missing">Not in these results, so {_esc(what)}: {_esc(listed)}.</p>'


def _he3_alt(results: Results) -> str:
    ds = results.dataset
    parts = []
    for variable, unit in zip(HE3_VARIABLES, ("kg", "TWh", "Mt CO2"), strict=True):
        if variable in ds:
            total = float(ds[variable].sum(["actor", "year"]).median("run"))
            parts.append(f"{_VARIABLE_LABEL[variable]} {total:,.0f} {unit}")
    return (
        "Three line charts of cumulative He-3 delivered to Earth, fusion electricity and CO2 "
        "avoided over time by bloc class, median with a 10–90 % band. Median all-actor totals at "
        "the end — " + "; ".join(parts) + "."
    )


def _conflict_alt(results: Results) -> str:
    ds = results.dataset
    text = (
        "Line charts of military space spending by bloc class and, where modelled, counterspace "
        "stocks, objects in low Earth orbit and conflict events per year."
    )
    if "debris" in ds:
        debris = _per_run_year(ds["debris"])
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
    seats = _seats_by_nationality(ds)
    if seats is not None:
        total = seats.sum("year").mean("run")
        order = np.argsort(-total.values, kind="stable")[:3]
        top = [f"{ds['actor'].values[i]} {total.values[i]:,.0f}" for i in order]
        text += "; most seats over the period — " + ", ".join(top)
    return text + "; and cumulative foreign crew seats per host station, median with a band."


def _sites_alt(sites: _Sites | None) -> str:
    if sites is None:
        return "He-3 map of the Moon; these results have no mining sites."
    held = [
        f"{n} {h} {_pct(float(p))}"
        for n, h, p in zip(sites.names, sites.holder, sites.share, strict=True)
        if h is not None
    ]
    return (
        f"He-3 map of the Moon, near side left, far side right, with {len(sites.names)} mining "
        f"sites; in {sites.year} held in most runs — " + ("; ".join(held) or "none") + "."
    )


def _sites_table(sites: _Sites) -> str:
    rows = []
    for i in np.argsort(-sites.he3_kg, kind="stable"):
        holder = sites.holder[i]
        rows.append(
            [
                sites.names[i],
                f"{sites.lat[i]:.1f}°, {sites.lon[i]:.1f}°",
                f"{sites.he3_kg[i]:,.0f}",
                holder or "unclaimed",
                _pct(float(sites.share[i])),
                "yes" if sites.joint[i] else "no",
            ]
        )
    return _table(
        ["site", "latitude, east longitude", "He-3, kg", "holder", "share of runs", "joint base"],
        rows,
        f"Mining sites in {sites.year}: the actor holding each in the most runs (or unclaimed) "
        "and whether it is a joint base in most of those runs",
    )


def _race_metric_sections(results: Results, summary: Summary, pngs: dict[str, bytes]) -> list[str]:
    ds = results.dataset
    meta = _meta(results)
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
            + _esc(", ".join(CONFLICT_VARIABLES))
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
            + _esc(", ".join(CREW_VARIABLES))
            + ").</p>"
        )
    sites = _site_holders(results, None)
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
        '<div class="scroll">' + _sites_table(sites) + "</div>"
        if sites is not None
        else _missing_note(ds, SITE_VARIABLES, "no site is drawn"),
        "<h2>Race metrics over the runs</h2>",
        '<div class="scroll">' + _outcomes_table(results, summary) + "</div>",
    ]
    return [s for s in sections if s]


def _report_html(results: Results, summary: Summary, pngs: dict[str, bytes]) -> str:
    ds = results.dataset
    meta = _meta(results)
    info = _scenario_info(ds)
    names = _milestone_names(ds)
    labels = _actor_labels(ds)
    full_names = _actor_names(ds)
    race = _race_milestones(ds, meta.start)
    open_ = _open_milestones(ds, meta.start)
    timeline = _timeline_data(results, None, None)
    blocs = _bloc_first(results, summary)
    description = str(info.get("description") or ds.attrs.get("description", "")).strip()

    held_before = [m for m in map(str, ds["milestone"].values) if m not in open_]
    held_held = _held_at_start(ds, meta.start)
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
        (
            "years",
            f"{meta.start}–{meta.end} (the start year is the data; {meta.start + 1} on "
            "is simulated)",
        ),
        ("actors", str(ds.sizes.get("actor", 0))),
        ("moondust version", str(ds.attrs.get("moondust_version", "unknown"))),
        ("scenario digest", str(ds.attrs.get("scenario_digest", "—"))),
    ]
    meta_html = "\n".join(f"<dt>{_esc(k)}</dt><dd>{_esc(v)}</dd>" for k, v in meta_rows)

    how_to_read = (
        f"Each number summarises {meta.runs:,} Monte Carlo runs of the same scenario. Years are "
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
        '<div class="scroll">' + _bloc_table(blocs, open_, names) + "</div>"
        if open_
        else f"<p>No milestone that was open in {meta.start} is reached in any run.</p>",
    ]
    if held_items:
        sections.append(
            f"<p>Already reached before {meta.start + 1} (history, not part of the race): "
            + _esc("; ".join(held_items))
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
        + _milestone_table(summary, race, open_, timeline.actors, names)
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
        '<div class="scroll">' + _spending_table(summary, full_names) + "</div>",
        *_race_metric_sections(results, summary, pngs),
    ]

    title = f"moondust report — {meta.scenario}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<h1>{_esc(title)}</h1>\n"
        f'<dl class="meta">\n{meta_html}\n</dl>\n'
        f'<div class="note"><strong>How to read this.</strong> {_esc(how_to_read)}</div>\n'
        + "\n".join(sections)
        + "\n<footer>Written by moondust "
        + _esc(ds.attrs.get("moondust_version", "unknown"))
        + ". Model, parameters and sources: docs/model.md.</footer>\n</body>\n</html>\n"
    )


def write_report(results: Results, directory: str | Path) -> dict[str, Path]:
    """Save the figures as PNG and write a self-contained HTML report.

    Writes into ``directory/figures/``: ``milestone_timeline.png``, ``spending.png``,
    ``race.png``, ``he3_energy.png`` and ``sites_map.png`` always, ``conflict.png`` and
    ``crew.png`` when the results carry the variables they need (:func:`conflict_figure`,
    :func:`crew_figure`); a figure that is skipped has its old PNG, if any, removed so the folder
    matches the report. Then ``directory/report.html``, which embeds the same images as base64
    data URIs, says which figures were skipped and why, and loads nothing from elsewhere (it works
    offline and can be mailed as one file). Every file is written to a temporary name and
    renamed, so an interrupted run never leaves a half-written file under a final name.

    Parameters
    ----------
    results
        A batch of runs.
    directory
        Output directory (created if missing).

    Returns
    -------
    dict[str, pathlib.Path]
        ``report`` and one key per figure written: ``timeline``, ``spending``, ``race``,
        ``he3_energy``, ``sites_map``, and ``conflict`` and ``crew`` when drawn.
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
        "race": lambda: _race_figure(results, summary),
        "he3_energy": lambda: he3_energy_figure(results),
        "conflict": lambda: conflict_figure(results),
        "crew": lambda: crew_figure(results),
        "sites_map": lambda: sites_map_figure(results),
    }
    paths: dict[str, Path] = {}
    pngs: dict[str, bytes] = {}
    for key, build in builders.items():
        path = figures / _FIGURE_FILES[key]
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
    atomic_write(report, _report_html(results, summary, pngs).encode("utf-8"))
    return {"report": report, **paths}
