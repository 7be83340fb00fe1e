"""Fuzzing scenario validation: every input gets a clear error or a scenario inside its bounds.

Hypothesis generates scenario dicts (as read from TOML) and scenario file texts, valid but extreme
as well as invalid: wrong types, NaN and infinity, huge integers, deep nesting, unknown names,
out-of-range numbers, empty and unicode strings. Each must either raise one
:class:`~moondust.errors.InputFileError` with a short one-line message, or validate to a scenario
whose every number is finite and inside its documented validity bounds (docs/reliability).

The strategies and settings are in :mod:`tests.fuzzing` (derandomized under ``CI=true``).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from moondust.engine.params import EngineParameters
from moondust.engine.simulate import simulate
from moondust.errors import InputFileError, MoondustError
from moondust.limits import (
    DESCRIPTION_MAX_CHARS,
    MAX_RUNS,
    MAX_SEED,
    MESSAGE_MAX_CHARS,
    NAME_MAX_CHARS,
    TOML_MAX_DEPTH,
    parse_toml,
)
from moondust.world.ids import BASE_YEAR
from moondust.world.policies import SWITCHES, policy_setting_bounds
from moondust.world.scenario import Distribution, Scenario, parse_scenario
from tests.fuzzing import (
    PARAMETERS,
    distribution,
    fuzz_settings,
    mutated_scenario_dict,
    scenario_dict,
    valid_scenario_dict,
)

TALLY: Counter[str] = Counter()
"""Outcomes of this module's cases: printed at the end (``pytest -s``) for docs/reliability."""


@pytest.fixture(scope="module", autouse=True)
def _report_tally() -> Iterator[None]:
    yield
    print(f"\nscenario fuzz: {dict(sorted(TALLY.items()))}")


# --- what an accepted scenario promises ---------------------------------------------------------


def assert_within_bounds(scenario: Scenario) -> None:
    """Every number of an accepted scenario is finite and inside its documented bounds."""
    simulation = scenario.simulation
    assert simulation.start == BASE_YEAR < simulation.end <= 2300
    assert 1 <= simulation.runs <= MAX_RUNS and 0 <= simulation.seed <= MAX_SEED
    assert 1 <= len(scenario.name) <= NAME_MAX_CHARS and "/" not in scenario.name
    assert len(scenario.description) <= DESCRIPTION_MAX_CHARS
    policies = scenario.policies
    for choice in [policies.default, *policies.blocs.values(), *policies.actors.values()]:
        for lever, value in choice.lever_overrides.items():
            low, high = policy_setting_bounds(lever)
            assert math.isfinite(value) and low <= value <= high, (lever, value)
            assert lever not in SWITCHES or value in (0, 1)
        choice.build()  # what `run` does
    for change in scenario.actors.values():
        for value in change.model_dump().values():
            assert value is None or (math.isfinite(value) and value >= -10)
    relations = scenario.relations
    for a, b in [*relations.add_sanctions, *relations.remove_sanctions]:
        assert a != b
    added = {frozenset(pair) for pair in relations.add_sanctions}
    assert not added & {frozenset(pair) for pair in relations.remove_sanctions}
    pairs = [frozenset((entry.a, entry.b)) for entry in relations.rivalry]
    assert len(set(pairs)) == len(pairs)
    for entry in relations.rivalry:
        assert entry.a != entry.b and 0 <= entry.intensity <= 1
    assert "mining_sites" not in scenario.uncertainties  # sets the site table: fixed per batch
    parameters = scenario.engine_parameters
    for name in PARAMETERS:
        assert EngineParameters.validity(name).contains(getattr(parameters, name)), name
    u = np.concatenate([[0.0, 1e-300, 1e-12], np.linspace(0, 1, 41), [1 - 1e-12, 1.0]])
    drawn = {name: [getattr(parameters, name)] for name in PARAMETERS}
    for name, dist in scenario.uncertainties.items():
        values = dist.ppf(u, parameter=name)
        bounds = EngineParameters.validity(name)
        assert np.isfinite(values).all(), (name, dist)
        assert ((values >= bounds.low) & (values <= bounds.high)).all(), (name, dist, values)
        drawn[name] = list(values)
    assert max(drawn["shell_floor_km"]) < min(drawn["shell_ceiling_km"])
    for axes in scenario.levers.values():
        for lever, values in axes.items():
            for value in values:
                if lever != "preset":
                    low, high = policy_setting_bounds(lever)
                    assert isinstance(value, float) and low <= value <= high


