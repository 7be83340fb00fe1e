"""What the twin shares with moondust: parameters and data, turned into plain Python values.

Everything here is *data loading*: the scenario file, the engine parameters, the 2025 setting
(:func:`moondust.engine.simulate.build_setting`), the milestone ladder, the stations and mining
sites tables and three small CSVs (debris counts, historical ASAT tests, the social cost of
carbon). No mechanism of moondust's engine is imported or called; the twin's mechanisms live in
:mod:`benchmarks.mesa_twin.agents` and :mod:`benchmarks.mesa_twin.model`.

The inputs are converted to tuples of floats and booleans once per scenario (cached), because a
Mesa model holds its state in Python attributes, not in NumPy arrays over runs.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from moondust.datafiles import read_csv
from moondust.engine.ladder import DOMAINS, TRACKS, load_ladder
from moondust.engine.mining import load_sites
from moondust.engine.simulate import build_setting
from moondust.engine.stations import load_stations
from moondust.world.policies import Policy, StatusQuo
from moondust.world.scenario import Distribution, Scenario, load_scenario
from moondust.world.world import load_world

Matrix = tuple[tuple[float, ...], ...]
Flags = tuple[tuple[bool, ...], ...]


@dataclass(frozen=True)
class StationSpec:
    """One station of ``data/engine/stations.csv`` mapped onto the actors (indices, not ids)."""

    name: str
    host: int
    seats: int
    quota: tuple[float, ...]
    treaty: tuple[bool, ...]
    bloc: tuple[bool, ...]
    eligible: tuple[bool, ...]
    bloc_mate: tuple[bool, ...]
    open_year: float
    close_year: float
    milestone: int
    successor_of: int
    trainee_since: tuple[float, ...]


@dataclass(frozen=True)
class SiteSpec:
    """One mineable deposit: He-3 within mining depth (kg), mean grade (ppb), far side or not."""

    he3_kg: float
    mean_ppb: float
    far_side: bool


@dataclass(frozen=True)
class TwinInputs:
    """A scenario's fixed inputs as plain Python values (N actors, M milestones, K domains)."""

    scenario: str
    start: int
    end: int
    ids: tuple[str, ...]
    blocs: tuple[str, ...]
    """Bloc class of each actor: ``artemis``, ``ilrs``, ``both`` or ``neither``."""
    civil0: tuple[float, ...]
    military0: tuple[float, ...]
    military_share0: tuple[float, ...]
    gdp_growth: tuple[float, ...]
    grievance: tuple[float, ...]
    rivalry: Matrix
    sanction: Flags
    same_bloc: Flags
    capability0: Matrix
    achieved0: Flags
    achieved_year0: Matrix
    successes0: tuple[float, ...]
    failures0: tuple[float, ...]
    roadmap_year: Matrix
    milestones: tuple[str, ...]
    thresholds: Matrix
    prerequisites: tuple[tuple[int, ...], ...]
    cost_usd_bn: tuple[float, ...]
    track: tuple[int, ...]
    policies: tuple[Policy, ...]
    policy_of_actor: tuple[int, ...]
    parameters: dict[str, float]
    uncertainties: dict[str, Distribution]
    stations: tuple[StationSpec, ...]
    sites: tuple[SiteSpec, ...]
    orbit_2025: tuple[float, float, float]
    """Active satellites, derelicts and debris ≥ 10 cm in 2025."""
    asat_fragments: tuple[float, float]
    """Fewest and most tracked fragments of a historical destructive ASAT test."""
    scc_years: tuple[float, ...]
    scc_usd_per_t: tuple[float, ...]

    @property
    def n_actors(self) -> int:
        """Number of actors N."""
        return len(self.ids)

    def milestone(self, name: str) -> int:
        """Index of a milestone in the ladder."""
        return self.milestones.index(name)

    def sample_parameters(self, rng: random.Random) -> dict[str, float]:
        """This run's parameters: the scenario's values, uncertain ones drawn with ``rng``."""
        values = dict(self.parameters)
        for name, dist in sorted(self.uncertainties.items()):
            lo, hi = dist.low or 0.0, dist.high or 0.0
            if dist.dist == "uniform":
                values[name] = rng.uniform(lo, hi)
            elif dist.dist == "loguniform":
                values[name] = math.exp(rng.uniform(math.log(lo), math.log(hi)))
            elif dist.dist == "triangular":
                values[name] = rng.triangular(lo, hi, dist.mode if dist.mode is not None else lo)
            else:
                values[name] = rng.gauss(dist.mean or 0.0, dist.sd or 0.0)
        return values


def bloc_class(artemis: bool, ilrs: bool) -> str:
    """``artemis``, ``ilrs``, ``both`` or ``neither``."""
    if artemis and ilrs:
        return "both"
    return "artemis" if artemis else "ilrs" if ilrs else "neither"


def _rows(array: np.ndarray) -> Matrix:
    return tuple(tuple(float(x) for x in row) for row in np.asarray(array, dtype=np.float64))


def _flags(array: np.ndarray) -> Flags:
    return tuple(tuple(bool(x) for x in row) for row in np.asarray(array, dtype=bool))


