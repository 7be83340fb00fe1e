"""Where commands write: output paths checked before any work, files written whole or not at all.

:func:`output_directory` and :func:`output_file` check an output path before a command spends
time computing (a file where a directory is needed, a device such as ``/dev/null``, a read-only
or unwritable location are refused with one clear line) and :func:`atomic_write` writes a file
under a temporary name and renames it into place, so an interrupted or failed write (a full disk)
never leaves a half-written or empty file under the final name. Their :class:`OSError`\\ s become
:class:`~moondust.errors.MoondustError`\\ s through :func:`moondust.errors.writing`.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from pathlib import Path

from moondust.errors import OutputPathError, output_error, writing


def output_directory(path: str | Path) -> Path:
    """Create the output directory ``path`` if needed and check that files can be created in it.

    Raises
    ------
    OutputPathError
        If it exists and is not a directory, or cannot be created or written (read-only, no
        permission).
    DiskFullError
        If there is no space left to create it.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputPathError(
            f"{path}: exists and is not a directory (a file or a device); choose another --out"
        )
    with writing(path):
        path.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryFile(dir=path, prefix=".moondust-probe-"):
            pass
    except OSError as exc:  # name the directory, not the probe
        raise output_error(OSError(exc.errno, exc.strerror), path) from exc
    return path


def output_file(path: str | Path) -> Path:
    """Check that ``path`` can be written as a regular file (its directory is created).

    Raises
    ------
    OutputPathError
        If it is a directory, a device or another special file (``/dev/null``), or its directory
        cannot be created or written.
    """
    path = Path(path)
    if path.is_dir():
        raise OutputPathError(f"{path}: is a directory; give a file name with --out")
    if path.exists() and not path.is_file():
        raise OutputPathError(
            f"{path}: is not a regular file (a device or a pipe); give a file name with --out"
        )
    output_directory(path.parent)
    return path


def atomic_write(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to a temporary name beside ``path``, then rename it into place.

    Raises
    ------
    MoondustError
        Through :func:`moondust.errors.writing` if it cannot be written (the temporary file is
        removed; an earlier file at ``path`` is left as it was).
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
    with writing(path):
        try:
            with open(tmp, "xb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
    return path
