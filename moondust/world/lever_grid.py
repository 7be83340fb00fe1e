"""A scenario's lever grid: its axes, its points, and the scenario variant at each point.

``levers`` in a scenario is ``{target: {lever: [values]}}``, a target being a bloc class or an
actor. Every combination of values is a *lever point*; each point is a variant of the scenario
whose policies carry those lever overrides for the target. It lives in the world layer because a
scenario validates itself by building its variants; sweeps (:mod:`moondust.experiments.sampling`)
run them.

>>> from moondust.world.scenario import parse_scenario
>>> scenario = parse_scenario({"levers": {"ilrs": {"openness": [0.3, 0.9]}}})
>>> [axis.name for axis in lever_axes(scenario)], lever_points(scenario)
(['lever_ilrs_openness'], [{'lever_ilrs_openness': 0.3}, {'lever_ilrs_openness': 0.9}])
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from moondust.errors import MoondustError
from moondust.world.blocs import BLOC_CLASSES, bloc_class_of

if TYPE_CHECKING:  # scenario.py imports this module when it validates; no cycle at import time
    from moondust.world.scenario import Scenario

LeverValue = float | str
LeverPoint = dict[str, LeverValue]


@dataclass(frozen=True)
class LeverAxis:
    """One lever of one target, with the values the grid takes."""

    target: str
    lever: str
    values: tuple[LeverValue, ...]

    @property
    def name(self) -> str:
        """The per-run variable recording it: ``lever_<target>_<lever>``."""
        return f"lever_{self.target}_{self.lever}"


def lever_axes(scenario: Scenario) -> list[LeverAxis]:
    """The scenario's lever grid axes, in file order."""
    return [
        LeverAxis(target, lever, tuple(values))
        for target, levers in scenario.levers.items()
        for lever, values in levers.items()
    ]


def lever_points(scenario: Scenario) -> list[LeverPoint]:
    """Every combination of lever values (the last axis varies fastest); ``[{}]`` without levers."""
    axes = lever_axes(scenario)
    return [
        {axis.name: value for axis, value in zip(axes, combination, strict=True)}
        for combination in itertools.product(*(axis.values for axis in axes))
    ]


def scenario_variant(scenario: Scenario, point: LeverPoint) -> Scenario:
    """The scenario with one lever point applied to its policies (and no lever grid left).

    A target's policy starts from the one it follows in the scenario (for an actor: its own
    entry, else its bloc class's, else the default); ``preset`` replaces the preset, other levers
    are set as overrides on top of any the scenario already gives.
    """
    by_target: dict[str, dict[str, LeverValue]] = {}
    for axis in lever_axes(scenario):
        if axis.name not in point:
            raise MoondustError(f"lever point lacks {axis.name}")
        by_target.setdefault(axis.target, {})[axis.lever] = point[axis.name]
    policies = scenario.policies
    data = policies.model_dump()
    for target, levers in by_target.items():
        if target in BLOC_CLASSES:
            base = policies.blocs.get(target) or policies.default  # type: ignore[call-overload]
            section = "blocs"
        else:
            base = policies.actors.get(target) or _actor_bloc_choice(scenario, target)
            section = "actors"
        choice = {"preset": base.preset, **base.lever_overrides}
        for lever, value in levers.items():
            choice[lever] = value if lever == "preset" else float(value)
        data[section][target] = choice
    return scenario.with_changes(policies=data, levers={})


def _actor_bloc_choice(scenario: Scenario, actor: str) -> object:
    from moondust.world.world import load_world

    world = load_world()
    i = world.index(actor)
    bloc = bloc_class_of(bool(world.artemis[i]), bool(world.ilrs[i]))
    policies = scenario.policies
    return policies.blocs.get(bloc) or policies.default  # type: ignore[call-overload]
