"""The harness's host probe and its check of DESIGN §8's speed goals."""

from __future__ import annotations

import math

import pytest

from benchmarks.host import GOAL_ACTOR_YEARS_PER_S, GOAL_MESA_RATIO, check_goals, probe_host


def _figures(throughput: float, ratio: float, ratio_per_core: float) -> dict[str, float | int]:
    return {
        "runs": 1_000,
        "largest_runs": 10_000,
        "largest_actor_years_per_s": throughput,
        "mesa_ratio": ratio,
        "mesa_ratio_1_thread": ratio_per_core,
    }


def test_probe_returns_a_positive_time_that_grows_with_the_work() -> None:
    short = probe_host(repeats=3, loops=20_000)
    long = probe_host(repeats=3, loops=400_000)
    assert math.isfinite(short) and short > 0
    assert long > short


@pytest.mark.parametrize(
    ("throughput", "ratio", "ratio_per_core", "met", "ratio_met", "per_core_met"),
    [
        (GOAL_ACTOR_YEARS_PER_S, GOAL_MESA_RATIO, GOAL_MESA_RATIO, True, True, True),
        (GOAL_ACTOR_YEARS_PER_S - 1, 150.0, 99.9, False, True, False),
        (2.2e6, 99.0, 60.0, True, False, False),
    ],
)
def test_goals_are_judged_at_the_largest_batch_and_the_ratio_batch(
    throughput: float,
    ratio: float,
    ratio_per_core: float,
    met: bool,
    ratio_met: bool,
    per_core_met: bool,
) -> None:
    goals = check_goals(_figures(throughput, ratio, ratio_per_core))
    assert goals["actor_years_per_s"]["met"] is met
    assert goals["actor_years_per_s"]["runs"] == 10_000
    assert goals["actor_years_per_s"]["measured"] == throughput
    assert goals["mesa_ratio"]["met"] is ratio_met
    assert goals["mesa_ratio"]["met_per_core"] is per_core_met
    assert goals["mesa_ratio"]["runs"] == 1_000
