"""Shared fixtures."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import settings

from moondust.moon import He3Map
from moondust.world.scenario import Scenario, parse_scenario

# No per-example time limit: the first example to reach an engine kernel also compiles it (or
# loads it from Numba's cache), and timing is the benchmarks' job, not the tests'.
settings.register_profile("moondust", deadline=None)
settings.load_profile("moondust")


@pytest.fixture(scope="session")
def moon_1deg() -> He3Map:
    """The default He-3 map at 1° (built once per test session)."""
    return He3Map(resolution_deg=1.0)


# A short scenario (to 2035) with uncertainties and a lever grid, for the experiments and CLI tests.
TINY_TOML = """
name = "tiny"
description = "Asymmetric to 2035, two uncertain parameters, an ILRS openness grid"
[simulation]
end = 2035
runs = 10
seed = 11
[policies]
default = "status-quo"
blocs = { artemis = "cutthroat", ilrs = "emulation" }
[uncertainties]
spillover_max = { dist = "uniform", low = 0.1, high = 1.0 }
crowd_out = { dist = "triangular", low = 0.0, mode = 0.3, high = 1.0 }
[levers.ilrs]
openness = [0.3, 0.9]
"""


@pytest.fixture(scope="session")
def tiny() -> Scenario:
    """The tiny scenario."""
    return parse_scenario(tomllib.loads(TINY_TOML))


@pytest.fixture(scope="session")
def tiny_toml(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny scenario as a TOML file."""
    path = tmp_path_factory.mktemp("scenario") / "tiny.toml"
    path.write_text(TINY_TOML, encoding="utf-8")
    return path
