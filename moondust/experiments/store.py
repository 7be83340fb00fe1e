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
import json
import os
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from moondust.errors import MoondustError
from moondust.experiments.chunks import (
    CHUNKS_DIR,
    DATA_NAME,
    RUNS_NAME,
    checksum,
    chunk_dirname,
)

MANIFEST = "manifest.json"
JOURNAL = "chunks.jsonl"
LOCK = ".lock"
FORMAT = "moondust-sweep"
FORMAT_VERSION = 1


def now() -> str:
    """The current UTC time, ISO 8601, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


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
        """Whether ``path`` holds a sweep manifest."""
        return (Path(path) / MANIFEST).is_file()

    # --- manifest ------------------------------------------------------------------------------
    def read_manifest(self) -> dict[str, Any]:
        """The manifest as a dict.

        Raises
        ------
        InputFileError
            If it is missing or not a moondust sweep manifest.
        """
        from moondust.errors import InputFileError

        try:
            manifest: dict[str, Any] = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputFileError(
                f"{self.path}: not a sweep directory (no {MANIFEST}); run `moondust sweep` first"
            ) from None
        except (OSError, json.JSONDecodeError) as exc:
            raise InputFileError(f"{self.manifest_path}: unreadable manifest: {exc}") from None
        if manifest.get("format") != FORMAT:
            raise InputFileError(f"{self.manifest_path}: not a moondust sweep manifest")
        if manifest.get("format_version", 0) > FORMAT_VERSION:
            raise InputFileError(
                f"{self.manifest_path}: written by a newer moondust (format "
                f"{manifest.get('format_version')}); upgrade moondust to read it"
            )
        return manifest

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
    def read_journal(self) -> list[dict[str, Any]]:
        """Every complete journal record, in order (a torn last line is skipped)."""
        if not self.journal_path.exists():
            return []
        records = []
        with self.journal_path.open(encoding="utf-8") as handle:
            for line in handle:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(record, dict) and isinstance(record.get("chunk"), int):
                    records.append(record)
        return records

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
            with contextlib.suppress(ImportError, OSError):
                import fcntl

                fcntl.flock(self._lock_handle.fileno(), fcntl.LOCK_UN)
            with contextlib.suppress(OSError):  # a full disk: its pid could not be written
                self._lock_handle.close()
            self._lock_handle = None

    # --- state ---------------------------------------------------------------------------------
    def chunk_records(self, manifest: dict[str, Any] | None = None) -> dict[int, dict[str, Any]]:
        """The latest record of every chunk that has one: the snapshot overlaid by the journal."""
        manifest = manifest if manifest is not None else self.read_manifest()
        records = {int(k): v for k, v in manifest.get("chunks", {}).items()}
        for record in self.read_journal():
            records[int(record["chunk"])] = record
        return records

    def lock(self) -> None:
        """Take the directory's lock, or fail if another sweep is writing to it.

        Raises
        ------
        MoondustError
            If the lock is held by another process.
        """
        self.path.mkdir(parents=True, exist_ok=True)
        handle = (self.path / LOCK).open("a+")
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no advisory locks, trust the user
            self._lock_handle = handle
            return
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise MoondustError(
                f"{self.path}: another sweep is writing to this directory; wait for it to finish "
                "or use another --out"
            ) from None
        self._lock_handle = handle  # released by close() even if the pid cannot be written
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()

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
        """Why a chunk recorded as done is not usable (missing, corrupt), or None if it is."""
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


def _stored_as_is(path: str, name: str, variable: xr.Variable) -> bool:
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
    directory: SweepDirectory, manifest: dict[str, Any], allow_partial: bool
) -> list[ChunkPlan]:
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
    for plan in done:
        if not (directory.chunk_path(plan.chunk) / DATA_NAME).is_dir():
            raise MoondustError(
                f"{directory.chunk_path(plan.chunk)}: chunk files missing; run the same "
                "`moondust sweep` command again to recompute it"
            )
    return done


def open_sweep(path: str | Path, allow_partial: bool = False) -> xr.Dataset:
    """Open a sweep's finished chunks as one lazy dataset (dask arrays, one block per chunk).

    Parameters
    ----------
    path
        The sweep directory.
    allow_partial
        Open an unfinished sweep's done chunks (the ``run`` coordinate then has gaps).

    Returns
    -------
    xarray.Dataset
        Dims ``run`` (global run index), ``actor``, ``year``, … as :func:`moondust.simulate`'s,
        plus run coordinates ``sample`` and ``lever_point`` and variables ``lever_*``. Nothing is
        read until values are used.

    Raises
    ------
    MoondustError
        If the directory is not a sweep, the sweep is incomplete (unless ``allow_partial``) or
        dask is not installed.
    """
    try:
        import dask.array as da
        from dask.base import tokenize
    except ImportError:
        raise MoondustError(
            "opening a sweep lazily needs dask: pip install 'moondust[dask]'"
        ) from None

    directory = SweepDirectory(path)
    manifest = directory.read_manifest()
    done = _done_chunks(directory, manifest, allow_partial)
    paths = [str(directory.chunk_path(p.chunk) / DATA_NAME) for p in done]
    template = xr.open_zarr(paths[0], chunks=None, consolidated=True)
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
    }
    template.close()
    return ds


def open_results(path: str | Path, allow_partial: bool = False) -> Any:
    """Open a ``moondust run`` output directory or a sweep directory as lazy Results.

    Parameters
    ----------
    path
        A directory written by ``moondust run`` / :meth:`Results.save` (``results.zarr``), the
        ``.zarr`` store itself, or a directory written by ``moondust sweep``.
    allow_partial
        For a sweep: open the finished chunks of an unfinished sweep.

    Returns
    -------
    moondust.results.Results
        The same type :func:`moondust.simulate` returns; its dataset is read lazily (dask).

    Raises
    ------
    MoondustError
        If the path holds neither.

    Examples
    --------
    >>> import moondust, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> paths = moondust.simulate(moondust.load_scenario("baseline"), runs=3, seed=1).save(folder)
    >>> moondust.open_results(folder).runs
    3
    """
    from moondust.errors import InputFileError
    from moondust.results import Results

    path = Path(path)
    if SweepDirectory.is_sweep(path):
        return Results(open_sweep(path, allow_partial=allow_partial))
    store = path / "results.zarr" if (path / "results.zarr").is_dir() else path
    if store.is_dir() and ((store / ".zmetadata").exists() or (store / "zarr.json").exists()):
        try:
            import dask  # noqa: F401

            chunks: Any = {}
        except ImportError:  # still lazy: xarray's own lazily indexed arrays
            chunks = None
        return Results(xr.open_zarr(store, chunks=chunks))
    raise InputFileError(
        f"{path}: neither a run directory (results.zarr) nor a sweep directory ({MANIFEST})"
    )


# --- tables ----------------------------------------------------------------------------------


def read_runs_table(
    path: str | Path, columns: Sequence[str] | None = None, allow_partial: bool = False
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

    Returns
    -------
    pandas.DataFrame
        Index ``run`` (global run index), in run order.
    """
    from moondust.experiments.outcomes import OUTCOMES

    path = Path(path)
    if not SweepDirectory.is_sweep(path):
        ds = open_results(path).dataset
        inputs = [str(n) for n in ds.data_vars if str(n).startswith(("input_", "lever_"))]
        wanted = list(columns) if columns is not None else inputs
        return _table_from_dataset(ds.load(), wanted, OUTCOMES)
    directory = SweepDirectory(path)
    manifest = directory.read_manifest()
    parts = []
    for plan in _done_chunks(directory, manifest, allow_partial):
        chunk = directory.chunk_path(plan.chunk)
        parts.append(_chunk_table(chunk, columns, OUTCOMES))
    return pd.concat(parts).sort_index()


