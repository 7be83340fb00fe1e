"""Fixtures for the experiments tests: a short scenario (to 2035) with uncertainties and levers."""

from __future__ import annotations

from pathlib import Path

import pytest

from moondust.experiments import run_sweep
from moondust.world.scenario import Scenario, parse_scenario

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

RUNS = 8
"""Runs per lever point in the shared sweeps (two lever points: 20 runs)."""


def tiny_data() -> dict:
    import tomllib

    return tomllib.loads(TINY_TOML)


@pytest.fixture(scope="session")
def tiny() -> Scenario:
    """The tiny scenario."""
    return parse_scenario(tiny_data())


@pytest.fixture(scope="session")
def tiny_toml(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny scenario as a TOML file."""
    path = tmp_path_factory.mktemp("scenario") / "tiny.toml"
    path.write_text(TINY_TOML, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def reference_sweep(tiny: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An uninterrupted inline LHS sweep of the tiny scenario, chunks of 7 (20 runs, 4 chunks)."""
    out = tmp_path_factory.mktemp("reference") / "sweep"
    report = run_sweep(tiny, runs=RUNS, out=out, sampling="lhs", executor="inline", chunk_size=7)
    assert report.complete
    return out
