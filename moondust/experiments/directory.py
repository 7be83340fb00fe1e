"""A sweep's directory: manifest, chunk journal, lock and verification of its chunks.

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
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moondust.errors import InputFileError
from moondust.experiments.chunks import (
    CHUNKS_DIR,
    DATA_NAME,
    RUNS_NAME,
    STORE_MODES,
    chunk_dirname,
)
from moondust.storage import (  # run directories, locks and checksums live below results
    JOURNAL,
    MANIFEST,
    acquire_lock,
    checksum,
    is_sweep,
    now,
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


def manifest_bytes(directory: SweepDirectory) -> bytes | None:
    """The manifest file's bytes, or None if it cannot be read (to tell whether it changed)."""
    try:
        return directory.manifest_path.read_bytes()
    except OSError:
        return None
