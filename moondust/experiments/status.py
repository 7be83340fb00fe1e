"""A sweep directory after the fact: its status, its repair, and a summary per lever point.

:func:`sweep_status` reads where a sweep stands without writing; :func:`repair_sweep` rewrites a
damaged manifest from the journal and marks chunks that fail their checksum for recomputing;
:func:`lever_point_summary` is what ``moondust sweep`` prints at the end. (Running and resuming
a sweep is :mod:`moondust.experiments.sweep`, which re-exports these names.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from moondust.errors import MoondustError
from moondust.experiments.directory import SweepDirectory, manifest_bytes, plan_chunks, snapshot
from moondust.world.blocs import BLOC_CLASSES, BlocClass


def sweep_status(path: str | Path) -> dict[str, Any]:
    """A sweep directory's manifest with its chunk states brought up to date (read-only)."""
    directory = SweepDirectory(path)
    manifest = directory.load_manifest()
    return snapshot(manifest, directory.chunk_records(manifest))


def repair_sweep(path: str | Path) -> dict[str, Any]:
    """Rewrite a sweep's manifest from its journal and verify every finished chunk.

    A missing, damaged or edited ``manifest.json`` is rebuilt from the copy of its fixed part
    that the journal holds (with its own checksum) and the journal's chunk records. Chunks that
    fail their checksum are recorded ``invalid`` in the journal, so that running the sweep again
    recomputes them (nothing is deleted here).

    Returns
    -------
    dict
        ``manifest_repaired`` (bool), ``invalid`` (chunk id → reason), ``done`` (chunks verified).

    Raises
    ------
    MoondustError
        If the directory is being written, or its manifest is unusable and the journal holds no
        copy of it (directories written before moondust recorded one).
    """
    directory = SweepDirectory(path)
    if not SweepDirectory.is_sweep(directory.path):
        raise MoondustError(f"{directory.path}: not a sweep directory (no manifest or journal)")
    directory.lock()
    try:
        before = manifest_bytes(directory)
        manifest = directory.load_manifest(repair=True)
        repaired = manifest_bytes(directory) != before
        directory.record_manifest(manifest)
        invalid: dict[int, str] = {}
        done = 0
        records = directory.chunk_records(manifest)
        for plan in plan_chunks(
            int(manifest["runs_per_point"]), len(manifest["lever_points"]), manifest["chunk_size"]
        ):
            record = records.get(plan.chunk)
            if record is None or record.get("status") != "done":
                continue
            problem = directory.verify_chunk(record)
            if problem is None:
                done += 1
                continue
            invalid[plan.chunk] = problem
            directory.append({"chunk": plan.chunk, "status": "invalid", "reason": problem})
        directory.write_manifest(snapshot(manifest, directory.chunk_records(manifest)))
    finally:
        directory.close()
    return {"manifest_repaired": repaired, "invalid": invalid, "done": done}


def lever_point_summary(path: str | Path, race: str = "he3_delivered") -> pd.DataFrame | None:
    """Per lever point of a finished sweep: runs, share of runs each bloc class is first to
    ``race`` (columns ``first_<bloc>``), the median first year and median cumulative military
    spending. None if the runs lack those outcomes.
    """
    from moondust.experiments.store import available_columns, read_runs_table

    first, year = f"first_bloc_{race}", f"first_year_{race}"
    wanted = [first, year, "cum_military_usd_bn"]
    known = available_columns(path)
    if not all(name in known for name in wanted):
        return None
    manifest = SweepDirectory(path).load_manifest() if SweepDirectory.is_sweep(path) else None
    points = manifest["lever_points"] if manifest else [{}]
    table = read_runs_table(path, ["lever_point", *wanted] if manifest else wanted)
    group = table["lever_point"] if manifest else pd.Series(0, index=table.index)
    shares = pd.crosstab(group, table[first], normalize="index")
    order = [*BLOC_CLASSES, BlocClass.TIE, BlocClass.NOBODY]
    rows = []
    for point, frame in table.groupby(group, sort=True):
        row: dict[str, Any] = dict(points[int(point)])
        row["runs"] = len(frame)
        for bloc in order:
            if bloc in shares.columns and shares[bloc].sum() > 0:
                row[f"first_{bloc}"] = float(shares[bloc].get(point, 0.0))
        row["median_year"] = float(frame[year].median())
        row["median_military_usd_bn"] = float(frame["cum_military_usd_bn"].median())
        rows.append(row)
    return pd.DataFrame(rows)
