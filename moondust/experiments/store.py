"""A sweep's directory: manifest, chunk journal, lock, verification and lazy opening.

Layout of a sweep directory ``DIR``::

    DIR/manifest.json      what the sweep is (scenario and its digest, seed, runs, sampling, lever
                           points, chunk size, package version) and a snapshot of chunk status
    DIR/chunks.jsonl       the chunk journal: one JSON line per event (done with checksum, failed
                           with traceback, invalid), appended as chunks finish
    DIR/chunks/c000000/    one directory per finished chunk: data.zarr + runs.parquet
    DIR/.lock              held while a sweep writes to DIR

Only the process that drives a sweep writes the manifest and the journal; workers only write
their own chunk directories (temp name, then rename). The journal is append-only, so a sweep
killed at any moment loses at most the chunks in flight; a half-written last line is ignored. The
state of a chunk is its last journal record (over the manifest's snapshot).

:func:`open_sweep` opens the finished chunks as one lazy :class:`xarray.Dataset` (dask arrays
whose blocks are the chunks' Zarr arrays), so memory stays flat however many runs there are.
:func:`open_results` opens a sweep's or a ``moondust run`` directory as
:class:`~moondust.results.Results`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from moondust.errors import InputFileError, MoondustError
from moondust.experiments.chunks import (
    CHUNKS_DIR,
    DATA_NAME,
    KEPT_WHEN_OUTCOMES_ONLY,
    RUNS_NAME,
    STORE_MODES,
    STREAM_COLUMN,
    chunk_dirname,
)
from moondust.storage import (  # run directories, locks and checksums live below results
    JOURNAL,
    MANIFEST,
    RUN_VARIABLES,
    acquire_lock,
    check_dataset,
    checksum,
    is_sweep,
    is_trusted,
    lock_file,
    now,
    open_run,
    open_store,
    release_lock,
)

FORMAT = "moondust-sweep"
FORMAT_VERSION = 2
"""The newest manifest format this moondust reads: 2 adds ``store`` (an outcomes-only sweep is
written as 2, so an older moondust refuses it; a full sweep is still written as 1)."""
MANIFEST_EVENT = "manifest"
"""The ``event`` of the journal record that holds a copy of the manifest's fixed part."""
SNAPSHOT_KEYS = ("updated", "counts", "chunks")
"""Manifest keys that change as a sweep runs; the rest (its fixed part) never does."""
MANIFEST_FIELDS: dict[str, type] = {
    "format": str,
    "format_version": int,
    "moondust_version": str,
    "scenario_name": str,
    "scenario_digest": str,
    "scenario": dict,
    "seed": int,
    "sampling": str,
    "lever_points": list,
    "runs_per_point": int,
    "total_runs": int,
    "chunk_size": int,
    "n_chunks": int,
}
"""The keys every sweep manifest has, and their JSON types."""


def store_of(manifest: dict[str, Any]) -> str:
    """What a sweep's chunks keep: ``full`` (also for sweeps from before ``store`` existed) or
    ``outcomes``."""
    return str(manifest.get("store", "full"))


def manifest_digest(fixed: dict[str, Any]) -> str:
    """SHA-256 of a manifest's fixed part (canonical JSON)."""
    return hashlib.sha256(json.dumps(fixed, sort_keys=True).encode()).hexdigest()


