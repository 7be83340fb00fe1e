"""Bloc membership derived from blocs.csv."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from moondust.world import (
    ACTOR_IDS,
    actor_blocs,
    actor_of_state,
    aggregate_members,
    dual_members,
    load_world,
    members,
)
from moondust.world.blocs import bloc_entries


def flags(as_of: date | None = None) -> dict[str, tuple[bool, bool]]:
    artemis, ilrs = actor_blocs() if as_of is None else actor_blocs(as_of)
    return {a: (bool(x), bool(y)) for a, x, y in zip(ACTOR_IDS, artemis, ilrs, strict=True)}


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("USA", (True, False)),
        ("CHN", (False, True)),
        ("RUS", (False, True)),
        ("PAK", (False, True)),
        ("EUR", (True, False)),
        ("JPN", (True, False)),
        ("IND", (True, False)),
        ("KOR", (True, False)),
        ("ARE", (True, False)),
        ("ISR", (True, False)),
        ("BRA", (True, False)),
        ("CAN", (True, False)),
        ("AUS", (True, False)),
        ("SAU", (True, False)),
        ("TUR", (False, False)),
        ("ROW_ARTEMIS", (True, False)),
        ("ROW_ILRS", (False, True)),
        ("ROW_OTHER", (False, False)),
    ],
)
def test_membership_at_end_of_2025(actor: str, expected: tuple[bool, bool]) -> None:
    assert flags()[actor] == expected


def test_world_carries_the_same_flags() -> None:
    world = load_world()
    artemis, ilrs = actor_blocs()
    assert np.array_equal(world.artemis, artemis) and np.array_equal(world.ilrs, ilrs)


def test_membership_follows_accession_dates() -> None:
    assert flags(date(2023, 1, 1))["IND"] == (False, False)  # India signed 2023-06-21
    assert flags(date(2023, 6, 21))["IND"] == (True, False)
    assert flags(date(2023, 9, 13))["EUR"] == (False, False)  # Germany, last major, 2023-09-14
    assert flags(date(2023, 9, 14))["EUR"] == (True, False)
    assert flags(date(2023, 1, 1))["PAK"] == (False, False)  # ILRS from Oct 2023
    assert flags(date(2021, 3, 9))["CHN"] == (False, True)  # ILRS founded


def test_counts_and_special_rows() -> None:
    artemis = members("artemis")
    assert len(artemis) == 59  # 61 by Jan 2026, minus Portugal and Oman (2026)
    assert "Latvia" not in artemis  # announced only, not in NASA's count
    assert len(members("artemis", date(2026, 1, 26))) == 61
    ilrs = members("ilrs")
    assert len(ilrs) == 16 and {"Djibouti", "Ethiopia", "Bolivia"} <= set(ilrs)
    assert not {"APSCO (Asia-Pacific Space Cooperation Organization)"} & set(ilrs)
    assert sum(not e.is_state for e in bloc_entries()) == 2
    with pytest.raises(KeyError, match="unknown bloc"):
        members("nato")


def test_rest_of_world_aggregates_partition_the_bloc_states() -> None:
    groups = aggregate_members()
    assert dual_members() == ("Thailand", "Senegal")
    assert {"Thailand", "Senegal"} <= set(groups["ROW_ILRS"])  # ILRS joined first
    assert not set(groups["ROW_ARTEMIS"]) & set(groups["ROW_ILRS"])
    assert len(groups["ROW_ARTEMIS"]) == 22 and len(groups["ROW_ILRS"]) == 13
    assert groups["ROW_OTHER"] == ()
    for state in groups["ROW_ARTEMIS"]:
        assert actor_of_state(state) == "ROW_ARTEMIS"
    assert actor_of_state("Ukraine") == "ROW_ARTEMIS"  # European but neither EU nor ESA
    assert actor_of_state("Poland") == "EUR" and actor_of_state("Norway") == "EUR"
    assert actor_of_state("Iran") == "ROW_OTHER"
