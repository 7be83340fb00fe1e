"""Shared fixtures of the report tests: one small real batch and its report, built once."""

from __future__ import annotations

from pathlib import Path

import pytest

from moondust.engine.simulate import simulate
from moondust.report.html import write_report
from moondust.results import Results
from moondust.world.scenario import load_scenario


@pytest.fixture(scope="session")
def results() -> Results:
    """A small but real batch: the baseline scenario, 30 runs."""
    return simulate(load_scenario("baseline"), runs=30, seed=3)


@pytest.fixture(scope="session")
def report(results: Results, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The report of ``results``, written once."""
    return write_report(results, tmp_path_factory.mktemp("report"))
