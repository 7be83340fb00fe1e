"""M7 orbital commons: MOCAT-3 one-shell source-sink model, ASAT pulses, loss multiplier."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moondust.engine import debris
from moondust.engine.params import RunParameters, table_defaults
from moondust.parameters import load_specs


def params(runs: int = 1, **overrides: float) -> RunParameters:
    p = table_defaults("conflict", runs)
    for name, value in overrides.items():
        assert name in p, name
        p[name] = np.full((runs, 1), float(value))
    return p


def empty_state(runs: int = 1) -> debris.DebrisState:
    zeros = np.zeros(runs)
    return debris.DebrisState(
        active=zeros.copy(),
        derelict=zeros.copy(),
        debris=zeros.copy(),
        debris_2025=np.ones(runs),
        asat_fragments_total=zeros.copy(),
        background_per_yr=zeros.copy(),
    )


def run_years(
    state: debris.DebrisState,
    p: RunParameters,
    years: int,
    launch_scale: float = 1.0,
    pulse_in_first_year: float = 0.0,
) -> debris.DebrisState:
    runs = state.active.size
    for year in range(years):
        pulse = np.full(runs, pulse_in_first_year if year == 0 else 0.0)
        debris.advance(state, p, np.full(runs, launch_scale), pulse)
    return state


def test_initial_populations_are_the_esa_2025_counts() -> None:
    state = debris.start(params(3), 3)
    np.testing.assert_array_equal(state.active, 11_000.0)  # ESA SER 2025 headline
    np.testing.assert_array_equal(state.derelict, 13_672.0 - 11_000.0)  # payloads − active
    np.testing.assert_array_equal(state.debris, 54_000.0 - 13_672.0)  # ≥10 cm − payloads
    np.testing.assert_array_equal(state.debris_2025, state.debris)
    assert np.all(state.background_per_yr > 0)


def test_coefficients_follow_the_mocat3_formulas() -> None:
    p = params()
    c = debris.coefficients(p)
    r_earth = 6378.1
    volume = 4 / 3 * np.pi * ((r_earth + 2000) ** 3 - (r_earth + 200) ** 3)
    v = 10 * 365.25 * 24 * 3600  # km/yr
    assert c.phi_sn[0] == pytest.approx(np.pi * ((1.49 + 0.18) / 2000) ** 2 * v / volume)
    assert c.phi_dd[0] == pytest.approx(np.pi * (1.49 / 1000) ** 2 * v / volume)
    assert c.k_dd[0] == pytest.approx(0.1 * 0.1**-1.71 * 446**0.75)  # catastrophic, m1 + m2
    assert c.k_dn[0] == pytest.approx(0.1 * 0.1**-1.71 * (0.64 * 10**2) ** 0.75)  # damaging


@pytest.mark.parametrize("growth", [0.0, 1000.0])
def test_background_source_gives_the_2025_growth(growth: float) -> None:
    p = params(debris_growth_2025=growth)
    state = debris.start(p, 1)
    n0 = state.debris[0]
    debris.advance(state, p, np.ones(1), np.zeros(1))
    # one year: the calibrated net growth, up to the drift of S and D within the year
    assert state.debris[0] - n0 == pytest.approx(growth, abs=30.0)


def test_pure_decay_follows_the_residence_times() -> None:
    # No launches (launch_scale 0 also stops the background source) and no collisions (v = 0).
    lifetime, disposal, tau_d, tau_n = 5.0, 0.9, 20.0, 8.0
    p = params(
        impact_velocity_km_s=0.0,
        mission_lifetime_years=lifetime,
        disposal_success=disposal,
        derelict_residence_years=tau_d,
        debris_residence_years=tau_n,
    )
    state = debris.start(p, 1)
    s0, d0, n0 = state.active[0], state.derelict[0], state.debris[0]
    years = 30
    run_years(state, p, years, launch_scale=0.0)
    t = float(years)
    s_exact = s0 * np.exp(-t / lifetime)
    inflow = (1 - disposal) * s0 / lifetime
    d_exact = d0 * np.exp(-t / tau_d) + inflow * (np.exp(-t / lifetime) - np.exp(-t / tau_d)) / (
        1 / tau_d - 1 / lifetime
    )
    assert state.active[0] == pytest.approx(s_exact, rel=1e-9)
    assert state.debris[0] == pytest.approx(n0 * np.exp(-t / tau_n), rel=1e-9)
    assert state.derelict[0] == pytest.approx(d_exact, rel=2e-2)


@pytest.mark.parametrize(("residence", "lasting"), [(50.0, True), (5.0, False)])
def test_toy_check_asat_pulse_lasts_only_with_long_residence(
    residence: float, lasting: bool
) -> None:
    # A toy check of the MOCAT-3 equations (D'Ambrosio et al. 2022): one shell, MOCAT-3
    # coefficients, λ = 1000/yr from an empty shell, a 3,000-fragment pulse; N at 50 years with
    # and without it.
    p = params(
        launch_rate_2025=1000.0,
        debris_residence_years=residence,
        derelict_residence_years=residence,
    )
    without = run_years(empty_state(), p, 50)
    with_pulse = run_years(empty_state(), p, 50, pulse_in_first_year=3000.0)
    rise = with_pulse.debris[0] - without.debris[0]
    if lasting:
        assert rise > 3000.0 * np.exp(-50.0 / residence) * 0.99  # the pulse's survivors at least
        assert rise / without.debris[0] > 0.3
    else:
        assert rise < 1.0  # e^(−10) of 3,000 fragments, plus nothing from collisions
    np.testing.assert_array_equal(with_pulse.asat_fragments_total, 3000.0)


def test_asat_pulse_raises_debris_and_lowers_every_actors_loss_multiplier() -> None:
    p = params()
    calm, struck = debris.start(p, 1), debris.start(p, 1)
    debris.advance(calm, p, np.ones(1), np.zeros(1))
    debris.advance(struck, p, np.ones(1), np.full(1, 3037.0))
    assert struck.debris[0] > calm.debris[0] + 2900.0
    success = np.full((1, 5), 0.8)  # five actors' mission success probabilities
    assert np.all(
        success * debris.loss_multiplier(struck, p) < success * debris.loss_multiplier(calm, p)
    )
    for _ in range(20):  # the extra debris lingers (τ_N = 25 years)
        debris.advance(calm, p, np.ones(1), np.zeros(1))
        debris.advance(struck, p, np.ones(1), np.zeros(1))
    assert debris.loss_multiplier(struck, p)[0, 0] < debris.loss_multiplier(calm, p)[0, 0]


def test_loss_multiplier_is_one_at_2025_and_falls_with_debris() -> None:
    p = params(4)
    state = debris.start(p, 4)
    assert debris.loss_multiplier(state, p).shape == (4, 1)
    np.testing.assert_array_equal(debris.loss_multiplier(state, p), 1.0)
    state.debris = state.debris_2025 * np.array([0.5, 1.5, 3.0, 30.0])
    m = debris.loss_multiplier(state, p)[:, 0]
    assert m[0] == 1.0  # less debris than in 2025 is not a bonus
    assert 1.0 > m[1] > m[2] > m[3] > 0.0
    assert m[1] == pytest.approx(np.exp(-0.02 * 0.5))
    no_effect = params(4, debris_loss_sensitivity=0.0)  # the range includes no effect
    np.testing.assert_array_equal(debris.loss_multiplier(state, no_effect), 1.0)


def test_more_launches_mean_more_objects() -> None:
    p = params()
    low, high = debris.start(p, 1), debris.start(p, 1)
    run_years(low, p, 30, launch_scale=1.0)
    run_years(high, p, 30, launch_scale=3.0)
    assert high.active[0] > 2.5 * low.active[0]
    assert high.debris[0] > low.debris[0]


def test_run_k_is_the_same_alone_or_in_a_batch() -> None:
    runs = 5
    p = params(runs)
    p["debris_residence_years"] = np.linspace(5, 100, runs).reshape(runs, 1)
    p["shell_ceiling_km"] = np.linspace(900, 2000, runs).reshape(runs, 1)
    scale = np.linspace(0.0, 4.0, runs)
    pulses = np.array([0.0, 101.0, 3037.0, 0.0, 1500.0])
    batch = debris.start(p, runs)
    for _ in range(10):
        debris.advance(batch, p, scale, pulses)
    for k in range(runs):
        alone_p = {name: value[k : k + 1] for name, value in p.items()}
        alone = debris.start(alone_p, 1)
        for _ in range(10):
            debris.advance(alone, alone_p, scale[k : k + 1], pulses[k : k + 1])
        for field in ("active", "derelict", "debris", "asat_fragments_total"):
            assert getattr(alone, field)[0] == getattr(batch, field)[k]


SPECS = load_specs("conflict")


@st.composite
def parameter_draws(draw: st.DrawFn) -> RunParameters:
    p = table_defaults("conflict", 1)
    for name, spec in SPECS.items():
        p[name] = np.full((1, 1), draw(st.floats(spec.low, spec.high)))
    return p


@settings(max_examples=40, deadline=None)
@given(
    p=parameter_draws(),
    launch_scale=st.floats(0.0, 6.0),
    pulse=st.floats(0.0, 20_000.0),
    years=st.integers(1, 76),
)
def test_populations_stay_finite_and_non_negative(
    p: RunParameters, launch_scale: float, pulse: float, years: int
) -> None:
    state = debris.start(p, 1)
    for year in range(years):
        pulse_now = np.full(1, pulse if year % 10 == 0 else 0)
        debris.advance(state, p, np.full(1, launch_scale), pulse_now)
        for values in (state.active, state.derelict, state.debris):
            assert np.all(np.isfinite(values)) and np.all(values >= 0.0)
    m = debris.loss_multiplier(state, p)
    assert np.all((m > 0.0) & (m <= 1.0))


def test_a_runaway_stops_at_the_ceiling() -> None:
    # A corner of the parameter ranges Hypothesis found: the N² source term blew the debris up to
    # 1e78 objects in 73 years, then to NaN. The ceiling holds it at 1e8 objects instead.
    corner = {
        "launch_rate_2025": 3137.0,
        "mission_lifetime_years": 3.0,
        "disposal_success": 0.8125,
        "collision_avoidance_failure": 0.0625,
        "active_collision_fraction": 0.0625,
        "disabling_ratio": 1.0,
        "impact_velocity_km_s": 9.75,
        "satellite_mass_kg": 100.0,
        "satellite_diameter_m": 2.15625,
        "debris_mass_kg": 1.75,
        "debris_diameter_m": 0.15625,
        "shell_floor_km": 200.0,
        "shell_ceiling_km": 944.0,
        "derelict_residence_years": 54.0,
        "debris_residence_years": 26.0,
        "debris_growth_2025": 0.0,
        "debris_loss_sensitivity": SPECS["debris_loss_sensitivity"].high,
    }
    p = table_defaults("conflict", 1)
    for name, value in corner.items():
        assert SPECS[name].low <= value <= SPECS[name].high, name
        p[name] = np.full((1, 1), value)
    state = debris.start(p, 1)
    most = debris.RUNAWAY_CEILING
    for year in range(76):
        debris.advance(state, p, np.full(1, 5.625), np.full(1, 5565.0 if year % 10 == 0 else 0.0))
        for values in (state.active, state.derelict, state.debris):
            assert np.all(np.isfinite(values)) and np.all(values >= 0.0)
        assert np.all(state.debris <= most)
    np.testing.assert_array_equal(state.debris, most)  # it did run away
    m = debris.loss_multiplier(state, p)
    assert np.all((m > 0.0) & (m < 1e-40))


def test_docstring_examples_run() -> None:
    # moondust/engine has no __init__.py, so tests/docs does not collect its doctests.
    import doctest

    from moondust.engine import conflict

    for module in (debris, conflict):
        failures, attempted = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert attempted > 0 and failures == 0, module.__name__
