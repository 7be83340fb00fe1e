"""M1: Richardson stability, bounds, guns versus butter."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import ndtri

from moondust.engine import budget
from moondust.engine.random import Stream, uniform
from moondust.engine.state import State, initial_state
from tests.engine.builders import run_parameters, two_actor_setting

W = np.array([[0.0, 1.0], [1.0, 0.0]])


def without_grievance(state: State) -> State:
    """The state with zero grievance (the engine calibrates it to hold 2025's shares)."""
    state.budget = budget.BudgetState(grievance=np.zeros(state.military_share.shape))
    return state


def iterate(k: float, a: float, g: float, k_b: float, b: float, h: float, years: int = 2000):
    x = np.zeros((1, 2))
    reaction = np.array([[k, k_b]])
    restraint = np.array([[a, b]])
    grievance = np.array([[g, h]])
    for _ in range(years):
        x = budget.richardson_update(x, reaction, restraint, grievance, W, 1.0)
    return x[0]


@pytest.mark.parametrize(
    ("k", "a", "k_b", "b"), [(0.1, 0.3, 0.1, 0.3), (0.05, 0.2, 0.2, 0.25), (0.2, 0.5, 0.1, 0.3)]
)
def test_stable_when_ab_exceeds_kl(k: float, a: float, k_b: float, b: float) -> None:
    assert a * b > k * k_b
    g, h = 0.02, 0.01
    x = iterate(k, a, g, k_b, b, h)
    det = a * b - k * k_b
    np.testing.assert_allclose(x, [(b * g + h * k) / det, (a * h + g * k_b) / det], rtol=1e-9)


@pytest.mark.parametrize(("k", "a", "k_b", "b"), [(0.3, 0.1, 0.3, 0.1), (0.5, 0.2, 0.2, 0.3)])
def test_escalates_to_the_bound_when_kl_exceeds_ab(
    k: float, a: float, k_b: float, b: float
) -> None:
    assert k * k_b > a * b
    x = iterate(k, a, 0.01, k_b, b, 0.01)
    # The unbounded system diverges (no positive equilibrium exists); bounded, the race runs until
    # the bound binds: at least one actor sits on it and the other answers at its best response.
    assert x.max() == pytest.approx(1.0)
    if (k, a) == (k_b, b):
        np.testing.assert_allclose(x, [1.0, 1.0])
    else:
        y = min(1.0, (k_b * 1.0 + 0.01) / b) if x[0] == pytest.approx(1.0) else x[1]
        assert x[1] == pytest.approx(y)


@given(
    share=st.lists(st.floats(0, 1), min_size=2, max_size=2),
    k=st.floats(0, 2),
    a=st.floats(0, 2),
    g=st.floats(-0.5, 0.5),
    bound=st.floats(0.1, 1),
)
def test_shares_stay_within_bounds(
    share: list[float], k: float, a: float, g: float, bound: float
) -> None:
    x = budget.richardson_update(np.array([share]), k, a, g, W, bound)
    assert np.all((x >= 0) & (x <= bound))


def test_engine_path_escalates_or_settles_like_the_equations() -> None:
    setting = two_actor_setting()
    for reaction, restraint, escalates in ((0.3, 0.1, True), (0.05, 0.3, False)):
        p = run_parameters(budget_noise=0.0, military_share_max=0.8)
        state = without_grievance(initial_state(setting, np.arange(1), seed=1))
        state.budget = budget.BudgetState(grievance=np.full((1, 2), 0.01))
        state.levers = {
            "reaction": np.full((1, 2), reaction),
            "restraint": np.full((1, 2), restraint),
        }
        for year in range(2026, 2200):
            state.year = year
            budget.step(state, setting, p)
        if escalates:
            np.testing.assert_allclose(state.military_share, 0.8)
        else:
            expected = 0.01 / (restraint - reaction)
            np.testing.assert_allclose(state.military_share, expected, rtol=1e-6)


@pytest.mark.parametrize("crowd_out", [0.0, 0.5, 1.0])
def test_guns_versus_butter(crowd_out: float) -> None:
    # An arms race under crowd_out = 1 keeps civil + military at the envelope (guns vs butter);
    # under 0 the civil budget is untouched.
    setting = two_actor_setting()
    p = run_parameters(budget_noise=0.0, crowd_out=crowd_out)
    state = without_grievance(initial_state(setting, np.arange(1), seed=1))
    state.levers = {"reaction": np.full((1, 2), 0.3), "restraint": np.full((1, 2), 0.05)}
    state.year = 2026
    budget.step(state, setting, p)
    envelope = 11.0
    above = state.military_usd_bn - envelope / 11.0
    expected_civil = 10.0 - crowd_out * above
    np.testing.assert_allclose(state.civil_usd_bn, expected_civil)
    assert np.all(state.civil_usd_bn >= 0)
    if crowd_out == 1.0:
        np.testing.assert_allclose(state.civil_usd_bn + state.military_usd_bn, envelope)


def test_grievance_holds_2025_shares_steady() -> None:
    setting = two_actor_setting()
    grievance = budget.calibrate_grievance(setting, 0.1, 0.2)
    x0 = setting.military_share0[None, :]
    after = budget.richardson_update(x0, 0.1, 0.2, grievance, setting.rivalry, 1.0)
    np.testing.assert_allclose(after, x0)


def test_growth_converges_to_the_long_run_rate() -> None:
    p = run_parameters(long_run_growth=0.02, growth_convergence_years=25)
    projected = np.array([[0.06, 0.01]])
    assert np.allclose(budget.trend_growth(projected, 2028, p), projected)
    late = budget.trend_growth(projected, 2200, p)
    np.testing.assert_allclose(late, 0.02, atol=1e-4)


@given(
    crowd_out=st.floats(0.0, 1.0),
    surge=st.floats(0.0, 3.0),
    reaction=st.floats(0.0, 1.0),
    restraint=st.floats(0.0, 1.0),
    noise=st.floats(0.0, 0.5),
    threat=st.floats(0.0, 0.2),
)
def test_spending_is_the_envelope_split_by_guns_versus_butter(
    crowd_out: float, surge: float, reaction: float, restraint: float, noise: float, threat: float
) -> None:
    """Military = x·E; civil = max((1 − x₀)E(1 + s) − c(x − x₀)E, 0), both ≥ 0.

    So civil + military ≤ E(1 + s) + (1 − c)·max(x − x₀, 0)·E: arms spending above the 2025-share
    path comes out of the civil budget in proportion c (1: guns versus butter, 0: separate
    purses, where it is new money). A budget that conjures money or loses it breaks this.
    """
    setting = two_actor_setting()
    x0 = setting.military_share0
    p = run_parameters(3, budget_noise=noise, crowd_out=crowd_out)
    state = without_grievance(initial_state(setting, np.arange(3), seed=5))
    state.levers = {"reaction": np.full((3, 2), reaction), "restraint": np.full((3, 2), restraint)}
    state.threat = np.full((3, 2), threat)
    state.civil_surge = np.full((3, 2), surge)
    for year in range(2026, 2046):
        state.year = year
        budget.step(state, setting, p)
        envelope, share = state.envelope_usd_bn, state.military_share
        np.testing.assert_allclose(state.military_usd_bn, share * envelope, rtol=1e-12)
        civil = np.maximum(
            (1 - x0) * envelope * (1 + surge) - crowd_out * (share - x0) * envelope, 0
        )
        np.testing.assert_allclose(state.civil_usd_bn, civil, rtol=1e-12, atol=1e-12)
        spent = state.civil_usd_bn + state.military_usd_bn
        ceiling = envelope * (1 + surge) + (1 - crowd_out) * np.maximum(share - x0, 0) * envelope
        assert np.all(spent <= ceiling * (1 + 1e-12))
        assert np.all(state.civil_usd_bn >= 0) and np.all(state.military_usd_bn >= 0)


def test_threat_pulls_like_grievance() -> None:
    """The Richardson pull is grievance + threat: a felt threat raises the share as much as the
    same grievance would, and settles it at x* = (g + T) / (a − k)."""
    setting = two_actor_setting()
    p = run_parameters(budget_noise=0.0)
    shares = []
    for grievance, threat in ((0.01, 0.0), (0.0, 0.01), (0.004, 0.006)):
        state = without_grievance(initial_state(setting, np.arange(1), seed=1))
        state.levers = {"reaction": np.full((1, 2), 0.05), "restraint": np.full((1, 2), 0.3)}
        state.budget = budget.BudgetState(grievance=np.full((1, 2), grievance))
        state.threat = np.full((1, 2), threat)
        for year in range(2026, 2200):
            state.year = year
            budget.step(state, setting, p)
        shares.append(state.military_share)
    np.testing.assert_allclose(shares[0], 0.01 / (0.3 - 0.05), rtol=1e-6)
    np.testing.assert_allclose(shares[1], shares[0], rtol=1e-12)
    np.testing.assert_allclose(shares[2], shares[0], rtol=1e-12)


@pytest.mark.parametrize("drag", [0.0, 0.05, -0.02])
def test_growth_drag_of_a_share_above_the_envelope_weighted_mean(drag: float) -> None:
    """``g_Y,i = g_i − θ (x_i − x̄)`` with x̄ the envelope-weighted mean share: the actor that arms
    above it grows more slowly (θ > 0), the one below it faster, and equal shares feel no drag."""
    setting = two_actor_setting()
    p = run_parameters(budget_noise=0.0, growth_drag=drag)
    state = without_grievance(initial_state(setting, np.arange(1), seed=1))
    state.levers = {"reaction": np.zeros((1, 2)), "restraint": np.zeros((1, 2))}
    state.military_share = np.array([[0.3, 0.1]])
    state.envelope_usd_bn = np.array([[10.0, 30.0]])
    state.year = 2026
    budget.step(state, setting, p)
    mean = (0.3 * 10.0 + 0.1 * 30.0) / 40.0
    expected = 1.0 - drag * (np.array([0.3, 0.1]) - mean)
    np.testing.assert_allclose(state.gdp_index[0], expected, rtol=1e-14)
    np.testing.assert_allclose(state.envelope_usd_bn[0], 11.0 * expected, rtol=1e-14)


def test_budget_shocks_are_mean_one_lognormal() -> None:
    """The envelope's shock is ``exp(σ Z − σ²/2)``: mean one (noise neither adds nor removes money
    on average) and log-standard deviation σ, over many runs."""
    setting = two_actor_setting()
    sigma, runs = 0.5, 4000
    p = run_parameters(runs, budget_noise=sigma)
    state = without_grievance(initial_state(setting, np.arange(runs), seed=3))
    state.levers = {"reaction": np.zeros((runs, 2)), "restraint": np.zeros((runs, 2))}
    state.year = 2026
    budget.step(state, setting, p)
    shock = state.envelope_usd_bn / (11.0 * state.gdp_index)
    # Standard error of the mean: sqrt(exp(σ²) − 1) / sqrt(2 runs) ≈ 0.006.
    assert abs(shock.mean() - 1.0) < 0.02
    assert abs(np.log(shock).std() - sigma) < 0.02
    assert abs(np.log(shock).mean() + sigma**2 / 2) < 0.02


def test_budget_shock_is_the_keyed_uniform_draw() -> None:
    """Each actor's shock is ``exp(σ Φ⁻¹(u) − σ²/2)`` with ``u = uniform(seed, run, year,
    BUDGET_SHOCK, actor)``: the keyed draw that gives a run the same numbers in any batch."""
    setting = two_actor_setting()
    sigma, runs = 0.3, np.array([0, 5, 11])
    p = run_parameters(3, budget_noise=sigma)
    state = without_grievance(initial_state(setting, runs, seed=7))
    state.levers = {"reaction": np.zeros((3, 2)), "restraint": np.zeros((3, 2))}
    state.year = 2031
    budget.step(state, setting, p)
    u = uniform(7, runs[:, None], 2031, Stream.BUDGET_SHOCK, np.arange(2))
    shock = np.exp(sigma * ndtri(u) - sigma**2 / 2)
    np.testing.assert_allclose(state.envelope_usd_bn, 11.0 * state.gdp_index * shock, rtol=1e-12)


def test_engine_growth_is_the_trend_growth() -> None:
    """Without drag or noise the GDP index grows each year by :func:`budget.trend_growth`: the IMF
    projection fading into the long-run rate."""
    setting = replace(two_actor_setting(), gdp_growth=np.array([0.03, 0.01]))
    p = run_parameters(budget_noise=0.0, long_run_growth=0.02, growth_convergence_years=25)
    state = without_grievance(initial_state(setting, np.arange(1), seed=1))
    state.levers = {"reaction": np.zeros((1, 2)), "restraint": np.zeros((1, 2))}
    index = np.ones((1, 2))
    for year in range(2026, 2060):
        state.year = year
        budget.step(state, setting, p)
        index = index * (1 + budget.trend_growth(setting.gdp_growth[None, :], year, p))
        np.testing.assert_allclose(state.gdp_index, index, rtol=1e-12)


def test_full_crowd_out_at_the_share_bound_leaves_no_civil_budget() -> None:
    """An arms race to x = 1 under crowd_out = 1 takes the whole envelope: civil spending ends at
    zero, not at some floor above it."""
    setting = two_actor_setting()
    p = run_parameters(budget_noise=0.0, crowd_out=1.0, military_share_max=1.0)
    state = without_grievance(initial_state(setting, np.arange(1), seed=1))
    state.budget = budget.BudgetState(grievance=np.full((1, 2), 0.01))
    state.levers = {"reaction": np.full((1, 2), 0.3), "restraint": np.full((1, 2), 0.1)}
    for year in range(2026, 2100):
        state.year = year
        budget.step(state, setting, p)
    np.testing.assert_allclose(state.military_share, 1.0)
    np.testing.assert_allclose(state.military_usd_bn, state.envelope_usd_bn)
    np.testing.assert_allclose(state.civil_usd_bn, 0.0, atol=1e-9)
