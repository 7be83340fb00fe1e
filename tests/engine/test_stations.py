"""M4 stations and crews: capacity, training, sanctions, schedules, links, batch invariance."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moondust.engine import stations
from moondust.engine.ladder import load_ladder
from moondust.engine.params import RunParameters, table_defaults
from moondust.engine.random import Stream, uniform
from moondust.engine.state import Setting, State, initial_state
from moondust.errors import InputFileError
from moondust.parameters import load_specs
from tests.engine.builders import two_actor_setting

LeverFn = Callable[[State, int], None]


def set_levers(state: State, station_openness: float = 0.1, openness: float = 0.5) -> None:
    shape = state.military_share.shape
    state.levers = {
        "station_openness": np.full(shape, station_openness),
        "openness": np.full(shape, openness),
    }


def run(
    setting: Setting,
    table: stations.StationTable,
    p: RunParameters,
    years: range,
    levers: LeverFn,
    run_index: np.ndarray | None = None,
) -> tuple[State, np.ndarray]:
    """Step the stations alone through ``years``; returns the state and seats (R, Y, S, N)."""
    runs = p["crew_training_years"].shape[0]
    index = np.arange(runs) if run_index is None else run_index
    state = initial_state(setting, index, seed=3)
    state.stations = stations.initial(replace(setting, stations=table), p, runs)
    flown = []
    for year in years:
        state.year = year
        levers(state, year)
        stations.step(state, replace(setting, stations=table), p)
        flown.append(state.stations.seats_flown.copy())
    return state, np.stack(flown, axis=1)


OUTPOST = load_ladder().index("surface_outpost")


def random_levers(seed: int) -> LeverFn:
    """Counter-based lever draws keyed by run, year and actor (identical alone or in a batch)."""

    def levers(state: State, year: int) -> None:
        n = state.military_share.shape[1]
        actors = np.arange(n)
        u = uniform(seed, state.run_index, year, Stream.STATIONS, actors, 0)
        v = uniform(seed, state.run_index, year, Stream.STATIONS, actors, 1)
        # a third of the draws sit exactly at 0 or 1, the edges of the lever's range
        station_openness = np.where(u < 0.15, 0.0, np.where(u > 0.85, 1.0, u))
        state.levers = {"station_openness": station_openness, "openness": v}
        w = uniform(seed, state.run_index, year, Stream.STATIONS, actors, 2)
        state.achieved[:, :, OUTPOST] |= w < 0.03  # an outpost now and then opens a base

    return levers


def varied_parameters(runs: int, seed: int) -> RunParameters:
    """Default parameters with each run drawn across the table's ranges."""
    p = table_defaults("stations", runs)
    for k, (name, spec) in enumerate(load_specs("stations").items()):
        u = uniform(seed, np.arange(runs)[:, None], 0, Stream.UNCERTAINTY, 0, k)
        p[name] = spec.low + (spec.high - spec.low) * u
    return p


# ---- the tables ---------------------------------------------------------------------------------


def test_packaged_stations_are_mapped_with_provenance(
    world_setting: Setting, table: stations.StationTable
) -> None:
    ids = world_setting.actor_ids
    assert table.ids == (
        "iss",
        "tiangong",
        "us_commercial_leo",
        "ros",
        "ilrs_base",
        "artemis_base",
    )
    iss, tiangong = table.index("iss"), table.index("tiangong")
    assert ids[table.host[iss]] == "USA" and ids[table.host[tiangong]] == "CHN"
    assert {ids[j] for j in np.nonzero(table.treaty[iss])[0]} == {"RUS", "EUR", "JPN", "CAN"}
    assert table.seats[tiangong] == 6 and table.close_year[iss] == 2030
    assert table.trainee_since[tiangong, ids.index("PAK")] == 2025
    outpost = world_setting.ladder.index("surface_outpost")
    for base, bloc in (("ilrs_base", world_setting.ilrs), ("artemis_base", world_setting.artemis)):
        s = table.index(base)
        assert table.milestone[s] == outpost
        assert not table.bloc[s, table.host[s]]
        assert (table.bloc[s] <= bloc).all()
    # the Wolf Amendment: neither may ever fly on the other's stations
    usa, chn = ids.index("USA"), ids.index("CHN")
    for s in range(table.size):
        if table.host[s] == usa:
            assert not table.eligible[s, chn]
        if table.host[s] == chn:
            assert not table.eligible[s, usa]
    for spec in stations.station_specs():
        assert spec.source.strip() and spec.status in {
            "sourced",
            "secondary",
            "derived",
            "unconfirmed",
            "assumption",
        }


def test_parameter_table_ranges() -> None:
    specs = load_specs("stations")
    for spec in specs.values():
        assert spec.low <= spec.default <= spec.high, spec.name
        assert spec.source.strip() and spec.unit.strip()
    assert (specs["crew_training_years"].low, specs["crew_training_years"].high) == (1.5, 3.0)
    assert specs["rivalry_relief_gain"].low == 0.0  # a hypothesis: zero is inside the range


