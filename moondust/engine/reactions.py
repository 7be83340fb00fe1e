"""Emulation versus rivalry: how actors react to others' milestones (DESIGN §3 M2).

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

from moondust.engine.params import RunParameters
from moondust.engine.state import FloatArray, Setting, State, pairwise_sum


def salience(setting: Setting, rivalry: FloatArray | None = None) -> tuple[FloatArray, FloatArray]:
    """(rivalry weights, emulation weights), each (N, N) or (R, N, N), zero diagonal."""
    rival = setting.rivalry if rivalry is None else rivalry
    partners = (setting.same_bloc & ~np.eye(setting.n_actors, dtype=bool)).astype(np.float64)
    return rival, np.maximum(rival, partners)


def step(
    state: State, setting: Setting, p: RunParameters, rivalry: FloatArray | None = None
) -> None:
    """Update surge, threat and learning from this year's milestones (they act next year)."""
    events = state.new_milestones.astype(np.float64)
    rival_weight, emulation_weight = salience(setting, rivalry)
    rival_signal = pairwise_sum(events, rival_weight)
    emulation_signal = pairwise_sum(events, emulation_weight)
    emulation = state.levers["emulation"]
    rivalry = state.levers["rivalry"]
    keep = 1.0 - p["reaction_decay"]
    state.civil_surge = np.minimum(
        keep * state.civil_surge
        + p["emulation_gain"] * emulation * emulation_signal
        + p["rivalry_race_gain"] * rivalry * rival_signal,
        p["civil_surge_max"],
    )
    state.threat = keep * state.threat + p["rivalry_gain"] * rivalry * rival_signal
    state.learning = (
        keep * state.learning + p["emulation_openness_gain"] * emulation * emulation_signal
    )
