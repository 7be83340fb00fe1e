"""Run the benchmarks: ``python -m benchmarks [--quick] [--format table|json]``."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from typing import Any

from benchmarks.moon import bench_moon


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    import numpy as np

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (about a minute)")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 7
    results: dict[str, Any] = {"machine": machine(), "quick": args.quick}
    results.update(bench_moon(repeats=repeats))
    if args.format == "json":
        sys.stdout.write(json.dumps(results, indent=2) + "\n")
    else:
        for key, value in results.items():
            if key == "machine":
                continue
            text = f"{value:.4f}" if isinstance(value, float) else str(value)
            sys.stdout.write(f"{key:40s} {text}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
