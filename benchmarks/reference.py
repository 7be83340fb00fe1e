"""Bit-identical reference compare: every output of ``simulate`` for the built-in scenarios.

A refactor must change no output. Before it, save the fingerprints of the current code; after
it, check them::

    python -m benchmarks.reference save ref.json     # on the commit before the change
    python -m benchmarks.reference check ref.json    # on the change: exit 1 on any difference

Each fingerprint is the SHA-256 of one variable's or coordinate's bytes, dtype and shape, for
every built-in scenario at several seeds and run counts, chance only (``uncertainty = "none"``),
and one scenario with sampled uncertainties and an offset first run. The whole set takes about
a minute on two cores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

CASES: tuple[tuple[int, int, int], ...] = ((0, 1, 0), (7, 37, 0), (3, 200, 0), (7, 5, 123))
"""(seed, runs, first run) simulated for every built-in scenario."""

UNCERTAIN = {
    "spillover_max": {"dist": "uniform", "low": 0.2, "high": 0.9},
    "crowd_out": {"dist": "triangular", "low": 0.0, "mode": 0.3, "high": 1.0},
}
"""Sampled parameters of the extra case (the built-ins declare none)."""


def _digest(values: Any) -> str:
    array = np.asarray(values)
    if array.dtype.kind == "O":
        array = array.astype(str)
    digest = hashlib.sha256(f"{array.dtype.str}{array.shape}".encode())
    digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()[:24]


def fingerprints() -> dict[str, dict[str, str]]:
    """Scenario and case → output name → fingerprint."""
    from moondust.engine.simulate import simulate
    from moondust.world.scenario import builtin_scenarios, load_scenario

    found: dict[str, dict[str, str]] = {}
    # chance only: the fingerprints predate sampling the parameter ranges by default, and the
    # built-in scenarios must keep their outputs under ``uncertainty = "none"``
    scenarios = {name: load_scenario(name).with_uncertainty("none") for name in builtin_scenarios()}
    scenarios["baseline+uncertain"] = scenarios["baseline"].with_changes(uncertainties=UNCERTAIN)
    for name, scenario in scenarios.items():
        for seed, runs, first_run in CASES:
            ds = simulate(scenario, runs=runs, seed=seed, first_run=first_run).dataset
            key = f"{name} seed={seed} runs={runs} first_run={first_run}"
            found[key] = {str(k): _digest(ds[k].values) for k in sorted(map(str, ds.variables))}
            sys.stderr.write(f"{key}: {len(found[key])} outputs\n")
    return found


def main(argv: list[str] | None = None) -> int:
    """``save PATH`` or ``check PATH``; exit 1 when a check finds a difference."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reference", description=__doc__)
    parser.add_argument("action", choices=("save", "check"))
    parser.add_argument("path", type=Path)
    args = parser.parse_args(argv)
    current = fingerprints()
    if args.action == "save":
        args.path.write_text(json.dumps(current, indent=1, sort_keys=True))
        print(f"saved {sum(map(len, current.values()))} fingerprints to {args.path}")
        return 0
    saved = json.loads(args.path.read_text())
    differences = [
        f"{case}: {name}"
        for case in sorted(set(saved) | set(current))
        for name in sorted(set(saved.get(case, {})) | set(current.get(case, {})))
        if saved.get(case, {}).get(name) != current.get(case, {}).get(name)
    ]
    for line in differences[:50]:
        print(f"differs: {line}")
    if differences:
        print(f"{len(differences)} output(s) differ from {args.path}")
        return 1
    print(f"bit-identical: {sum(map(len, current.values()))} outputs in {len(current)} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
