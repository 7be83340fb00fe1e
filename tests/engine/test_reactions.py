"""M2 reactions: the module's equations against a hand computation, and their contracts.

signal_rival_i  = Σ_j w_ij n_j
signal_emul_i   = Σ_j max(w_ij, same_bloc_ij) n_j
surge_i    ← min((1 − d) surge_i + g_e e_i signal_emul_i + g_rc r_i signal_rival_i, s_max)
threat_i   ← (1 − d) threat_i + g_r r_i signal_rival_i
learning_i ← (1 − d) learning_i + g_o e_i signal_emul_i
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from moondust.engine import reactions
from moondust.engine.params import RunParameters
from moondust.engine.state import Setting, State, ThisYear, initial_state
from tests.engine.builders import run_parameters, two_actor_setting

GAINS = {
    "reaction_decay": 0.25,
    "emulation_gain": 0.03,
    "rivalry_race_gain": 0.05,
    "rivalry_gain": 0.007,
    "emulation_openness_gain": 0.11,
    "civil_surge_max": 10.0,
}


def three_actor_setting() -> Setting:
    """A and B partners (same bloc, no rivalry), C a rival of both with different weights."""
    base = two_actor_setting()
    n = 3
    rivalry = np.array([[0.0, 0.0, 0.8], [0.0, 0.0, 0.3], [0.8, 0.3, 0.0]])
    same_bloc = np.array([[False, True, False], [True, False, False], [False, False, False]])
    ladder = base.ladder
    return replace(
        base,
        actor_ids=("A", "B", "C"),
        actor_names=("Alpha", "Beta", "Gamma"),
        civil0_usd_bn=np.full(n, 10.0),
        military0_usd_bn=np.ones(n),
        gdp_growth=np.zeros(n),
        artemis=np.array([True, True, False]),
        ilrs=np.array([False, False, True]),
        rivalry=rivalry,
        sanction=np.zeros((n, n), dtype=bool),
        same_bloc=same_bloc,
        achieved0=np.zeros((n, ladder.size), dtype=bool),
        achieved_year0=np.full((n, ladder.size), np.nan),
        capability0=np.full((n, base.capability0.shape[1]), 0.5),
        successes0=np.zeros(n),
        failures0=np.zeros(n),
        roadmap_year=np.full((n, ladder.size), np.nan),
        policy_of_actor=np.zeros(n, dtype=np.int64),
    )


def reacting_state(setting: Setting, runs: int, emulation: float, rivalry: float) -> State:
    state = initial_state(setting, np.arange(runs), seed=1)
    shape = (runs, setting.n_actors)
    state.levers = {"emulation": np.full(shape, emulation), "rivalry": np.full(shape, rivalry)}
    state.now = ThisYear(rivalry=setting.rivalry)
    return state


def by_hand(
    setting: Setting, state: State, p: RunParameters, new: np.ndarray
) -> tuple[np.ndarray, ...]:
    """The module's equations, written out with NumPy (run 0)."""
    w = setting.rivalry
    emul_weight = np.maximum(w, setting.same_bloc.astype(float))
    np.fill_diagonal(emul_weight, 0.0)
    rival_signal = w @ new
    emul_signal = emul_weight @ new
    e, r = state.levers["emulation"][0], state.levers["rivalry"][0]
    keep = 1.0 - p["reaction_decay"][0, 0]
    surge = np.minimum(
        keep * state.civil_surge[0]
        + p["emulation_gain"][0, 0] * e * emul_signal
        + p["rivalry_race_gain"][0, 0] * r * rival_signal,
        p["civil_surge_max"][0, 0],
    )
    threat = keep * state.threat[0] + p["rivalry_gain"][0, 0] * r * rival_signal
    learning = keep * state.learning[0] + p["emulation_openness_gain"][0, 0] * e * emul_signal
    return surge, threat, learning


@pytest.mark.parametrize(("emulation", "rivalry"), [(1.0, 0.0), (0.0, 1.0), (0.7, 0.4)])
def test_reactions_follow_the_equations(emulation: float, rivalry: float) -> None:
    setting = three_actor_setting()
    p = run_parameters(**GAINS)
    state = reacting_state(setting, 1, emulation, rivalry)
    state.civil_surge[:] = [[0.2, 0.0, 0.1]]
    state.threat[:] = [[0.0, 0.05, 0.3]]
    state.learning[:] = [[0.4, 0.1, 0.0]]
    new = np.array([2.0, 0.0, 1.0])  # A achieves two milestones, C one, B none
    state.new_milestones = new.astype(np.int64)[None, :]
    expected = by_hand(setting, state, p, new)
    reactions.step(state, setting, p)
    for got, want in zip((state.civil_surge, state.threat, state.learning), expected, strict=True):
        np.testing.assert_allclose(got[0], want, rtol=1e-12, atol=1e-15)


def test_partners_inspire_but_do_not_threaten() -> None:
    # B's milestone: A is its partner (no rivalry), C its rival (weight 0.3).
    setting = three_actor_setting()
    p = run_parameters(**GAINS)
    state = reacting_state(setting, 1, emulation=1.0, rivalry=1.0)
    state.new_milestones = np.array([[0, 1, 0]])
    reactions.step(state, setting, p)
    assert state.threat[0, 0] == 0.0 and state.learning[0, 0] == pytest.approx(0.11)
    assert state.threat[0, 2] == pytest.approx(0.007 * 0.3)
    assert state.civil_surge[0, 1] == 0.0  # nobody reacts to its own milestone


def test_the_surge_is_capped_and_everything_decays() -> None:
    setting = three_actor_setting()
    p = run_parameters(**{**GAINS, "civil_surge_max": 0.05})
    state = reacting_state(setting, 1, emulation=1.0, rivalry=1.0)
    state.new_milestones = np.array([[5, 5, 5]])
    reactions.step(state, setting, p)
    assert np.all(state.civil_surge <= 0.05) and state.civil_surge.max() == 0.05
    before = (state.civil_surge.copy(), state.threat.copy(), state.learning.copy())
    state.new_milestones = np.zeros((1, 3), dtype=np.int64)
    reactions.step(state, setting, p)  # a quiet year: each decays by the same factor 1 − d
    for got, was in zip((state.civil_surge, state.threat, state.learning), before, strict=True):
        np.testing.assert_allclose(got, 0.75 * was, rtol=1e-12)


def test_no_reaction_without_levers_or_milestones() -> None:
    setting = three_actor_setting()
    p = run_parameters(**GAINS)
    state = reacting_state(setting, 2, emulation=0.0, rivalry=0.0)
    state.new_milestones = np.array([[1, 2, 3], [0, 0, 0]])
    reactions.step(state, setting, p)
    for values in (state.civil_surge, state.threat, state.learning):
        assert not values.any()


def test_crew_relieved_rivalry_of_each_run_is_used() -> None:
    # state.now.rivalry may differ by run (R, N, N): run 1 has its rivalries halved.
    setting = three_actor_setting()
    p = run_parameters(2, **GAINS)
    state = reacting_state(setting, 2, emulation=0.0, rivalry=1.0)
    state.now.rivalry = np.stack([setting.rivalry, 0.5 * setting.rivalry])
    state.new_milestones = np.array([[1, 0, 0], [1, 0, 0]])
    reactions.step(state, setting, p)
    assert state.threat[1, 2] == pytest.approx(0.5 * state.threat[0, 2]) and state.threat[0, 2] > 0