def test_quotas_that_could_exceed_capacity_are_rejected() -> None:
    setting = two_actor_setting()
    greedy = stations.StationSpec("x", "X", "leo", "A", seats_per_year=4, quotas=(("B", 0.9),))
    with pytest.raises(InputFileError, match="could exceed capacity"):
        stations.load_stations(setting, [greedy])


# ---- capacity and closure -----------------------------------------------------------------------


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_seats_never_exceed_capacity(
    world_setting: Setting, table: stations.StationTable, seed: int
) -> None:
    runs = 40
    p = varied_parameters(runs, seed)
    state, flown = run(world_setting, table, p, range(2026, 2061), random_levers(seed))
    assert (flown >= 0).all()
    per_station = flown.sum(axis=3)  # (R, Y, S)
    assert (per_station <= table.seats[None, None, :]).all()
    hosts = flown[:, :, np.arange(table.size), table.host]
    foreign = per_station - hosts
    assert (foreign <= table.seats[None, None, :]).all()
    totals = flown.sum(axis=(1, 2))
    np.testing.assert_array_equal(totals, state.stations.seats_total)
    credits = (
        state.stations.quota_credit,
        state.stations.bloc_credit,
        state.stations.guest_credit,
    )
    for credit in credits:
        assert ((credit >= 0) & (credit < 1)).all()


def test_open_station_flies_exactly_its_seats(
    world_setting: Setting, table: stations.StationTable
) -> None:
    runs = 30
    p = varied_parameters(runs, 5)
    opened = []
    levers = random_levers(5)
    state = initial_state(world_setting, np.arange(runs), seed=3)
    state.stations = stations.initial(replace(world_setting, stations=table), p, runs)
    for year in range(2026, 2050):
        state.year = year
        levers(state, year)
        stations.step(state, replace(world_setting, stations=table), p)
        flown = state.stations.seats_flown.sum(axis=2)
        expected = np.where(state.stations.open, table.seats[None, :], 0)
        np.testing.assert_array_equal(flown, expected)
        opened.append(state.stations.open.copy())
    assert np.stack(opened).any(axis=(0, 1)).all()  # every station opened somewhere


def test_closed_station_flies_no_foreign_crew(
    world_setting: Setting, table: stations.StationTable
) -> None:
    # Tiangong has no partners: with China's station_openness at 0 not even Pakistan's
    # candidates, in training since 2025, ever fly.
    ids = world_setting.actor_ids
    p = table_defaults("stations", 2)

    def levers(state: State, year: int) -> None:
        set_levers(state, station_openness=1.0, openness=1.0)
        state.levers["station_openness"][:, ids.index("CHN")] = 0.0

    _, flown = run(world_setting, table, p, range(2026, 2039), levers)
    tiangong = flown[:, :, table.index("tiangong")]
    chn = ids.index("CHN")
    assert tiangong[:, :, chn].sum() == 2 * 13 * 6
    assert np.delete(tiangong, chn, axis=2).sum() == 0


def test_station_closed_to_foreigners_in_a_two_actor_world() -> None:
    setting = two_actor_setting()
    spec = stations.StationSpec("solo", "Solo", "leo", "A", seats_per_year=6, open_year=2025)
    table = stations.load_stations(setting, [spec])
    p = table_defaults("stations", 3)

    def levers(state: State, year: int) -> None:
        set_levers(state, station_openness=0.0, openness=1.0)

    state, flown = run(setting, table, p, range(2026, 2060), levers)
    assert flown[:, :, 0, 1].sum() == 0 and (flown[:, :, 0, 0] == 6).all()
    assert not state.stations.flown_ever[:, 1].any()
    assert (state.stations.foreign_flights_total == 0).all()


def test_iss_flies_nobody_after_its_close_year(
    world_setting: Setting, table: stations.StationTable
) -> None:
    years = range(2026, 2045)
    p = table_defaults("stations", 4)
    state, flown = run(world_setting, table, p, years, random_levers(9))
    iss = table.index("iss")
    after = np.array(years) > table.close_year[iss]
    assert flown[:, after, iss].sum() == 0
    assert (flown[:, ~after, iss].sum(axis=2) == table.seats[iss]).all()
    assert state.stations.closed[:, iss].all() and not state.stations.open[:, iss].any()
    assert (state.stations.training[:, iss] == stations.NOT_IN_TRAINING).all()


# ---- training -----------------------------------------------------------------------------------


@pytest.mark.parametrize("training_years", [1.5, 2.0, 3.0])
def test_no_foreign_flight_before_training(training_years: float) -> None:
    setting = two_actor_setting(same_bloc=True)
    spec = stations.StationSpec("new", "New", "leo", "A", seats_per_year=4, open_year=2030)
    table = stations.load_stations(setting, [spec])
    p = table_defaults("stations", 1)
    p["crew_training_years"] = np.full((1, 1), training_years)

    def levers(state: State, year: int) -> None:
        set_levers(state, station_openness=1.0, openness=1.0)

    _, flown = run(setting, table, p, range(2026, 2040), levers)
    years = np.arange(2026, 2040)
    guest_years = years[flown[0, :, 0, 1] > 0]
    assert guest_years.size > 0
    assert guest_years.min() - 2030 >= training_years
    assert guest_years.min() == 2030 + np.ceil(training_years)