def _table_from_dataset(ds: xr.Dataset, columns: Sequence[str], registry: Any) -> pd.DataFrame:
    index = pd.Index(np.asarray(ds["run"].values, dtype=np.int64), name="run")
    direct = {
        name: np.asarray(ds[name].values)
        for name in columns
        if name in ds.variables and ds[name].dims == ("run",) and name != "run"
    }
    rest = [name for name in columns if name not in direct]
    table = pd.DataFrame(direct, index=index)
    if rest:
        table = pd.concat([table, registry.compute(ds, rest)], axis=1)
    return table[list(columns)]


def _chunk_table(chunk: Path, columns: Sequence[str] | None, registry: Any) -> pd.DataFrame:
    import pyarrow.parquet as pq

    runs_path = chunk / RUNS_NAME
    stored = pq.read_schema(runs_path).names
    if columns is None:
        return pd.read_parquet(runs_path).set_index("run")
    present = [c for c in columns if c in stored]
    table = pd.read_parquet(runs_path, columns=["run", *present]).set_index("run")
    missing = [c for c in columns if c not in stored]
    if missing:
        with xr.open_zarr(chunk / DATA_NAME, chunks=None, consolidated=True) as ds:
            computed = _table_from_dataset(ds.load(), missing, registry)
        table = pd.concat([table, computed], axis=1)
    return table[list(columns)]


def available_columns(path: str | Path) -> dict[str, str]:
    """Names usable in a sweep's (or run's) expressions → kind (``number``, ``category``, input)."""
    from moondust.experiments.outcomes import OUTCOMES

    path = Path(path)
    if SweepDirectory.is_sweep(path):
        directory = SweepDirectory(path)
        manifest = directory.read_manifest()
        first = _done_chunks(directory, manifest, allow_partial=True)[0]
        with xr.open_zarr(
            directory.chunk_path(first.chunk) / DATA_NAME, chunks=None, consolidated=True
        ) as ds:
            sample = ds.isel(run=slice(0, 1)).load()
    else:
        sample = open_results(path).dataset.isel(run=slice(0, 1)).load()
    names: dict[str, str] = {}
    for name in sample.data_vars:
        if str(name).startswith(("input_", "lever_")) and sample[name].dims == ("run",):
            names[str(name)] = "input"
    for name, outcome in OUTCOMES.for_dataset(sample).items():
        names[name] = outcome.kind
    return names


@contextlib.contextmanager
def timed() -> Iterator[dict[str, float]]:
    """Measure wall time: ``with timed() as t: …; t["seconds"]``."""
    clock: dict[str, float] = {}
    began = time.perf_counter()
    try:
        yield clock
    finally:
        clock["seconds"] = time.perf_counter() - began