def assert_clean_error(exc: InputFileError, source: str) -> None:
    message = str(exc)
    assert message.startswith(source)
    assert "\n" not in message and len(message) <= MESSAGE_MAX_CHARS
    assert "Traceback" not in message


def check(data: dict[str, Any]) -> Scenario | None:
    """Validate ``data``; a scenario inside its bounds, or None after a clean error."""
    try:
        scenario = parse_scenario(data, source="fuzz.toml")
    except InputFileError as exc:
        assert_clean_error(exc, "fuzz.toml")
        TALLY["clean error"] += 1
        return None
    assert_within_bounds(scenario)
    TALLY["accepted, within bounds"] += 1
    return scenario


# --- the fuzz tests -----------------------------------------------------------------------------


@fuzz_settings(300)
@given(scenario_dict())
def test_scenario_dicts_are_refused_cleanly_or_within_bounds(data: dict[str, Any]) -> None:
    check(data)


@fuzz_settings(400)
@given(mutated_scenario_dict())
def test_one_wrong_field_is_refused_cleanly_or_within_bounds(data: dict[str, Any]) -> None:
    """A valid scenario with one field made extreme or wrong: that field's check decides."""
    check(data)


TOML_VALUES = st.one_of(
    st.sampled_from(
        [
            "nan",
            "+inf",
            "-inf",
            "1e999",
            "-0.0",
            "0x7fffffffffffffff",
            "9223372036854775808",
            "9" * 4301,
            "9" * 4000,
            '"ünïcødé 月"',
            '""',
            "true",
            "1979-05-27T07:32:00Z",
            "{}",
            "[]",
            '{ preset = "cutthroat", openness = nan }',
            '{ dist = "normal", mean = 0.1, sd = 1e308 }',
        ]
    ),
    st.integers(1, 600).map(lambda depth: "[" * depth + "1" + "]" * depth),
    st.integers(1, 600).map(lambda depth: "{a = " * depth + "1" + "}" * depth),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
)
TOML_KEYS = st.sampled_from(
    ["name", "description", "end", "runs", "seed", "openness", "civil_usd_bn", "lunar_share"]
)
TOML_SECTIONS = st.sampled_from(
    [
        "",
        "[simulation]",
        "[parameters]",
        "[policies]",
        "[policies.actors.USA]",
        "[actors.CHN]",
        "[relations]",
        "[uncertainties]",
        "[levers.ilrs]",
        "[" + "a." * 40 + "b]",
        "[[simulation]]",
    ]
)


