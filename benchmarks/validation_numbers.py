"""The numbers docs/validation.md quotes for the race engine, from the commands a user would run.

``python -m benchmarks.validation_numbers`` prints them (a few minutes on two cores): the baseline's
milestone years and totals (200 runs, seed 2025), the asymmetric map's three cells (100 runs each)
and the cut-throat versus emulation comparison (200 runs each). Re-run it after every model change
and update the "Where the baseline lands" section from its output.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from typing import Any


def _run(scenario: str, runs: int, seed: int, *settings: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as out_dir:
        command = [sys.executable, "-m", "moondust", "run", scenario, "--runs", str(runs)]
        command += ["--seed", str(seed), "--format", "json", "--out", out_dir]
        command += [f"--param={setting}" for setting in settings]
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return dict(json.loads(out))


def _first(result: dict[str, Any], milestone: str) -> str:
    shares = [
        f"{row['bloc']} {row['p_first']:.2f}"
        for row in result.get("blocs", [])
        if row["milestone"] == milestone
    ]
    return f"first {milestone}: " + ", ".join(shares)


def _outcome(result: dict[str, Any], metric: str) -> dict[str, float]:
    for row in result["outcomes"]:
        if row["metric"] == metric:
            return dict(row)
    return {"median": float("nan"), "p5": float("nan"), "p95": float("nan")}


def _band(row: dict[str, Any], scale: float = 1.0, digits: int = 0) -> str:
    def fmt(value: float | None) -> str:
        return "—" if value is None else f"{value * scale:,.{digits}f}"

    return f"{fmt(row.get('median'))} ({fmt(row.get('p5'))}–{fmt(row.get('p95'))})"


def _milestone(result: dict[str, Any], actor: str, milestone: str) -> str:
    for row in result["milestones"]:
        if row["actor"] == actor and row["milestone"] == milestone:
            years = {"median": row["median_year"], "p5": row["p5_year"], "p95": row["p95_year"]}
            return f"{actor} {milestone}: p={row['p_achieved']:.2f}, {_band(years)}"
    return f"{actor} {milestone}: not in the ladder"


def main() -> None:
    base = _run("baseline", 200, 2025)
    print("## baseline, 200 runs, seed 2025")
    for actor, milestone in (
        ("USA", "crewed_flyby"),
        ("USA", "crewed_landing"),
        ("CHN", "crewed_flyby"),
        ("CHN", "crewed_landing"),
    ):
        print(_milestone(base, actor, milestone))
    for metric, scale, digits in (
        ("first_he3_delivered_year", 1.0, 0),
        ("he3_delivered_kg_by_2100", 1e-3, 1),
        ("energy_twh_by_2100", 1.0, 0),
        ("co2_avoided_mt_by_2100", 1e-3, 2),
        ("military_cum_usd_bn", 1e-3, 1),
        ("debris_end", 1.0, 0),
        ("asat_tests", 1.0, 0),
    ):
        print(f"{metric}: {_band(_outcome(base, metric), scale, digits)}")
    print(_first(base, "he3_delivered"))
    print()
    print("## asymmetric map, 100 runs per cell, seed 2025")
    for spill, crowd in ((0.1, 0.0), (0.6, 0.5), (1.0, 1.0)):
        cell = _run("asymmetric", 100, 2025, f"spillover_max={spill}", f"crowd_out={crowd}")
        print(f"spillover_max={spill} crowd_out={crowd}:", _first(cell, "he3_delivered"))
    print()
    print("## cutthroat vs emulation, 200 runs, seed 2025")
    for name in ("cutthroat", "emulation"):
        result = _run(name, 200, 2025)
        summary = {
            row["metric"]: round(row["median"], 1)
            for row in result["outcomes"]
            if row.get("median") is not None
        }
        print(name, json.dumps(summary))


if __name__ == "__main__":
    main()