def fixed_part(manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest without the keys that change as the sweep runs (:data:`SNAPSHOT_KEYS`)."""
    return {k: v for k, v in manifest.items() if k not in SNAPSHOT_KEYS}


def check_manifest(manifest: Any, where: Path) -> dict[str, Any]:
    """Check that a decoded manifest is a moondust sweep manifest this version can read.

    Raises
    ------
    InputFileError
        Naming ``where`` and what was expected.
    """
    if not isinstance(manifest, dict):
        raise InputFileError(
            f"{where}: expected a JSON object (a moondust sweep manifest), found a JSON "
            f"{type(manifest).__name__}"
        )
    if manifest.get("format") != FORMAT:
        raise InputFileError(
            f"{where}: not a moondust sweep manifest (format {manifest.get('format')!r}, "
            f"expected {FORMAT!r})"
        )
    version = manifest.get("format_version")
    if isinstance(version, int) and version > FORMAT_VERSION:
        raise InputFileError(
            f"{where}: written by a newer moondust (format {version}); upgrade moondust to read it"
        )
    missing = [key for key in MANIFEST_FIELDS if key not in manifest]
    if missing:
        raise InputFileError(f"{where}: the sweep manifest lacks {', '.join(missing)}")
    for key, kind in MANIFEST_FIELDS.items():
        value = manifest[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise InputFileError(
                f"{where}: {key} should be a JSON {kind.__name__}, found {str(value)[:40]!r}"
            )
    points = manifest["lever_points"]
    runs, size = manifest["runs_per_point"], manifest["chunk_size"]
    if not points or not all(isinstance(p, dict) for p in points) or runs < 1 or size < 1:
        raise InputFileError(f"{where}: lever_points, runs_per_point or chunk_size out of range")
    if manifest["n_chunks"] != len(plan_chunks(runs, len(points), size)) or manifest[
        "total_runs"
    ] != runs * len(points):
        raise InputFileError(
            f"{where}: n_chunks or total_runs do not match runs_per_point, lever_points and "
            "chunk_size"
        )
    if manifest.get("store", "full") not in STORE_MODES:
        raise InputFileError(
            f"{where}: store should be one of {', '.join(STORE_MODES)}, found "
            f"{str(manifest.get('store'))[:40]!r}"
        )
    if not isinstance(manifest.get("chunks", {}), dict):
        raise InputFileError(f"{where}: chunks should be a JSON object")
    return manifest


@dataclass(frozen=True)
class ChunkPlan:
    """Where a chunk's runs are: lever point, sample range, global run range."""

    chunk: int
    lever_point: int
    start: int
    stop: int
    runs_per_point: int

    @property
    def runs(self) -> int:
        """Number of runs."""
        return self.stop - self.start

    @property
    def run_offset(self) -> int:
        """Global run index of sample 0 at this lever point."""
        return self.lever_point * self.runs_per_point


def plan_chunks(runs_per_point: int, lever_points: int, chunk_size: int) -> list[ChunkPlan]:
    """Split every lever point's samples into chunks of ``chunk_size`` (the last may be short).

    >>> [(c.lever_point, c.start, c.stop) for c in plan_chunks(5, 2, 3)]
    [(0, 0, 3), (0, 3, 5), (1, 0, 3), (1, 3, 5)]
    """
    plans: list[ChunkPlan] = []
    for point in range(lever_points):
        for start in range(0, runs_per_point, chunk_size):
            stop = min(start + chunk_size, runs_per_point)
            plans.append(ChunkPlan(len(plans), point, start, stop, runs_per_point))
    return plans


class SweepDirectory:
    """The files of a sweep directory (see the module docstring).

    Parameters
    ----------
    path
        The directory.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).resolve()
        self._journal_handle: Any = None
        self._lock_handle: Any = None

    # --- paths ---------------------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        """``DIR/manifest.json``."""
        return self.path / MANIFEST

    @property
    def journal_path(self) -> Path:
        """``DIR/chunks.jsonl``."""
        return self.path / JOURNAL

    def chunk_path(self, chunk: int) -> Path:
        """``DIR/chunks/c000042``."""
        return self.path / CHUNKS_DIR / chunk_dirname(chunk)

    @staticmethod
    def is_sweep(path: str | Path) -> bool:
        """Whether ``path`` holds a sweep manifest or chunk journal (whole or not)."""
        return is_sweep(path)

    # --- manifest ------------------------------------------------------------------------------
    def read_manifest(self) -> dict[str, Any]:
        """The manifest as a dict, as ``manifest.json`` holds it (see :meth:`load_manifest`).

        Raises
        ------
        InputFileError
            If it is missing or not a moondust sweep manifest.
        """
        try:
            text = self.manifest_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputFileError(
                f"{self.path}: not a sweep directory (no {MANIFEST}); run `moondust sweep` first"
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputFileError(f"{self.manifest_path}: unreadable manifest: {exc}") from None
        try:
            manifest = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputFileError(f"{self.manifest_path}: not valid JSON: {exc}") from None
        return check_manifest(manifest, self.manifest_path)

    def load_manifest(self, repair: bool = False) -> dict[str, Any]:
        """The manifest, checked against the copy of its fixed part in the journal.

        A manifest that is missing or damaged is rebuilt from the journal's copy and records; one
        whose fixed part differs from the journal's copy (edited) is refused, or with ``repair``
        replaced by the rebuilt one. With ``repair`` the rebuilt manifest is also written (the
        caller should hold the lock); otherwise nothing is written.

        Raises
        ------
        InputFileError
            If the manifest is unusable and the journal holds no copy to rebuild it from, or it
            differs from that copy (without ``repair``).
        """
        recorded = self.journal_manifest()
        try:
            manifest = self.read_manifest()
        except InputFileError as exc:
            if recorded is None:
                if self.journal_path.is_file() and self.read_journal():
                    raise InputFileError(
                        f"{exc}; {JOURNAL} holds no copy of the manifest to rebuild it from "
                        "(written by an older moondust); use another --out"
                    ) from None
                raise
            return self._rebuilt(recorded, repair)
        if recorded is not None and fixed_part(manifest) != recorded:
            if repair:
                return self._rebuilt(recorded, repair)
            changed = sorted(
                key
                for key in {*recorded, *fixed_part(manifest)}
                if recorded.get(key) != manifest.get(key)
            )
            raise InputFileError(
                f"{self.manifest_path}: differs from the copy recorded in {JOURNAL} (in "
                f"{', '.join(changed)}): it was edited or damaged; run the `moondust sweep` "
                f"command again (it rewrites it from the journal) or "
                f"moondust.experiments.repair_sweep({str(self.path)!r})"
            )
        return manifest

    def _rebuilt(self, recorded: dict[str, Any], write: bool) -> dict[str, Any]:
        manifest = {**recorded, "updated": now(), "counts": {}, "chunks": {}}
        manifest = snapshot(manifest, self.chunk_records(manifest))
        if write:
            self.write_manifest(manifest)
        return manifest

    def journal_manifest(self) -> dict[str, Any] | None:
        """The manifest's fixed part as first recorded in the journal, if a sound copy is there."""
        for record in self._journal_records():
            if record.get("event") != MANIFEST_EVENT:
                continue
            fixed = record.get("manifest")
            if not isinstance(fixed, dict) or manifest_digest(fixed) != record.get("sha256"):
                continue
            try:
                check_manifest({**fixed, "chunks": {}}, self.journal_path)
            except InputFileError:
                continue
            return fixed
        return None

    def record_manifest(self, manifest: dict[str, Any]) -> None:
        """Append a copy of the manifest's fixed part to the journal, unless one is there."""
        if self.journal_manifest() is None:
            fixed = fixed_part(manifest)
            self.append(
                {"event": MANIFEST_EVENT, "manifest": fixed, "sha256": manifest_digest(fixed)}
            )

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Write the manifest atomically (temporary file, then rename)."""
        tmp = self.manifest_path.with_name(f".{MANIFEST}.tmp")
        try:
            tmp.write_text(json.dumps(manifest, indent=1, sort_keys=False) + "\n", encoding="utf-8")
            os.replace(tmp, self.manifest_path)
        except BaseException:  # a full disk: no temporary left (it would block a resume)
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise

    # --- journal -------------------------------------------------------------------------------
    def _journal_records(self) -> list[dict[str, Any]]:
        """Every complete JSON-object line of the journal (torn or foreign lines are skipped)."""
        if not self.journal_path.is_file():
            return []
        records = []
        with self.journal_path.open("rb") as handle:
            for line in handle:
                try:
                    record = json.loads(line)
                except (json.JSONDecodeError, UnicodeDecodeError):
                    continue
                if isinstance(record, dict):
                    records.append(record)
        return records

    def read_journal(self) -> list[dict[str, Any]]:
        """Every complete chunk record of the journal, in order (a torn last line is skipped)."""
        return [
            record
            for record in self._journal_records()
            if isinstance(record.get("chunk"), int) and not isinstance(record.get("chunk"), bool)
        ]

    def append(self, record: dict[str, Any]) -> None:
        """Append one record to the journal and flush it to disk."""
        if self._journal_handle is None:
            self._repair_journal()
            self._journal_handle = self.journal_path.open("a", encoding="utf-8")
        record = {**record, "time": now()}
        self._journal_handle.write(json.dumps(record) + "\n")
        self._journal_handle.flush()
        with contextlib.suppress(OSError):
            os.fsync(self._journal_handle.fileno())

    def _repair_journal(self) -> None:
        """End a torn last line (from a kill mid-write) so new records start on their own line."""
        if not self.journal_path.exists() or self.journal_path.stat().st_size == 0:
            return
        with self.journal_path.open("rb+") as handle:
            handle.seek(-1, os.SEEK_END)
            if handle.read(1) != b"\n":
                handle.write(b"\n")

    def close(self) -> None:
        """Close the journal and release the lock."""
        if self._journal_handle is not None:
            with contextlib.suppress(OSError):  # a full disk: the failed append already said so
                self._journal_handle.close()
            self._journal_handle = None
        if self._lock_handle is not None:
            release_lock(self._lock_handle)
            self._lock_handle = None

    # --- state ---------------------------------------------------------------------------------
    def chunk_records(self, manifest: dict[str, Any] | None = None) -> dict[int, dict[str, Any]]:
        """The latest record of every chunk that has one: the snapshot overlaid by the journal."""
        manifest = manifest if manifest is not None else self.load_manifest()
        records = {
            int(k): v
            for k, v in manifest.get("chunks", {}).items()
            if str(k).isdigit() and isinstance(v, dict)
        }
        for record in self.read_journal():
            records[int(record["chunk"])] = record
        return records

    def lock(self) -> None:
        """Take the directory's lock, or fail if another sweep is writing to it.

        Raises
        ------
        MoondustError
            If the lock is held by another process, or ``.lock`` is not a file.
        """
        self._lock_handle = acquire_lock(self.path, "another sweep is writing to this directory")

    def clean_temporary(self) -> int:
        """Remove temporary chunk directories left by an interrupted sweep; how many."""
        folder = self.path / CHUNKS_DIR
        if not folder.is_dir():
            return 0
        stale = [p for p in folder.iterdir() if p.name.startswith(".") and ".tmp-" in p.name]
        for path in stale:
            shutil.rmtree(path, ignore_errors=True)
        return len(stale)

    def verify_chunk(self, record: dict[str, Any], full: bool = True) -> str | None:
        """Why a chunk recorded as done is not usable (missing, corrupt), or None if it is.

        With ``full`` the SHA-256 of the chunk's files is compared with the record's (it covers
        their relative paths and contents, and each chunk's dataset holds its own run indices,
        so a chunk folder under another chunk's name or a block copied from elsewhere fails it).
        """
        path = self.chunk_path(int(record["chunk"]))
        if not (path / DATA_NAME).is_dir() or not (path / RUNS_NAME).is_file():
            return "chunk files missing"
        if full:
            digest, size = checksum(path)
            if digest != record.get("sha256"):
                recorded = int(record.get("bytes", 0))
                return f"checksum mismatch ({size:,} bytes on disk, {recorded:,} recorded)"
        return None


def snapshot(manifest: dict[str, Any], records: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """The manifest with its chunk status snapshot and counts brought up to date."""
    total = int(manifest["n_chunks"])
    done = sum(1 for r in records.values() if r.get("status") == "done")
    failed = sum(1 for r in records.values() if r.get("status") == "failed")
    return {
        **manifest,
        "updated": now(),
        "counts": {"chunks": total, "done": done, "failed": failed, "pending": total - done},
        "chunks": {str(k): records[k] for k in sorted(records)},
    }


# --- opening ---------------------------------------------------------------------------------


def _read_block(path: str, name: str) -> np.ndarray:
    """One chunk's values of one variable, decoded by xarray (a dask task)."""
    with xr.open_zarr(path, chunks=None, consolidated=True) as ds:
        return np.asarray(ds[name].values)


def _read_raw_block(path: str, name: str) -> np.ndarray:
    """One chunk's values of a variable stored as is (no CF decoding needed): a single Zarr
    block read directly, an order of magnitude faster than opening the store with xarray."""
    import zarr

    return np.asarray(zarr.open_array(f"{path}/{name}", mode="r")[...])


def _stored_as_is(path: str, name: str, variable: xr.Variable | xr.DataArray) -> bool:
    """Whether reading the raw Zarr array gives exactly what xarray's decoding gives."""
    import zarr

    encoding = variable.encoding
    if any(key in encoding for key in ("scale_factor", "add_offset", "calendar", "units")):
        return False
    array = zarr.open_array(f"{path}/{name}", mode="r")
    if array.dtype != variable.dtype:
        return False
    fill = encoding.get("_FillValue")
    return fill is None or (variable.dtype.kind == "f" and bool(np.isnan(fill)))


def _done_chunks(
    directory: SweepDirectory, manifest: dict[str, Any], allow_partial: bool, trust: bool = False
) -> list[ChunkPlan]:
    """The plans of the finished chunks, each verified against its checksum unless ``trust``."""
    plans = plan_chunks(
        int(manifest["runs_per_point"]), len(manifest["lever_points"]), int(manifest["chunk_size"])
    )
    records = directory.chunk_records(manifest)
    done = [p for p in plans if records.get(p.chunk, {}).get("status") == "done"]
    missing = len(plans) - len(done)
    if missing and not allow_partial:
        failed = sum(1 for r in records.values() if r.get("status") == "failed")
        raise MoondustError(
            f"{directory.path}: the sweep is incomplete ({missing} of {len(plans)} chunks not "
            f"done, {failed} failed); run the same `moondust sweep` command again to finish it, "
            "or open it with allow_partial=True"
        )
    if not done:
        raise MoondustError(f"{directory.path}: no finished chunk to open yet")
    # hashing releases the GIL: a few threads read and hash chunks side by side
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
        problems = list(
            pool.map(lambda p: directory.verify_chunk(records[p.chunk], full=not trust), done)
        )
    for plan, problem in zip(done, problems, strict=True):
        if problem is not None:
            first, last = plan.run_offset + plan.start, plan.run_offset + plan.stop - 1
            raise MoondustError(
                f"{directory.chunk_path(plan.chunk)}: chunk {plan.chunk} (runs {first}–{last}) "
                f"is damaged: {problem}; run the `moondust sweep` command that wrote it again "
                f"(same scenario and options, --out {directory.path}) to recompute chunk "
                f"{plan.chunk}, or open with trust=True (--trust) to read it anyway"
            )
    return done


def open_sweep(
    path: str | Path, allow_partial: bool = False, trust: bool | None = None
) -> xr.Dataset:
    """Open a sweep's finished chunks as one lazy dataset (dask arrays, one block per chunk).

    Every chunk opened is first verified against the checksum in its journal record (SHA-256 of
    its files; about 1 s per GB, a small share of reading them).

    Parameters
    ----------
    path
        The sweep directory.
    allow_partial
        Open an unfinished sweep's done chunks (the ``run`` coordinate then has gaps).
    trust
        Skip the checksums (default: False, or True within :func:`trusting`).

    Returns
    -------
    xarray.Dataset
        Dims ``run`` (global run index), ``actor``, ``year``, … as :func:`moondust.simulate`'s,
        plus run coordinates ``sample`` and ``lever_point`` and variables ``lever_*``. Nothing is
        read until values are used. Of an outcomes-only sweep (attribute ``sweep_store``), only
        the per-run variables and ``milestone_year``.

    Raises
    ------
    MoondustError
        If the directory is not a sweep, the sweep is incomplete (unless ``allow_partial``), a
        chunk fails its checksum (naming it and how to recompute it) or dask is not installed.
    """
    try:
        import dask.array as da
        from dask.base import tokenize
    except ImportError:
        raise MoondustError(
            "opening a sweep lazily needs dask: pip install 'moondust[dask]'"
        ) from None

    directory = SweepDirectory(path)
    lock_file(directory.path)
    manifest = directory.load_manifest()
    done = _done_chunks(directory, manifest, allow_partial, is_trusted(trust))
    paths = [str(directory.chunk_path(p.chunk) / DATA_NAME) for p in done]
    template = open_store(Path(paths[0]), None)
    outcomes_only = store_of(manifest) == "outcomes"
    check_dataset(template, paths[0], KEPT_WHEN_OUTCOMES_ONLY if outcomes_only else RUN_VARIABLES)
    sizes = tuple(p.runs for p in done)
    run = np.concatenate([np.arange(p.start, p.stop) + p.run_offset for p in done])
    sample = np.concatenate([np.arange(p.start, p.stop) for p in done])
    point = np.concatenate([np.full(p.runs, p.lever_point) for p in done])
    token = tokenize(str(directory.path), [(p.chunk, p.start, p.stop) for p in done])

    variables: dict[str, xr.Variable] = {}
    for name, variable in template.data_vars.items():
        if variable.dims[0] != "run" or "run" in variable.dims[1:]:
            raise MoondustError(f"{paths[0]}: variable {name} does not start with dim run")
        key = f"{name}-{token}"
        reader = _read_raw_block if _stored_as_is(paths[0], str(name), variable) else _read_block
        graph = {
            (key, i, *(0,) * (variable.ndim - 1)): (reader, chunk_path, str(name))
            for i, chunk_path in enumerate(paths)
        }
        chunks = (sizes, *((n,) for n in variable.shape[1:]))
        array = da.Array(graph, key, chunks=chunks, dtype=variable.dtype)
        variables[str(name)] = xr.Variable(variable.dims, array, attrs=variable.attrs)
    coords: dict[str, Any] = {
        "run": ("run", run.astype(np.int64)),
        "sample": ("run", sample.astype(np.int64)),
        "lever_point": ("run", point.astype(np.int64)),
    }
    for name, coord in template.coords.items():
        if "run" not in coord.dims:
            coords[str(name)] = coord.load().variable
    ds = xr.Dataset(variables, coords=coords)
    ds.attrs = {
        **{k: v for k, v in template.attrs.items() if k != "chunk"},
        "scenario": manifest["scenario_name"],
        "scenario_digest": manifest["scenario_digest"],
        "scenario_json": json.dumps(manifest["scenario"], sort_keys=True),
        "seed": manifest["seed"],
        "moondust_version": manifest["moondust_version"],
        "sweep_runs_per_point": manifest["runs_per_point"],
        "sweep_sampling": manifest["sampling"],
        "sweep_lever_points": json.dumps(manifest["lever_points"]),
        "sweep_directory": str(directory.path),
        "sweep_store": store_of(manifest),
    }
    template.close()
    return ds


def open_results(path: str | Path, allow_partial: bool = False, trust: bool | None = None) -> Any:
    """Open a ``moondust run`` output directory or a sweep directory as lazy Results.

    What is opened is first verified: a sweep's chunks against their journal checksums, a run's
    ``results.zarr`` and ``summary.parquet`` against ``checksums.json``. A directory that is
    neither, or is damaged, is refused with a :class:`MoondustError` naming the file.

    Parameters
    ----------
    path
        A directory written by ``moondust run`` / :meth:`Results.save` (``results.zarr``), the
        ``.zarr`` store itself, or a directory written by ``moondust sweep``.
    allow_partial
        For a sweep: open the finished chunks of an unfinished sweep.
    trust
        Skip the checksums (default: False, or True within :func:`trusting`); the structure is
        still checked.

    Returns
    -------
    moondust.results.Results
        The same type :func:`moondust.simulate` returns; its dataset is read lazily (dask).

    Raises
    ------
    MoondustError
        If the path holds neither, what it holds fails its checksums or is damaged, or it is an
        outcomes-only sweep (no trajectories: read it with :func:`read_runs_table`).

    Examples
    --------
    >>> import moondust, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> paths = moondust.simulate(moondust.load_scenario("baseline"), runs=3, seed=1).save(folder)
    >>> moondust.open_results(folder).runs
    3
    """
    from moondust.results import Results

    path = Path(path)
    if not path.exists():
        raise InputFileError(f"{path}: neither a run directory nor a sweep directory: no such path")
    if not path.is_dir():
        raise InputFileError(f"{path}: neither a run directory nor a sweep directory: not a folder")
    if SweepDirectory.is_sweep(path):
        manifest = SweepDirectory(path).load_manifest()
        if store_of(manifest) == "outcomes":
            raise MoondustError(outcomes_only_message(path, "its yearly trajectories"))
        return Results(open_sweep(path, allow_partial=allow_partial, trust=trust))
    return Results(open_run(path, trust=trust))


# --- tables ----------------------------------------------------------------------------------


def outcomes_only_message(path: str | Path, needs: str) -> str:
    """One line: what an outcomes-only sweep lacks and what to do instead."""
    return (
        f"{Path(path)}: an outcomes-only sweep (--store outcomes) keeps per-run outcomes and "
        f"milestone years, not {needs}; use `moondust outcomes`, `discover` or read_runs_table, "
        "or sweep again with --store full into another --out"
    )


def read_runs_table(
    path: str | Path,
    columns: Sequence[str] | None = None,
    allow_partial: bool = False,
    trust: bool | None = None,
) -> pd.DataFrame:
    """The per-run table (inputs and outcomes) of a sweep, from the chunks' ``runs.parquet``.

    Outcomes that the chunks did not store are computed from each chunk's dataset, one chunk in
    memory at a time. For a ``moondust run`` directory they are computed from its dataset.

    Parameters
    ----------
    path
        A sweep or run directory.
    columns
        Column names to return (besides ``run``); default: all stored.
    allow_partial
        Read an unfinished sweep's done chunks.
    trust
        Skip the checksums (see :func:`open_results`).

    Returns
    -------
    pandas.DataFrame
        Index ``run`` (global run index), in run order.
    """
    from moondust.experiments.outcomes import OUTCOMES

    path = Path(path)
    if not SweepDirectory.is_sweep(path):
        ds = open_results(path, trust=trust).dataset
        inputs = [str(n) for n in ds.data_vars if str(n).startswith(("input_", "lever_"))]
        wanted = list(columns) if columns is not None else inputs
        return _table_from_dataset(ds.load(), wanted, OUTCOMES)
    directory = SweepDirectory(path)
    lock_file(directory.path)
    manifest = directory.load_manifest()
    outcomes_only = store_of(manifest) == "outcomes"
    parts = []
    for plan in _done_chunks(directory, manifest, allow_partial, is_trusted(trust)):
        chunk = directory.chunk_path(plan.chunk)
        parts.append(_chunk_table(chunk, columns, OUTCOMES, outcomes_only))
    return pd.concat(parts).sort_index()


def _table_from_dataset(
    ds: xr.Dataset, columns: Sequence[str], registry: Any, engine: pd.DataFrame | None = None
) -> pd.DataFrame:
    index = pd.Index(np.asarray(ds["run"].values, dtype=np.int64), name="run")
    direct = {
        name: np.asarray(ds[name].values)
        for name in columns
        if name in ds.variables and ds[name].dims == ("run",) and name != "run"
    }
    rest = [name for name in columns if name not in direct]
    table = pd.DataFrame(direct, index=index)
    if rest:
        table = pd.concat([table, registry.compute(ds, rest, engine)], axis=1)
    return table[list(columns)]


def _chunk_table(
    chunk: Path, columns: Sequence[str] | None, registry: Any, outcomes_only: bool = False
) -> pd.DataFrame:
    import pyarrow.parquet as pq

    runs_path = chunk / RUNS_NAME
    stored = pq.read_schema(runs_path).names
    if columns is None and outcomes_only:  # as a full chunk's: with the recomputable outcomes
        columns = _full_columns(chunk, stored)
    if columns is None:
        return pd.read_parquet(runs_path).set_index("run")
    present = [c for c in columns if c in stored]
    table = pd.read_parquet(runs_path, columns=["run", *present]).set_index("run")
    missing = [c for c in columns if c not in stored]
    if missing:
        with xr.open_zarr(chunk / DATA_NAME, chunks=None, consolidated=True) as ds:
            engine = None
            if outcomes_only:  # the engine's metrics are all stored; the rest needs milestones
                engine = pd.DataFrame(index=pd.Index(ds["run"].values, name="run"))
                _check_computable(chunk, ds, missing, [*stored], registry, engine)
            try:
                computed = _table_from_dataset(ds.load(), missing, registry, engine)
            except KeyError as exc:  # a custom outcome that reads a trajectory
                if not outcomes_only:
                    raise
                sweep = chunk.parent.parent
                needs = f"{exc} ({', '.join(missing)})"
                raise MoondustError(outcomes_only_message(sweep, needs)) from None

        table = pd.concat([table, computed], axis=1)
    return table[list(columns)]


def _full_columns(chunk: Path, stored: Sequence[str]) -> list[str]:
    """The columns of a full chunk's runs table, in order, for an outcomes-only chunk that
    stores ``stored`` (its inputs first, then the outcomes it left out, then the rest)."""
    from moondust.experiments.chunks import STREAM_COLUMN, recomputable

    with xr.open_zarr(chunk / DATA_NAME, chunks=None, consolidated=True) as ds:
        left_out = [name for name in recomputable(ds) if name not in stored]
    inputs = ("sample", "lever_point", "input_", "lever_", STREAM_COLUMN)
    front = [c for c in stored if c != "run" and c.startswith(inputs)]
    rest = [c for c in stored if c != "run" and c not in front]
    return [*front, *left_out, *rest]


TRAJECTORY_FAMILIES = ("cum_", "end_", "year_")
"""Prefixes of outcomes computed from yearly trajectories (or per-actor milestone years)."""


def check_stored(path: str | Path, names: Sequence[str], known: Mapping[str, str]) -> None:
    """Refuse names an outcomes-only sweep cannot give because they need trajectories.

    ``known`` is :func:`available_columns`'s answer. Other unknown names are left to the
    caller's check (which suggests the closest names).

    Raises
    ------
    MoondustError
        One line: what the sweep keeps and what to do instead.
    """
    lacking = [n for n in names if n not in known and n.startswith(TRAJECTORY_FAMILIES)]
    if not lacking or not SweepDirectory.is_sweep(path):
        return
    if store_of(SweepDirectory(path).load_manifest()) == "outcomes":
        shown = ", ".join(lacking[:3]) + (", …" if len(lacking) > 3 else "")
        raise MoondustError(outcomes_only_message(path, f"the trajectories of {shown}"))


def _check_computable(
    chunk: Path,
    ds: xr.Dataset,
    missing: Sequence[str],
    stored: Sequence[str],
    registry: Any,
    engine: pd.DataFrame,
) -> None:
    """Refuse, in one line, outcomes an outcomes-only chunk neither stores nor can compute."""
    from moondust.experiments.outcomes import unknown_name_message

    computable = registry.for_dataset(ds, engine)
    lacking = [c for c in missing if c not in computable]
    if not lacking:
        return
    trajectories = [c for c in lacking if c.startswith(TRAJECTORY_FAMILIES)]
    if not trajectories:
        raise MoondustError(unknown_name_message(lacking[0], [*stored, *computable]))
    names = ", ".join(trajectories[:3]) + (", …" if len(trajectories) > 3 else "")
    raise MoondustError(outcomes_only_message(chunk.parent.parent, f"the trajectories of {names}"))


def available_columns(path: str | Path, trust: bool | None = None) -> dict[str, str]:
    """Names usable in a sweep's (or run's) expressions → kind (``number``, ``category``, input).

    For a sweep only the names are read here (from its first chunk); their values are verified
    when :func:`read_runs_table` reads them. A run directory is verified (unless ``trust``).
    """
    sample, found = _outcomes(path, trust, verify_sweep=False)
    names: dict[str, str] = {}
    for name in sample.data_vars:
        if str(name).startswith(("input_", "lever_")) and sample[name].dims == ("run",):
            names[str(name)] = "input"
    for name, outcome in found.items():
        names[name] = outcome.kind
    return names


def sweep_outcomes(
    path: str | Path, trust: bool | None = None
) -> tuple[xr.Dataset, dict[str, Any]]:
    """A sweep's (or run's) first run as a dataset, and its outcomes by name
    (:class:`~moondust.experiments.outcomes.Outcome`).

    Of an outcomes-only sweep: what its first chunk stores (per-run variables and milestone
    years), and the outcomes computable from it or stored in its runs table. Every finished
    chunk is first verified against its checksum, unless ``trust``.
    """
    return _outcomes(path, trust, verify_sweep=True)


def _outcomes(
    path: str | Path, trust: bool | None, verify_sweep: bool
) -> tuple[xr.Dataset, dict[str, Any]]:
    from moondust.experiments.outcomes import OUTCOMES

    path = Path(path)
    if not SweepDirectory.is_sweep(path):
        sample = open_results(path, trust=trust).dataset.isel(run=slice(0, 1)).load()
        return sample, OUTCOMES.for_dataset(sample)
    directory = SweepDirectory(path)
    lock_file(directory.path)
    manifest = directory.load_manifest()
    verified = verify_sweep and not is_trusted(trust)
    first = _done_chunks(directory, manifest, allow_partial=True, trust=not verified)[0]
    chunk = directory.chunk_path(first.chunk)
    with xr.open_zarr(chunk / DATA_NAME, chunks=None, consolidated=True) as ds:
        sample = ds.isel(run=slice(0, 1)).load()
    if store_of(manifest) != "outcomes":
        return sample, OUTCOMES.for_dataset(sample)
    import pyarrow.parquet as pq

    engine = pd.DataFrame(index=pd.Index(sample["run"].values, name="run"))
    found = OUTCOMES.for_dataset(sample, engine)
    schema = pq.read_schema(chunk / RUNS_NAME)
    skip = {"run", "sample", "lever_point", STREAM_COLUMN}
    for field in schema:
        if field.name in found or field.name in skip or field.name.startswith(("input_", "lever_")):
            continue
        found[field.name] = _stored_outcome(field.name, _is_number(field.type), sample)
    return sample, found


def _is_number(kind: Any) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_floating(kind) or pa.types.is_integer(kind))


def _stored_outcome(name: str, number: bool, sample: xr.Dataset) -> Any:
    """An outcome an outcomes-only sweep stores but cannot recompute (no trajectories)."""
    from moondust.experiments.outcomes import (
        DEPRECATED_NAMES,
        ENGINE_METRICS,
        Outcome,
        OutcomeKind,
    )

    groups = [*dict.fromkeys(np.asarray(sample["bloc"].values).astype(str))]
    kind: OutcomeKind = "number" if number else "category"
    for family, what in (("cum", "summed over the years"), ("end", "in the final year")):
        if name.startswith(f"{family}_"):
            variable = name.removeprefix(f"{family}_")
            group = next((g for g in groups if variable.endswith(f"_{g}")), None)
            if group is not None:
                variable = variable.removesuffix(f"_{group}")
                return Outcome(name, f"{variable} of {group} {what}", kind, None, family, group)
            return Outcome(name, f"{variable} {what}, all actors", kind, None, family)
    description = "engine race metric (Results.run_outcomes)"
    if name in DEPRECATED_NAMES:
        description = f"deprecated: use {DEPRECATED_NAMES[name]} (removed after 0.2)"
    return Outcome(name, description, kind, None, ENGINE_METRICS)


@contextlib.contextmanager
def timed() -> Iterator[dict[str, float]]:
    """Measure wall time: ``with timed() as t: …; t["seconds"]``."""
    clock: dict[str, float] = {}
    began = time.perf_counter()
    try:
        yield clock
    finally:
        clock["seconds"] = time.perf_counter() - began
