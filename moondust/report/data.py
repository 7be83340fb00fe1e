"""What the report's figures and tables read from a :class:`~moondust.results.Results`.

Pure data: xarray reductions over the ``run`` dimension and small Python loops over actors,
milestones, stations and sites; nothing here draws. Every figure module and the HTML page use
these helpers, so a figure and the table beside it always agree.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr

from moondust.report.style import MARKERS, OKABE_ITO
from moondust.results import Results, Summary
from moondust.world.blocs import BLOC_CLASSES

DEFAULT_MAX_ACTORS = 8
"""How many actors the timeline shows unless told which."""
SPENDING_ACTORS = 5
"""How many of the largest actors the spending figure draws individually."""
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

VARIABLE_LABEL = {
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
"""Readable names of the race-metric variables, for notes on what the results lack."""


# --- the batch ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Meta:
    """What every title states: the scenario, the number of runs and the simulated years."""

    scenario: str
    runs: int
    start: int
    end: int


def run_meta(results: Results) -> Meta:
    """The scenario name, run count and start and end years of ``results``."""
    ds = results.dataset
    years = ds["year"].values
    return Meta(
        scenario=str(ds.attrs.get("scenario", "unnamed scenario")),
        runs=results.runs,
        start=int(ds.attrs.get("start", years[0])),
        end=int(ds.attrs.get("end", years[-1])),
    )


def milestone_names(ds: xr.Dataset) -> dict[str, str]:
    """Readable milestone names from the packaged ladder; ids prettified as a fallback."""
    names = {str(m): str(m).replace("_", " ").capitalize() for m in ds["milestone"].values}
    try:
        from moondust.engine.ladder import load_ladder

        ladder = load_ladder()
        names.update({i: n for i, n in zip(ladder.ids, ladder.names, strict=True) if i in names})
    except Exception:  # the labels are cosmetic: never fail a report over them
        pass
    return names


def actor_label(actor: str, name: str) -> str:
    """Short label for a figure: the actor's name when short, else its id."""
    short = name.split(" (")[0].strip()
    if not short or name.startswith("Rest of world") or len(short) > 22:
        return actor
    return short


def actor_labels(ds: xr.Dataset) -> dict[str, str]:
    """Figure label (:func:`actor_label`) of every actor id."""
    ids = [str(a) for a in ds["actor"].values]
    if "actor_name" not in ds.coords:
        return {a: a for a in ids}
    names = [str(n) for n in ds["actor_name"].values]
    return {a: actor_label(a, n) for a, n in zip(ids, names, strict=True)}


def actor_names(ds: xr.Dataset) -> dict[str, str]:
    """Full name of every actor id (the id when the results carry no names)."""
    ids = [str(a) for a in ds["actor"].values]
    if "actor_name" not in ds.coords:
        return {a: a for a in ids}
    return dict(zip(ids, (str(n) for n in ds["actor_name"].values), strict=True))


def budget_order(ds: xr.Dataset) -> list[str]:
    """Actors by space budget (civil + military) in the start year, largest first."""
    first = ds["civil_usd_bn"].isel(year=0) + ds["military_usd_bn"].isel(year=0)
    budget = first.median("run").values
    actors = [str(a) for a in ds["actor"].values]
    order = np.argsort(-np.nan_to_num(budget, nan=-np.inf), kind="stable")
    return [actors[i] for i in order]


def actor_styles(ds: xr.Dataset) -> dict[str, tuple[str, str]]:
    """(colour, marker) per actor, fixed by budget rank so every figure agrees.

    Colours repeat after eight actors but the (colour, marker) pair stays unique for 40.
    """
    return {
        actor: (OKABE_ITO[rank % len(OKABE_ITO)], MARKERS[rank % len(MARKERS)])
        for rank, actor in enumerate(budget_order(ds))
    }


# --- milestones ---------------------------------------------------------------------------------
def post_start_years(ds: xr.Dataset, start: int) -> xr.DataArray:
    """``milestone_year`` with achievements up to and including the start year masked out."""
    years = ds["milestone_year"]
    return years.where(years > start)


def held_at_start(ds: xr.Dataset, start: int) -> xr.DataArray:
    """(actor, milestone): held at the start in every run (history, not the simulated race)."""
    return (ds["milestone_year"] <= start).all("run")


def race_milestones(ds: xr.Dataset, start: int) -> list[str]:
    """Milestones someone reaches after the start year in at least one run, in ladder order."""
    later = post_start_years(ds, start).notnull().any(["run", "actor"])
    return [str(m) for m, hit in zip(ds["milestone"].values, later.values, strict=True) if hit]


def open_milestones(ds: xr.Dataset, start: int) -> list[str]:
    """Race milestones nobody held at the start: the ones a "who is first" question is about."""
    held_by_someone = held_at_start(ds, start).any("actor")
    held = {
        str(m) for m, h in zip(ds["milestone"].values, held_by_someone.values, strict=True) if h
    }
    return [m for m in race_milestones(ds, start) if m not in held]


def default_actors(ds: xr.Dataset, start: int, limit: int = DEFAULT_MAX_ACTORS) -> list[str]:
    """Actors reaching any milestone after the start year in some run, by budget, at most limit."""
    active = post_start_years(ds, start).notnull().any(["run", "milestone"])
    achieving = {str(a) for a, hit in zip(ds["actor"].values, active.values, strict=True) if hit}
    return [a for a in budget_order(ds) if a in achieving][:limit]


