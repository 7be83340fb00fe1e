"""M7 conflict: counterspace stocks, incidents between rivals, ASAT tests and their debris."""

from __future__ import annotations

import inspect
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from moondust.engine import conflict, debris
from moondust.engine.ladder import DOMAINS
from moondust.engine.params import RunParameters, table_defaults
from moondust.engine.state import Setting, State, initial_state
from moondust.parameters import STATUSES, markdown_table
from tests.engine.builders import two_actor_setting

DOCS = Path(__file__).resolve().parents[2] / "docs"


def params(runs: int = 1, **overrides: float) -> RunParameters:
    p = table_defaults("conflict", runs)
    for name, value in overrides.items():
        assert name in p, name
        p[name] = np.full((runs, 1), float(value))
    return p


def setting_of(military: list[float], rivalry: np.ndarray) -> Setting:
    """An n-actor variant of the two-actor test setting."""
    base = two_actor_setting()
    n, m = len(military), base.ladder.size
    return replace(
        base,
        actor_ids=tuple(f"A{i}" for i in range(n)),
        actor_names=tuple(f"Actor {i}" for i in range(n)),
        civil0_usd_bn=np.full(n, 10.0),
        military0_usd_bn=np.asarray(military, dtype=np.float64),
        gdp_growth=np.zeros(n),
        artemis=np.ones(n, dtype=bool),
        ilrs=np.zeros(n, dtype=bool),
        rivalry=np.asarray(rivalry, dtype=np.float64),
        sanction=np.zeros((n, n), dtype=bool),
        same_bloc=~np.eye(n, dtype=bool),
        achieved0=np.zeros((n, m), dtype=bool),
        achieved_year0=np.full((n, m), np.nan),
        capability0=np.full((n, len(DOMAINS)), 0.5),
        successes0=np.zeros(n),
        failures0=np.zeros(n),
        roadmap_year=np.full((n, m), np.nan),
        policy_of_actor=np.zeros(n, dtype=np.int64),
    )


# A and B are rivals; C is nobody's rival.
RIVALS_AB = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])


def start(
    setting: Setting,
    p: RunParameters,
    runs: int,
    asat_allowed: float | np.ndarray = 1.0,
    first_run: int = 0,
    seed: int = 7,
) -> State:
    run_index = np.arange(first_run, first_run + runs, dtype=np.int64)
    state = initial_state(setting, run_index, seed)
    allowed = np.broadcast_to(np.asarray(asat_allowed, dtype=np.float64), (runs, setting.n_actors))
    state.levers = {"asat_allowed": allowed.copy()}
    state.conflict = conflict.initial(setting, p, runs)
    state.year = 2026
    return state


def conflict_of(state: State) -> conflict.ConflictState:
    found = state.conflict
    assert isinstance(found, conflict.ConflictState)
    return found


def test_initial_stock_is_the_steady_state_of_2025_spending() -> None:
    setting = setting_of([2.0, 5.0, 1.0], RIVALS_AB)
    p = params(2, counterspace_depreciation=0.2)
    state = start(setting, p, 2)
    np.testing.assert_allclose(conflict_of(state).counterspace_usd_bn, [[10.0, 25.0, 5.0]] * 2)
    for year in range(2026, 2036):  # constant spending keeps it there
        state.year = year
        conflict.advance(state, setting, p, setting.rivalry, np.zeros((3, 3)))
    np.testing.assert_allclose(conflict_of(state).counterspace_usd_bn, [[10.0, 25.0, 5.0]] * 2)


def test_stock_follows_its_closed_form_under_constant_spending() -> None:
    setting = setting_of([2.0, 5.0, 1.0], RIVALS_AB)
    dep, spending, k0 = 0.15, 3.0, np.array([[0.0, 50.0, 20.0]])
    p = params(counterspace_depreciation=dep)
    state = start(setting, p, 1)
    conflict_of(state).counterspace_usd_bn = k0.copy()
    state.military_usd_bn = np.full((1, 3), spending)
    years = 25
    for t in range(years):
        state.year = 2026 + t
        conflict.advance(state, setting, p, setting.rivalry, np.zeros((3, 3)))
    steady = spending / dep
    expected = steady + (k0 - steady) * (1 - dep) ** years
    np.testing.assert_allclose(conflict_of(state).counterspace_usd_bn, expected, rtol=1e-12)


