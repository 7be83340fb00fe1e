"""Engine parameters as the kernels take them: per-run arrays.

:class:`~moondust.engine_parameters.EngineParameters` (the cited scalar defaults a scenario
overrides and declares uncertain) lives in the parameters layer, below the world, so that a
scenario can hold it without importing the engine; it is re-exported here. :func:`resolve` turns
it into per-run arrays of shape ``(runs, 1)`` so every mechanism broadcasts them over actors
without caring whether they vary.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from moondust.engine_parameters import ConflictParameters, EngineParameters

__all__ = [
    "ConflictParameters",
    "EngineParameters",
    "RunParameters",
    "columns",
    "once_per_block",
    "per_run",
    "resolve",
    "table_defaults",
]


class RunParameters(dict[str, NDArray[np.float64]]):
    """Parameter name → array of shape ``(runs, 1)``, for one block of runs.

    A plain dict, plus a cache of what mechanisms build from it for their kernels (the named tuples
    of per-run columns, :func:`once_per_block`): the parameters do not change within a block, so
    those are built in its first year rather than every year. Setting or deleting an entry empties
    the cache.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.built: dict[Any, Any] = {}

    def __setitem__(self, key: str, value: NDArray[np.float64]) -> None:
        self.built.clear()
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.built.clear()
        super().__delitem__(key)

    def block(self, runs: slice) -> RunParameters:
        """The parameters of the runs in ``runs`` (views), with a cache of their own."""
        return RunParameters({name: values[runs] for name, values in self.items()})


_Built = TypeVar("_Built")


def once_per_block(
    builder: Callable[..., _Built],
) -> Callable[..., _Built]:
    """Cache ``builder(p, *args)`` on ``p`` when it is a :class:`RunParameters` (per block of runs).

    For the functions that turn a block's parameters into a kernel's named tuple: built every year,
    they cost more than the kernels themselves when a block is a single run. A plain dict of
    parameters (tests build them by hand) is not cached.
    """

    @functools.wraps(builder)
    def built(p: Mapping[str, NDArray[np.float64]], *args: Any) -> _Built:
        if not isinstance(p, RunParameters):
            return builder(p, *args)
        key = (builder, args)
        found = p.built.get(key)
        if found is None:
            found = p.built[key] = builder(p, *args)
        return found

    return built


def resolve(
    params: EngineParameters, runs: int, varying: Mapping[str, NDArray[np.float64]] | None = None
) -> RunParameters:
    """Per-run parameter arrays: scalar defaults, replaced by ``varying`` samples where given."""
    resolved = RunParameters()
    for name, value in params.model_dump().items():
        resolved[name] = np.full((runs, 1), float(value))
    for name, samples in (varying or {}).items():
        if name not in resolved:
            raise KeyError(name)
        resolved[name] = np.asarray(samples, dtype=np.float64).reshape(runs, 1)
    return resolved


def per_run(values: ArrayLike, runs: int) -> NDArray[np.float64]:
    """A per-run value — (R, 1) as in :data:`RunParameters`, (R,), (1, 1) or a scalar — as the
    contiguous (R,) float64 array kernels take (a view when it already is one)."""
    flat = np.asarray(values, dtype=np.float64).reshape(-1)
    if flat.size != runs:
        flat = np.broadcast_to(flat, (runs,))
    return np.ascontiguousarray(flat)


def columns(kind: Callable[..., _Built], p: Mapping[str, NDArray[np.float64]], runs: int) -> _Built:
    """The named tuple ``kind`` whose fields are parameter names, each field that parameter as the
    contiguous (R,) array of :func:`per_run`; built once per block of runs.

    Examples
    --------
    >>> from typing import NamedTuple
    >>> class Gains(NamedTuple):
    ...     crowd_out: NDArray[np.float64]
    >>> p = resolve(EngineParameters(), runs=3)
    >>> columns(Gains, p, 3).crowd_out.shape, columns(Gains, p, 3) is columns(Gains, p, 3)
    ((3,), True)
    """
    return _columns(p, kind, runs)


@once_per_block
def _columns(
    p: Mapping[str, NDArray[np.float64]], kind: Callable[..., _Built], runs: int
) -> _Built:
    fields: tuple[str, ...] = kind._fields  # type: ignore[attr-defined]
    return kind(*(per_run(p[name], runs) for name in fields))


def table_defaults(table: str, runs: int) -> RunParameters:
    """Per-run arrays of a parameter table's defaults (for a mechanism's own tests)."""
    from moondust.parameters import load_specs

    return RunParameters(
        {name: np.full((runs, 1), spec.default) for name, spec in load_specs(table).items()}
    )
