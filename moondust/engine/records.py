"""The engine's yearly records and their assembly into :class:`~moondust.results.Results`.

:class:`Recorder` collects each year's outputs while the pipeline runs; :func:`assemble_results`
turns it, with each milestone's first year, into the dataset users read. The engine builds
``Results``; ``moondust.results`` knows nothing of the engine (the layers in
docs/architecture.md).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import numpy as np
import xarray as xr

from moondust._version import __version__
from moondust.engine.ladder import DOMAINS
from moondust.engine.state import Setting, State
from moondust.engine.stations import StationTable
from moondust.results import Results
from moondust.world.blocs import bloc_class_of
from moondust.world.scenario import Scenario
from moondust.world.sites import SiteTable

_FLOWS = (
    "he3_mined_kg",
    "he3_delivered_kg",
    "miners",
    "fusion_gw",
    "energy_twh",
    "co2_avoided_mt",
    "climate_value_usd_bn",
)
_EXACT = ("he3_mined_kg", "he3_delivered_kg")
"""Series kept in float64 because tests check conservation of He-3 to the kilogram."""
_CONFLICT = ("counterspace_usd_bn", "incidents", "asat_tests")


class Recorder:
    """Collects the yearly outputs.

    Each series is stored year-major, ``(years, runs, …)``, so that writing one year is one
    contiguous copy; the public attributes are views with the year axis where the dataset wants it.
    Outputs are float32 (seven significant digits, half the memory of float64: 10,000 runs of the
    full model record about 1.3 GB instead of 2.6 GB), except He-3 masses.
    """

    def __init__(
        self,
        runs: int,
        setting: Setting,
        site_table: SiteTable,
        station_table: StationTable,
    ) -> None:
        n, years = setting.n_actors, setting.years.size
        self.site_table = site_table
        """The mining sites the site series are about (the same for every run)."""
        self.sites = sites = site_table.he3_kg.size
        self.station_table = station_table
        self._store: dict[str, np.ndarray] = {}
        ran = (runs, n)
        layout: dict[str, tuple[tuple[int, ...], type]] = {
            "civil": (ran, np.float32),
            "military": (ran, np.float32),
            "military_share": (ran, np.float32),
            "lunar_rd": (ran, np.float32),
            "capability": ((runs, n, len(DOMAINS)), np.float32),
            "milestones_held": (ran, np.int16),
            "attempted": (ran, np.int16),
            **{name: (ran, np.float64 if name in _EXACT else np.float32) for name in _FLOWS},
            "counterspace_usd_bn": (ran, np.float32),
            "incidents": (ran, np.int16),
            "asat_tests": (ran, np.int16),
            "station_seats": ((runs, station_table.size, n), np.int8),
            "debris": ((runs,), np.float32),
            "active_satellites": ((runs,), np.float32),
            "site_holder": ((runs, sites), np.int16),
            "site_joint": ((runs, sites), np.bool_),
            "site_remaining_kg": ((runs, sites), np.float64),
        }
        for name, (shape, dtype) in layout.items():
            self._store[name] = np.zeros((years, *shape), dtype=dtype)
        self._asat_before = np.zeros(ran, dtype=np.int64)

    def part(self, runs: slice) -> Recorder:
        """A recorder for a block of runs that writes into this one's arrays (for threads)."""
        block = copy.copy(self)
        block._store = {name: data[:, runs] for name, data in self._store.items()}
        block._asat_before = self._asat_before[runs].copy()
        return block

    def _view(self, name: str, year_axis: int = -1) -> np.ndarray:
        data = self._store[name]
        return np.moveaxis(data, 0, year_axis if year_axis >= 0 else data.ndim - 1)

    @property
    def civil(self) -> np.ndarray:
        return self._view("civil")

    @property
    def military(self) -> np.ndarray:
        return self._view("military")

    @property
    def military_share(self) -> np.ndarray:
        return self._view("military_share")

    @property
    def lunar_rd(self) -> np.ndarray:
        return self._view("lunar_rd")

    @property
    def capability(self) -> np.ndarray:
        """(runs, actors, years, domains)."""
        return self._view("capability", year_axis=2)

    @property
    def milestones_held(self) -> np.ndarray:
        return self._view("milestones_held")

    @property
    def attempted(self) -> np.ndarray:
        return self._view("attempted")

    @property
    def flows(self) -> dict[str, np.ndarray]:
        return {name: self._view(name) for name in _FLOWS}

    @property
    def conflict(self) -> dict[str, np.ndarray]:
        return {name: self._view(name) for name in _CONFLICT}

    @property
    def station_seats(self) -> np.ndarray:
        return self._view("station_seats")

    @property
    def debris(self) -> np.ndarray:
        return self._view("debris")

    @property
    def active_satellites(self) -> np.ndarray:
        return self._view("active_satellites")

    @property
    def site_holder(self) -> np.ndarray:
        return self._view("site_holder")

    @property
    def site_joint(self) -> np.ndarray:
        return self._view("site_joint")

    @property
    def site_remaining_kg(self) -> np.ndarray:
        return self._view("site_remaining_kg")

    def record(self, t: int, state: State) -> None:
        """Copy this year's outputs into row ``t``."""
        store = self._store
        store["civil"][t] = state.civil_usd_bn
        store["military"][t] = state.military_usd_bn
        store["military_share"][t] = state.military_share
        store["lunar_rd"][t] = state.lunar_rd_usd_bn
        store["capability"][t] = state.capability
        # Milestones are never lost: add this year's instead of recounting (R, N, M) every year.
        if t == 0:
            store["milestones_held"][t] = state.achieved.sum(axis=2)
        else:
            store["milestones_held"][t] = store["milestones_held"][t - 1] + state.new_milestones
        store["attempted"][t] = state.attempted
        store["he3_mined_kg"][t] = state.mining.mined_kg
        store["he3_delivered_kg"][t] = state.mining.delivered_kg
        store["miners"][t] = state.mining.miners
        store["fusion_gw"][t] = state.fusion.plants_gw
        store["energy_twh"][t] = state.fusion.energy_twh
        store["co2_avoided_mt"][t] = state.fusion.co2_avoided_mt
        store["climate_value_usd_bn"][t] = state.fusion.climate_value_usd_bn
        store["counterspace_usd_bn"][t] = state.conflict.counterspace_usd_bn
        store["incidents"][t] = state.conflict.incidents
        tests = state.conflict.asat_tests_total
        store["asat_tests"][t] = tests - self._asat_before
        self._asat_before = tests.copy()
        store["station_seats"][t] = state.stations.seats_flown
        store["debris"][t] = state.debris.debris
        store["active_satellites"][t] = state.debris.active
        store["site_holder"][t] = state.mining.holder
        store["site_joint"][t] = state.mining.joint
        store["site_remaining_kg"][t] = state.mining.remaining_kg


