"""Policies: each actor's levers this year from what it observes (docs/model.md, policies).

Every actor follows one policy of the scenario (``state.policy_id``, which imitation may change).
A policy whose classifier says it observes nothing gives the same levers every year, so they are
computed again only when the assignment of policies changes.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike

from moondust.engine.params import RunParameters
from moondust.engine.state import Setting, State, pairwise_sum
from moondust.world.policies import LEVERS, Levers, Observation


def initial(setting: Setting, p: RunParameters, runs: int) -> None:
    """No state of its own: the levers are the core state's."""
    return None


def step(state: State, setting: Setting, p: RunParameters) -> None:
    """This year's levers into ``state.levers``.

    Constant policies give the same levers every year until imitation changes who follows which
    (it replaces ``policy_id``, never edits it in place), so the levers are kept while
    ``state.policy_id`` is the array they were computed for.
    """
    constant = all(policy.is_constant() for policy in setting.policies)
    if not constant or state.policy_id is not state.levers_policy_id:
        state.levers = choose(state, setting)
        state.levers_policy_id = state.policy_id


def observe(state: State, setting: Setting) -> Observation:
    """What every actor sees of itself and its rivals this year."""
    rivalry = setting.rivalry
    weight = rivalry.sum(axis=1)
    rival_share = pairwise_sum(state.military_share, rivalry) / np.where(weight > 0, weight, 1.0)
    return Observation(
        year=state.year,
        military_share=state.military_share,
        rival_military_share=np.where(weight > 0, rival_share, 0.0),
        rival_milestones_last_year=pairwise_sum(state.new_milestones.astype(np.float64), rivalry),
        milestones_held=state.achieved.sum(axis=2).astype(np.float64),
    )


def choose(state: State, setting: Setting) -> Levers:
    """Each actor's levers (R, N) from the policy it follows."""
    if all(policy.is_constant() for policy in setting.policies):
        # Every policy's levers are fixed numbers: one gather per lever from a (policies, levers)
        # table, rather than a masked copy per policy and lever.
        table = np.array(
            [[float(policy.values[name]) for name in LEVERS] for policy in setting.policies]
        )
        return {name: table[state.policy_id, k] for k, name in enumerate(LEVERS)}
    shape = state.policy_id.shape
    levers: Levers = {name: np.empty(shape) for name in LEVERS}
    observation = None
    for index, policy in enumerate(setting.policies):
        chosen: Mapping[str, ArrayLike]
        if policy.is_constant():
            chosen = policy.values  # constant levers: nothing to observe, no (R, N) arrays to build
        else:
            observation = observation or observe(state, setting)
            chosen = policy.levers(observation)
        mask = state.policy_id == index
        for name in LEVERS:
            np.copyto(levers[name], chosen[name], where=mask)
    return levers


__all__ = ["choose", "initial", "observe", "step"]
