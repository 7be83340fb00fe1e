"""Shared fixtures for the explorer's tests: Solara without telemetry, ensembles in-thread.

Each test module skips itself when the dashboard extra (Solara, plotly) is missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from moondust.dashboard import compute

os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")

QUICK = "runs=10&end=2050"
"""A query string for quick component tests (the fewest runs, the shortest horizon)."""


@pytest.fixture(autouse=True, scope="session")
def in_thread_service() -> Iterator[compute.EnsembleService]:
    """Compute ensembles in the calling thread (no worker processes in component tests)."""
    previous = compute._SERVICE
    compute._SERVICE = compute.EnsembleService(workers=0)
    yield compute._SERVICE
    compute._SERVICE = previous
