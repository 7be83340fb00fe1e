"""Named per-run outcomes and the safe expression language."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import moondust
from moondust.errors import MoondustError
from moondust.experiments.outcomes import OUTCOMES, Expression, OutcomeRegistry
from moondust.world.scenario import Scenario


@pytest.fixture(scope="module")
def runs(tiny: Scenario) -> xr.Dataset:
    return moondust.simulate(tiny.with_changes(levers={}), runs=30, seed=4).dataset


def test_first_to_a_milestone_matches_the_milestone_years(runs: xr.Dataset) -> None:
    table = OUTCOMES.compute(
        runs,
        [
            "first_year_crewed_landing",
            "first_bloc_crewed_landing",
            "first_actor_crewed_landing",
            "year_USA_crewed_landing",
            "year_ilrs_crewed_landing",
        ],
    )
    years = runs["milestone_year"].sel(milestone="crewed_landing")
    blocs = dict(zip(runs["actor"].values, runs["bloc"].values, strict=True))
    assert list(table.index) == list(runs["run"].values)
    for run in runs["run"].values:
        row, by_actor = table.loc[run], years.sel(run=run).to_series().dropna()
        if by_actor.empty:
            assert np.isnan(row["first_year_crewed_landing"])
            assert row["first_bloc_crewed_landing"] == row["first_actor_crewed_landing"] == "none"
            continue
        first = by_actor.min()
        leaders = list(by_actor[by_actor == first].index)
        assert row["first_year_crewed_landing"] == first
        assert row["first_actor_crewed_landing"] == (leaders[0] if len(leaders) == 1 else "tie")
        kinds = {blocs[a] for a in leaders}
        assert row["first_bloc_crewed_landing"] == (kinds.pop() if len(kinds) == 1 else "tie")
        usa = years.sel(run=run, actor="USA").item()
        assert row["year_USA_crewed_landing"] == usa or (np.isnan(usa) and np.isnan(row.iloc[3]))
        ilrs = by_actor[[a for a in by_actor.index if blocs[a] == "ilrs"]]
        expected = ilrs.min() if len(ilrs) else np.nan
        assert row["year_ilrs_crewed_landing"] == expected or np.isnan(expected)


def test_cumulative_spending_and_the_engines_own_metrics(runs: xr.Dataset) -> None:
    table = OUTCOMES.compute(
        runs, ["cum_military_usd_bn", "cum_civil_usd_bn_artemis", "end_milestones_held_USA"]
    )
    later = runs.isel(year=slice(1, None)).astype(np.float64)  # outcomes sum in float64
    np.testing.assert_allclose(
        table["cum_military_usd_bn"], later["military_usd_bn"].sum(["actor", "year"]).values
    )
    artemis = later["civil_usd_bn"].where(runs["bloc"] == "artemis").sum(["actor", "year"])
    np.testing.assert_allclose(table["cum_civil_usd_bn_artemis"], artemis.values)
    held = runs["milestones_held"].sel(actor="USA").isel(year=-1).values
    np.testing.assert_array_equal(table["end_milestones_held_USA"], held)
    engine = moondust.Results(runs).run_outcomes()
    for column in engine.columns:  # every engine metric is an outcome, with the same values
        values = OUTCOMES.compute(runs, [column])[column]
        if pd.api.types.is_numeric_dtype(engine[column]):
            np.testing.assert_array_equal(values.to_numpy(), engine[column].to_numpy(float))
        else:
            assert values.tolist() == engine[column].astype(str).tolist()


def test_stored_outcomes_are_a_useful_subset(runs: xr.Dataset) -> None:
    stored = OUTCOMES.stored_names(runs)
    every = OUTCOMES.for_dataset(runs)
    assert set(stored) < set(every)
    assert {"first_bloc_he3_delivered", "year_ilrs_he3_delivered", "cum_military_usd_bn"} <= set(
        stored
    )
    assert "year_USA_he3_delivered" not in stored and "year_USA_he3_delivered" in every


def test_custom_outcomes_and_unknown_names() -> None:
    registry = OutcomeRegistry()
    registry.register(
        "usa_military_2030",
        lambda ds: ds["military_usd_bn"].sel(actor="USA", year=2030).values,
        "US military space budget in 2030",
    )
    ds = moondust.simulate(moondust.load_scenario("baseline"), runs=2, seed=1).dataset
    table = registry.compute(ds, ["usa_military_2030", "first_year_he3_delivered"])
    np.testing.assert_array_equal(
        table["usa_military_2030"], ds["military_usd_bn"].sel(actor="USA", year=2030).values
    )
    with pytest.raises(MoondustError, match="did you mean first_year_he3_delivered"):
        registry.compute(ds, ["first_yaer_he3_delivered"])
    with pytest.raises(MoondustError, match="identifier"):
        registry.register("bad name", lambda ds: ds["run"].values)


TABLE = pd.DataFrame(
    {
        "first_bloc_he3_delivered": ["ilrs", "artemis", "tie", "ilrs", "none"],
        "first_year_he3_delivered": [2041.0, 2038.0, 2050.0, np.nan, np.nan],
        "input_crowd_out": [0.1, 0.5, 0.9, 0.2, 0.7],
        "lever_USA_preset": ["cutthroat", "emulation", "cutthroat", "cutthroat", "emulation"],
    }
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("first_bloc_he3_delivered == 'ilrs'", [True, False, False, True, False]),
        ("first_bloc_he3_delivered in ['ilrs', 'tie']", [True, False, True, True, False]),
        ("first_bloc_he3_delivered not in ('ilrs',)", [False, True, True, False, True]),
        ("first_year_he3_delivered < 2045", [True, True, False, False, False]),
        ("2040 <= first_year_he3_delivered < 2045", [True, False, False, False, False]),
        ("isna(first_year_he3_delivered) or input_crowd_out > 0.8", [0, 0, 1, 1, 1]),
        (
            "(lever_USA_preset == 'cutthroat') & ~(input_crowd_out * 2 > 1)",
            [True, False, False, True, False],
        ),
        ("not first_bloc_he3_delivered == 'artemis'", [True, False, True, True, True]),
        ("abs(input_crowd_out - 0.5) <= 0.2 and notna(first_year_he3_delivered)", [0, 1, 0, 0, 0]),
    ],
)
def test_expressions_evaluate_elementwise(text: str, expected: list) -> None:
    assert Expression(text).evaluate(TABLE).tolist() == [bool(x) for x in expected]


def test_a_bare_name_is_an_expression_too() -> None:
    expression = Expression("input_crowd_out")
    assert expression.is_name and expression.names == ["input_crowd_out"]
    assert expression.evaluate(TABLE).tolist() == TABLE["input_crowd_out"].tolist()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__import__('os').system('true')", "function calls other than"),
        ("first_bloc_he3_delivered.upper() == 'ILRS'", "function calls other than"),
        ("TABLE.first_bloc_he3_delivered", "Attribute is not allowed"),
        ("input_crowd_out[0] > 1", "Subscript is not allowed"),
        ("[x for x in input_crowd_out]", "ListComp is not allowed"),
        ("lambda: 1", "Lambda is not allowed"),
        ("input_crowd_out ** 2 > 1", "only"),
        ("first_bloc_he3_delivered == ", "not a valid expression"),
        ("1 < 2", "names no outcome"),
        ("first_bloc_he3_delivered in input_crowd_out", "'in' needs a list of constants"),
    ],
)
def test_anything_else_is_refused_before_evaluation(text: str, message: str) -> None:
    with pytest.raises(MoondustError, match=message):
        Expression(text)


def test_evaluation_errors_name_the_problem() -> None:
    with pytest.raises(MoondustError, match="did you mean first_bloc_he3_delivered"):
        Expression("frist_bloc_he3_delivered == 'ilrs'").evaluate(TABLE)
    with pytest.raises(MoondustError, match="and/or/not need comparisons"):
        Expression("input_crowd_out and first_year_he3_delivered > 1").evaluate(TABLE)


def test_the_race_outcome_has_one_name_and_a_deprecated_alias() -> None:
    """``first_bloc_he3_delivered`` is the race outcome; the engine metric's old name still
    works, with a DeprecationWarning, for one release."""
    from moondust.experiments.outcomes import DEPRECATED_NAMES

    assert DEPRECATED_NAMES == {"first_he3_delivered_bloc": "first_bloc_he3_delivered"}
    table = TABLE.assign(first_he3_delivered_bloc=TABLE["first_bloc_he3_delivered"])
    with pytest.deprecated_call(match="use 'first_bloc_he3_delivered'"):
        old = Expression("first_he3_delivered_bloc == 'ilrs'")
    new = Expression("first_bloc_he3_delivered == 'ilrs'")  # no warning: they are errors here
    assert old.evaluate(table).tolist() == new.evaluate(table).tolist()


def test_outcome_families_group_names_in_listing_order() -> None:
    from moondust.experiments.outcomes import FAMILY_PATTERNS, Outcome, outcome_families

    found = {
        o.name: o
        for o in (
            Outcome("cum_civil_usd_bn", "", "number", None, "cum"),
            Outcome("cum_military_usd_bn", "", "number", None, "cum"),
            Outcome("first_bloc_landing", "", "category", None, "first_bloc"),
            Outcome("first_year_landing", "", "number", None, "first_year"),
        )
    }
    families = outcome_families(found)
    assert [f.family for f in families] == ["first_year", "first_bloc", "cum"]
    cum = families[-1]
    assert (cum.pattern, cum.kinds, cum.size) == (FAMILY_PATTERNS["cum"], "number", 2)
    assert cum.example == "cum_military_usd_bn"  # military spending is the preferred example
    assert families[0].example == "first_year_landing"  # else the first member
