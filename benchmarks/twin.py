"""The Mesa twin's cost per run (``mesa.batch_run``, one process), for the ratio to moondust."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from benchmarks.timing import measure


@dataclass(frozen=True)
class TwinPoint:
    """Seconds for ``run_twin(runs=N)`` (``mesa.batch_run`` with one process)."""

    runs: int
    median_s: float
    min_s: float
    repeats: int

    @property
    def ms_per_run(self) -> float:
        """Median wall milliseconds per run."""
        return 1000.0 * self.median_s / self.runs

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "runs": self.runs,
            "median_s": self.median_s,
            "min_s": self.min_s,
            "repeats": self.repeats,
            "ms_per_run": self.ms_per_run,
        }


def bench_twin(runs: tuple[int, ...] = (1, 10, 50), repeats: int = 3) -> list[TwinPoint]:
    """Median wall time of the twin's ``batch_run`` over ``runs`` seeds, for each batch size.

    A two-run warm-up loads the scenario's inputs (cached per process, as a Mesa user would
    cache data shared by every model) and imports Mesa and pandas, so the figures are the
    steady-state cost of a run: building the model, 75 ``step()`` calls with their
    ``DataCollector.collect``, and ``batch_run``'s collection of the rows.
    """
    from benchmarks.mesa_twin import run_twin

    run_twin("baseline", runs=2, first_seed=10_000)
    points = []
    for n in runs:
        reps = repeats if n <= 10 else max(2, repeats - 1)
        timing = measure(lambda n=n: run_twin("baseline", runs=n), repeats=reps, warmup=0)
        points.append(TwinPoint(n, timing.median_s, timing.min_s, reps))
    return points
