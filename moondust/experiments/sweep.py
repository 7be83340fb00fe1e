"""Sweeps: many runs of a scenario, in chunks, on any executor, resumable (docs/experiments.md).

:func:`run_sweep` samples the scenario's uncertainties (Monte Carlo or a Latin hypercube), crosses
them with its lever grid, splits the runs into chunks, hands the chunks to an executor and
records each as it finishes in the directory's journal (:mod:`moondust.experiments.store`).
Running it again on the same directory verifies the finished chunks (checksums), recomputes
corrupt or missing ones and the ones that failed, and skips the rest; a missing, damaged or
edited manifest is rewritten from the copy in the journal; a different scenario (or seed, run
count, sampling, design, chunk size) is refused.

Run *i* of a sweep is simulated with the engine's counter-based random streams keyed by its
sample index and the sweep's seed, and its parameters come from the sample's row of the design,
so results are bit-identical whatever the executor, the number of workers or the chunk size,
and after a kill and resume.

>>> import tempfile, moondust
>>> from moondust.experiments import run_sweep
>>> scenario = moondust.load_scenario("baseline").with_changes(simulation={"end": 2035})
>>> report = run_sweep(scenario, runs=6, out=tempfile.mkdtemp(), chunk_size=4, seed=1)
>>> report.complete, report.chunks, report.total_runs
(True, 2, 6)
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import socket
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import BrokenExecutor, Executor, Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from moondust.errors import DISK_FULL_ERRNOS, MoondustError, output_error
from moondust.experiments.chunks import (
    STORE_MODES,
    STREAM_COLUMN,
    ChunkReport,
    ChunkTask,
    run_chunk,
    worker_name,
)
from moondust.experiments.directory import (
    FORMAT,
    FORMAT_VERSION,
    ChunkPlan,
    SweepDirectory,
    manifest_bytes,
    plan_chunks,
    snapshot,
    store_of,
)
from moondust.experiments.executors import (
    ManagedExecutor,
    bounded,
    check_scheduler_address,
    default_workers,
    resolve_kind,
)
from moondust.experiments.sampling import (
    LeverPoint,
    design_digest,
    latin_hypercube,
    lever_axes,
    lever_points,
    scenario_variant,
)
from moondust.experiments.status import (  # re-exported: defined here before
    lever_point_summary,
    repair_sweep,
    sweep_status,
)
from moondust.outputs import output_directory
from moondust.storage import now
from moondust.world.policies import policy_imports_allowed
from moondust.world.scenario import Scenario

__all__ = [
    "SweepProgress",
    "SweepReport",
    "auto_chunk_size",
    "lever_point_summary",
    "repair_sweep",
    "run_sweep",
    "sweep_status",
]

SweepSampling = Literal["mc", "lhs", "design"]
MAX_AUTO_CHUNK = 250
"""The automatic chunk size is at most this many runs (about 50 MB of results in memory)."""
MIN_AUTO_CHUNK = 100
"""The automatic chunk size is at least this many runs (or all of a lever point's runs): a chunk
pays about a second of fixed cost (building the world, one NumPy call per mechanism and year) that
only a large enough batch amortises."""
SNAPSHOT_SECONDS = 2.0
RESUME = "run the same command again to resume the sweep"
"""What to do after a full disk (the finished chunks are kept)."""


@dataclass(frozen=True)
class SweepProgress:
    """Where a sweep stands, passed to the progress callback after every event."""

    phase: Literal["verify", "run"]
    chunks_total: int
    chunks_done: int
    runs_total: int
    runs_done: int
    failed: int


@dataclass(frozen=True)
class SweepReport:
    """What :func:`run_sweep` did.

    Attributes
    ----------
    directory
        The sweep directory.
    scenario, seed, sampling, chunk_size, executor
        As run.
    runs_per_point, lever_points, total_runs, chunks
        The sweep's size: samples per lever point, the lever points, all runs, all chunks.
    computed, skipped, recomputed
        Chunks computed now, found finished, and found corrupt or missing and recomputed.
    store
        What the chunks keep: ``full`` or ``outcomes`` (see :func:`run_sweep`).
    manifest_repaired
        Whether a missing, damaged or edited ``manifest.json`` was rewritten from the journal.
    failed
        Chunk id → error, for chunks that failed now (their tracebacks are in the manifest).
    seconds
        Wall time.
    """

    directory: Path
    scenario: str
    seed: int
    sampling: str
    chunk_size: int
    executor: str
    runs_per_point: int
    lever_points: list[LeverPoint]
    total_runs: int
    chunks: int
    computed: int
    skipped: int
    recomputed: int
    failed: dict[int, str] = field(default_factory=dict)
    seconds: float = 0.0
    manifest_repaired: bool = False
    store: str = "full"

    @property
    def complete(self) -> bool:
        """Whether every chunk is done."""
        return not self.failed and self.computed + self.skipped == self.chunks

    @property
    def ran(self) -> bool:
        """Whether this call computed (or tried to compute) any chunk: False when it found
        every chunk already finished."""
        return bool(self.computed or self.failed)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "directory": str(self.directory),
            "scenario": self.scenario,
            "seed": self.seed,
            "sampling": self.sampling,
            "chunk_size": self.chunk_size,
            "executor": self.executor,
            "runs_per_point": self.runs_per_point,
            "lever_points": self.lever_points,
            "total_runs": self.total_runs,
            "chunks": self.chunks,
            "computed": self.computed,
            "skipped": self.skipped,
            "recomputed": self.recomputed,
            "manifest_repaired": self.manifest_repaired,
            "store": self.store,
            "failed": {str(k): v for k, v in self.failed.items()},
            "complete": self.complete,
            "seconds": round(self.seconds, 3),
        }


def auto_chunk_size(runs_per_point: int, workers: int, lever_points: int = 1) -> int:
    """About four chunks per worker over the whole sweep, each of
    :data:`MIN_AUTO_CHUNK` to :data:`MAX_AUTO_CHUNK` runs of one lever point.

    >>> auto_chunk_size(10_000, 2), auto_chunk_size(20, 4), auto_chunk_size(200, 1, 4)
    (250, 20, 200)
    """
    target = -(-runs_per_point * max(1, lever_points) // (4 * max(1, workers)))
    return max(1, min(runs_per_point, MAX_AUTO_CHUNK, max(MIN_AUTO_CHUNK, target)))


def run_sweep(
    scenario: Scenario,
    runs: int | None = None,
    out: str | Path = "moondust-out/sweep",
    *,
    seed: int | None = None,
    sampling: SweepSampling = "mc",
    design: pd.DataFrame | None = None,
    executor: str | Executor = "auto",
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    verify: bool = True,
    progress: Callable[[SweepProgress], None] | None = None,
    trust: bool = False,
    store: str | None = None,
) -> SweepReport:
    """Run (or resume) a sweep of a scenario into a directory.

    Parameters
    ----------
    scenario
        The scenario; its ``[uncertainties]`` are sampled and its ``[levers]`` grid crossed.
    runs
        Samples per lever point (default: the scenario's runs; with ``design``, its rows).
    out
        The sweep directory (created; an existing sweep of the same scenario is resumed).
    seed
        Seed of the random streams and the Latin hypercube (default: the scenario's).
    sampling
        ``mc``: the engine's own per-run Monte Carlo draws; ``lhs``: a Latin hypercube over the
        whole sweep; ``design``: the rows of ``design``.
    design
        With ``sampling="design"``: engine parameter values, one row per sample (e.g. a SALib
        sample); its columns replace the scenario's sampling of those parameters. An optional
        ``random_stream`` column sets each row's random stream (common random numbers).
    executor
        ``auto`` (inline up to 1,000 runs, else processes), ``inline``, ``processes``, ``dask``,
        or any :class:`concurrent.futures.Executor` (e.g. ``dask_client.get_executor()``).
    workers
        Worker processes for ``processes`` and a local Dask cluster (default: cores available).
    scheduler
        Address of a running Dask scheduler (``tcp://HOST:PORT``); implies ``dask``. Every worker
        must see ``out`` at the same path (a shared filesystem).
    chunk_size
        Runs per chunk (default: about four chunks per worker, at most 250; on resume, the
        directory's).
    verify
        Check the checksum of every finished chunk before resuming (reads all files once);
        a chunk that fails it is recomputed. ``verify=False`` is the older spelling of
        ``trust=True``.
    progress
        Called with a :class:`SweepProgress` after each verified or finished chunk.
    trust
        Skip those checksums (only chunks whose files are missing are recomputed).
    store
        ``full`` (every yearly trajectory, about 50 KB per run) or ``outcomes`` (per-run
        outcomes, inputs and milestone years only, under 1 KB per run: enough for
        :func:`~moondust.experiments.store.read_runs_table`, ``discover`` and ``sensitivity``,
        not for :func:`~moondust.experiments.store.open_results`). Default: ``full``, or on
        resume the directory's.

    Returns
    -------
    SweepReport
        Counts of chunks computed, skipped, recomputed and failed.

    Raises
    ------
    MoondustError
        On bad options, a directory holding something else (another scenario, seed, …), a
        directory another sweep is writing to, or an ``out`` that cannot be written
        (:class:`~moondust.errors.OutputPathError`).
    DiskFullError
        When the disk fills up (a chunk, the journal or the manifest cannot be written): no more
        chunks are started, the finished ones are kept, and running the sweep again once there
        is space resumes it.
    """
    began = time.perf_counter()
    seed = scenario.simulation.seed if seed is None else int(seed)
    if seed < 0:
        raise MoondustError(f"seed must be ≥ 0, got {seed}")
    if sampling not in ("mc", "lhs", "design"):
        raise MoondustError(f"unknown sampling {sampling!r}; expected mc, lhs or design")
    if sampling == "design":
        if design is None or len(design) == 0:
            raise MoondustError("sampling='design' needs a design with at least one row")
        runs = len(design) if runs is None else runs
        if runs != len(design):
            raise MoondustError(f"runs={runs} but the design has {len(design)} rows")
        design = design.reset_index(drop=True).astype(np.float64)
    elif design is not None:
        raise MoondustError("a design is only used with sampling='design'")
    runs = scenario.simulation.runs if runs is None else int(runs)
    if runs < 1:
        raise MoondustError(f"runs must be at least 1, got {runs}")
    if chunk_size is not None and chunk_size < 1:
        raise MoondustError(f"chunk size must be at least 1, got {chunk_size}")
    if store is not None and store not in STORE_MODES:
        raise MoondustError(f"unknown store {store!r}; expected {' or '.join(STORE_MODES)}")
    if sampling == "lhs":
        design = latin_hypercube(scenario.uncertainties, runs, seed)
    if design is not None:
        _check_design_columns(design)
    points = lever_points(scenario)
    variants = [scenario_variant(scenario, point) for point in points]
    total_runs = runs * len(points)
    kind = executor if isinstance(executor, Executor) else resolve_kind(executor, total_runs)
    if scheduler:
        kind = "dask"
    n_workers = workers or default_workers()

    if kind == "dask" and scheduler:
        check_scheduler_address(scheduler)
    directory = SweepDirectory(output_directory(out))
    identity = {
        "scenario_digest": scenario.digest(),
        "seed": seed,
        "runs_per_point": runs,
        "sampling": sampling,
        "design_digest": design_digest(design),
        "lever_points": points,
    }
    verify = verify and not trust
    try:
        directory.lock()
        manifest, repaired = _open_or_create(
            directory, scenario, identity, chunk_size, n_workers, design, store
        )
        chunk_size = int(manifest["chunk_size"])
        stored = store_of(manifest)
        plans = plan_chunks(runs, len(points), chunk_size)
        directory.clean_temporary()
        todo, skipped, recomputed = _check_finished(directory, manifest, plans, verify, progress)
        records = directory.chunk_records(manifest)
        directory.write_manifest(snapshot(manifest, records))

        allow_import = policy_imports_allowed()

        def tasks() -> Iterator[ChunkTask]:
            for plan in todo:
                inputs = {}
                if design is not None:
                    rows = design.iloc[plan.start : plan.stop]
                    inputs = {str(c): rows[c].to_numpy(dtype=np.float64) for c in rows.columns}
                yield ChunkTask(
                    directory=str(directory.path),
                    chunk=plan.chunk,
                    lever_point=plan.lever_point,
                    scenario_json=variants[plan.lever_point].model_dump_json(),
                    seed=seed,
                    start=plan.start,
                    stop=plan.stop,
                    run_offset=plan.run_offset,
                    inputs=inputs,
                    levers=points[plan.lever_point],
                    allow_import=allow_import,
                    store=stored,
                )

        failed, description = _execute(
            directory, manifest, plans, tasks(), len(todo), kind, n_workers, scheduler, progress
        )
        records = directory.chunk_records(manifest)
        directory.write_manifest(snapshot(manifest, records))
    except OSError as exc:  # a full disk while writing the lock, manifest or journal
        raise output_error(exc, directory.path, again=RESUME) from exc
    finally:
        directory.close()
    return SweepReport(
        directory=directory.path,
        scenario=scenario.name,
        seed=seed,
        sampling=sampling,
        chunk_size=chunk_size,
        executor=description,
        runs_per_point=runs,
        lever_points=points,
        total_runs=total_runs,
        chunks=len(plans),
        computed=len(todo) - len(failed),
        skipped=skipped,
        recomputed=recomputed,
        failed=failed,
        seconds=time.perf_counter() - began,
        manifest_repaired=repaired,
        store=stored,
    )


def _check_design_columns(design: pd.DataFrame) -> None:
    from moondust.engine_parameters import EngineParameters

    known = {*EngineParameters.model_fields, STREAM_COLUMN}
    unknown = [str(c) for c in design.columns if c not in known]
    if unknown:
        raise MoondustError(
            f"design column(s) {unknown} are not engine parameters (see `moondust params engine`)"
        )
    if STREAM_COLUMN in design and (design[STREAM_COLUMN] < 0).any():
        raise MoondustError(f"the design's {STREAM_COLUMN} column must hold indices ≥ 0")
    if not np.isfinite(design.to_numpy(dtype=np.float64)).all():
        raise MoondustError("the design has missing or infinite values")


def _open_or_create(
    directory: SweepDirectory,
    scenario: Scenario,
    identity: dict[str, Any],
    chunk_size: int | None,
    workers: int,
    design: pd.DataFrame | None,
    store: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """The directory's manifest (rebuilt from the journal if needed) or a new one; and whether
    it was rebuilt."""
    from moondust._version import __version__

    if SweepDirectory.is_sweep(directory.path):
        before = manifest_bytes(directory)
        manifest = directory.load_manifest(repair=True)
        repaired = manifest_bytes(directory) != before
        _check_identity(directory, manifest, scenario, identity, chunk_size, store)
        if manifest.get("moondust_version") != __version__:
            raise MoondustError(
                f"{directory.path}: was swept with moondust {manifest.get('moondust_version')}, "
                f"this is {__version__}; results could differ — use another --out"
            )
        directory.record_manifest(manifest)  # directories from before the journal held a copy
        return manifest, repaired
    leftovers = [p.name for p in directory.path.iterdir() if p.name != ".lock"]
    if leftovers:
        raise MoondustError(
            f"{directory.path}: exists and is not a sweep directory (it holds "
            f"{', '.join(sorted(leftovers)[:3])}); choose a new or empty --out"
        )
    runs = int(identity["runs_per_point"])
    points = identity["lever_points"]
    size = chunk_size or auto_chunk_size(runs, workers, len(points))
    store = store or "full"
    manifest = {
        "format": FORMAT,
        # an outcomes-only sweep is refused by a moondust that would not know what it lacks
        "format_version": FORMAT_VERSION if store == "outcomes" else 1,
        "created": now(),
        "updated": now(),
        "moondust_version": __version__,
        "python": platform.python_version(),
        "host": socket.gethostname(),
        "scenario_name": scenario.name,
        "scenario_digest": identity["scenario_digest"],
        "scenario": scenario.model_dump(mode="json"),
        "seed": identity["seed"],
        "sampling": identity["sampling"],
        "design_digest": identity["design_digest"],
        "design_columns": [] if design is None else [str(c) for c in design.columns],
        "uncertainties": sorted(scenario.uncertainties),
        "lever_axes": [
            {"name": a.name, "target": a.target, "lever": a.lever, "values": list(a.values)}
            for a in lever_axes(scenario)
        ],
        "lever_points": points,
        "runs_per_point": runs,
        "total_runs": runs * len(points),
        "chunk_size": size,
        "store": store,
        "n_chunks": len(plan_chunks(runs, len(points), size)),
        "counts": {},
        "chunks": {},
    }
    directory.write_manifest(manifest)
    directory.record_manifest(manifest)
    return manifest, False


def _check_identity(
    directory: SweepDirectory,
    manifest: dict[str, Any],
    scenario: Scenario,
    identity: dict[str, Any],
    chunk_size: int | None,
    store: str | None = None,
) -> None:
    if manifest["scenario_digest"] != identity["scenario_digest"]:
        raise MoondustError(
            f"{directory.path}: holds a sweep of scenario '{manifest['scenario_name']}' (digest "
            f"{manifest['scenario_digest']}), not of this scenario '{scenario.name}' (digest "
            f"{identity['scenario_digest']}); use another --out, or delete the directory to "
            "start over"
        )
    labels = {
        "seed": "--seed",
        "runs_per_point": "--runs",
        "sampling": "--sampling",
        "design_digest": "design",
        "lever_points": "lever points",
    }
    for key, label in labels.items():
        if manifest.get(key) != identity[key]:
            old, new = manifest.get(key), identity[key]
            shown = "" if key in ("design_digest", "lever_points") else f" {old} (asked: {new})"
            raise MoondustError(
                f"{directory.path}: was swept with a different {label}{shown}; resume with the "
                "same options, or use another --out"
            )
    if chunk_size is not None and chunk_size != manifest["chunk_size"]:
        raise MoondustError(
            f"{directory.path}: was swept with --chunk-size {manifest['chunk_size']} (asked: "
            f"{chunk_size}); resume with the same chunk size or without --chunk-size"
        )
    if store is not None and store != store_of(manifest):
        raise MoondustError(
            f"{directory.path}: was swept with --store {store_of(manifest)} (asked: {store}); "
            "resume with the same --store or without it, or use another --out"
        )


def _check_finished(
    directory: SweepDirectory,
    manifest: dict[str, Any],
    plans: list[ChunkPlan],
    verify: bool,
    progress: Callable[[SweepProgress], None] | None,
) -> tuple[list[ChunkPlan], int, int]:
    """Verify chunks recorded as done; return the plans to compute, skipped and recomputed."""
    records = directory.chunk_records(manifest)
    total_runs = int(manifest["total_runs"])
    todo: list[ChunkPlan] = []
    skipped = recomputed = runs_done = 0
    for plan in plans:
        record = records.get(plan.chunk)
        if record is not None and record.get("status") == "done":
            problem = directory.verify_chunk(record, full=verify)
            if problem is None:
                skipped += 1
                runs_done += plan.runs
                if progress is not None:
                    progress(SweepProgress("verify", len(plans), skipped, total_runs, runs_done, 0))
                continue
            directory.append({"chunk": plan.chunk, "status": "invalid", "reason": problem})
            recomputed += 1
        # not done: anything under its final name is stale (killed before it was recorded)
        shutil.rmtree(directory.chunk_path(plan.chunk), ignore_errors=True)
        todo.append(plan)
    return todo, skipped, recomputed


def _execute(
    directory: SweepDirectory,
    manifest: dict[str, Any],
    plans: list[ChunkPlan],
    tasks: Iterator[ChunkTask],
    count: int,
    kind: str | Executor,
    workers: int,
    scheduler: str | None,
    progress: Callable[[SweepProgress], None] | None,
) -> tuple[dict[int, str], str]:
    """Run the tasks, journal every result; return failures and the executor's description."""
    records = directory.chunk_records(manifest)
    runs_of = {p.chunk: p for p in plans}
    done_runs = sum(
        runs_of[k].runs for k, r in records.items() if r.get("status") == "done" and k in runs_of
    )
    done_chunks = sum(1 for r in records.values() if r.get("status") == "done")
    total_runs = int(manifest["total_runs"])
    failed: dict[int, str] = {}
    if count == 0:
        return failed, "nothing left to run"
    managed = None if isinstance(kind, Executor) else ManagedExecutor(kind, workers, scheduler)
    full: list[OSError] = []  # a chunk met a full disk: start no more, the rest would fail too

    def until_full(source: Iterator[ChunkTask]) -> Iterator[ChunkTask]:
        for task in source:
            if full:
                return
            yield task

    generation = [0]
    born: dict[Future[ChunkReport], int] = {}

    def submit(task: ChunkTask) -> Future[ChunkReport]:
        pool = managed.executor if managed is not None else kind
        assert isinstance(pool, Executor)
        future: Future[ChunkReport] = pool.submit(run_chunk, task)
        born[future] = generation[0]
        return future

    slots = managed.slots if managed is not None else 2 * workers
    description = managed.description if managed is not None else type(kind).__name__
    last_snapshot = time.monotonic()
    try:
        for task, future in bounded(submit, until_full(tasks), slots):
            report = _report(task, future)
            if (
                not report.ok
                and managed is not None
                and isinstance(future.exception(), BrokenExecutor)
                and born.get(future, -1) == generation[0]
            ):
                generation[0] += 1
                managed.restart()
            born.pop(future, None)
            if report.ok and not (directory.chunk_path(task.chunk) / "data.zarr").is_dir():
                report = ChunkReport(
                    chunk=task.chunk,
                    ok=False,
                    worker=report.worker,
                    error=f"chunk written by {report.worker} is not visible at "
                    f"{directory.chunk_path(task.chunk)}: the sweep directory must be on a "
                    "filesystem shared by every worker",
                )
            record = report.record()
            record.update(
                lever_point=task.lever_point,
                samples=[task.start, task.stop],
                runs=[task.start + task.run_offset, task.stop + task.run_offset],
            )
            directory.append(record)
            if report.ok:
                done_chunks += 1
                done_runs += task.runs
            else:
                failed[task.chunk] = report.error
                code = _disk_full(report.error)
                if code and not full:
                    full.append(
                        OSError(code, os.strerror(code), str(directory.chunk_path(task.chunk)))
                    )
            if progress is not None:
                progress(
                    SweepProgress(
                        "run", len(plans), done_chunks, total_runs, done_runs, len(failed)
                    )
                )
            if time.monotonic() - last_snapshot > SNAPSHOT_SECONDS:
                directory.write_manifest(snapshot(manifest, directory.chunk_records(manifest)))
                last_snapshot = time.monotonic()
    finally:
        if managed is not None:
            managed.close()
    if full:
        directory.write_manifest(snapshot(manifest, directory.chunk_records(manifest)))
        raise output_error(
            full[0], directory.path, again=f"{RESUME} ({done_chunks} of {len(plans)} chunks done)"
        )
    return failed, description


def _disk_full(error: str) -> int:
    """The errno of a full disk in a failed chunk's error (``[Errno 28] …``), else 0."""
    found = re.search(r"\[Errno (\d+)\]", error)
    code = int(found.group(1)) if found else 0
    return code if code in DISK_FULL_ERRNOS else 0


def _report(task: ChunkTask, future: Future[ChunkReport]) -> ChunkReport:
    """The chunk's report, or a failure report if the task itself could not run."""
    try:
        return future.result()
    except Exception as exc:  # the worker died, could not unpickle, was cancelled, …
        return ChunkReport(
            chunk=task.chunk,
            ok=False,
            worker=worker_name() if isinstance(exc, BrokenExecutor) else "",
            error=f"{type(exc).__name__}: {exc}",
            traceback="".join(traceback.format_exception(exc)),
        )
