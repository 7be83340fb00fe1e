"""The engine's yearly records and their assembly into :class:`~moondust.results.Results`.

:class:`Recorder` collects each year's outputs while the pipeline runs; :func:`assemble_results`
turns it, with each milestone's first year, into the dataset users read. Both read the outputs
table (:data:`moondust.outputs_table.OUTPUTS`): the recorder allocates its arrays and copies the
``State`` fields from it, and the dataset's variables, dims and units follow it; only the outputs
that are computed have code here. The engine builds ``Results``; ``moondust.results`` knows
nothing of the engine (the layers in docs/architecture.md).
"""

from __future__ import annotations

import copy
import json
from operator import attrgetter
from typing import Any

import numpy as np
import xarray as xr

from moondust._version import __version__
from moondust.engine.ladder import DOMAINS
from moondust.engine.state import Setting, State
from moondust.engine.stations import StationTable
from moondust.outputs_table import OUTPUT_BY_NAME, OUTPUTS, SAMPLED_INPUT
from moondust.results import Results
from moondust.world.blocs import bloc_class_of
from moondust.world.scenario import Scenario
from moondust.world.sites import SiteTable

COMPUTED_EACH_YEAR = ("milestones_held", "asat_tests")
"""The outputs :meth:`Recorder.record` computes (source ``RECORDED`` in the outputs table)."""


class Recorder:
    """Collects the yearly outputs of :data:`~moondust.outputs_table.OUTPUTS`.

    Each series is stored year-major, ``(years, runs, …)``, so that writing one year is one
    contiguous copy; :meth:`series` gives it with the year axis where the dataset wants it. The
    arrays, their shapes and dtypes come from the outputs table.
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
        sizes = {
            "run": runs,
            "actor": n,
            "domain": len(DOMAINS),
            "station": station_table.size,
            "site": sites,
        }
        self._store: dict[str, np.ndarray] = {
            output.name: np.zeros(
                (years, *(sizes[dim] for dim in output.dims if dim != "year")),
                dtype=output.dtype,
            )
            for output in OUTPUTS
            if output.yearly
        }
        self._copies = {
            output.name: attrgetter(output.state_field)
            for output in OUTPUTS
            if output.state_field is not None
        }
        self._asat_before = np.zeros((runs, n), dtype=np.int64)

    def part(self, runs: slice) -> Recorder:
        """A recorder for a block of runs that writes into this one's arrays (for threads)."""
        block = copy.copy(self)
        block._store = {name: data[:, runs] for name, data in self._store.items()}
        block._asat_before = self._asat_before[runs].copy()
        return block

    def series(self, name: str) -> np.ndarray:
        """The records of output ``name``, a view with its dims in the dataset's order."""
        data = self._store[name]
        return np.moveaxis(data, 0, OUTPUT_BY_NAME[name].dims.index("year"))

    def record(self, t: int, state: State) -> None:
        """Write this year's outputs into row ``t``."""
        store = self._store
        for name, field in self._copies.items():
            store[name][t] = field(state)
        # Milestones are never lost: add this year's instead of recounting (R, N, M) every year.
        if t == 0:
            store["milestones_held"][t] = state.achieved.sum(axis=2)
        else:
            store["milestones_held"][t] = store["milestones_held"][t - 1] + state.new_milestones
        # The conflict state counts tests so far; the output is this year's.
        tests = state.conflict.asat_tests_total
        store["asat_tests"][t] = tests - self._asat_before
        self._asat_before = tests.copy()


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
    table = recorder.station_table
    seats = recorder.series("station_seats")
    host = np.zeros((table.size, len(setting.actor_ids)), dtype=bool)
    host[np.arange(table.size), table.host] = True
    # The outputs the records do not hold as they are (ASSEMBLED in the outputs table).
    assembled = {
        "milestone_year": milestone_year,
        "seats_flown": seats.sum(axis=1, dtype=OUTPUT_BY_NAME["seats_flown"].dtype),
        "foreign_flights": np.where(host[None, :, :, None], 0, seats).sum(
            axis=1, dtype=OUTPUT_BY_NAME["foreign_flights"].dtype
        ),
    }
    data: dict[str, Any] = {
        output.name: (
            output.dims,
            recorder.series(output.name) if output.yearly else assembled[output.name],
            output.attrs,
        )
        for output in OUTPUTS
    }
    for name, values in varying.items():
        data[f"input_{name}"] = (
            SAMPLED_INPUT.dims,
            np.asarray(values).reshape(-1),
            SAMPLED_INPUT.attrs,
        )
    attrs = {
        "scenario": scenario.name,
        "scenario_digest": scenario.digest(),
        "scenario_json": json.dumps(scenario.model_dump(mode="json"), sort_keys=True),
        "seed": seed,
        "uncertainty": scenario.simulation.uncertainty,
        "start": setting.start,
        "end": setting.end,
        "moondust_version": __version__,
    }
    return Results(xr.Dataset(data, coords=coords, attrs=attrs))