def test_hazard_rises_with_both_stocks_and_tension_and_is_zero_between_non_rivals() -> None:
    p = params()
    calm = np.zeros((3, 3))
    base = conflict.pair_hazard(np.array([[100.0, 100.0, 100.0]]), RIVALS_AB, calm, p)[0]
    more_a = conflict.pair_hazard(np.array([[200.0, 100.0, 100.0]]), RIVALS_AB, calm, p)[0]
    more_b = conflict.pair_hazard(np.array([[100.0, 200.0, 100.0]]), RIVALS_AB, calm, p)[0]
    tense = conflict.pair_hazard(np.array([[100.0, 100.0, 100.0]]), RIVALS_AB, calm + 1.0, p)[0]
    assert base[0, 1] > 0 and base[0, 1] == base[1, 0]
    assert more_a[0, 1] > base[0, 1] and more_b[0, 1] > base[0, 1]
    assert tense[0, 1] > base[0, 1]
    for h in (base, more_a, more_b, tense):
        assert h[0, 2] == h[2, 0] == h[1, 2] == h[2, 1] == 0.0
        np.testing.assert_array_equal(np.diag(h), 0.0)


def incident_count(stocks: list[float], tension: float, runs: int = 4000) -> np.ndarray:
    setting = setting_of([1.0, 1.0, 1.0], RIVALS_AB)
    p = params(runs)
    state = start(setting, p, runs)
    state.military_usd_bn = np.zeros((runs, 3))
    dep = p["counterspace_depreciation"]
    conflict_of(state).counterspace_usd_bn = np.tile(
        np.asarray(stocks) / (1 - dep[0, 0]), (runs, 1)
    )
    strain = np.full((3, 3), tension)
    conflict.advance(state, setting, p, setting.rivalry, strain)
    return np.asarray(conflict_of(state).incidents.sum(axis=0))


def test_incident_rate_rises_with_stocks_and_tension_and_spares_non_rivals() -> None:
    # hazard 0.076 · (K/K_ref) with K_ref = 100: about 0.15, 0.29 and 0.28 incidents per pair-year
    base = incident_count([200.0, 200.0, 200.0], tension=0.0)
    armed = incident_count([400.0, 400.0, 200.0], tension=0.0)
    tense = incident_count([200.0, 200.0, 200.0], tension=2.0)
    assert base[2] == armed[2] == tense[2] == 0  # C has no rival
    assert armed[:2].sum() > 1.5 * base[:2].sum() > 0
    assert tense[:2].sum() > 1.5 * base[:2].sum()
    assert incident_count([0.0, 0.0, 0.0], tension=2.0).sum() == 0


def test_attacker_is_drawn_in_proportion_to_stocks() -> None:
    runs = 20_000
    setting = setting_of([9.0, 1.0, 1.0], RIVALS_AB)
    p = params(runs, incident_hazard=5.0, interference_share=0.0)
    state = start(setting, p, runs)
    conflict.advance(state, setting, p, setting.rivalry, np.zeros((3, 3)))
    tests = conflict_of(state).asat_tests_total.sum(axis=0)
    assert tests[2] == 0
    assert tests[0] / tests[:2].sum() == pytest.approx(0.9, abs=0.01)