def assemble_results(
    scenario: Scenario,
    setting: Setting,
    milestone_year: np.ndarray,
    recorder: Recorder,
    run_index: np.ndarray,
    seed: int,
    varying: dict[str, np.ndarray],
) -> Results:
    """Assemble the dataset from the engine's yearly records and each milestone's first year.

    Parameters
    ----------
    scenario
        The scenario simulated (recorded in the attributes, with its digest).
    setting
        The fixed inputs of the batch (actors, years, ladder).
    milestone_year
        The year each milestone was first achieved (run, actor, milestone; NaN if never).
    recorder
        The yearly records of the batch.
    run_index
        The global index of each run.
    seed
        The seed of the random streams.
    varying
        The per-run values of the parameters that vary between runs (``input_<name>``).

    Returns
    -------
    Results
        The batch's dataset (layout in :mod:`moondust.results`).
    """
    sites = recorder.site_table
    blocs = [  # plain strings: the coordinate's values, not enum members
        str(bloc_class_of(bool(a), bool(i)))
        for a, i in zip(setting.artemis, setting.ilrs, strict=True)
    ]
    coords = {
        "run": ("run", run_index),
        "actor": ("actor", list(setting.actor_ids)),
        "actor_name": ("actor", list(setting.actor_names)),
        "bloc": ("actor", blocs),
        "year": ("year", setting.years),
        "milestone": ("milestone", list(setting.ladder.ids)),
        "domain": ("domain", list(DOMAINS)),
        "station": ("station", list(recorder.station_table.ids)),
        "site": ("site", np.arange(recorder.sites)),
        "site_name": ("site", list(sites.names)),
        "site_lat": ("site", sites.lat_deg),
        "site_lon": ("site", sites.lon_deg),
        "site_far_side": ("site", sites.far_side),
        "site_he3_kg": ("site", sites.he3_kg),
    }
    ray = ("run", "actor", "year")
    data: dict[str, Any] = {
        "civil_usd_bn": (ray, recorder.civil, {"units": "USD bn/yr (2025 dollars)"}),
        "military_usd_bn": (ray, recorder.military, {"units": "USD bn/yr (2025 dollars)"}),
        "military_share": (ray, recorder.military_share, {"units": "1"}),
        "lunar_rd_usd_bn": (ray, recorder.lunar_rd, {"units": "USD bn/yr"}),
        "capability": (
            ("run", "actor", "year", "domain"),
            recorder.capability,
            {"units": "capability level (milestone thresholds)"},
        ),
        "milestones_held": (ray, recorder.milestones_held, {"units": "count"}),
        "attempted": (ray, recorder.attempted, {"units": "milestone index, -1 none"}),
        "site_holder": (
            ("run", "site", "year"),
            recorder.site_holder,
            {"units": "actor index, -1 unclaimed"},
        ),
        "site_joint": (("run", "site", "year"), recorder.site_joint, {"units": "bool"}),
        "site_remaining_kg": (
            ("run", "site", "year"),
            recorder.site_remaining_kg,
            {"units": "kg He-3 within mining depth"},
        ),
        "milestone_year": (
            ("run", "actor", "milestone"),
            milestone_year,
            {"units": "calendar year; NaN if not achieved"},
        ),
    }
    flow_units = {
        "he3_mined_kg": "kg/yr",
        "he3_delivered_kg": "kg/yr",
        "miners": "count (Mark III equivalents)",
        "fusion_gw": "GWe installed",
        "energy_twh": "TWh/yr electricity",
        "co2_avoided_mt": "Mt CO2/yr",
        "climate_value_usd_bn": "USD bn/yr (2020 dollars, EPA SCC 2 %)",
    }
    for name, values in recorder.flows.items():
        data[name] = (ray, values, {"units": flow_units[name]})
    conflict_units = {
        "counterspace_usd_bn": "USD bn (stock)",
        "incidents": "incidents suffered this year",
        "asat_tests": "destructive ASAT tests conducted this year",
    }
    for name, values in recorder.conflict.items():
        data[name] = (ray, values, {"units": conflict_units[name]})
    table = recorder.station_table
    seats = recorder.station_seats
    host = np.zeros((table.size, len(setting.actor_ids)), dtype=bool)
    host[np.arange(table.size), table.host] = True
    data["station_seats"] = (
        ("run", "station", "actor", "year"),
        seats,
        {"units": "crew seats flown this year"},
    )
    data["seats_flown"] = (
        ray,
        seats.sum(axis=1, dtype=np.int16),
        {"units": "crew seats flown this year, all stations"},
    )
    data["foreign_flights"] = (
        ray,
        np.where(host[None, :, :, None], 0, seats).sum(axis=1, dtype=np.int16),
        {"units": "seats flown as a guest on another actor's station this year"},
    )
    data["debris"] = (("run", "year"), recorder.debris, {"units": "objects >= 10 cm in LEO"})
    data["active_satellites"] = (
        ("run", "year"),
        recorder.active_satellites,
        {"units": "active satellites in LEO"},
    )
    for name, values in varying.items():
        data[f"input_{name}"] = ("run", np.asarray(values).reshape(-1), {"units": "sampled"})
    attrs = {
        "scenario": scenario.name,
        "scenario_digest": scenario.digest(),
        "scenario_json": json.dumps(scenario.model_dump(mode="json"), sort_keys=True),
        "seed": seed,
        "start": setting.start,
        "end": setting.end,
        "moondust_version": __version__,
    }
    return Results(xr.Dataset(data, coords=coords, attrs=attrs))
