"""M3 heritage and the optional Fermi imitation; the engine across its parameter ranges."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moondust.engine import imitation, missions
from moondust.engine.params import EngineParameters
from moondust.engine.simulate import simulate
from moondust.engine.state import initial_state
from moondust.world.scenario import load_scenario
from tests.engine.builders import run_parameters, two_actor_setting


def _probability(
    successes: float, failures: float, partner_successes: float, tau: float, margin: float = 0.0
) -> float:
    setting = two_actor_setting()
    state = initial_state(setting, np.arange(1), seed=0)
    state.successes = np.array([[successes, partner_successes]])
    state.failures = np.array([[failures, 0.0]])
    state.levers = {"openness": np.ones((1, 2))}
    partners = np.array([[[False, True], [True, False]]])
    p = run_parameters(heritage_transfer=tau)
    chance = missions.success_probability(state, setting, p, partners, np.full((1, 2), margin))
    return float(chance[0, 0])


def test_first_attempt_succeeds_at_the_prior_mean() -> None:
    assert _probability(0, 0, 0, tau=0.5) == pytest.approx(0.22)


def test_heritage_updates_like_a_beta_posterior() -> None:
    # a0 = 0.22 * 4.5 = 0.99, n0 = 4.5: three successes and one failure → (0.99 + 3) / 8.5
    assert _probability(3, 1, 0, tau=0.0) == pytest.approx((0.99 + 3) / 8.5)


def test_partner_heritage_helps_only_when_transferred() -> None:
    alone = _probability(0, 0, partner_successes=5, tau=0.0)
    shared = _probability(0, 0, partner_successes=5, tau=1.0)
    assert alone == pytest.approx(0.22) and shared == pytest.approx((0.99 + 5) / 9.5)


def test_capability_margin_raises_success_towards_one() -> None:
    values = [_probability(0, 0, 0, 0.5, margin) for margin in (0.0, 0.5, 2.0, 20.0)]
    assert values == sorted(values) and values[-1] == pytest.approx(1.0, abs=1e-6)


def test_imitation_spreads_the_policy_of_the_more_successful() -> None:
    setting = two_actor_setting()
    state = initial_state(setting, np.arange(2000), seed=4)
    state.policy_id = np.tile(np.array([0, 1]), (2000, 1))
    state.achieved[:, 1, :5] = True  # actor B (policy 1) holds five milestones
    p = run_parameters(2000, selection_intensity=5.0, imitation_rate=1.0)
    imitation.step(state, setting, p)
    copied_by_a = (state.policy_id[:, 0] == 1).mean()
    copied_by_b = (state.policy_id[:, 1] == 0).mean()
    assert copied_by_a > 0.95 and copied_by_b < 0.05
    off = initial_state(setting, np.arange(10), seed=4)
    off.policy_id = np.tile(np.array([0, 1]), (10, 1))
    imitation.step(off, setting, run_parameters(10, selection_intensity=0.0))
    assert (off.policy_id == np.array([0, 1])).all()


def test_imitation_in_the_full_engine_is_reproducible_and_changes_outcomes() -> None:
    scenario = load_scenario("asymmetric")
    evolving = scenario.with_changes(parameters={"selection_intensity": 2.0, "imitation_rate": 0.3})
    a = simulate(evolving, runs=30, seed=9).dataset
    b = simulate(evolving, runs=30, seed=9).dataset
    assert a["milestone_year"].equals(b["milestone_year"])
    static = simulate(scenario, runs=30, seed=9).dataset
    assert not a["military_usd_bn"].equals(static["military_usd_bn"])


NAMES = [name for name, spec in EngineParameters.specs().items() if spec.low < spec.high]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_parameters_within_their_ranges_give_bounded_finite_results(
    data: st.DataObject,
) -> None:
    specs = EngineParameters.specs()
    chosen = {
        name: data.draw(st.floats(specs[name].low, specs[name].high), label=name)
        for name in data.draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=8, unique=True))
    }
    scenario = load_scenario("asymmetric").with_changes(
        parameters=chosen, simulation={"start": 2025, "end": 2060, "runs": 4, "seed": 1}
    )
    ds = simulate(scenario).dataset
    for name in (
        "civil_usd_bn",
        "military_usd_bn",
        "military_share",
        "lunar_rd_usd_bn",
        "capability",
    ):
        values = ds[name].values
        assert np.isfinite(values).all() and (values >= 0).all(), name
    summary = simulate(scenario).summary()
    assert summary.milestones["p_first"].between(0, 1).all()