def test_partners_of_a_lunar_base_train_after_it_opens(
    world_setting: Setting, table: stations.StationTable
) -> None:
    runs = 20
    p = varied_parameters(runs, 21)
    ids = world_setting.actor_ids
    chn = ids.index("CHN")
    outpost = world_setting.ladder.index("surface_outpost")
    base = table.index("ilrs_base")
    achieved_in = 2030 + np.arange(runs) % 8

    def levers(state: State, year: int) -> None:
        set_levers(state, station_openness=0.5, openness=0.8)
        state.achieved[:, chn, outpost] = year >= achieved_in

    state, flown = run(world_setting, table, p, range(2026, 2050), levers)
    years = np.arange(2026, 2050)
    opened = state.stations.opened_year[:, base]
    np.testing.assert_array_equal(opened, achieved_in)
    foreign = np.delete(flown[:, :, base], chn, axis=2).sum(axis=2)  # (R, Y)
    for r in range(runs):
        first = years[foreign[r] > 0]
        assert first.size and first.min() - opened[r] >= p["crew_training_years"][r, 0]


# ---- sanctions ----------------------------------------------------------------------------------


def test_sanctioned_pairs_never_fly_together(
    world_setting: Setting, table: stations.StationTable
) -> None:
    runs = 30
    p = varied_parameters(runs, 4)
    _, flown = run(world_setting, table, p, range(2026, 2070), random_levers(4))
    ids = world_setting.actor_ids
    aboard = flown > 0  # (R, Y, S, N)
    together = np.einsum("rysi,rysj->sij", aboard.astype(np.int64), aboard.astype(np.int64))
    members = table.treaty.copy()
    members[np.arange(table.size), table.host] = True
    for s in range(table.size):
        for i, j in zip(*np.nonzero(together[s] * world_setting.sanction), strict=True):
            assert members[s, i] and members[s, j], (table.ids[s], ids[i], ids[j])
    usa, chn = ids.index("USA"), ids.index("CHN")
    for name in ("tiangong", "ilrs_base"):
        assert flown[:, :, table.index(name), usa].sum() == 0
    for name in ("iss", "us_commercial_leo", "artemis_base"):
        assert flown[:, :, table.index(name), chn].sum() == 0
    # the treaty exception is real: US and Russian crews share the ISS until it closes
    assert together[table.index("iss"), usa, ids.index("RUS")] > 0


# ---- the lunar bases open with their host's outpost ---------------------------------------------


def test_lunar_base_opens_only_once_host_holds_surface_outpost(
    world_setting: Setting, table: stations.StationTable
) -> None:
    runs = 16
    p = table_defaults("stations", runs)
    ids = world_setting.actor_ids
    usa = ids.index("USA")
    outpost = world_setting.ladder.index("surface_outpost")
    achieved_in = np.where(np.arange(runs) < 4, 9999, 2028 + np.arange(runs))
    held = []

    def levers(state: State, year: int) -> None:
        set_levers(state, station_openness=0.3)
        state.achieved[:, usa, outpost] = year >= achieved_in
        held.append(state.achieved[:, usa, outpost].copy())

    state, flown = run(world_setting, table, p, range(2026, 2060), levers)
    base = table.index("artemis_base")
    is_open = flown[:, :, base].sum(axis=2) > 0
    np.testing.assert_array_equal(is_open, np.stack(held, axis=1))
    assert not state.stations.open[:4, base].any()
    assert np.isnan(state.stations.opened_year[:4, base]).all()


def test_running_costs_are_shared_by_seats(
    world_setting: Setting, table: stations.StationTable
) -> None:
    p = table_defaults("stations", 2)
    state, _ = run(world_setting, table, p, range(2026, 2028), lambda s, y: set_levers(s))
    costs = stations.running_costs(state.stations, table)
    expected = (table.annual_cost_usd_bn * state.stations.open[0]).sum()
    np.testing.assert_allclose(costs.sum(axis=1), expected)
    assert (costs >= 0).all()


# ---- batch invariance ---------------------------------------------------------------------------


@pytest.mark.parametrize("k", [0, 7, 23])
def test_run_alone_equals_run_in_batch(
    world_setting: Setting, table: stations.StationTable, k: int
) -> None:
    runs = 24
    years = range(2026, 2056)
    p = varied_parameters(runs, 13)
    batch, _ = run(world_setting, table, p, years, random_levers(13))
    alone_p = {name: values[k : k + 1] for name, values in p.items()}
    alone, _ = run(world_setting, table, alone_p, years, random_levers(13), np.array([k]))
    for item in fields(stations.StationState):
        np.testing.assert_array_equal(
            getattr(alone.stations, item.name), getattr(batch.stations, item.name)[k : k + 1]
        )