def test_no_asat_test_without_the_lever() -> None:
    runs = 500
    setting = setting_of([5.0, 5.0, 5.0], np.ones((3, 3)) - np.eye(3))
    p = params(runs, incident_hazard=5.0, interference_share=0.0)
    state = start(setting, p, runs, asat_allowed=0.0)
    fragments = conflict.advance(state, setting, p, setting.rivalry, np.zeros((3, 3)))
    np.testing.assert_array_equal(fragments, 0.0)
    np.testing.assert_array_equal(conflict_of(state).asat_tests_total, 0)
    # Only actor 1 may test: every test is its own.
    state = start(setting, p, runs, asat_allowed=np.array([0.0, 1.0, 0.0]))
    fragments = conflict.advance(state, setting, p, setting.rivalry, np.zeros((3, 3)))
    tests = conflict_of(state).asat_tests_total
    assert tests[:, 1].sum() > 0 and tests[:, [0, 2]].sum() == 0
    np.testing.assert_array_equal(fragments > 0, tests[:, 1] > 0)


def test_fragments_come_from_the_historical_range() -> None:
    assert conflict.asat_fragment_range() == (101.0, 3037.0)  # Mission Shakti, Fengyun-1C
    runs = 2000
    setting = setting_of([5.0, 5.0, 5.0], RIVALS_AB)  # one pair: at most one test a year
    p = params(runs, incident_hazard=5.0, interference_share=0.0)
    state = start(setting, p, runs)
    fragments = conflict.advance(state, setting, p, setting.rivalry, np.zeros((3, 3)))
    tested = fragments[fragments > 0]
    assert tested.size > 0.9 * runs
    assert tested.min() >= 101.0 and tested.max() <= 3037.0
    assert tested.min() < 150.0 and tested.max() > 2500.0


def test_interference_only_hits_rivals_of_the_attacker() -> None:
    runs = 2000
    setting = setting_of([5.0, 5.0, 5.0], RIVALS_AB)
    p = params(runs, incident_hazard=5.0, interference_share=1.0)
    state = start(setting, p, runs)
    fragments = conflict.advance(state, setting, p, setting.rivalry, np.zeros((3, 3)))
    hit = conflict_of(state).interference
    np.testing.assert_array_equal(fragments, 0.0)
    assert not hit[:, 2].any()  # C is nobody's rival
    assert hit[:, 0].any() and hit[:, 1].any()
    assert not (hit[:, 0] & hit[:, 1]).any()  # one incident per pair, one target
    np.testing.assert_array_equal(conflict_of(state).incidents, hit.astype(np.int64))
    # Next year's flags describe next year only.
    state.year += 1
    p0 = params(runs, incident_hazard=0.0)
    conflict.advance(state, setting, p0, setting.rivalry, np.zeros((3, 3)))
    assert not conflict_of(state).interference.any()
    np.testing.assert_array_equal(conflict_of(state).incidents_total, hit.astype(np.int64))


def test_a_destructive_asat_test_raises_debris_and_every_actors_loss_rate() -> None:
    setting = setting_of([5.0, 5.0, 5.0], RIVALS_AB)
    p = params(1, incident_hazard=50.0, interference_share=0.0)
    state = start(setting, p, 1)
    fragments = conflict.advance(state, setting, p, setting.rivalry, np.zeros((3, 3)))
    assert fragments[0] >= 101.0
    calm, struck = debris.start(p, 1), debris.start(p, 1)
    debris.advance(calm, p, np.ones(1), np.zeros(1))
    debris.advance(struck, p, np.ones(1), fragments)
    assert struck.debris[0] > calm.debris[0]
    success = np.full((1, setting.n_actors), 0.9)
    loss_calm = 1 - success * debris.loss_multiplier(calm, p)
    loss_struck = 1 - success * debris.loss_multiplier(struck, p)
    # The multiplier is 1 at or below the start level, which one year at solar maximum may leave
    # both runs under (tests/engine/test_debris.py checks the strict fall above it).
    assert np.all(loss_struck >= loss_calm)


