"""One chunk of a sweep: simulate some runs vectorised, write them atomically, report back.

A chunk is a contiguous range of sample indices at one lever point. :func:`run_chunk` is what an
executor runs (in this process, a worker process or on a Dask worker): it simulates the runs in
one call of :func:`moondust.simulate`, writes

``chunks/c000042/data.zarr``
    the runs' full dataset (Zarr format 2, one compressed block per variable), with the run
    coordinate set to the sweep's global run index and the lever values as variables;
``chunks/c000042/runs.parquet``
    one row per run: its inputs (``input_*``, ``lever_*``) beside its scalar outcomes
    (:meth:`~moondust.experiments.outcomes.OutcomeRegistry.stored_names`), Zstandard-compressed,

into a temporary directory, computes a checksum of the files, and renames the directory into
place — so a chunk directory under its final name is always complete. Exceptions are caught and
returned with their traceback: a failed chunk is data, not a crash (habit 5).

In an outcomes-only sweep (``store="outcomes"``, ``moondust sweep --store outcomes``) the chunk's
``data.zarr`` keeps only the per-run variables and ``milestone_year`` (every actor's year of every
milestone), not the yearly trajectories: well under 1 KB per run instead of about 50 KB. The
runs table is the same in both modes, and so are the outcomes read from it.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from moondust.storage import checksum

CHUNKS_DIR = "chunks"
DATA_NAME = "data.zarr"
RUNS_NAME = "runs.parquet"
STORE_MODES = ("full", "outcomes")
"""What a sweep's chunks keep: every variable (``full``) or per-run outcomes and milestone years
(``outcomes``)."""
KEPT_WHEN_OUTCOMES_ONLY = ("milestone_year",)
"""The variables with more dims than ``run`` an outcomes-only chunk keeps."""
STREAM_COLUMN = "random_stream"
"""A design column that is no engine parameter: the random stream of each row (see
:func:`moondust.simulate`'s ``streams``); rows that share one share every random draw."""


def chunk_dirname(chunk: int) -> str:
    """``c000042`` for chunk 42 (at least six digits, so names sort in order)."""
    return f"c{chunk:06d}"


@dataclass(frozen=True)
class ChunkTask:
    """Everything a worker needs to compute one chunk (small and picklable).

    Attributes
    ----------
    directory
        Absolute path of the sweep directory (shared by all workers).
    chunk
        Chunk id.
    lever_point
        Index of the lever point; ``levers`` holds its values.
    scenario_json
        The scenario variant for that lever point, as JSON.
    seed
        The sweep's seed.
    start, stop
        Sample indices ``[start, stop)``; they key the engine's random streams, so every lever
        point sees the same draws for the same sample.
    run_offset
        Added to sample indices to give the global run index (``lever_point × runs per point``).
    inputs
        Per-run engine parameter values (a Latin hypercube's rows), or empty; the
        :data:`STREAM_COLUMN` entry, if any, gives each run's random stream.
    levers
        ``lever_<target>_<lever>`` → value at this lever point.
    store
        What the chunk keeps (:data:`STORE_MODES`).
    allow_import
        The sweep's user allowed policies named as ``module:Class`` (``--allow-import``). It
        travels with the task because a worker's environment is its pool's, fixed when the pool
        (or the forkserver behind it) started, possibly before the user's choice.
    """

    directory: str
    chunk: int
    lever_point: int
    scenario_json: str
    seed: int
    start: int
    stop: int
    run_offset: int
    inputs: dict[str, np.ndarray] = field(default_factory=dict)
    levers: dict[str, float | str] = field(default_factory=dict)
    allow_import: bool = False
    store: str = "full"

    @property
    def runs(self) -> int:
        """Number of runs in the chunk."""
        return self.stop - self.start


@dataclass(frozen=True)
class ChunkReport:
    """What a worker reports about a chunk: where it is and its checksum, or why it failed."""

    chunk: int
    ok: bool
    sha256: str = ""
    bytes: int = 0
    seconds: float = 0.0
    worker: str = ""
    error: str = ""
    traceback: str = ""

    def record(self) -> dict[str, Any]:
        """The manifest record (journal line) for this report."""
        base: dict[str, Any] = {"chunk": self.chunk, "worker": self.worker}
        if self.ok:
            return {
                **base,
                "status": "done",
                "sha256": self.sha256,
                "bytes": self.bytes,
                "seconds": round(self.seconds, 3),
            }
        return {**base, "status": "failed", "error": self.error, "traceback": self.traceback}


def worker_name() -> str:
    """``host:pid`` of the current process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def run_chunk(task: ChunkTask) -> ChunkReport:
    """Simulate, write and checksum one chunk; never raises for a failure of the chunk itself."""
    began = time.perf_counter()
    try:
        dataset = simulate_chunk(task)
        final = Path(task.directory) / CHUNKS_DIR / chunk_dirname(task.chunk)
        digest, size = write_chunk(dataset, final, task.store)
    except Exception as exc:  # a failed chunk is recorded, not fatal
        return ChunkReport(
            chunk=task.chunk,
            ok=False,
            seconds=time.perf_counter() - began,
            worker=worker_name(),
            error=f"{type(exc).__name__}: {exc}",
            traceback=traceback.format_exc(),
        )
    return ChunkReport(
        chunk=task.chunk,
        ok=True,
        sha256=digest,
        bytes=size,
        seconds=time.perf_counter() - began,
        worker=worker_name(),
    )


def simulate_chunk(task: ChunkTask) -> xr.Dataset:
    """The chunk's dataset: global run index, ``sample`` and ``lever_point`` coordinates, levers."""
    from moondust.engine.simulate import simulate
    from moondust.world.policies import allow_policy_imports
    from moondust.world.scenario import Scenario

    if task.allow_import:  # this worker acts for the user who allowed it
        allow_policy_imports()
    scenario = Scenario.model_validate(json.loads(task.scenario_json))
    inputs = dict(task.inputs)
    streams = inputs.pop(STREAM_COLUMN, None)
    results = simulate(
        scenario,
        runs=task.runs,
        seed=task.seed,
        first_run=task.start,
        inputs=inputs or None,
        streams=streams,
    )
    ds = results.dataset
    sample = np.asarray(ds["run"].values, dtype=np.int64)
    ds = ds.assign_coords(
        run=sample + task.run_offset,
        sample=("run", sample),
        lever_point=("run", np.full(sample.size, task.lever_point, dtype=np.int64)),
    )
    if streams is not None:  # recorded, so a run's draws can be traced to its shared stream
        ds[STREAM_COLUMN] = xr.Variable(
            "run",
            np.asarray(streams, dtype=np.int64),
            {"units": "random stream index (runs that share one share every random draw)"},
        )
    for name, value in task.levers.items():
        values = np.full(sample.size, value, dtype=object if isinstance(value, str) else float)
        ds[name] = xr.Variable("run", values.astype(str) if isinstance(value, str) else values)
        ds[name].attrs["units"] = "lever value"
    ds.attrs["chunk"] = task.chunk
    return ds


def runs_table(ds: xr.Dataset) -> Any:
    """One row per run: coordinates, inputs, lever values and the stored outcomes."""
    import pandas as pd

    from moondust.experiments.outcomes import OUTCOMES, engine_metrics

    engine = engine_metrics(ds)
    outcomes = OUTCOMES.compute(ds, OUTCOMES.stored_names(ds, engine), engine)
    front = {
        "sample": np.asarray(ds["sample"].values, dtype=np.int64),
        "lever_point": np.asarray(ds["lever_point"].values, dtype=np.int64),
    }
    for name in ds.data_vars:
        if str(name).startswith(("input_", "lever_", STREAM_COLUMN)) and ds[name].dims == ("run",):
            front[str(name)] = np.asarray(ds[name].values)
    table = pd.concat([pd.DataFrame(front, index=outcomes.index), outcomes], axis=1)
    return table.reset_index()


def outcomes_only(ds: xr.Dataset) -> xr.Dataset:
    """The part of a chunk's dataset an outcomes-only chunk keeps: per-run variables,
    :data:`KEPT_WHEN_OUTCOMES_ONLY`, their coordinates and ``year``."""
    keep = [
        name
        for name, variable in ds.data_vars.items()
        if variable.dims == ("run",) or name in KEPT_WHEN_OUTCOMES_ONLY
    ]
    return ds[keep].assign_coords(year=ds["year"])


def recomputable(ds: xr.Dataset) -> list[str]:
    """Outcomes computable from an outcomes-only chunk's dataset (``ds``): its runs table need
    not store them (they are computed from the milestone years when read)."""
    import pandas as pd

    from moondust.experiments.outcomes import OUTCOMES

    engine = pd.DataFrame(index=pd.Index(ds["run"].values, name="run"))  # all stored
    return OUTCOMES.stored_names(ds, engine)


def write_table(table: Any, path: Path) -> None:
    """Write a runs table as Parquet: Zstandard; floats split by byte (as Blosc's shuffle),
    dictionaries for strings only; no statistics and no pandas or Arrow schema copy (for a
    chunk of 250 runs those copies weighed as much as the values)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = pa.Table.from_pandas(table, preserve_index=False).replace_schema_metadata(None)
    floats = [f.name for f in arrow.schema if pa.types.is_floating(f.type)]
    strings = [
        f.name
        for f in arrow.schema
        if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
    ]
    pq.write_table(
        arrow,
        path,
        compression="zstd",
        use_dictionary=strings,
        column_encoding=dict.fromkeys(floats, "BYTE_STREAM_SPLIT"),
        write_statistics=False,
        store_schema=False,
    )


def write_chunk(ds: xr.Dataset, final: Path, store: str = "full") -> tuple[str, int]:
    """Write a chunk's dataset and runs table to a temporary directory, then rename it to ``final``.

    With ``store="outcomes"`` the dataset written is :func:`outcomes_only`'s part of it, and
    the runs table leaves out the outcomes computable from that part (:func:`recomputable`).

    Returns
    -------
    tuple
        The checksum of the chunk's files and their total size in bytes.
    """
    from numcodecs import Blosc

    parent = final.parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = parent / f".{final.name}.tmp-{uuid.uuid4().hex[:8]}"
    if store not in STORE_MODES:
        raise ValueError(f"store {store!r}: expected one of {', '.join(STORE_MODES)}")
    try:
        table = runs_table(ds)
        if store == "outcomes":
            ds = outcomes_only(ds)
            table = table.drop(columns=[c for c in recomputable(ds) if c in table.columns])
        compressor = Blosc(cname="zstd", clevel=3, shuffle=Blosc.SHUFFLE)
        encoding = {
            str(name): {"chunks": ds[name].shape, "compressors": (compressor,)}
            for name in ds.data_vars
        }
        ds.to_zarr(tmp / DATA_NAME, mode="w", zarr_format=2, consolidated=True, encoding=encoding)
        write_table(table, tmp / RUNS_NAME)
        digest, size = checksum(tmp)
        if final.exists():  # left by an interrupted sweep that never recorded it
            shutil.rmtree(final)
        tmp.rename(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return digest, size
