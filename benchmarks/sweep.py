"""Sweeps: scaling of ``run_sweep`` with the processes executor and 1 or 2 workers, its
throughput against in-memory ``simulate``, and the bytes a sweep stores per run."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import moondust
from benchmarks.timing import measure


def bench_sweep(
    runs: int = 2_000,
    chunk_size: int = 250,
    workers: tuple[int, ...] = (1, 2),
    repeats: int = 3,
) -> dict[str, Any]:
    """Median wall seconds of a fresh sweep of the baseline (``runs`` runs, Monte Carlo
    sampling) into a new directory, for each number of worker processes.

    Each repetition starts from an empty directory, so it includes spawning the workers, their
    imports, simulating every chunk and writing it (Zarr and Parquet) with its journal entry.
    """
    scenario = moondust.load_scenario("baseline")
    from moondust.experiments import run_sweep

    results: dict[str, Any] = {"sweep_runs": runs, "sweep_chunk_size": chunk_size}
    root = Path(tempfile.mkdtemp(prefix="moondust-bench-sweep-"))
    try:
        counter = iter(range(1_000_000))
        for n in workers:

            def sweep(n: int = n) -> object:
                out = root / f"w{n}-{next(counter)}"
                report = run_sweep(
                    scenario,
                    runs=runs,
                    out=out,
                    seed=1,
                    executor="processes",
                    workers=n,
                    chunk_size=chunk_size,
                    verify=False,
                )
                if not report.complete:
                    raise RuntimeError(f"sweep failed: {report.failed}")
                shutil.rmtree(out, ignore_errors=True)
                return report

            timing = measure(sweep, repeats=repeats, warmup=0)
            results[f"sweep_{n}_workers_s"] = timing.median_s
            results[f"sweep_{n}_workers_runs_per_s"] = runs / timing.median_s
        if 1 in workers and 2 in workers:
            results["sweep_speedup_2_workers"] = (
                results["sweep_1_workers_s"] / results["sweep_2_workers_s"]
            )
        if 2 in workers:  # the same runs in memory, on the same cores (the engine's threads)
            simulated = measure(lambda: moondust.simulate(scenario, runs=runs, seed=1), repeats)
            results["sweep_simulate_s"] = simulated.median_s
            results["sweep_efficiency"] = simulated.median_s / results["sweep_2_workers_s"]
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return results


def bytes_per_run(runs: int = 500, chunk_size: int = 250) -> dict[str, Any]:
    """Bytes of files a baseline sweep of ``runs`` runs in chunks of ``chunk_size`` leaves on
    disk per run (manifest and journal included), for ``--store full`` and ``--store outcomes``.

    Per-chunk overheads are amortised over a chunk, so the figure for chunks of 250 runs holds
    for any number of them (2,000 runs or a million).
    """
    scenario = moondust.load_scenario("baseline")
    from moondust.experiments import run_sweep

    results: dict[str, Any] = {"bytes_per_run_runs": runs, "bytes_per_run_chunk_size": chunk_size}
    root = Path(tempfile.mkdtemp(prefix="moondust-bench-bytes-"))
    try:
        for store, key in (
            ("full", "bytes_per_run_full"),
            ("outcomes", "bytes_per_run_outcomes_only"),
        ):
            out = root / store
            report = run_sweep(
                scenario,
                runs=runs,
                out=out,
                seed=1,
                executor="inline",
                chunk_size=chunk_size,
                store=store,
            )
            if not report.complete:
                raise RuntimeError(f"sweep failed: {report.failed}")
            size = sum(
                p.stat().st_size for p in out.rglob("*") if p.is_file() and p.name != ".lock"
            )
            results[key] = size / runs
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return results
