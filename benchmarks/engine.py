"""Engine throughput: ``moondust.simulate`` of the full model for growing batches of runs."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

import moondust
from benchmarks.timing import Timing, measure
from moondust.engine.simulate import default_threads

SCENARIO = "baseline"
SEED = 2025


@dataclass(frozen=True)
class EnginePoint:
    """One batch size: seconds per call of ``simulate`` and what they mean per run."""

    runs: int
    actors: int
    years: int
    median_s: float
    min_s: float
    cpu_median_s: float
    repeats: int
    threads: int

    @property
    def actor_years(self) -> int:
        """Actor-years simulated per call: runs × actors × years (2025 to 2100 is 76 years)."""
        return self.runs * self.actors * self.years

    @property
    def actor_years_per_s(self) -> float:
        """Throughput from the median wall time."""
        return self.actor_years / self.median_s

    @property
    def ms_per_run(self) -> float:
        """Median wall milliseconds per run."""
        return 1000.0 * self.median_s / self.runs

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the derived figures."""
        return {
            **asdict(self),
            "actor_years": self.actor_years,
            "actor_years_per_s": self.actor_years_per_s,
            "ms_per_run": self.ms_per_run,
        }


def shape(scenario: str = SCENARIO) -> tuple[int, int]:
    """(actors, years) of a scenario's runs."""
    ds = moondust.simulate(moondust.load_scenario(scenario), runs=1, seed=SEED).dataset
    return int(ds.sizes["actor"]), int(ds.sizes["year"])


def bench_engine(
    runs: tuple[int, ...] = (1, 10, 100, 1_000, 10_000),
    repeats: int = 5,
    scenario: str = SCENARIO,
    threads: int | None = None,
    uncertainty: str | None = None,
) -> list[EnginePoint]:
    """Median wall time of ``simulate(load_scenario(scenario), runs=N, seed=…)`` for each N.

    The whole public call is timed: building the 2025 setting, the year pipeline and the
    ``Results`` (an xarray Dataset). One small warm-up call precedes everything (imports, data
    caches) and batches below 1,000 runs get their own warm-up call; larger ones, which take
    seconds to minutes each, have nothing left to warm. Batches above 1,000 runs are repeated
    half as often (at least three times).

    ``threads`` is passed to ``simulate``; the default (None) is what a user gets: one thread per
    core for batches of at least ``RUNS_PER_THREAD`` runs per thread. ``uncertainty`` (``full``
    or ``none``) overrides the scenario's ``[simulation] uncertainty`` (default: full, every
    documented parameter range sampled per run).
    """
    loaded = moondust.load_scenario(scenario)
    if uncertainty is not None:
        loaded = loaded.with_uncertainty(uncertainty)
    actors, years = shape(scenario)
    points = []
    for n in runs:

        def call(n: int = n) -> object:
            return moondust.simulate(loaded, runs=n, seed=SEED, threads=threads)

        reps = max(3, repeats // 2) if n > 1_000 else repeats
        timing: Timing = measure(call, repeats=reps, warmup=0 if n >= 1_000 else 1)
        points.append(
            EnginePoint(
                n,
                actors,
                years,
                timing.median_s,
                timing.min_s,
                timing.cpu_median_s,
                reps,
                default_threads(n) if threads is None else threads,
            )
        )
    return points


def linearity(points: list[EnginePoint]) -> dict[str, float]:
    """How cost grows with runs: a least-squares line ``t = fixed + per_run · N`` over the
    measured batch sizes, the log-log slope between the two largest batches (1 is linear), and
    the marginal cost per run between them."""
    n = np.array([p.runs for p in points], dtype=np.float64)
    t = np.array([p.median_s for p in points], dtype=np.float64)
    per_run, fixed = np.polyfit(n, t, 1)
    result = {"fixed_s": float(fixed), "per_run_s": float(per_run)}
    if len(points) >= 2:
        a, b = sorted(points, key=lambda p: p.runs)[-2:]
        result["loglog_slope_top"] = float(
            np.log(b.median_s / a.median_s) / np.log(b.runs / a.runs)
        )
        result["marginal_ms_per_run_top"] = 1000.0 * (b.median_s - a.median_s) / (b.runs - a.runs)
    return result
