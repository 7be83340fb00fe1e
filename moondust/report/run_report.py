"""Figures and the HTML report written after ``moondust run`` (DESIGN §5).

Three figures read a :class:`~moondust.results.Results`:

* :func:`milestone_timeline_figure`: when each main actor reaches each milestone (median year and
  5–95 % band over the Monte Carlo runs) and how likely it is to get there at all;
* :func:`spending_figure`: civil and military space spending paths, by actor and by bloc;
* :func:`race_figure`: the probability that each bloc is first to each milestone.

:func:`write_report` saves them as PNG and writes a self-contained ``report.html`` (images embedded
as data URIs, no external resources) with the summary tables.

Everything is computed with xarray reductions over the ``run`` dimension; the only Python loops are
over actors and milestones (a few hundred points at most). Figures are plain
:class:`matplotlib.figure.Figure` objects rendered by the Agg canvas, never registered with pyplot,
so they need no closing and never touch the caller's backend.
"""

from __future__ import annotations

import base64
import contextlib
import html
import io
import json
import os
import uuid
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from moondust.results import BLOC_CLASSES, Results, Summary

__all__ = ["milestone_timeline_figure", "race_figure", "spending_figure", "write_report"]

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
    return ds[variable].groupby(ds["bloc"]).sum("actor")


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


# --- the HTML report ----------------------------------------------------------------------------
def _atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary name beside ``path``, then rename it into place."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


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
"""


def _figure_html(png: bytes, alt: str, caption: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure>\n<img src="data:image/png;base64,{data}" alt="{_esc(alt)}">\n'
        f"<figcaption>{_esc(caption)}</figcaption>\n</figure>"
    )


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

    Writes ``directory/figures/milestone_timeline.png``, ``spending.png`` and ``race.png``, and
    ``directory/report.html``, which embeds the same images as base64 data URIs and loads nothing
    from elsewhere (it works offline and can be mailed as one file). Every file is written to a
    temporary name and renamed, so an interrupted run never leaves a half-written file under a
    final name.

    Parameters
    ----------
    results
        A batch of runs.
    directory
        Output directory (created if missing).

    Returns
    -------
    dict[str, pathlib.Path]
        ``report``, ``timeline``, ``spending`` and ``race``: the files written.
    """
    directory = Path(directory)
    figures = directory / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():  # runs that never reach a milestone: NaN quantiles
        warnings.filterwarnings("ignore", "All-NaN slice", RuntimeWarning)
        summary = results.summary()

    builders = {
        "timeline": lambda: milestone_timeline_figure(results),
        "spending": lambda: spending_figure(results),
        "race": lambda: _race_figure(results, summary),
    }
    paths: dict[str, Path] = {}
    pngs: dict[str, bytes] = {}
    for key, build in builders.items():
        fig = build()
        try:
            pngs[key] = _png_bytes(fig)
        finally:
            fig.clear()
        path = figures / _FIGURE_FILES[key]
        _atomic_write(path, pngs[key])
        paths[key] = path

    report = directory / "report.html"
    _atomic_write(report, _report_html(results, summary, pngs).encode("utf-8"))
    return {"report": report, **paths}
