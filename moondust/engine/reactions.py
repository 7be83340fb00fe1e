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

import numpy as np

from moondust.engine.jit import kernel
from moondust.engine.params import RunParameters
from moondust.engine.state import Setting, State


def initial(setting: Setting, p: RunParameters, runs: int) -> None:
    """No state of its own (the mechanism protocol, :mod:`moondust.engine.mechanism`)."""
    return None


def step(state: State, setting: Setting, p: RunParameters) -> None:
    """Update surge, threat and learning from this year's milestones (they act next year).

    Reads this year's rivalry weights ``state.now.rivalry``, (N, N) or (R, N, N).
    """
    runs, n = state.new_milestones.shape
    rival = state.now.rivalry
    if rival.ndim == 2:
        rival = np.broadcast_to(rival, (runs, n, n))
    _react(
        state.new_milestones,
        rival,
        setting.same_bloc,
        state.levers["emulation"],
        state.levers["rivalry"],
        p["reaction_decay"][:, 0],
        p["emulation_gain"][:, 0],
        p["rivalry_race_gain"][:, 0],
        p["rivalry_gain"][:, 0],
        p["emulation_openness_gain"][:, 0],
        p["civil_surge_max"][:, 0],
        state.civil_surge,
        state.threat,
        state.learning,
    )


@kernel
def _react(  # type: ignore[no-untyped-def]
    new_milestones,
    rivalry,
    same_bloc,
    emulation,
    rivalry_lever,
    decay,
    emulation_gain,
    race_gain,
    threat_gain,
    openness_gain,
    surge_max,
    civil_surge,
    threat,
    learning,
):
    """The module's equations in place on ``civil_surge``, ``threat`` and ``learning`` (R, N)."""
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
                weight = rivalry[r, i, j]
                rival_signal[i] += weight * events
                partner = 1.0 if same_bloc[i, j] else 0.0
                emulation_signal[i] += max(weight, partner) * events
        # Per-run values read once (the compiler cannot tell the arrays written below from them).
        keep = 1.0 - decay[r]
        surge_gain = emulation_gain[r]
        race = race_gain[r]
        threat_rise = threat_gain[r]
        learning_rise = openness_gain[r]
        cap = surge_max[r]
        for i in range(n):
            emulation_push = emulation[r, i] * emulation_signal[i]
            rival_push = rivalry_lever[r, i] * rival_signal[i]
            civil_surge[r, i] = min(
                keep * civil_surge[r, i] + surge_gain * emulation_push + race * rival_push, cap
            )
            threat[r, i] = keep * threat[r, i] + threat_rise * rival_push
            learning[r, i] = keep * learning[r, i] + learning_rise * emulation_push
