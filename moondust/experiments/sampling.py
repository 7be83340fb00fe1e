"""What a sweep varies: uncertainties sampled per run, levers on a grid (habit 2: they are apart).

*Uncertainties* are the scenario's ``[uncertainties]`` (named distributions of engine
parameters). A sweep samples them either by plain Monte Carlo — the engine's own counter-based
draws, keyed by the run index, so nothing has to be stored or passed — or by a Latin hypercube
drawn once for the whole sweep (SciPy's :class:`~scipy.stats.qmc.LatinHypercube`, seeded from the
sweep's seed) and handed to each chunk as ``simulate(..., inputs=...)``.

*Levers* are the scenario's optional ``[levers]`` grid: ``{target: {lever: [values]}}``. Every
combination of values is a *lever point*; each point is a variant of the scenario whose
policies carry those lever overrides for the target (a bloc class or an actor). What a grid means
is part of the scenario (:mod:`moondust.world.lever_grid`, re-exported here), since validating a
scenario builds its variants. A sweep runs the same sampled runs at every lever point (common
random numbers), as EMA Workbench crosses scenarios with policies.

>>> from moondust.world.scenario import parse_scenario
>>> scenario = parse_scenario({"levers": {"ilrs": {"openness": [0.3, 0.9]},
...                                      "USA": {"preset": ["cutthroat", "emulation"]}}})
>>> [axis.name for axis in lever_axes(scenario)]
['lever_ilrs_openness', 'lever_USA_preset']
>>> lever_points(scenario)[1]
{'lever_ilrs_openness': 0.3, 'lever_USA_preset': 'emulation'}
>>> variant = scenario_variant(scenario, lever_points(scenario)[1])
>>> variant.policies.actors["USA"].preset, variant.policies.blocs["ilrs"].lever_overrides
('emulation', {'openness': 0.3})
"""

from __future__ import annotations

import hashlib
from typing import Literal

import numpy as np
import pandas as pd

from moondust.world.lever_grid import (
    LeverAxis,
    LeverPoint,
    LeverValue,
    lever_axes,
    lever_points,
    scenario_variant,
)
from moondust.world.scenario import Distribution

__all__ = [
    "LeverAxis",
    "LeverPoint",
    "LeverValue",
    "Sampling",
    "design_digest",
    "latin_hypercube",
    "lever_axes",
    "lever_points",
    "scenario_variant",
]

Sampling = Literal["mc", "lhs"]

_LHS_STREAM = 0x4C4853  # "LHS": the design's seed is derived from the sweep seed, never reused


def latin_hypercube(uncertainties: dict[str, Distribution], runs: int, seed: int) -> pd.DataFrame:
    """A Latin hypercube of the uncertainties for a whole sweep: one row per sample.

    Parameters
    ----------
    uncertainties
        Parameter name → distribution (the scenario's ``[uncertainties]``).
    runs
        Number of samples (rows).
    seed
        The sweep's seed; the design's generator is derived from it.

    Returns
    -------
    pandas.DataFrame
        Columns named after the parameters (sorted), index ``sample`` 0..runs-1.

    Examples
    --------
    >>> from moondust.world.scenario import Distribution
    >>> design = latin_hypercube({"crowd_out": Distribution(dist="uniform", low=0, high=1)}, 4, 1)
    >>> sorted((design["crowd_out"] * 4).astype(int).tolist())  # one sample per stratum
    [0, 1, 2, 3]
    """
    from scipy.stats import qmc

    names = sorted(uncertainties)
    index = pd.RangeIndex(runs, name="sample")
    if not names:
        return pd.DataFrame(index=index)
    rng = np.random.default_rng(np.random.SeedSequence([seed, _LHS_STREAM]))
    unit = qmc.LatinHypercube(d=len(names), rng=rng).random(runs)
    columns = {
        name: uncertainties[name].ppf(unit[:, k], parameter=name) for k, name in enumerate(names)
    }
    return pd.DataFrame(columns, index=index)


def design_digest(design: pd.DataFrame | None) -> str | None:
    """A hash of a design's names and values (to check a resumed sweep uses the same one)."""
    if design is None:
        return None
    digest = hashlib.sha256()
    digest.update(repr(list(design.columns)).encode())
    digest.update(np.ascontiguousarray(design.to_numpy(dtype=np.float64)).tobytes())
    return digest.hexdigest()[:16]
