"""A malformed packaged table raises InputFileError naming the file and the field."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from moondust.errors import InputFileError, MoondustError
from moondust.world import actor_records, load_world
from moondust.world.blocs import bloc_entries
from moondust.world.history import achievements, heritage
from moondust.world.relations import relation_records
from moondust.world.roadmaps import plans

Corrupt = Callable[[str, str, Callable[[str], str]], None]


def replace_once(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return edit


def test_non_numeric_budget(corrupt_table: Corrupt) -> None:
    corrupt_table("world", "actors.csv", replace_once("24.875,24.438", "lots,24.438"))
    with pytest.raises(InputFileError, match=r"actors\.csv: row 2, field 'civil_usd_bn'.*number"):
        load_world()


def test_unknown_status(corrupt_table: Corrupt) -> None:
    corrupt_table("world", "actors.csv", replace_once(",sourced,52.125", ",guessed,52.125"))
    with pytest.raises(InputFileError, match=r"field 'civil_status': expected one of sourced"):
        actor_records()


def test_value_outside_its_range(corrupt_table: Corrupt) -> None:
    corrupt_table("world", "actors.csv", replace_once("24.875,24.438,25.7", "24.875,24.9,25.7"))
    with pytest.raises(InputFileError, match=r"civil_low <= civil_usd_bn <= civil_high"):
        actor_records()


def test_missing_column_and_missing_actor(corrupt_table: Corrupt) -> None:
    corrupt_table("world", "actors.csv", replace_once("gdp_growth_pct,", "growth,"))
    with pytest.raises(InputFileError, match=r"missing column\(s\) gdp_growth_pct"):
        actor_records()

    def drop_last_row(text: str) -> str:
        return "\n".join(text.rstrip("\n").split("\n")[:-1]) + "\n"

    corrupt_table("world", "actors.csv", drop_last_row)
    with pytest.raises(InputFileError, match=r"missing actor.*ROW_OTHER"):
        actor_records()


def test_history_with_unknown_milestone(corrupt_table: Corrupt) -> None:
    corrupt_table("world", "history.csv", replace_once("CHN,far_side_sample_return", "CHN,mars"))
    with pytest.raises(InputFileError, match=r"history\.csv: row \d+, field 'milestone'"):
        achievements()


def test_heritage_that_does_not_add_up(corrupt_table: Corrupt) -> None:
    corrupt_table("world", "heritage.csv", replace_once("CHN,4,4,0,0", "CHN,4,3,0,0"))
    with pytest.raises(InputFileError, match="must equal landing_attempts"):
        heritage()


def test_bad_accession_date(corrupt_table: Corrupt) -> None:
    corrupt_table("world", "blocs.csv", replace_once("2020-10-13", "13/10/2020"))
    with pytest.raises(InputFileError, match=r"blocs\.csv: row 2, field 'joined'"):
        bloc_entries()


def test_relation_errors(corrupt_table: Corrupt) -> None:
    corrupt_table(
        "world", "relations.csv", replace_once("USA,CHN,rivalry,0.8", "USA,USA,rivalry,0.8")
    )
    with pytest.raises(InputFileError, match="two different actors"):
        relation_records()
    corrupt_table(
        "world", "relations.csv", replace_once("USA,CHN,rivalry,0.8", "USA,CHN,rivalry,1.8")
    )
    with pytest.raises(InputFileError, match=r"field 'intensity': expected a number in \[0, 1\]"):
        relation_records()


def test_roadmap_late_year_before_planned(corrupt_table: Corrupt) -> None:
    corrupt_table(
        "world",
        "roadmaps.csv",
        replace_once("crewed_landing,2027,2028", "crewed_landing,2027,2026"),
    )
    with pytest.raises(InputFileError, match="planned_year_late"):
        plans()


def test_input_file_error_is_a_user_error(corrupt_table: Corrupt) -> None:
    corrupt_table("world", "actors.csv", lambda text: "")
    with pytest.raises(MoondustError, match=r"actors\.csv"):
        load_world()


def test_good_tables_load_again_after_the_fixture() -> None:
    assert load_world().civil_usd_bn[0] == pytest.approx(24.875)
