"""Timing helpers: a warm-up, then the median of several repetitions."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    """Wall-clock (and process CPU) seconds of repeated calls."""

    median_s: float
    min_s: float
    repeats: int
    cpu_median_s: float = float("nan")
    """Median CPU time of this process (all its threads): robust to other load on the machine,
    but it does not count child processes."""


def measure(func: Callable[[], object], repeats: int = 5, warmup: int = 1) -> Timing:
    """Call ``func`` ``warmup`` times untimed, then ``repeats`` times timed."""
    for _ in range(warmup):
        func()
    samples = []
    cpu = []
    for _ in range(repeats):
        start_cpu = time.process_time()
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return Timing(statistics.median(samples), min(samples), repeats, statistics.median(cpu))
