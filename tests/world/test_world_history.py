"""History to 2025, landing heritage and announced plans."""

from __future__ import annotations

import numpy as np
import pytest

from moondust.world import (
    ACTOR_IDS,
    MILESTONES,
    World,
    achievements,
    count_landings,
    first_attempt_tally,
    heritage,
    plans,
)
from moondust.world.history import landing_attempts
from moondust.world.ids import PROVENANCE


def first(world: World, actor: str, milestone: str) -> float:
    return float(world.first_year[world.index(actor), world.milestone_index(milestone)])


def test_known_firsts(world: World) -> None:
    assert first(world, "CHN", "far_side_sample_return") == 2024  # Chang'e 6
    assert first(world, "CHN", "far_side_landing") == 2019  # Chang'e 4
    assert first(world, "CHN", "sample_return") == 2020  # Chang'e 5
    assert first(world, "USA", "crewed_landing") == 1969  # Apollo 11
    assert first(world, "IND", "soft_landing") == 2023  # Chandrayaan-3
    assert first(world, "JPN", "soft_landing") == 2024  # SLIM
    assert first(world, "RUS", "sample_return") == 1970  # Luna 16 (USSR)
    assert first(world, "KOR", "orbiter") == 2022  # Danuri


def test_only_the_usa_has_landed_crews(world: World) -> None:
    crewed = world.achieved[:, world.milestone_index("crewed_landing")]
    assert [a for a, flag in zip(ACTOR_IDS, crewed, strict=True) if flag] == ["USA"]
    flyby = world.achieved[:, world.milestone_index("crewed_flyby")]
    assert [a for a, flag in zip(ACTOR_IDS, flyby, strict=True) if flag] == ["USA"]


def test_far_side_and_he3_milestones(world: World) -> None:
    far = world.achieved[:, world.milestone_index("far_side_landing")]
    assert [a for a, flag in zip(ACTOR_IDS, far, strict=True) if flag] == ["CHN"]
    beyond = world.achieved[:, world.milestone_index("surface_outpost") :]
    assert not beyond.any()  # nobody has an outpost, He-3 or fusion milestone in 2025


def test_achieved_and_first_year_agree(world: World) -> None:
    assert (world.achieved == ~np.isnan(world.first_year)).all()
    years = world.first_year[world.achieved]
    assert years.min() >= 1957 and years.max() <= 2025
    assert not world.achieved[world.is_aggregate].any()
    for actor in ("ARE", "ISR", "BRA", "CAN", "AUS", "SAU", "TUR"):
        assert not world.achieved[world.index(actor)].any(), actor


def test_soft_landers_first_orbited(world: World) -> None:
    k_orbit, k_land = world.milestone_index("orbiter"), world.milestone_index("soft_landing")
    orbiter, landed = world.achieved[:, k_orbit], world.achieved[:, k_land]
    assert (orbiter | ~landed).all()
    assert (world.first_year[landed, k_orbit] <= world.first_year[landed, k_land]).all()
    orbiting = [a for a, flag in zip(ACTOR_IDS, orbiter, strict=True) if flag]
    assert orbiting == ["USA", "CHN", "RUS", "EUR", "JPN", "IND", "KOR", "PAK"]
    # PAK's orbiter (the ICUBE-Q cubesat carried by Chang'e 6) is unconfirmed and says so
    icube = next(a for a in achievements() if a.actor == "PAK")
    assert icube.status == "unconfirmed"


def test_history_rows_cite_sources() -> None:
    for item in achievements():
        assert item.status in PROVENANCE and item.source and item.mission
        if item.year < 2007:  # before lunar_missions.csv: from capabilities_2007.csv
            assert "capabilities_2007.csv" in item.source


def test_modern_landings_appear_in_the_attempt_list() -> None:
    successes = {(a.actor, a.year) for a in landing_attempts() if a.outcome != "failure"}
    for item in achievements():
        if item.milestone.endswith("landing") and item.year >= 2013:
            assert (item.actor, item.year) in successes, item


def test_heritage_matches_the_attempt_list() -> None:
    assert heritage() == count_landings()
    totals = np.array([[h.attempts, h.successes, h.partials, h.failures] for h in heritage()])
    assert totals.sum(axis=0).tolist() == [14, 6, 3, 5]  # public tally, 2013–2025
    china = heritage()[ACTOR_IDS.index("CHN")]
    assert (china.attempts, china.successes) == (4, 4)
    usa = heritage()[0]
    assert (usa.attempts, usa.successes, usa.partials) == (3, 1, 2)  # private CLPS landers


def test_pooled_first_attempt_rate_is_about_one_in_seven() -> None:
    tally = first_attempt_tally()
    assert (tally.attempts, tally.successes, tally.partials) == (7, 1, 2)
    assert tally.rate() == pytest.approx(1 / 7)
    assert tally.laplace() == pytest.approx(2 / 9)
    assert tally.rate(partial_weight=0.5) == pytest.approx(2 / 7)
    assert first_attempt_tally(since=2013).attempts == 8  # adds Chang'e 3


def test_roadmaps(world: World) -> None:
    def year(actor: str, milestone: str) -> tuple[float, float]:
        i, k = world.index(actor), world.milestone_index(milestone)
        return float(world.roadmap_year[i, k]), float(world.roadmap_year_late[i, k])

    assert year("CHN", "crewed_landing") == (2029, 2030)
    assert year("USA", "crewed_landing") == (2027, 2028)  # Artemis III, the earlier of III/IV
    assert year("USA", "crewed_flyby") == (2026, 2026)  # Artemis II
    assert year("CHN", "surface_outpost") == (2030, 2035)  # ILRS basic model
    assert year("IND", "sample_return") == (2027, 2027)  # Chandrayaan-4
    assert year("USA", "he3_extraction_demo") == (2027, 2027)  # Interlune
    assert year("USA", "he3_pilot_plant") == (2029, 2029)
    planned = ~np.isnan(world.roadmap_year)
    assert (world.roadmap_year[planned] >= 2025).all()
    assert (world.roadmap_year_late[planned] >= world.roadmap_year[planned]).all()
    assert (np.isnan(world.roadmap_year_late) == ~planned).all()
    assert not planned[:, MILESTONES.index("fusion_demo") :].any()  # nothing announced
    assert all(p.status in PROVENANCE and p.source for p in plans())
