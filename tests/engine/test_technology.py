"""M2: spillovers, the d'Aspremont–Jacquemin sign change, idea production and catch-up."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from moondust.engine import targets, technology
from moondust.engine.state import initial_state
from tests.engine.builders import run_parameters, two_actor_setting

# d'Aspremont & Jacquemin 1988: x^N and x^C for a=100, A=60, b=1, γ=10 (computed independently
# from their closed forms and rounded to 2 decimals).
AJ_TABLE = {
    0.0: (1.86, 0.91),
    0.25: (1.64, 1.15),
    0.5: (1.40, 1.40),
    0.75: (1.17, 1.67),
    1.0: (0.93, 1.95),
}


@pytest.mark.parametrize(("beta", "efforts"), AJ_TABLE.items())
def test_aj_ratio_matches_the_published_illustration(
    beta: float, efforts: tuple[float, float]
) -> None:
    x_n, x_c = efforts
    assert technology.aj_effort_ratio(beta, 45.0) == pytest.approx(x_c / x_n, rel=0.02)


@given(beta=st.floats(0, 1), convexity=st.floats(4.5, 200))
def test_aj_sign_change_at_one_half(beta: float, convexity: float) -> None:
    ratio = float(technology.aj_effort_ratio(beta, convexity))
    if beta > 0.5 + 1e-9:
        assert ratio > 1
    elif beta < 0.5 - 1e-9:
        assert ratio < 1
    else:
        assert ratio == pytest.approx(1.0)


def _rd_after_one_year(beta_max: float, coordinate: float) -> float:
    setting = two_actor_setting(same_bloc=True)
    p = run_parameters(spillover_max=beta_max)
    state = initial_state(setting, np.arange(1), seed=0)
    state.levers = {"openness": np.ones((1, 2)), "coordinate": np.full((1, 2), coordinate)}
    targets = np.full((1, 2, 4), -1)
    technology.fund_and_grow(state, setting, p, targets)
    return float(state.lunar_rd_usd_bn[0, 0])


@pytest.mark.parametrize("beta", [0.1, 0.3, 0.45, 0.55, 0.7, 0.9])
def test_coordinating_raises_rd_only_above_one_half(beta: float) -> None:
    # Two actors in one bloc, fully open, so their spillover is β_max.
    alone = _rd_after_one_year(beta, coordinate=0.0)
    together = _rd_after_one_year(beta, coordinate=1.0)
    assert (together > alone) == (beta > 0.5)


def test_spillovers_respect_sanctions_blocs_and_openness() -> None:
    p = run_parameters(spillover_max=0.8, cross_bloc_discount=0.5)
    open_ = np.ones((1, 2))
    same = technology.spillovers(open_, two_actor_setting(same_bloc=True), p)
    cross = technology.spillovers(open_, two_actor_setting(same_bloc=False), p)
    sanctioned = technology.spillovers(open_, two_actor_setting(sanction=True), p)
    half_open = technology.spillovers(np.array([[1.0, 0.5]]), two_actor_setting(), p)
    assert same[0, 0, 1] == pytest.approx(0.8) and cross[0, 0, 1] == pytest.approx(0.4)
    assert sanctioned[0, 0, 1] == 0.0 and same[0, 0, 0] == 0.0
    assert half_open[0, 0, 1] == pytest.approx(0.4) == half_open[0, 1, 0]


def test_capability_grows_faster_with_partners_research() -> None:
    def grown(openness: float) -> float:
        setting = two_actor_setting()
        state = initial_state(setting, np.arange(1), seed=0)
        state.levers = {"openness": np.full((1, 2), openness), "coordinate": np.zeros((1, 2))}
        technology.fund_and_grow(state, setting, run_parameters(), np.full((1, 2, 4), -1))
        return float(state.capability[0, 0].sum())

    assert grown(1.0) > grown(0.0)


def test_budget_is_split_exactly_between_rd_and_missions() -> None:
    setting = two_actor_setting()
    p = run_parameters()
    state = initial_state(setting, np.arange(3), seed=0)
    state.levers = {"openness": np.full((3, 2), 0.7), "coordinate": np.ones((3, 2))}
    technology.fund_and_grow(state, setting, p, np.full((3, 2, 4), -1))
    programme = p["lunar_share"] * state.civil_usd_bn
    np.testing.assert_allclose(state.lunar_rd_usd_bn + state.mission_fund_usd_bn, programme)
    assert np.all(state.lunar_rd_usd_bn <= programme)


def _parameter_names(kernel: object) -> list[str]:
    return list(inspect.signature(kernel.py_func).parameters)  # type: ignore[attr-defined]


def test_unpacked_kernels_take_their_tuples_fields_in_order() -> None:
    # The kernels called with named tuples unpacked (Numba types separate arrays faster): a field
    # added, removed or reordered in a tuple must show here, not as a silently swapped argument.
    assert _parameter_names(targets._choose_targets) == [
        "achieved",
        *targets.LadderTables._fields,
        "year",
        "fusion_off",
        "targets",
    ]
