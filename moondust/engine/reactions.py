"""Emulation versus rivalry: how actors react to others' milestones (docs/model.md, M2).

When others achieve milestones, an actor with emulation e is inspired: its civil budget surges and
its absorptive learning rises (it studies how it was done). An actor with rivalry r feels
threatened: its military share rises (Richardson's T_i) and it races, surging its civil budget to
be first. Emulation responds to rivals' and partners' milestones, rivalry to rivals' only.
Surges, threat and learning decay by ``reaction_decay`` a year; the surge is capped.

    signal_rival_i  = Σ_j w_ij n_j                 (n_j: milestones j achieved this year)
    signal_emul_i   = Σ_j max(w_ij, same_bloc_ij) n_j
    surge_i    ← min((1 − d) surge_i + g_e e_i signal_emul_i + g_rc r_i signal_rival_i, s_max)
    threat_i   ← (1 − d) threat_i + g_r r_i signal_rival_i
    learning_i ← (1 − d) learning_i + g_o e_i signal_emul_i
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from moondust.engine.jit import kernel
from moondust.engine.params import RunParameters, columns
from moondust.engine.state import BoolArray, FloatArray, IntArray, Setting, State


def initial(setting: Setting, p: RunParameters, runs: int) -> None:
    """No state of its own (the mechanism protocol, :mod:`moondust.engine.mechanism`)."""
    return None


class ReactionSignals(NamedTuple):
    """What actors react to this year."""

    new_milestones: IntArray
    """(R, N) milestones n_j each actor achieved this year."""
    rivalry: FloatArray
    """(R, N, N) this year's rivalry weights w_ij."""
    same_bloc: BoolArray
    """(N, N) whether i and j are partners."""
    emulation: FloatArray
    """(R, N) lever e_i."""
    rivalry_lever: FloatArray
    """(R, N) lever r_i (lever ``rivalry``)."""


class ReactionParameters(NamedTuple):
    """The per-run parameters of the reactions, each (R,) float64, named as in the parameter
    table."""

    reaction_decay: FloatArray
    """d."""
    emulation_gain: FloatArray
    """g_e."""
    rivalry_race_gain: FloatArray
    """g_rc."""
    rivalry_gain: FloatArray
    """g_r."""
    emulation_openness_gain: FloatArray
    """g_o."""
    civil_surge_max: FloatArray
    """s_max."""

    @classmethod
    def of(cls, p: RunParameters, runs: int) -> ReactionParameters:
        """The columns of ``p`` (each (R, 1)) as (R,) arrays, built once per block."""
        return columns(cls, p, runs)


class Reactions(NamedTuple):
    """The reactions' state on the core state, each (R, N), updated in place."""

    civil_surge: FloatArray
    threat: FloatArray
    learning: FloatArray


def step(state: State, setting: Setting, p: RunParameters) -> None:
    """Update surge, threat and learning from this year's milestones (they act next year).

    Reads this year's rivalry weights ``state.now.rivalry``, (N, N) or (R, N, N).
    """
    runs, n = state.new_milestones.shape
    rival = state.now.rivalry
    if rival.ndim == 2:
        rival = np.broadcast_to(rival, (runs, n, n))
    _react(
        ReactionSignals(
            new_milestones=state.new_milestones,
            rivalry=rival,
            same_bloc=setting.same_bloc,
            emulation=state.levers["emulation"],
            rivalry_lever=state.levers["rivalry"],
        ),
        ReactionParameters.of(p, runs),
        Reactions(civil_surge=state.civil_surge, threat=state.threat, learning=state.learning),
    )


@kernel
def _react(signals, p, out):  # type: ignore[no-untyped-def]
    """The module's equations in place on ``out`` (:class:`Reactions`) from ``signals``
    (:class:`ReactionSignals`) and ``p`` (:class:`ReactionParameters`)."""
    new_milestones = signals.new_milestones
    runs, n = new_milestones.shape
    rival_signal = np.empty(n)
    emulation_signal = np.empty(n)
    for r in range(runs):
        rival_signal[:] = 0.0
        emulation_signal[:] = 0.0
        # Most years few actors reach a milestone: add up their columns alone (the others add
        # zeros), each actor's sums still in the order of j.
        for j in range(n):
            if new_milestones[r, j] == 0:
                continue
            events = float(new_milestones[r, j])
            for i in range(n):
                if i == j:
                    continue
                weight = signals.rivalry[r, i, j]
                rival_signal[i] += weight * events
                partner = 1.0 if signals.same_bloc[i, j] else 0.0
                emulation_signal[i] += max(weight, partner) * events
        # Per-run values read once (the compiler cannot tell the arrays written below from them).
        keep = 1.0 - p.reaction_decay[r]
        surge_gain = p.emulation_gain[r]
        race = p.rivalry_race_gain[r]
        threat_rise = p.rivalry_gain[r]
        learning_rise = p.emulation_openness_gain[r]
        cap = p.civil_surge_max[r]
        civil_surge = out.civil_surge
        threat = out.threat
        learning = out.learning
        for i in range(n):
            emulation_push = signals.emulation[r, i] * emulation_signal[i]
            rival_push = signals.rivalry_lever[r, i] * rival_signal[i]
            civil_surge[r, i] = min(
                keep * civil_surge[r, i] + surge_gain * emulation_push + race * rival_push, cap
            )
            threat[r, i] = keep * threat[r, i] + threat_rise * rival_push
            learning[r, i] = keep * learning[r, i] + learning_rise * emulation_push
