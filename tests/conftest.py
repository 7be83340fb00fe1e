"""Shared fixtures."""

from __future__ import annotations

import pytest

from moondust.moon import He3Map


@pytest.fixture(scope="session")
def moon_1deg() -> He3Map:
    """The default He-3 map at 1° (built once per test session)."""
    return He3Map(resolution_deg=1.0)