@st.composite
def toml_text(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        lines.append(draw(TOML_SECTIONS))
        for _ in range(draw(st.integers(0, 3))):
            lines.append(f"{draw(TOML_KEYS)} = {draw(TOML_VALUES)}")
    return "\n".join(lines) + "\n"


@fuzz_settings(300)
@given(toml_text())
def test_scenario_files_are_refused_cleanly_or_within_bounds(text: str) -> None:
    try:
        data = parse_toml(text, source="fuzz.toml")
    except InputFileError as exc:
        assert_clean_error(exc, "fuzz.toml")
        TALLY["clean error"] += 1
        return
    check(data)


def test_nesting_past_the_recursion_limit_is_a_clean_error() -> None:
    for text in ("x = " + "[" * 100_000, "x = " + "[" * 1000 + "]" * 1000, "[" + "a." * 500 + "b]"):
        with pytest.raises(InputFileError, match="nest"):
            parse_toml(text, source="deep.toml")
    assert TOML_MAX_DEPTH >= 4  # a scenario needs levers.TARGET.LEVER = [values]


@fuzz_settings(200)
@given(
    st.sampled_from(PARAMETERS).flatmap(lambda name: st.tuples(st.just(name), distribution(name)))
)
def test_accepted_distributions_draw_inside_the_validity_bounds(item: tuple[str, Any]) -> None:
    """Bounded distributions must fit the bounds; a normal is truncated to them, without piling
    probability on a bound (what clipping would do)."""
    name, dist = item
    scenario = check({"uncertainties": {name: dist}})
    if scenario is None:
        return
    chosen = scenario.uncertainties[name]
    u = np.linspace(0.001, 0.999, 999)
    values = chosen.ppf(u, parameter=name)
    bounds = EngineParameters.validity(name)
    assert np.isfinite(values).all()
    assert ((values >= bounds.low) & (values <= bounds.high)).all()
    assert np.all(np.diff(values) >= 0)  # a quantile function
    if chosen.dist == "normal" and np.ptp(values) > 0:
        at_bound = np.isin(values, [bounds.low, bounds.high]).mean()
        assert at_bound < 0.01, (name, chosen, at_bound)


@fuzz_settings(100)
@given(valid_scenario_dict())
def test_valid_extreme_scenarios_are_accepted_within_bounds(data: dict[str, Any]) -> None:
    assert check(data) is not None


@fuzz_settings(25)
@given(valid_scenario_dict())
def test_valid_extreme_scenarios_run_to_finite_results(data: dict[str, Any]) -> None:
    """What validation accepts, the engine runs (two runs over a short span) to finite values;
    the engine's own check (moondust.limits.check_outputs) would refuse anything else."""
    scenario = check(data)
    assert scenario is not None
    try:
        results = simulate(scenario, runs=2, threads=1)
    except MoondustError as exc:  # extremes that overflow together: the engine's clear refusal
        assert str(exc).startswith("the model overflowed")
        TALLY["ran, refused (overflow)"] += 1
        return
    for name, variable in results.dataset.data_vars.items():
        values = variable.values
        if values.dtype.kind == "f" and name != "milestone_year":
            assert np.isfinite(values).all(), name
    spending = results.dataset[["civil_usd_bn", "military_usd_bn", "counterspace_usd_bn"]]
    assert all(float(spending[k].min()) >= 0 for k in spending.data_vars)
    TALLY["ran, finite"] += 1


def test_the_engine_refuses_non_finite_results(monkeypatch: pytest.MonkeyPatch) -> None:
    """The safety net behind validation: an overflow anywhere is a clear error, never output."""
    import moondust.engine.simulate as simulate_module
    from moondust.results import Results

    engine_results = simulate_module.assemble_results

    def overflowing(*args: Any, **kwargs: Any) -> Results:
        results = engine_results(*args, **kwargs)
        results.dataset["debris"][0, -1] = np.inf
        return results

    scenario = parse_scenario({"simulation": {"end": BASE_YEAR + 2}})
    with pytest.raises(MoondustError, match="validity bounds"):  # per-run inputs are checked too
        simulate(scenario, runs=2, inputs={"idea_productivity": [0.2, 1e300]})
    monkeypatch.setattr(simulate_module, "assemble_results", overflowing)
    with pytest.raises(MoondustError, match="overflowed: debris"):
        simulate(scenario, runs=2)


def test_long_lists_in_errors_show_the_first_items() -> None:
    with pytest.raises(InputFileError, match=r"'A4', … and 95 more\]") as info:
        parse_scenario({"actors": {f"A{i}": {} for i in range(100)}}, source="many.toml")
    assert len(str(info.value)) < 300


def test_a_normal_far_wider_than_its_bounds_draws_evenly_between_them() -> None:
    """Found by the fuzz test above: truncated to [0, 100], a normal with sd 1.4e16 is flat there;
    scipy's truncnorm gave a staircase with 2 % of draws on a bound."""
    wide = Distribution(dist="normal", mean=0.0, sd=1.3820586964294062e16)
    values = wide.ppf(np.linspace(0.001, 0.999, 999), parameter="debris_loss_sensitivity")
    np.testing.assert_allclose(values, np.linspace(0.1, 99.9, 999), rtol=1e-9)
