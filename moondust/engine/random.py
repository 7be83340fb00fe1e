"""Counter-based random numbers: every draw is a pure function of its key.

A uniform draw is ``hash(seed, run, year, stream, actor, index)`` mapped to [0, 1), with the
SplitMix64 finaliser (Steele, Lea & Flood 2014) as the mixing function: :func:`draw` for
compiled kernels, :func:`uniform` (the same function broadcast over arrays) for NumPy code.
There is no generator state: run *i* gets the same numbers alone, in a batch of 10,000, in any
chunk, on any worker, and adding a new stream never shifts the numbers of another.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from moondust.engine.jit import broadcast_flat, kernel

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_S40 = np.uint64(40)
_TO_UNIT = 1.0 / float(1 << 53)


class Stream(IntEnum):
    """Named random streams; each mechanism draws from its own."""

    BUDGET_SHOCK = 1
    MISSION_SUCCESS = 2
    IMITATION_MODEL = 3
    IMITATION_SWITCH = 4
    UNCERTAINTY = 5
    TIE_BREAK = 6
    STATIONS = 7
    MINING = 8
    CONFLICT = 9
    DEBRIS = 10
    PARAMETER_RANGES = 11


@kernel
def _mix(x: np.uint64) -> np.uint64:
    """SplitMix64 finaliser: a bijective avalanche of 64-bit words (wraps on purpose)."""
    z = x + _GOLDEN
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@kernel
def draw(seed: int, run: int, year: int, stream: int, actor: int, index: int) -> float:
    """One uniform draw in [0, 1) for its key: the scalar form of :func:`uniform`, for kernels.

    Signed keys are reinterpreted as unsigned 64-bit words, so ``−1`` is a valid index.
    """
    key = _mix(np.uint64(seed) ^ (np.uint64(stream) << _S40))
    key = _mix(key ^ np.uint64(year))
    h = _mix(key ^ np.uint64(run))
    h = _mix(h ^ np.uint64(actor))
    h = _mix(h ^ np.uint64(index))
    return float(h >> _S11) * _TO_UNIT


@kernel
def _uniform_flat(seed, year, stream, run, actor, index):  # type: ignore[no-untyped-def]
    out = np.empty(run.size)
    for k in range(run.size):
        out[k] = draw(seed, run[k], year, stream, actor[k], index[k])
    return out


def uniform(
    seed: int,
    run: ArrayLike,
    year: int,
    stream: Stream | int,
    actor: ArrayLike = 0,
    index: ArrayLike = 0,
) -> NDArray[np.float64]:
    """Uniform draws in [0, 1), broadcast over ``run``, ``actor`` and ``index``.

    Parameters
    ----------
    seed
        The experiment's seed.
    run
        Global run indices (e.g. ``np.arange(first_run, first_run + runs)[:, None]``).
    year
        Calendar year of the draw.
    stream
        Which mechanism draws (:class:`Stream`).
    actor, index
        Actor index and a further index (milestone, partner, sample, …), broadcastable.

    Examples
    --------
    >>> import numpy as np
    >>> a = uniform(7, np.arange(5)[:, None], 2030, Stream.MISSION_SUCCESS, np.arange(3))
    >>> b = uniform(7, np.arange(3, 4)[:, None], 2030, Stream.MISSION_SUCCESS, np.arange(3))
    >>> bool(np.array_equal(a[3:4], b))
    True
    """
    shape, keys = broadcast_flat(np.int64, run, actor, index)
    values = _uniform_flat(int(seed), int(year), int(stream), *keys)
    return np.asarray(values.reshape(shape))
