"""Timing helpers: a warm-up, then the median of several repetitions."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds of repeated calls."""

    median_s: float
    min_s: float
    repeats: int


def measure(func: Callable[[], object], repeats: int = 5, warmup: int = 1) -> Timing:
    """Call ``func`` ``warmup`` times untimed, then ``repeats`` times timed."""
    for _ in range(warmup):
        func()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    return Timing(statistics.median(samples), min(samples), repeats)
