"""Optional policy evolution: Fermi imitation of more successful actors (Traulsen et al. 2006).

Each year, with probability μ (``imitation_rate``), an actor compares itself with one other actor
drawn at random and adopts that actor's policy with probability

    1 / (1 + exp(−β_sel (π_model − π_self))),

with π the number of milestones held plus the mean capability level. Imitation is
strategy-neutral: it spreads whatever pays, defection included. With β_sel = 0 (the default) nothing
changes.
"""

from __future__ import annotations

import numpy as np

from moondust.engine.params import RunParameters
from moondust.engine.random import Stream, uniform
from moondust.engine.state import FloatArray, Setting, State


def payoff(state: State) -> FloatArray:
    """π: milestones held plus mean capability, (R, N)."""
    return np.asarray(state.achieved.sum(axis=2) + state.capability.mean(axis=2), dtype=np.float64)


def initial(setting: Setting, p: RunParameters, runs: int) -> None:
    """No state of its own (the mechanism protocol, :mod:`moondust.engine.mechanism`)."""
    return None


def step(state: State, setting: Setting, p: RunParameters) -> None:
    """Let some actors copy the policy of a more successful one."""
    if not np.any(p["selection_intensity"] > 0) or not np.any(p["imitation_rate"] > 0):
        return
    n = setting.n_actors
    actors = np.arange(n)[None, :]
    revise = (
        uniform(state.seed, state.run_index, state.year, Stream.IMITATION_SWITCH, actors, 0)
        < p["imitation_rate"]
    )
    pick = uniform(state.seed, state.run_index, state.year, Stream.IMITATION_MODEL, actors)
    model = np.minimum((pick * (n - 1)).astype(np.int64), n - 2)
    model = model + (model >= actors)  # anyone but oneself
    pi = payoff(state)
    rows = np.arange(state.runs)[:, None]
    advantage = pi[rows, model] - pi
    with np.errstate(over="ignore"):  # exp(large) = inf gives a chance of exactly 0, as it should
        adopt_chance = 1.0 / (1.0 + np.exp(-p["selection_intensity"] * advantage))
    adopt = revise & (
        uniform(state.seed, state.run_index, state.year, Stream.IMITATION_SWITCH, actors, 1)
        < adopt_chance
    )
    adopted = np.where(adopt, state.policy_id[rows, model], state.policy_id)
    # A new array only when someone's policy changed: the levers are kept while ``policy_id`` is
    # the array they were computed for (:mod:`moondust.engine.levers`), and most years nobody
    # switches (or switches to the policy it already follows).
    if not np.array_equal(adopted, state.policy_id):
        state.policy_id = adopted