def test_run_k_is_the_same_alone_or_in_a_batch() -> None:
    runs, n = 6, 3
    setting = setting_of([4.0, 3.0, 2.0], np.ones((n, n)) - np.eye(n))
    p = params(runs, incident_hazard=0.3, interference_share=0.4)
    p["tension_gain"] = np.linspace(0.0, 2.0, runs).reshape(runs, 1)
    rng = np.random.default_rng(3)
    rivalry = rng.uniform(0, 1, (runs, n, n)) * (1 - np.eye(n))
    rivalry[:, 0, 2] = rivalry[:, 2, 0] = 0.0
    tension = rng.uniform(0, 2, (runs, n, n))
    allowed = (rng.uniform(0, 1, (runs, n)) > 0.3).astype(np.float64)
    spending = rng.uniform(1, 5, (runs, n))

    def simulate(rows: slice) -> tuple[conflict.ConflictState, list[np.ndarray]]:
        sub = {name: value[rows] for name, value in p.items()}
        count = len(range(runs)[rows])
        state = start(setting, sub, count, allowed[rows], first_run=rows.start)
        state.military_usd_bn = spending[rows]
        out = []
        for year in range(2026, 2046):
            state.year = year
            out.append(conflict.advance(state, setting, sub, rivalry[rows], tension[rows]))
        return conflict_of(state), out

    batch, batch_fragments = simulate(slice(0, runs))
    assert batch.incidents_total.sum() > 0 and sum(f.sum() for f in batch_fragments) > 0
    for k in range(runs):
        alone, alone_fragments = simulate(slice(k, k + 1))
        for field in ("counterspace_usd_bn", "incidents_total", "asat_tests_total", "interference"):
            np.testing.assert_array_equal(getattr(alone, field)[0], getattr(batch, field)[k])
        for a, b in zip(alone_fragments, batch_fragments, strict=True):
            assert a[0] == b[k]


def test_default_hazard_reproduces_the_historical_asat_test_rate() -> None:
    # incident_hazard is derived: the 2025 world, every actor allowing tests, expects the 2007–2025
    # rate of destructive ASAT tests in asat_tests.csv (4 in 19 years).
    from moondust.world.world import load_world

    world = load_world()
    n = len(world.ids)
    p = params()
    stock = world.military_usd_bn[None, :] / p["counterspace_depreciation"]
    hazard = conflict.pair_hazard(stock, world.rivalry, np.zeros((n, n)), p)[0]
    first, second = conflict.rival_pairs(world.rivalry)
    expected = (1 - p["interference_share"][0, 0]) * (-np.expm1(-hazard[first, second])).sum()
    assert expected == pytest.approx(4 / 19, rel=0.02)


def test_parameter_table_is_typed_cited_and_documented() -> None:
    specs = conflict.ConflictParameters.specs()
    assert list(conflict.ConflictParameters.model_fields) == list(specs)
    defaults = conflict.ConflictParameters()
    for name, spec in specs.items():
        assert getattr(defaults, name) == spec.default
        assert spec.low <= spec.default <= spec.high, name
        assert spec.source.strip() and spec.unit.strip(), name
        assert spec.status in STATUSES
    # docs/model.md embeds the generated table.
    documents = [DOCS / "model.md"]
    text = "".join(d.read_text(encoding="utf-8") for d in documents if d.exists())
    assert markdown_table("conflict") in text


@pytest.mark.parametrize(
    "kernel",
    [conflict._draw_incidents, conflict._pair_hazards, conflict._run_pair_hazard, conflict._hazard],
    ids=lambda k: k.__name__,
)
def test_kernels_take_named_tuples_not_long_argument_lists(kernel: object) -> None:
    assert len(inspect.signature(kernel.py_func).parameters) <= 10  # type: ignore[attr-defined]


def test_kernel_tuples_are_documented_module_level_classes() -> None:
    tuples = (
        conflict.HazardInputs,
        conflict.HazardParameters,
        conflict.RivalPairs,
        conflict.IncidentRules,
        conflict.IncidentRecord,
    )
    for named in tuples:
        assert getattr(conflict, named.__name__) is named  # importable: Numba's cache needs it
        assert all(field in (named.__doc__ or "") for field in named._fields), named.__name__
