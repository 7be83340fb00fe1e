"""Fixtures for engine tests (the synthetic settings they build on are in builders.py)."""

from __future__ import annotations

import pytest

from moondust.engine import stations
from moondust.engine.simulate import build_setting
from moondust.engine.state import Setting
from moondust.world.scenario import load_scenario
from tests.engine.builders import two_actor_setting


@pytest.fixture()
def setting2() -> Setting:
    return two_actor_setting()


@pytest.fixture(scope="module")
def world_setting() -> Setting:
    """The baseline scenario's setting (built once per test module)."""
    return build_setting(load_scenario("baseline"))


@pytest.fixture(scope="module")
def table(world_setting: Setting) -> stations.StationTable:
    """The packaged stations mapped onto :func:`world_setting`'s actors."""
    return stations.load_stations(world_setting)
