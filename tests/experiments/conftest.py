"""Fixtures for the experiments tests: a reference sweep of the tiny scenario."""

from __future__ import annotations

from pathlib import Path

import pytest

from moondust.experiments import run_sweep
from moondust.world.scenario import Scenario

RUNS = 8
"""Runs per lever point in the shared sweeps (two lever points: 20 runs)."""


@pytest.fixture(scope="session")
def reference_sweep(tiny: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An uninterrupted inline LHS sweep of the tiny scenario, chunks of 7 (20 runs, 4 chunks)."""
    out = tmp_path_factory.mktemp("reference") / "sweep"
    report = run_sweep(tiny, runs=RUNS, out=out, sampling="lhs", executor="inline", chunk_size=7)
    assert report.complete
    return out
