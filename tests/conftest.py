"""Shared fixtures."""

from __future__ import annotations

import pytest
from hypothesis import settings

from moondust.moon import He3Map

# No per-example time limit: the first example to reach an engine kernel also compiles it (or
# loads it from Numba's cache), and timing is the benchmarks' job, not the tests'.
settings.register_profile("moondust", deadline=None)
settings.load_profile("moondust")


@pytest.fixture(scope="session")
def moon_1deg() -> He3Map:
    """The default He-3 map at 1° (built once per test session)."""
    return He3Map(resolution_deg=1.0)
