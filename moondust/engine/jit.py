"""The engine's compiler: Numba, with the settings every kernel shares.

The mechanisms keep their state in NumPy arrays of shape (runs, actors, …); the work of a year is
done by small compiled kernels that loop over runs and actors. A year of the full model is a few
hundred elementary operations per actor; as NumPy calls each costs microseconds of dispatch and a
pass over memory, which made the engine ten times slower than the same arithmetic compiled
(``docs/benchmarks.md``).

Kernels are compiled on first use and cached on disk (``cache=True``), so only the first import on
a machine pays for compilation. ``fastmath`` stays off: results must not depend on how the compiler
chose to reassociate sums. Setting the environment variable ``NUMBA_DISABLE_JIT=1`` runs every
kernel as plain Python (slow, but steppable in a debugger).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numba
import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

F = TypeVar("F", bound=Callable[..., Any])


def kernel(function: F) -> F:
    """Compile ``function`` in nopython mode, cached, releasing the GIL."""
    return numba.njit(cache=True, nogil=True)(function)  # type: ignore[return-value]


def broadcast_flat(
    dtype: DTypeLike, *values: ArrayLike
) -> tuple[tuple[int, ...], list[NDArray[Any]]]:
    """``values`` broadcast together: their common shape, and each as a fresh contiguous 1-D array.

    The form of a kernel that loops over elements; fresh writable copies, so the kernel is compiled
    for one array type whatever the caller passed (views, broadcasts, scalars).
    """
    arrays = [np.asarray(value, dtype=dtype) for value in values]
    shape = np.broadcast_shapes(*(array.shape for array in arrays))
    return shape, [np.array(np.broadcast_to(array, shape)).reshape(-1) for array in arrays]


def kernels_cached() -> bool:
    """Whether the engine's kernels look compiled on this machine (found in Numba's disk cache).

    A hint for user interfaces, which announce the one-off compilation (about 30 s on a 2-core
    machine) when it is False; it checks the largest kernel only.
    """
    custom = os.environ.get("NUMBA_CACHE_DIR")
    folder = Path(custom) if custom else Path(__file__).parent / "__pycache__"
    pattern = "technology._fund_and_grow-*.nbi"
    found = folder.rglob(pattern) if custom else folder.glob(pattern)
    return next(iter(found), None) is not None


__all__ = ["broadcast_flat", "kernel", "kernels_cached"]
