"""Run the benchmarks: ``python -m benchmarks [--quick] [--format table|json] [--plot PNG]``.

Full mode measures the engine at 1 to 10,000 runs, the Mesa twin at 1, 10 and 50 runs, the Moon
map, sweep scaling with 1 and 2 worker processes, and peak memory (about 12–15 minutes on 2 cores).
``--quick`` measures the engine at 100 and 1,000 runs, the twin at 10, the Moon at 0.25°
without the PNG and the bytes a sweep stores per run (full and outcomes only, 500 runs), and
skips the sweep's timing and peak memory, within a minute or so. The figures and the method
are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.engine import bench_engine, linearity
from benchmarks.host import check_goals, probe_host
from benchmarks.memory import peak_memory
from benchmarks.moon import bench_moon
from benchmarks.twin import bench_twin

RATIO_RUNS = 1_000
"""The moondust batch the per-run ratio to the twin is taken at."""


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    import mesa
    import numpy as np

    import moondust

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "mesa": mesa.__version__,
        "moondust": getattr(moondust, "__version__", "?"),
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "platform": platform.platform(),
        "load_average_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }


def _dashboard(repeats: int) -> dict[str, Any]:
    """The dashboard's update benchmark, if ``benchmarks/dashboard.py`` provides one."""
    try:
        from benchmarks.dashboard import bench_dashboard_update  # type: ignore[import-not-found]
    except ImportError as error:
        if getattr(error, "name", None) in ("benchmarks.dashboard", None):
            return {}
        return {"dashboard_error": f"{type(error).__name__}: {error}"}
    try:
        return {
            f"dashboard_{k}" if not k.startswith("dashboard") else k: v
            for k, v in bench_dashboard_update(repeats).items()
        }
    except Exception as error:  # a broken dashboard benchmark must not lose the other figures
        return {"dashboard_error": f"{type(error).__name__}: {error}"}


def run(quick: bool) -> dict[str, Any]:
    """Every benchmark; one JSON-ready dict."""
    began = time.perf_counter()
    repeats = 3 if quick else 7
    results: dict[str, Any] = {"machine": machine(), "quick": quick}
    # The host's speed at the start and the end: figures from a throttled host are not comparable.
    host_probe_start_ms = probe_host()

    sections: dict[str, float] = {}
    mark = time.perf_counter()

    def section(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        sections[name] = now - mark
        mark = now

    runs = (100, RATIO_RUNS) if quick else (1, 10, 100, 1_000, 10_000)
    points = bench_engine(runs, repeats=2 if quick else 5)
    section("engine")
    engine = {p.runs: p for p in points}
    top = engine[RATIO_RUNS]
    results["runs"] = top.runs
    results["actor_years_per_s"] = top.actor_years_per_s
    results["ms_per_run"] = top.ms_per_run
    largest = points[-1]
    results["largest_runs"] = largest.runs
    results["largest_actor_years_per_s"] = largest.actor_years_per_s
    results["largest_cpu_actor_years_per_s"] = largest.actor_years / largest.cpu_median_s
    results["linearity"] = linearity(points)
    results["threads"] = top.threads
    # The same batches on one thread: the per-core figure, and the fair side of the Mesa ratio
    # (the twin's batch_run uses one process).
    single = bench_engine(
        (RATIO_RUNS,) if quick else (RATIO_RUNS, 10_000), repeats=2 if quick else 3, threads=1
    )
    section("engine_1_thread")
    results["actor_years_per_s_1_thread"] = single[0].actor_years_per_s
    results["largest_actor_years_per_s_1_thread"] = single[-1].actor_years_per_s

    twin = bench_twin((10,) if quick else (1, 10, 50), repeats=2 if quick else 3)
    per_run_twin = twin[-1].median_s / twin[-1].runs
    results["twin_runs_timed"] = twin[-1].runs
    results["twin_ms_per_run"] = 1000.0 * per_run_twin
    results["mesa_ratio"] = per_run_twin / (top.median_s / top.runs)
    results["mesa_ratio_at_largest"] = per_run_twin / (largest.median_s / largest.runs)
    results["mesa_ratio_1_thread"] = per_run_twin / (single[0].median_s / single[0].runs)
    section("twin")

    if quick:
        results.update(bench_moon((0.25,), repeats=repeats, render=False))
    else:
        results.update(bench_moon(repeats=repeats))
    section("moon")
    from benchmarks.sweep import bytes_per_run

    results.update(bytes_per_run())
    section("sweep_bytes")
    if not quick:
        from benchmarks.sweep import bench_sweep

        results.update(bench_sweep(runs=2_000, chunk_size=250, repeats=3))
        section("sweep")
        results.update(peak_memory(1_000))
        results.update(peak_memory(10_000))
        section("memory")
    results.update(_dashboard(1 if quick else repeats))
    section("dashboard")
    results["host_probe_ms"] = {"start": host_probe_start_ms, "end": probe_host()}
    results["goals"] = check_goals(results)
    results["sections_s"] = sections
    results["engine"] = [p.to_dict() for p in points]
    results["engine_1_thread"] = [p.to_dict() for p in single]
    results["twin"] = [p.to_dict() for p in twin]
    results["harness_s"] = time.perf_counter() - began
    return results


def _table(results: dict[str, Any]) -> str:
    lines = []
    for key, value in results.items():
        if key in ("machine", "engine", "engine_1_thread", "twin", "linearity", "sections_s"):
            continue
        if key in ("host_probe_ms", "goals"):
            lines.append(f"{key:40s} {json.dumps(value)}")
            continue
        text = f"{value:,.4f}" if isinstance(value, float) else str(value)
        lines.append(f"{key:40s} {text}")
    lines.append("")
    lines.append(
        f"{'runs':>8s} {'threads':>8s} {'median s':>10s} {'cpu s':>10s} {'ms/run':>9s} "
        f"{'actor-years/s':>15s}"
    )
    for p in results["engine"] + results["engine_1_thread"]:
        lines.append(
            f"{p['runs']:8d} {p['threads']:8d} {p['median_s']:10.3f} {p['cpu_median_s']:10.3f} "
            f"{p['ms_per_run']:9.3f} {p['actor_years_per_s']:15,.0f}"
        )
    lines.append("Mesa twin (batch_run, one process):")
    for p in results["twin"]:
        lines.append(f"{p['runs']:8d} {p['median_s']:10.3f} {'':>10s} {p['ms_per_run']:9.3f}")
    lines.append("linearity: " + json.dumps(results["linearity"]))
    lines.append("machine: " + json.dumps(results["machine"]))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer sizes and repetitions (<1 min)")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--plot", metavar="PNG", help="write the log-log runs vs time figure")
    parser.add_argument("--save", metavar="JSON", help="also write the results to this file")
    args = parser.parse_args(argv)
    results = run(args.quick)
    if args.plot:
        from benchmarks.plot import plot_scaling

        plot_scaling(results, args.plot)
    text = json.dumps(results, indent=2)
    if args.save:
        Path(args.save).write_text(text + "\n")
    if args.format == "json":
        sys.stdout.write(text + "\n")
    else:
        sys.stdout.write(_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
