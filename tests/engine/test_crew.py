"""M4 crew links: the spillover bonus and the rivalry relief beyond the 2025 contact."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from moondust.engine import crew, stations
from moondust.engine.params import RunParameters, table_defaults
from moondust.engine.state import Setting, State, initial_state
from tests.engine.test_stations import random_levers, run, set_levers, varied_parameters


def one_run_at_start(
    setting: Setting, table: stations.StationTable, host: str, guest: str
) -> tuple[State, RunParameters, int, int]:
    """One run in the start year with the stations' default parameters, and two actors' indices."""
    p = table_defaults("stations", 1)
    state = initial_state(setting, np.arange(1), seed=3)
    state.stations = stations.initial(replace(setting, stations=table), p, 1)
    return state, p, setting.actor_ids.index(host), setting.actor_ids.index(guest)


def test_crew_links_raise_the_spillover_bonus_and_decay(
    world_setting: Setting, table: stations.StationTable
) -> None:
    state, p, chn, pak = one_run_at_start(world_setting, table, "CHN", "PAK")
    assert crew.spillover_bonus(state.stations, p)[0, chn, pak] == 0.0
    bonus = []
    for year in range(2026, 2046):
        state.year = year
        set_levers(state, station_openness=0.5 if year <= 2033 else 0.0)
        stations.step(state, replace(world_setting, stations=table), p)
        bonus.append(crew.spillover_bonus(state.stations, p)[0, chn, pak])
        link = state.stations.crew_link[0]
        np.testing.assert_array_equal(link, link.T)
        assert (np.diag(link) == 0).all()
    bonus_arr = np.array(bonus)
    assert bonus_arr[7] > bonus_arr[1] > 0  # flights while open raise it
    after = bonus_arr[8:]  # China closes its seats from 2034: no more flights, the link decays
    assert (np.diff(after) < 0).all() and after[-1] < 0.1 * bonus_arr[7]
    assert (bonus_arr <= p["crew_spillover_cap"][0, 0]).all()
    link = state.stations.crew_link[0, chn, pak]
    state.year = 2046
    stations.step(state, replace(world_setting, stations=table), p)
    np.testing.assert_allclose(
        state.stations.crew_link[0, chn, pak], (1 - p["crew_link_decay"][0, 0]) * link
    )
    # sanctioned pairs get no bonus when the sanction matrix is passed
    masked = crew.spillover_bonus(state.stations, p, world_setting.sanction)
    assert (masked[:, world_setting.sanction] == 0).all()


def test_treaty_contact_at_its_2025_level_adds_nothing(
    world_setting: Setting, table: stations.StationTable
) -> None:
    state, p, usa, rus = one_run_at_start(world_setting, table, "USA", "RUS")
    assert state.stations.crew_link[0, usa, rus] > 0
    assert crew.spillover_bonus(state.stations, p)[0, usa, rus] == 0.0
    assert crew.rivalry_relief(state.stations, p)[0, usa, rus] == 1.0


def test_rivalry_relief_is_one_when_the_gain_is_zero(
    world_setting: Setting, table: stations.StationTable
) -> None:
    p = table_defaults("stations", 3)
    state, _ = run(world_setting, table, p, range(2026, 2045), lambda s, y: set_levers(s, 1.0))
    relief = crew.rivalry_relief(state.stations, p)
    assert ((relief >= 0) & (relief <= 1)).all() and (relief < 1).any()
    p["rivalry_relief_gain"] = np.zeros((3, 1))
    np.testing.assert_array_equal(crew.rivalry_relief(state.stations, p), 1.0)


def test_crew_effects_follow_their_formulas_in_one_pass(
    world_setting: Setting, table: stations.StationTable
) -> None:
    p = varied_parameters(6, seed=4)
    state, _ = run(world_setting, table, p, range(2026, 2050), random_levers(8))
    links = state.stations
    rivalry, bonus = crew.crew_effects(links, p, world_setting.rivalry, world_setting.sanction)
    excess = np.maximum(links.crew_link - links.crew_link0, 0.0)
    assert (excess > 0).any()

    def rising(gain: np.ndarray) -> np.ndarray:
        return 1.0 - np.exp(-gain[:, :, None] * excess)

    cap = np.maximum(p["crew_spillover_cap"], 0.0)[:, :, None]
    expected_bonus = np.where(world_setting.sanction, 0.0, cap * rising(p["crew_spillover_gain"]))
    most = np.clip(p["rivalry_relief_max"], 0.0, 1.0)[:, :, None]
    relief = np.clip(1.0 - most * rising(np.maximum(p["rivalry_relief_gain"], 0.0)), 0.0, 1.0)
    assert (expected_bonus > 0).any() and (relief[:, world_setting.rivalry > 0] < 1).any()
    np.testing.assert_allclose(bonus, expected_bonus, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(rivalry, world_setting.rivalry * relief, rtol=1e-12, atol=1e-15)
    # the same as the two effects asked for one at a time
    np.testing.assert_array_equal(bonus, crew.spillover_bonus(links, p, world_setting.sanction))
    np.testing.assert_array_equal(rivalry, world_setting.rivalry * crew.rivalry_relief(links, p))
