"""Dated events: blocs and sanctions enter the engine in their years (engine/events.py)."""

from __future__ import annotations

import numpy as np

from moondust.engine import events
from moondust.engine.simulate import build_setting
from moondust.engine.state import initial_state
from moondust.world import ACTOR_IDS, load_world
from moondust.world.scenario import load_scenario, parse_scenario

USA, CHN, RUS, IND = (ACTOR_IDS.index(a) for a in ("USA", "CHN", "RUS", "IND"))


def test_a_2007_start_sees_each_event_in_its_year() -> None:
    setting = build_setting(parse_scenario({"simulation": {"start": 2007, "end": 2040}}))
    state = initial_state(setting, np.arange(3), seed=0)
    seen = {}
    for year in range(2008, 2041):
        state.year = year
        events.step(state, setting, {})
        seen[year] = (
            bool(state.now.sanction[USA, CHN]),
            bool(state.now.sanction[USA, RUS]),
            bool(state.now.artemis[USA]),
            bool(state.now.ilrs[CHN]),
            bool(state.now.same_bloc[CHN, RUS]),
            bool(state.now.same_bloc[USA, IND]),
        )
    assert seen[2010] == (False,) * 6
    assert seen[2011][:2] == (True, False)  # Wolf Amendment
    assert seen[2014][:2] == (True, True)  # NASA suspends contacts with Russia
    assert seen[2019][2:] == (False, False, False, False)  # no bloc before it existed
    assert seen[2020][2:] == (True, False, False, False)  # Artemis Accords, Oct 2020
    assert seen[2021][2:] == (True, True, True, False)  # ILRS, Mar 2021
    assert seen[2023][5] and not seen[2022][5]  # India signs the Accords in June 2023
    assert seen[2040] == seen[2025]  # the last dated year holds afterwards
    assert (setting.sanction_by_year[-1] == load_world().sanction).all()
    for name in ("sanction_by_year", "same_bloc_by_year"):
        values = getattr(setting, name)
        assert (values == values.transpose(0, 2, 1)).all()
        assert not values[:, np.arange(len(ACTOR_IDS)), np.arange(len(ACTOR_IDS))].any()
        assert (np.diff(values.astype(int), axis=0) >= 0).all()  # nothing is ever undone


def test_a_2025_start_sees_the_2025_blocs_every_year() -> None:
    setting = build_setting(load_scenario("baseline"))
    assert setting.sanction_by_year is not None and setting.sanction_by_year.shape[0] == 1
    state = initial_state(setting, np.arange(2), seed=0)
    for year in (2026, 2050, 2100):
        state.year = year
        events.step(state, setting, {})
        assert (state.now.sanction == setting.sanction).all()
        assert (state.now.same_bloc == setting.same_bloc).all()
        assert (state.now.artemis == setting.artemis).all()
        assert (state.now.ilrs == setting.ilrs).all()


def test_scenario_sanction_changes_hold_every_year() -> None:
    scenario = parse_scenario(
        {
            "simulation": {"start": 2007, "end": 2030},
            "relations": {"remove_sanctions": [["USA", "CHN"]], "add_sanctions": [["IND", "CHN"]]},
        }
    )
    setting = build_setting(scenario)
    assert not setting.sanction_by_year[:, USA, CHN].any()
    assert setting.sanction_by_year[:, IND, CHN].all()


def test_the_readers_follow_the_dated_events() -> None:
    from dataclasses import replace

    from moondust.engine.params import resolve
    from moondust.engine.simulate import run_batch

    scenario = parse_scenario({"simulation": {"start": 2007, "end": 2030, "runs": 4}})
    dated = build_setting(scenario)
    static = replace(
        dated,
        sanction_by_year=None,
        same_bloc_by_year=None,
        artemis_by_year=None,
        ilrs_by_year=None,
    )
    parameters = resolve(scenario.engine_parameters, 4, {})
    runs = np.arange(4)
    with_events, records = run_batch(dated, parameters, runs, seed=3)
    without, records_static = run_batch(static, parameters, runs, seed=3)
    # identical before the first event (2011), different after: blocs and sanctions are read
    rd = records.series("lunar_rd_usd_bn")  # (runs, actors, years)
    rd_static = records_static.series("lunar_rd_usd_bn")
    before = dated.years < 2011
    assert np.array_equal(rd[..., before], rd_static[..., before])
    assert not np.array_equal(rd[..., ~before], rd_static[..., ~before])
    assert not np.array_equal(np.nan_to_num(with_events), np.nan_to_num(without))


def test_a_2025_start_is_bit_identical_with_and_without_dated_events() -> None:
    from dataclasses import replace

    from moondust.engine.params import resolve
    from moondust.engine.simulate import run_batch

    scenario = load_scenario("baseline")
    dated = build_setting(scenario)
    static = replace(
        dated,
        sanction_by_year=None,
        same_bloc_by_year=None,
        artemis_by_year=None,
        ilrs_by_year=None,
    )
    parameters = resolve(scenario.engine_parameters, 3, {})
    years, records = run_batch(dated, parameters, np.arange(3), seed=5)
    years_static, records_static = run_batch(static, parameters, np.arange(3), seed=5)
    assert np.array_equal(years, years_static, equal_nan=True)
    for name in ("lunar_rd_usd_bn", "capability", "civil_usd_bn"):
        assert np.array_equal(records.series(name), records_static.series(name), equal_nan=True)
