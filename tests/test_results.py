"""The analysis :class:`moondust.results.Summary` offers its readers (the CLI formats it)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from moondust.results import Summary


@pytest.fixture
def summary() -> Summary:
    """Two actors, three milestones: ``orbit`` held by both from the start, ``landing`` won by
    ``usa`` (median 2030) ahead of ``china`` (2032), ``base`` never reached."""
    nan = float("nan")
    milestones = pd.DataFrame(
        {
            "actor": ["usa", "usa", "usa", "china", "china", "china"],
            "bloc": ["artemis"] * 3 + ["ilrs"] * 3,
            "milestone": ["orbit", "landing", "base"] * 2,
            "p_achieved": [1.0, 0.9, 0.0, 1.0, 0.6, 0.0],
            "median_year": [1969.0, 2030.0, nan, 2007.0, 2032.0, nan],
            "p5_year": [1969.0, 2028.0, nan, 2007.0, 2030.0, nan],
            "p95_year": [1969.0, 2034.0, nan, 2007.0, 2036.0, nan],
            "p_first": [1.0, 0.7, 0.0, 0.0, 0.3, 0.0],
        }
    )
    blocs = pd.DataFrame(
        {
            "bloc": [b for b in ("artemis", "ilrs", "both", "neither") for _ in range(3)],
            "milestone": ["orbit", "landing", "base"] * 4,
            "p_first": [1.0, 0.7, 0.0, 0.0, 0.3, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        }
    )
    spending = pd.DataFrame(
        {
            "actor": ["usa", "china", "esa"],
            "bloc": ["artemis", "ilrs", "artemis"],
            "civil_cum_median": [100.0, 50.0, 10.0],
            "military_cum_median": [300.0, 200.0, 1.0],
        }
    )
    outcomes = pd.DataFrame({"metric": [], "median": [], "p5": [], "p95": [], "mean": []})
    return Summary(milestones, blocs, spending, outcomes, 5, 2025, 2050, "test")


def test_race_milestones_leave_out_those_held_at_the_start(summary: Summary) -> None:
    assert summary.race_milestones() == ["landing", "base"]


def test_first_by_bloc_is_a_milestone_by_bloc_table(summary: Summary) -> None:
    table = summary.first_by_bloc()
    assert table.at["landing", "artemis"] == 0.7
    assert table.at["landing", "ilrs"] == 0.3
    assert sorted(table.columns) == ["artemis", "both", "ilrs", "neither"]


def test_leading_actors_are_ordered_and_positive(summary: Summary) -> None:
    assert summary.leading_actors(["landing", "base"]) == ["usa", "china"]
    assert summary.leading_actors(["landing"], limit=1) == ["usa"]
    assert summary.leading_actors(["base"]) == []


def test_earliest_median_year_over_actors_that_reach_it(summary: Summary) -> None:
    assert summary.earliest_median_year("landing") == 2030.0
    assert math.isnan(summary.earliest_median_year("base"))


def test_spending_by_bloc_and_in_total(summary: Summary) -> None:
    by_bloc = summary.spending_by_bloc()
    assert by_bloc.loc["artemis", "civil_cum_median"] == 110.0
    assert by_bloc.loc["ilrs", "military_cum_median"] == 200.0
    assert summary.total_spending() == {"civil": 160.0, "military": 501.0}
