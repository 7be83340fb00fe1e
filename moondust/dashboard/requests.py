"""What the explorer asks for and computes, apart from any widget: the starting scenario, the
requests of the Explorer and Compare pages, and their computation.

Pure Python over :mod:`moondust.dashboard.model` and :mod:`moondust.dashboard.compute`: the app
(:mod:`moondust.dashboard.app`) and the server (:mod:`moondust.dashboard.server`, which warms the
starting scenario while it comes up) both use it, and neither imports the other.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from moondust.dashboard import model
from moondust.dashboard.compute import Ensemble, service
from moondust.dashboard.model import Base, Settings
from moondust.world.scenario import Scenario, builtin_scenarios


@cache
def default_base() -> Base:
    """The scenario the explorer starts from (``moondust dashboard --scenario``; else baseline)."""
    spec = os.environ.get("MOONDUST_DASHBOARD_SCENARIO", "").strip() or "baseline"
    if spec in builtin_scenarios():
        return model.builtin_base(spec)
    return model.base_from_file(spec)


@dataclass(frozen=True, eq=False)
class Request:
    """Scenarios to simulate with the same runs and seed, by variant."""

    key: str
    runs: int
    scenarios: dict[str, Scenario]


@dataclass(frozen=True, eq=False)
class Computed:
    """A finished request."""

    key: str
    variants: dict[str, Ensemble]
    seconds: float


def explorer_request(base: Base, settings: Settings) -> Request:
    """Current settings, the baseline and (when assumptions changed) the modified baseline."""
    plain = Settings(runs=settings.runs, end=settings.end)
    scenarios = {
        "current": model.build_scenario(base.scenario, settings),
        "baseline": model.build_scenario(base.scenario, plain),
    }
    if settings.assumptions_changed and settings.modified_baseline:
        scenarios["modified baseline"] = model.build_scenario(
            base.scenario, settings, policies=False
        )
    return make_request(scenarios, settings.runs)


def compare_request(base: Base, settings: Settings) -> Request:
    """Scenarios A and B of the Compare page, with A's seed for both."""
    chosen = {}
    seed = base.scenario.simulation.seed
    for variant, name in (("current", settings.compare_a), ("baseline", settings.compare_b)):
        if name == "current":
            scenario = model.build_scenario(base.scenario, settings)
        else:
            plain = Settings(runs=settings.runs, end=settings.end)
            scenario = model.build_scenario(model.builtin_base(name).scenario, plain)
        simulation = {**scenario.simulation.model_dump(), "seed": seed}
        chosen[variant] = scenario.with_changes(simulation=simulation)
    return make_request(chosen, settings.runs)


def make_request(scenarios: dict[str, Scenario], runs: int) -> Request:
    """A request for these scenarios, keyed by their digests and the number of runs."""
    key = "|".join(f"{k}:{s.digest()}" for k, s in scenarios.items()) + f"|{runs}"
    return Request(key=key, runs=runs, scenarios=scenarios)


def compute(request: Request, is_current: Callable[[], bool]) -> Computed | None:
    """Every variant's ensemble, or None when a newer request superseded this one."""
    started = time.perf_counter()
    variants: dict[str, Ensemble] = {}
    for variant, scenario in request.scenarios.items():
        ensemble = service().ensemble(scenario, request.runs, is_current=is_current)
        if ensemble is None:
            return None
        variants[variant] = ensemble
    return Computed(request.key, variants, time.perf_counter() - started)
