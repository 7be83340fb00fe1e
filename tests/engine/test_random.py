"""Counter-based streams: pure functions of their key."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from moondust.engine.random import Stream, draw, uniform


def test_draws_are_uniform_and_in_range() -> None:
    u = uniform(3, np.arange(20_000)[:, None], 2040, Stream.MISSION_SUCCESS, np.arange(5))
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 0.005 and abs(u.var() - 1 / 12) < 0.002
    # neighbouring keys are uncorrelated
    assert abs(np.corrcoef(u[:-1, 0], u[1:, 0])[0, 1]) < 0.03
    assert abs(np.corrcoef(u[:, 0], u[:, 1])[0, 1]) < 0.03


@given(
    seed=st.integers(0, 2**62),
    run=st.integers(0, 10**9),
    year=st.integers(1900, 2300),
    actor=st.integers(0, 50),
)
def test_a_draw_depends_only_on_its_key(seed: int, run: int, year: int, actor: int) -> None:
    alone = uniform(seed, np.array([[run]]), year, Stream.BUDGET_SHOCK, np.array([actor]))
    runs = np.arange(max(0, run - 3), run + 4)[:, None]
    batch = uniform(seed, runs, year, Stream.BUDGET_SHOCK, np.arange(actor + 1))
    assert alone[0, 0] == batch[run - runs[0, 0], actor]


def test_streams_seeds_and_years_are_independent() -> None:
    runs = np.arange(1000)[:, None]
    base = uniform(1, runs, 2030, Stream.MISSION_SUCCESS, 0)
    for other in (
        uniform(2, runs, 2030, Stream.MISSION_SUCCESS, 0),
        uniform(1, runs, 2031, Stream.MISSION_SUCCESS, 0),
        uniform(1, runs, 2030, Stream.BUDGET_SHOCK, 0),
        uniform(1, runs, 2030, Stream.MISSION_SUCCESS, 1),
        uniform(1, runs, 2030, Stream.MISSION_SUCCESS, 0, 1),
    ):
        assert not np.array_equal(base, other)
        assert abs(np.corrcoef(base[:, 0], other[:, 0])[0, 1]) < 0.1


def _splitmix_reference(
    seed: int, run: int, year: int, stream: int, actor: int, index: int
) -> float:
    """The documented hash in plain Python integers (wrapping at 64 bits by masking)."""
    mask = (1 << 64) - 1

    def mix(x: int) -> int:
        z = (x + 0x9E3779B97F4A7C15) & mask
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        return z ^ (z >> 31)

    h = mix((seed & mask) ^ (stream << 40))
    for part in (year, run, actor, index):
        h = mix(h ^ (part & mask))
    return (h >> 11) / float(1 << 53)


@pytest.mark.parametrize(
    "key", [(0, 0, 2025, 1, 0, 0), (7, 12345, 2060, 9, 19, 3), (2**62, -1, 2100, 10, -5, -1)]
)
def test_scalar_and_vectorised_draws_match_the_documented_hash(
    key: tuple[int, int, int, int, int, int],
) -> None:
    seed, run, year, stream, actor, index = key
    expected = _splitmix_reference(*key)
    assert draw(*key) == expected
    assert uniform(seed, run, year, stream, actor, index) == expected
