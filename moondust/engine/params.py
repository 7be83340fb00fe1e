"""Engine parameters as the kernels take them: per-run arrays.

:class:`~moondust.engine_parameters.EngineParameters` (the cited scalar defaults a scenario
overrides and declares uncertain) lives in the parameters layer, below the world, so that a
scenario can hold it without importing the engine; it is re-exported here. :func:`resolve` turns
it into per-run arrays of shape ``(runs, 1)`` so every mechanism broadcasts them over actors
without caring whether they vary.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike, NDArray

from moondust.engine_parameters import ConflictParameters, EngineParameters

__all__ = [
    "ConflictParameters",
    "EngineParameters",
    "RunParameters",
    "per_run",
    "resolve",
    "table_defaults",
]


RunParameters = dict[str, NDArray[np.float64]]
"""Parameter name → array of shape ``(runs, 1)``."""


def resolve(
    params: EngineParameters, runs: int, varying: Mapping[str, NDArray[np.float64]] | None = None
) -> RunParameters:
    """Per-run parameter arrays: scalar defaults, replaced by ``varying`` samples where given."""
    resolved: RunParameters = {}
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


def table_defaults(table: str, runs: int) -> RunParameters:
    """Per-run arrays of a parameter table's defaults (for a mechanism's own tests)."""
    from moondust.parameters import load_specs

    return {name: np.full((runs, 1), spec.default) for name, spec in load_specs(table).items()}
