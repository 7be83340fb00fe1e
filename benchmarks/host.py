"""The host's speed right now, and the speed goals (docs/benchmarks.md) checked against the figures.

This machine is a virtual one whose host sometimes runs it at about half speed: every workload,
the pure-Python Mesa twin included, then takes about twice as long (docs/benchmarks.md, "Host
state"). A figure means little without the state it was taken in, so the harness times a small
fixed pure-Python workload at its start and at its end.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

PROBE_LOOPS = 400_000
"""Iterations of the probe's loop: about 20–40 ms of plain Python on this machine."""

GOAL_ACTOR_YEARS_PER_S = 1_500_000.0
"""Goal (docs/benchmarks.md): actor-years per second, full model, one process, 2 cores."""

GOAL_MESA_RATIO = 100.0
"""Goal (docs/benchmarks.md): times faster per run than the Mesa twin."""


def _probe_workload(loops: int) -> float:
    """Float arithmetic, a modulo and a branch per iteration: the interpreter's everyday work,
    the kind that makes up the Mesa twin's cost."""
    total = 0.0
    for i in range(loops):
        if i % 3:
            total += i * 0.5
        else:
            total -= 1.0
    return total


def probe_host(repeats: int = 7, loops: int = PROBE_LOOPS) -> float:
    """Median milliseconds of a fixed pure-Python workload: lower is a faster host.

    Parameters
    ----------
    repeats
        Timed repetitions (after one untimed call); the median is returned.
    loops
        Iterations of the workload.

    Returns
    -------
    float
        Median wall milliseconds. Compare it only between runs on the same machine: it tells
        the host's states apart, not one machine from another.
    """
    _probe_workload(loops)
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        _probe_workload(loops)
        samples.append(time.perf_counter() - start)
    return 1000.0 * statistics.median(samples)


def check_goals(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The two speed goals (docs/benchmarks.md) against a harness run's figures.

    Throughput is judged at the largest batch measured (10,000 runs in full mode, the goal's own
    size; 1,000 in quick mode) on the threads ``simulate`` picks; the Mesa ratio at the
    1,000-run batch, both on those threads and per core (one thread against the twin's one
    process).
    """
    throughput = results["largest_actor_years_per_s"]
    return {
        "actor_years_per_s": {
            "goal": GOAL_ACTOR_YEARS_PER_S,
            "runs": results["largest_runs"],
            "measured": throughput,
            "met": throughput >= GOAL_ACTOR_YEARS_PER_S,
        },
        "mesa_ratio": {
            "goal": GOAL_MESA_RATIO,
            "runs": results["runs"],
            "measured": results["mesa_ratio"],
            "measured_per_core": results["mesa_ratio_1_thread"],
            "met": results["mesa_ratio"] >= GOAL_MESA_RATIO,
            "met_per_core": results["mesa_ratio_1_thread"] >= GOAL_MESA_RATIO,
        },
    }