def _floats(array: np.ndarray) -> tuple[float, ...]:
    return tuple(float(x) for x in np.asarray(array, dtype=np.float64).reshape(-1))


def _orbit_2025() -> tuple[float, float, float]:
    table = read_csv("world", "debris_counts.csv")

    def value(year: int, metric: str) -> float:
        text = str(table[(table["year"] == year) & (table["metric"] == metric)]["value"].iloc[0])
        return float(text.replace(",", "").lstrip("~><=").strip())

    active = value(2025, "active payloads (headline)")
    payloads = value(2024, "payloads in orbit")
    objects = value(2024, "MASTER objects >10 cm (Aug 2024)")
    return active, payloads - active, objects - payloads


@cache
def _inputs(name_or_path: str) -> TwinInputs:
    return _build(load_scenario(name_or_path))


def twin_inputs(scenario: str | Path | Scenario) -> TwinInputs:
    """The twin's inputs for a built-in scenario name, a scenario file or a Scenario.

    Names and paths are cached per process, as a Mesa user would cache data loading shared by
    every run of a batch.
    """
    if isinstance(scenario, Scenario):
        return _build(scenario)
    return _inputs(str(scenario))


def _build(scenario: Scenario) -> TwinInputs:
    world = load_world()
    setting = build_setting(scenario, world)
    ladder = load_ladder()
    parameters = {k: float(v) for k, v in scenario.engine_parameters.model_dump().items()}
    # Grievance makes the 2025 shares a steady state of the status-quo Richardson coefficients.
    status_quo = StatusQuo().values
    x0 = setting.military_share0
    pressure = setting.rivalry @ x0
    grievance = status_quo["restraint"] * x0 - status_quo["reaction"] * pressure

    table = load_stations(setting)
    stations = tuple(
        StationSpec(
            name=table.ids[s],
            host=int(table.host[s]),
            seats=int(table.seats[s]),
            quota=_floats(table.quota[s]),
            treaty=tuple(bool(x) for x in table.treaty[s]),
            bloc=tuple(bool(x) for x in table.bloc[s]),
            eligible=tuple(bool(x) for x in table.eligible[s]),
            bloc_mate=tuple(bool(x) for x in table.bloc_mate[s]),
            open_year=float(table.open_year[s]),
            close_year=float(table.close_year[s]),
            milestone=int(table.milestone[s]),
            successor_of=int(table.successor_of[s]),
            trainee_since=_floats(table.trainee_since[s]),
        )
        for s in range(table.size)
    )
    deposits = load_sites({"mining_sites": np.array([[parameters["mining_sites"]]])})
    sites = tuple(
        SiteSpec(float(kg), float(ppb), bool(far))
        for kg, ppb, far in zip(deposits.he3_kg, deposits.mean_ppb, deposits.far_side, strict=True)
    )
    tracked = read_csv("world", "asat_tests.csv")["tracked_n"].astype(float)
    scc = read_csv("engine", "social_cost_of_carbon.csv")
    return TwinInputs(
        scenario=scenario.name,
        start=setting.start,
        end=setting.end,
        ids=setting.actor_ids,
        blocs=tuple(
            bloc_class(bool(a), bool(i)) for a, i in zip(setting.artemis, setting.ilrs, strict=True)
        ),
        civil0=_floats(setting.civil0_usd_bn),
        military0=_floats(setting.military0_usd_bn),
        military_share0=_floats(x0),
        gdp_growth=_floats(setting.gdp_growth),
        grievance=_floats(grievance),
        rivalry=_rows(setting.rivalry),
        sanction=_flags(setting.sanction),
        same_bloc=_flags(setting.same_bloc),
        capability0=_rows(setting.capability0),
        achieved0=_flags(setting.achieved0),
        achieved_year0=_rows(setting.achieved_year0),
        successes0=_floats(setting.successes0),
        failures0=_floats(setting.failures0),
        roadmap_year=_rows(setting.roadmap_year),
        milestones=ladder.ids,
        thresholds=_rows(ladder.thresholds),
        prerequisites=tuple(
            tuple(int(q) for q in np.flatnonzero(ladder.prerequisites[m]))
            for m in range(ladder.size)
        ),
        cost_usd_bn=_floats(ladder.cost_usd_bn),
        track=tuple(int(t) for t in ladder.track),
        policies=setting.policies,
        policy_of_actor=tuple(int(x) for x in setting.policy_of_actor),
        parameters=parameters,
        uncertainties=dict(scenario.uncertainties),
        stations=stations,
        sites=sites,
        orbit_2025=_orbit_2025(),
        asat_fragments=(float(tracked.min()), float(tracked.max())),
        scc_years=_floats(scc["year"].to_numpy()),
        scc_usd_per_t=_floats(scc["scc_usd_per_t_2pct"].to_numpy()),
    )


__all__ = [
    "DOMAINS",
    "TRACKS",
    "SiteSpec",
    "StationSpec",
    "TwinInputs",
    "bloc_class",
    "twin_inputs",
]
