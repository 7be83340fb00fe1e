"""A sweep's results read back: lazy opening, the per-run table and the outcomes available.

:func:`open_sweep` opens the finished chunks as one lazy :class:`xarray.Dataset` (dask arrays
whose blocks are the chunks' Zarr arrays), so memory stays flat however many runs there are.
:func:`open_results` opens a sweep's or a ``moondust run`` directory as
:class:`~moondust.results.Results`. :func:`read_runs_table` reads the per-run inputs and
outcomes (computing those the chunks did not store), :func:`available_columns` names them.

The directory itself (layout, manifest, chunk journal, lock) is
:mod:`moondust.experiments.directory`; its names are re-exported here.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from moondust.errors import InputFileError, MoondustError
from moondust.experiments.chunks import (
    DATA_NAME,
    KEPT_WHEN_OUTCOMES_ONLY,
    RUNS_NAME,
    STREAM_COLUMN,
)
from moondust.experiments.directory import (  # re-exported: defined here before
    FORMAT,
    FORMAT_VERSION,
    MANIFEST_EVENT,
    MANIFEST_FIELDS,
    SNAPSHOT_KEYS,
    ChunkPlan,
    SweepDirectory,
    check_manifest,
    fixed_part,
    manifest_digest,
    plan_chunks,
    snapshot,
    store_of,
)
from moondust.storage import (  # run directories, locks and checksums live below results
    RUN_VARIABLES,
    check_dataset,
    is_trusted,
    lock_file,
    open_run,
    open_store,
)

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MANIFEST_EVENT",
    "MANIFEST_FIELDS",
    "SNAPSHOT_KEYS",
    "ChunkPlan",
    "SweepDirectory",
    "available_columns",
    "check_manifest",
    "check_stored",
    "fixed_part",
    "manifest_digest",
    "open_results",
    "open_sweep",
    "outcomes_only_message",
    "plan_chunks",
    "read_runs_table",
    "snapshot",
    "store_of",
    "sweep_outcomes",
    "timed",
]

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
