"""Moondust's directories on disk: run directories, and the locks, checksums and trust every
moondust directory uses.

Layout of a run directory ``DIR`` (what ``moondust run`` and :meth:`Results.save
<moondust.results.Results.save>` write)::

    DIR/results.zarr       the dataset (Zarr format 2)
    DIR/summary.parquet    the summary, as one tidy table
    DIR/checksums.json     the SHA-256 of both, and whether the write completed
    DIR/.lock              held while a moondust process writes to DIR

It sits below :mod:`moondust.results` and :mod:`moondust.experiments` so that both use it and
neither imports the other for it: :mod:`moondust.experiments.store` builds sweep directories
(manifest, chunk journal) on the same locks and checksums. It imports neither.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import threading
import time
import uuid
import warnings
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import xarray as xr

from moondust._version import __version__
from moondust.errors import InputFileError, MoondustError

MANIFEST = "manifest.json"
JOURNAL = "chunks.jsonl"
LOCK = ".lock"
RUN_DATA = "results.zarr"
RUN_SUMMARY = "summary.parquet"
RUN_CHECKSUMS = "checksums.json"
RUN_FORMAT = "moondust-run"
RUN_FORMAT_VERSION = 1
RUN_ATTRS = ("scenario", "start", "end", "moondust_version")
RUN_VARIABLES = ("milestone_year", "civil_usd_bn", "military_usd_bn")
"""Attributes and variables every moondust dataset has (what tells it from another Zarr store)."""


TRUST: ContextVar[bool] = ContextVar("moondust_trust", default=False)
"""Default of the ``trust`` parameters of the openers (see :func:`trusting`)."""


@contextlib.contextmanager
def trusting(trust: bool = True) -> Iterator[None]:
    """Within the block, open stored results without verifying their checksums by default.

    For callers that reach :func:`~moondust.experiments.store.open_results` or
    :func:`~moondust.experiments.store.read_runs_table` through other functions
    (the command line's ``--trust``); an explicit ``trust=`` argument still wins.
    """
    token = TRUST.set(trust)
    try:
        yield
    finally:
        TRUST.reset(token)


def is_trusted(trust: bool | None) -> bool:
    """``trust`` if given, else the default set by :func:`trusting` (False outside it)."""
    return TRUST.get() if trust is None else bool(trust)


def checksum(directory: Path) -> tuple[str, int]:
    """SHA-256 over the relative paths and contents of every file below ``directory``, and size."""
    digest = hashlib.sha256()
    size = 0
    files = sorted(p for p in directory.rglob("*") if p.is_file())
    for path in files:
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
                size += len(block)
    return digest.hexdigest(), size


def file_digest(path: Path) -> tuple[str, int]:
    """SHA-256 of a file's contents, or of a directory's files (:func:`checksum`), and size."""
    if path.is_dir():
        return checksum(path)
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def now() -> str:
    """The current UTC time, ISO 8601, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


# --- locks ------------------------------------------------------------------------------------

_HELD: dict[Path, int] = {}
"""Directories whose lock this process holds (for :func:`writing_run`) → holding thread."""
_HELD_GUARD = threading.Lock()


def lock_file(directory: Path) -> Path:
    """``directory/.lock`` (which may not exist yet), refused unless it is a regular file."""
    lock = directory / LOCK
    if lock.is_symlink() or (lock.exists() and not lock.is_file()):
        raise MoondustError(
            f"{lock}: is not a file (expected moondust's lock file); remove it if no moondust "
            "process is writing to the directory"
        )
    return lock


HOLDER_WAIT_S = 0.5
"""How long to wait for a lock's holder to write its pid (it does so right after locking)."""


def _holder(lock: Path) -> str:
    """`` (pid N)`` of the process holding ``lock``, or "" if it does not say in time.

    The holder truncates the file and writes its pid just after taking the lock, so a reader
    that comes in between finds it empty: look again for a moment before giving up.
    """
    deadline = time.monotonic() + HOLDER_WAIT_S
    while True:
        with contextlib.suppress(OSError, UnicodeDecodeError):
            pid = lock.read_text(encoding="utf-8").strip()
            if pid.isdigit():
                return f" (pid {pid})"
        if time.monotonic() >= deadline:
            return ""
        time.sleep(0.01)


def acquire_lock(directory: Path, busy: str) -> Any:
    """Take ``directory/.lock`` (an exclusive ``flock``) and write our pid in it.

    Parameters
    ----------
    directory
        The directory (created if missing).
    busy
        What the error says when another process holds the lock.

    Returns
    -------
    file object
        The open lock file; pass it to :func:`release_lock`.

    Raises
    ------
    MoondustError
        If another process holds the lock, or ``.lock`` is not a regular file.
    """
    if directory.exists() and not directory.is_dir():
        raise MoondustError(f"{directory}: exists and is not a directory")
    directory.mkdir(parents=True, exist_ok=True)
    lock = lock_file(directory)
    handle = lock.open("a+", encoding="utf-8")
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks, trust the user
        return handle
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise MoondustError(
            f"{directory}: {busy}{_holder(lock)}; wait for it to finish or use another --out"
        ) from None
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
    except OSError:  # a full disk: the pid could not be written; release the lock
        release_lock(handle)
        raise
    return handle


def release_lock(handle: Any) -> None:
    """Release and close a lock taken by :func:`acquire_lock`."""
    with contextlib.suppress(ImportError, OSError):
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    with contextlib.suppress(OSError):  # a full disk: the pid may not have been flushed
        handle.close()


def _writer(directory: Path) -> str | None:
    """`` (pid N)`` if another process holds the directory's lock (a write in progress), else
    None."""
    lock = lock_file(directory)
    if not lock.exists() or _HELD.get(directory.resolve()) == threading.get_ident():
        return None
    try:
        import fcntl
    except ImportError:  # pragma: no cover
        return None
    try:
        handle = lock.open("r", encoding="utf-8")
    except OSError:
        return None
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return _holder(lock)
    finally:
        handle.close()
    return None


@contextlib.contextmanager
def writing_run(directory: str | Path) -> Iterator[Path]:
    """Hold a run directory's lock while writing into it (re-entrant within one thread).

    ``moondust run`` holds it from before simulating until the report is written, so a second
    run into the same ``--out`` fails at once with a clear error; :meth:`Results.save
    <moondust.results.Results.save>` takes it too when called alone.

    Raises
    ------
    MoondustError
        If another process (or thread) is writing into the directory.
    """
    path = Path(directory).resolve()
    with _HELD_GUARD:
        holder = _HELD.get(path)
    if holder == threading.get_ident():
        yield path
        return
    if holder is not None:
        raise MoondustError(f"{path}: is being written by another thread of this process")
    handle = acquire_lock(path, "is being written by another moondust process")
    with _HELD_GUARD:
        _HELD[path] = threading.get_ident()
    try:
        yield path
    finally:
        with _HELD_GUARD:
            _HELD.pop(path, None)
        release_lock(handle)


def check_dataset(
    ds: xr.Dataset, where: Path | str, variables: tuple[str, ...] = RUN_VARIABLES
) -> None:
    """Refuse a Zarr store that is not a moondust dataset (its attributes and main
    ``variables``; an outcomes-only sweep chunk has only ``milestone_year``)."""
    lacks = [f"attribute {a}" for a in RUN_ATTRS if a not in ds.attrs]
    lacks += [f"variable {v}" for v in variables if v not in ds.variables]
    lacks += [f"dimension {d}" for d in ("run", "actor", "year", "milestone") if d not in ds.dims]
    if lacks:
        raise InputFileError(
            f"{where}: a Zarr store but not a moondust dataset (it lacks {', '.join(lacks[:4])})"
        )


def open_store(store: Path, chunks: Any) -> xr.Dataset:
    """``xr.open_zarr`` with a clear error for a store it cannot read."""
    try:
        return xr.open_zarr(store, chunks=chunks)
    except Exception as exc:  # zarr raises many types for a damaged or foreign store
        raise InputFileError(
            f"{store}: unreadable as a moondust dataset: {type(exc).__name__}: {exc}"
        ) from None


# --- run directories ---------------------------------------------------------------------------


def _run_paths(path: Path) -> tuple[Path, Path]:
    """The run directory and its Zarr store for a run directory or the store itself."""
    data = path / RUN_DATA
    if os.path.lexists(data):
        if not data.is_dir():
            raise InputFileError(f"{data}: not a directory (expected a Zarr store)")
        return path, data
    if (path / ".zmetadata").exists() or (path / "zarr.json").exists():
        return path.parent, path
    raise InputFileError(
        f"{path}: neither a run directory ({RUN_DATA}) nor a sweep directory ({MANIFEST})"
    )


def _read_checksums(directory: Path) -> dict[str, Any] | None:
    """``checksums.json`` of a run directory, checked; None if there is none (older moondust)."""
    where = directory / RUN_CHECKSUMS
    if not os.path.lexists(where):
        return None
    try:
        document = json.loads(where.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputFileError(f"{where}: unreadable: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != RUN_FORMAT:
        raise InputFileError(f"{where}: not a moondust checksum manifest (format {RUN_FORMAT!r})")
    version = document.get("format_version")
    if not isinstance(version, int) or version > RUN_FORMAT_VERSION:
        raise InputFileError(f"{where}: format_version {version!r}: written by a newer moondust?")
    if document.get("state") != "complete":
        raise MoondustError(
            f"{directory}: the run that wrote it was interrupted (state "
            f"{document.get('state')!r} in {RUN_CHECKSUMS}); run `moondust run` again with "
            f"--out {directory}"
        )
    files = document.get("files")
    if (
        not isinstance(files, dict)
        or RUN_DATA not in files
        or not all(
            isinstance(v, dict) and isinstance(v.get("sha256"), str) and "/" not in k
            for k, v in files.items()
        )
    ):
        raise InputFileError(f"{where}: files should map {RUN_DATA}, … to their sha256")
    return document


def verify_run(path: str | Path) -> dict[str, Any] | None:
    """Check a run directory's files against its ``checksums.json``.

    Returns
    -------
    dict or None
        The checksum manifest, or None for a directory written before moondust wrote one.

    Raises
    ------
    MoondustError
        Naming the first file that is missing or fails its checksum.
    """
    directory, _ = _run_paths(Path(path))
    return _verify_run_files(directory)


def _verify_run_files(directory: Path) -> dict[str, Any] | None:
    document = _read_checksums(directory)
    if document is None:
        return None
    for name, entry in document["files"].items():
        target = directory / name
        if not os.path.lexists(target):
            raise MoondustError(
                f"{target}: missing (listed in {RUN_CHECKSUMS}); run `moondust run` again with "
                f"--out {directory} to rewrite it"
            )
        digest, size = file_digest(target)
        if digest != entry["sha256"]:
            raise MoondustError(
                f"{target}: checksum mismatch ({size:,} bytes on disk, "
                f"{int(entry.get('bytes', 0)):,} recorded): changed or damaged since it was "
                f"written; run `moondust run` again with --out {directory} to rewrite it, or open "
                "with trust=True (--trust) to read it anyway"
            )
    return document


def open_run(path: str | Path, trust: bool | None = None) -> xr.Dataset:
    """A ``moondust run`` directory's dataset, verified (unless ``trust``) and read lazily.

    Raises
    ------
    MoondustError
        If it is not a run directory, is being written, or fails its checksums.
    """
    directory, store = _run_paths(Path(path))
    lock_file(directory)
    try:
        if store.name != RUN_DATA:  # a store under another name: checksums.json is not about it
            document = None
        elif is_trusted(trust):
            document = _read_checksums(directory)
        else:
            document = _verify_run_files(directory)
    except MoondustError:
        # the previous result stays readable while a new run simulates; only the moment its
        # files are swapped looks damaged, and then the writer holds the lock
        writer = _writer(directory)
        if writer is not None:
            raise MoondustError(
                f"{directory}: is being written by another moondust process{writer}; wait for "
                "it to finish"
            ) from None
        raise
    try:
        import dask  # noqa: F401

        chunks: Any = {}
    except ImportError:  # still lazy: xarray's own lazily indexed arrays
        chunks = None
    ds = open_store(store, chunks)
    check_dataset(ds, store)
    if document is None and not is_trusted(trust):
        warnings.warn(
            f"{directory}: has no {RUN_CHECKSUMS} (written by an older moondust), so it is "
            "opened unverified; run `moondust run` again to add checksums",
            UserWarning,
            stacklevel=3,
        )
    # coordinates in memory (as a sweep's): they are small, and xarray cannot group by or
    # .item() a dask-backed one
    return ds.assign_coords({str(name): coord.load() for name, coord in ds.coords.items()})


def save_run(results: Any, directory: str | Path) -> dict[str, Path]:
    """Write ``results.zarr``, ``summary.parquet`` and ``checksums.json`` into a run directory.

    Under the directory's lock (:func:`writing_run`): the dataset and the summary are written to
    temporary names unique to this process, ``checksums.json`` is marked ``writing``, the files
    are renamed into place, and ``checksums.json`` gets their SHA-256 and ``complete`` — so a
    reader sees the old complete result, the new one, or an "interrupted" error, never a mix.
    Temporary files left by a killed run are removed first.
    """
    with writing_run(directory) as path:
        if is_sweep(path):
            raise MoondustError(
                f"{path}: holds a sweep ({MANIFEST}, {JOURNAL}); write the run to another --out"
            )
        for stale in path.iterdir():
            if stale.name.startswith(
                (f"{RUN_DATA}.tmp", f"{RUN_DATA}.old-", f"{RUN_SUMMARY}.tmp", f".{RUN_CHECKSUMS}")
            ):
                shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
        tag = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        data, summary = path / RUN_DATA, path / RUN_SUMMARY
        data_tmp = path / f"{RUN_DATA}.tmp-{tag}"
        summary_tmp = path / f"{RUN_SUMMARY}.tmp-{tag}"
        old = path / f"{RUN_DATA}.old-{tag}"
        try:
            # Zarr format 2: readable by every Zarr library; it specifies the string coordinates.
            results.dataset.to_zarr(data_tmp, mode="w", zarr_format=2, consolidated=True)
            results.summary().tidy().to_parquet(summary_tmp, index=False)
            files = {}
            for name, written in ((RUN_DATA, data_tmp), (RUN_SUMMARY, summary_tmp)):
                digest, size = file_digest(written)
                files[name] = {"sha256": digest, "bytes": size}
            document = {
                "format": RUN_FORMAT,
                "format_version": RUN_FORMAT_VERSION,
                "moondust_version": __version__,
                "pid": os.getpid(),
                "state": "writing",
                "written": now(),
                "files": files,
            }
            _write_json(path / RUN_CHECKSUMS, document)
            if os.path.lexists(data):
                data.rename(old)
            data_tmp.rename(data)
            summary_tmp.replace(summary)
            _write_json(path / RUN_CHECKSUMS, {**document, "state": "complete"})
        finally:
            for leftover in (data_tmp, summary_tmp, old):
                if leftover.is_dir():
                    shutil.rmtree(leftover, ignore_errors=True)
                elif os.path.lexists(leftover):
                    leftover.unlink()
    return {"dataset": data, "summary": summary}


def _write_json(path: Path, document: dict[str, Any]) -> None:
    """Write a JSON file atomically and durably (temporary file, fsync, rename)."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps(document, indent=1) + "\n")
        handle.flush()
        with contextlib.suppress(OSError):
            os.fsync(handle.fileno())
    os.replace(tmp, path)


def is_sweep(path: str | Path) -> bool:
    """Whether ``path`` holds a sweep manifest or chunk journal (whole or not)."""
    return os.path.lexists(Path(path) / MANIFEST) or os.path.lexists(Path(path) / JOURNAL)
