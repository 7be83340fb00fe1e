"""Errors a user can cause and fix, and faults of the machine the user must know about.

Every error that comes from the user's input (a file, a command-line value, a parameter name, an
output path that cannot be written) is a :class:`MoondustError`. The command line prints its
message on one line (``moondust: error: …``) and exits with the error's
:attr:`~MoondustError.exit_code`: 2 for the user's fault (bad input, an output path that is
read-only, not a directory, a device, …), 1 for a fault of the environment
(:class:`StorageError`: the disk is full, an I/O error), after which the same command can simply
be run again. The Python API lets these errors propagate so a caller can handle them.

:func:`writing` is the one place where an :class:`OSError` met while writing an output is turned
into such an error, naming the path and what happened. :func:`require_extra` is the one place that
says which optional extra a feature needs and how to install it.
"""

from __future__ import annotations

import contextlib
import errno
import importlib.util
from collections.abc import Iterator
from pathlib import Path


class MoondustError(Exception):
    """Base class of errors caused by user input; the message says what to fix."""

    exit_code: int = 2
    """The command line's exit code for this error."""


class ParameterError(MoondustError, KeyError):
    """An unknown parameter name or a value that is not acceptable."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class InputFileError(MoondustError):
    """A file that cannot be read or does not have the expected shape or fields."""


class OutputPathError(MoondustError):
    """An output path that cannot be written: read-only, no permission, a file where a directory
    is needed (or the reverse), a device, an empty name."""


class MissingExtraError(MoondustError):
    """A feature needs an optional extra that is not installed; the message names the extra and
    the command that installs it (exit code 2)."""


def missing_extra(extra: str, purpose: str, modules: tuple[str, ...] = ()) -> MissingExtraError:
    """The error for ``purpose`` needing the extra ``extra`` (``modules``: what is missing).

    Examples
    --------
    >>> print(missing_extra("analysis", "sensitivity analysis", ("SALib",)))
    sensitivity analysis needs SALib (the analysis extra): pip install 'moondust[analysis]'
    """
    what = f"{', '.join(modules)} (the {extra} extra)" if modules else f"the {extra} extra"
    return MissingExtraError(f"{purpose} needs {what}: pip install 'moondust[{extra}]'")


def require_extra(extra: str, purpose: str, *modules: str) -> None:
    """Raise :func:`missing_extra`'s error unless every module in ``modules`` can be imported.

    Called before a feature imports its optional dependencies, so a missing extra gives one line
    and exit code 2, never a ``ModuleNotFoundError`` traceback.

    Raises
    ------
    MissingExtraError
        Naming the missing modules, the extra and ``pip install 'moondust[EXTRA]'``.
    """
    missing = tuple(name for name in modules if _absent(name))
    if missing:
        raise missing_extra(extra, purpose, missing)


def _absent(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is None
    except (ImportError, ValueError):  # a parent package missing, or a module set to None
        return True


class StorageError(MoondustError):
    """A fault of the machine while writing (an I/O error); running again may succeed."""

    exit_code = 1


class DiskFullError(StorageError):
    """No space left (or a file-size or quota limit) while writing; free space and run again."""


_FULL = {errno.ENOSPC: "no space left on device", errno.EFBIG: "file too large (a file-size limit)"}
if hasattr(errno, "EDQUOT"):
    _FULL[errno.EDQUOT] = "disk quota exceeded"
DISK_FULL_ERRNOS = frozenset(_FULL)
"""The ``errno`` values of a full disk (ENOSPC, EFBIG, EDQUOT)."""
_PATH = {
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOTDIR: "a part of the path is a file, not a directory",
    errno.EISDIR: "is a directory, not a file",
    errno.EEXIST: "exists and is not a directory",
    errno.ENAMETOOLONG: "name too long",
    errno.ENOENT: "no such file or directory",
    errno.EINVAL: "invalid path",
}


def output_error(exc: OSError, path: str | Path, again: str = "") -> MoondustError:
    """The :class:`MoondustError` for an :class:`OSError` met while writing below ``path``.

    Parameters
    ----------
    exc
        The error; its ``filename``, if any, is the path named (else ``path``).
    path
        The output being written (a directory or a file).
    again
        What to do once space is freed (default: run the same command again).

    Returns
    -------
    MoondustError
        :class:`DiskFullError` (exit code 1) for ENOSPC, EFBIG and EDQUOT, :class:`OutputPathError`
        (exit code 2) for a path that cannot be written (EROFS, EACCES, ENOTDIR, …),
        :class:`StorageError` (exit code 1) for anything else.

    Examples
    --------
    >>> import errno
    >>> error = output_error(OSError(errno.ENOSPC, "No space left on device"), "map.png")
    >>> type(error).__name__, error.exit_code
    ('DiskFullError', 1)
    >>> print(error)
    cannot write map.png: no space left on device; free space and run the same command again
    """
    where = exc.filename if exc.filename not in (None, "") else path
    if exc.errno in _FULL:
        hint = again or "run the same command again"
        return DiskFullError(f"cannot write {where}: {_FULL[exc.errno]}; free space and {hint}")
    if exc.errno in _PATH:
        return OutputPathError(f"cannot write {where}: {_PATH[exc.errno]}; choose another --out")
    reason = exc.strerror or str(exc)
    return StorageError(f"cannot write {where}: {reason}")


@contextlib.contextmanager
def writing(path: str | Path, again: str = "") -> Iterator[None]:
    """Turn an :class:`OSError` raised in the block into :func:`output_error`'s error.

    Parameters
    ----------
    path
        The output the block writes (named when the error has no file name of its own).
    again
        What to do once space is freed (default: run the same command again).
    """
    try:
        yield
    except OSError as exc:
        raise output_error(exc, path, again) from exc
