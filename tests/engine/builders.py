"""Small synthetic engine settings with known answers, for the engine tests.

Plain functions (not fixtures), so test modules import them from here rather than from
``conftest.py``; the fixtures in ``conftest.py`` are built from them.
"""

from __future__ import annotations

import numpy as np

from moondust.engine.ladder import DOMAINS, load_ladder
from moondust.engine.params import EngineParameters, RunParameters, resolve
from moondust.engine.state import Setting
from moondust.world.policies import StatusQuo


def two_actor_setting(
    same_bloc: bool = True, rivalry: float = 1.0, sanction: bool = False
) -> Setting:
    """Two identical actors, 10 bn civil and 1 bn military each, no growth, no history."""
    ladder = load_ladder()
    n, m = 2, ladder.size
    together = np.array([[False, same_bloc], [same_bloc, False]])
    return Setting(
        actor_ids=("A", "B"),
        actor_names=("Alpha", "Beta"),
        start=2025,
        end=2100,
        civil0_usd_bn=np.array([10.0, 10.0]),
        military0_usd_bn=np.array([1.0, 1.0]),
        gdp_growth=np.zeros(2),
        artemis=np.array([True, same_bloc]),
        ilrs=np.array([False, not same_bloc]),
        rivalry=np.array([[0.0, rivalry], [rivalry, 0.0]]),
        sanction=np.array([[False, sanction], [sanction, False]]),
        same_bloc=together,
        achieved0=np.zeros((n, m), dtype=bool),
        achieved_year0=np.full((n, m), np.nan),
        capability0=np.full((n, len(DOMAINS)), 0.5),
        successes0=np.zeros(n),
        failures0=np.zeros(n),
        roadmap_year=np.full((n, m), np.nan),
        policies=(StatusQuo(),),
        policy_of_actor=np.zeros(n, dtype=np.int64),
        ladder=ladder,
    )


def run_parameters(runs: int = 1, **overrides: float) -> RunParameters:
    """Per-run arrays of the default engine parameters with some changed."""
    return resolve(EngineParameters().with_overrides(overrides), runs)