def check_subset(kind: str, chosen: Sequence[str], known: Sequence[str]) -> list[str]:
    """``chosen`` as strings; a ``ValueError`` naming any id not in ``known``."""
    chosen = [str(c) for c in chosen]
    unknown = [c for c in chosen if c not in set(known)]
    if unknown:
        raise ValueError(f"unknown {kind}(s) {unknown}; expected some of {list(known)}")
    return chosen


def quiet_quantile(data: xr.DataArray, q: Sequence[float], dim: str) -> xr.DataArray:
    """Quantiles over ``dim`` skipping NaN; all-NaN slices give NaN without a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        return data.quantile(list(q), dim=dim, skipna=True)


def pct(p: float) -> str:
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


@dataclass(frozen=True)
class Timeline:
    """What the timeline plots: per (actor, milestone) statistics over runs after the start."""

    actors: list[str]
    milestones: list[str]
    p5: np.ndarray  # (actor, milestone)
    median: np.ndarray
    p95: np.ndarray
    p_reached: np.ndarray
    held: np.ndarray  # bool: held before the start, not drawn


def timeline_data(
    results: Results, actors: Sequence[str] | None, milestones: Sequence[str] | None
) -> Timeline:
    """The timeline's statistics for the chosen actors and milestones (defaults when ``None``).

    Raises
    ------
    ValueError
        If an actor or milestone id is not in the results.
    """
    ds = results.dataset
    meta = run_meta(results)
    known_actors = [str(a) for a in ds["actor"].values]
    known_milestones = [str(m) for m in ds["milestone"].values]
    chosen_actors = (
        default_actors(ds, meta.start)
        if actors is None
        else check_subset("actor", actors, known_actors)
    )
    chosen_milestones = (
        race_milestones(ds, meta.start)
        if milestones is None
        else check_subset("milestone", milestones, known_milestones)
    )
    if not chosen_actors or not chosen_milestones:
        empty = np.empty((len(chosen_actors), len(chosen_milestones)))
        return Timeline(
            chosen_actors, chosen_milestones, empty, empty, empty, empty, empty.astype(bool)
        )
    sel = {"actor": chosen_actors, "milestone": chosen_milestones}
    later = post_start_years(ds, meta.start).sel(sel)
    q = quiet_quantile(later, (0.05, 0.5, 0.95), "run").transpose("quantile", "actor", "milestone")
    p_reached = later.notnull().mean("run").transpose("actor", "milestone")
    held = held_at_start(ds, meta.start).sel(sel).transpose("actor", "milestone")
    values = q.values
    return Timeline(
        actors=chosen_actors,
        milestones=chosen_milestones,
        p5=values[0],
        median=values[1],
        p95=values[2],
        p_reached=p_reached.values,
        held=held.values,
    )


# --- blocs --------------------------------------------------------------------------------------
def bloc_totals(ds: xr.Dataset, variable: str) -> xr.DataArray:
    """(run, bloc, year): ``variable`` summed over the actors of each bloc class."""
    return ds[variable].astype(float).groupby(ds["bloc"]).sum("actor")


def bloc_first(results: Results, summary: Summary | None = None) -> dict[str, dict[str, float]]:
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


# --- the race-metric variables (M4–M7) ----------------------------------------------------------
def missing_variables(ds: xr.Dataset, names: Sequence[str]) -> list[str]:
    """Which of ``names`` the dataset lacks (as a data variable or a coordinate)."""
    return [n for n in names if n not in ds.variables]


def per_run_year(data: xr.DataArray) -> xr.DataArray:
    """(run, year): ``data`` summed over every other dimension (actors, shells, stations)."""
    others = [d for d in data.dims if d not in ("run", "year")]
    return data.astype(float).sum(others).transpose("run", "year")


def seats_by_nationality(ds: xr.Dataset) -> xr.DataArray | None:
    """(run, actor, year) seats flown on all stations: ``seats_flown``, else ``station_seats``."""
    if "seats_flown" in ds:
        return ds["seats_flown"].astype(float).transpose("run", "actor", "year")
    if "station_seats" in ds:
        return ds["station_seats"].astype(float).sum("station").transpose("run", "actor", "year")
    return None


def station_info(ds: xr.Dataset) -> tuple[dict[str, str | None], dict[str, str]]:
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


def foreign_by_station(ds: xr.Dataset) -> tuple[xr.DataArray, dict[str, str]] | None:
    """(run, station, year) seats flown by foreign crews on each station with a known host."""
    if "station_seats" not in ds:
        return None
    hosts, names = station_info(ds)
    actors = ds["actor"].values.astype(str)
    known = [s for s, h in hosts.items() if h is not None]
    if not known:
        return None
    host = xr.DataArray([str(hosts[s]) for s in known], dims="station", coords={"station": known})
    seats = ds["station_seats"].sel(station=known).astype(float)
    foreign = seats.where(xr.DataArray(actors, dims="actor", coords={"actor": ds["actor"]}) != host)
    labels = {s: f"{names[s]} ({hosts[s]})" for s in known}
    return foreign.sum("actor").transpose("run", "station", "year"), labels


# --- mining sites -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sites:
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


def site_holders(results: Results, year: int | None) -> Sites | None:
    """Who holds each mining site in ``year`` (default: the end year); ``None`` without sites.

    Raises
    ------
    ValueError
        If ``year`` is not a simulated year.
    """
    ds = results.dataset
    if missing_variables(ds, SITE_VARIABLES) or ds.sizes.get("site", 0) == 0:
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
    return Sites(
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
