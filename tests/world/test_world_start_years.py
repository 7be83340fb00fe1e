"""The world at the end of another start year (2007), every demonstration in the history, and
dated blocs and sanctions."""

from __future__ import annotations

import csv
from datetime import date

import numpy as np
import pytest

from moondust.datafiles import data_path
from moondust.errors import InputFileError
from moondust.world import ACTOR_IDS, achievements, load_world
from moondust.world.blocs import actor_blocs, bloc_join_years
from moondust.world.history import achieved_matrix, count_landings
from moondust.world.ids import START_YEARS
from moondust.world.relations import sanction_matrix
from moondust.world.roadmaps import plans
from moondust.world.scenario import parse_scenario


@pytest.fixture(scope="module")
def old():  # type: ignore[no-untyped-def]
    return load_world(2007)


def test_2007_budgets_growth_and_capabilities_are_the_data_files(old) -> None:  # type: ignore[no-untyped-def]
    with open(data_path("world", "actors_2007.csv"), encoding="utf-8") as handle:
        rows = {row["id"]: row for row in csv.DictReader(handle)}
    assert list(rows) == list(ACTOR_IDS)
    for i, actor in enumerate(ACTOR_IDS):
        row = rows[actor]
        assert old.civil_usd_bn[i] == float(row["civil_usd_bn"])
        assert old.military_usd_bn[i] == float(row["military_usd_bn"])
        assert old.gdp_growth[i] == pytest.approx(float(row["gdp_growth_pct"]) / 100)
        assert old.has_launcher[i] == (row["has_launcher"] == "1")
        assert old.crewed_capable[i] == (row["crewed_capable"] == "1")
    # NASA FY2007 appropriation (CRS), India's Department of Space 2007-08, Oct-2007 IMF growth
    assert old.civil_usd_bn[old.index("USA")] == 16.247
    assert old.civil_usd_bn[old.index("IND")] == 0.799
    assert old.gdp_growth[old.index("CHN")] == pytest.approx(0.10)
    assert old.crewed_capable.tolist() == [a in ("USA", "CHN", "RUS") for a in ACTOR_IDS]


def test_china_budget_carries_the_disagreement_between_estimates(old) -> None:  # type: ignore[no-untyped-def]
    i = old.index("CHN")
    assert old.civil_low[i] <= old.civil_usd_bn[i] <= old.civil_high[i]
    assert old.civil_high[i] / old.civil_low[i] > 2.8  # estimates disagree by a factor ~2-3


def test_2007_history_is_the_record_up_to_2007(old) -> None:  # type: ignore[no-untyped-def]
    expected = {(a.actor, a.milestone) for a in achievements() if a.year <= 2007}
    got = {
        (actor, old.milestones[k])
        for i, actor in enumerate(old.ids)
        for k in range(len(old.milestones))
        if old.achieved[i, k]
    }
    assert got == expected
    assert old.achieved[old.index("CHN"), old.milestone_index("orbiter")]  # Chang'e 1, Oct 2007
    assert not old.achieved[old.index("IND")].any()  # Chandrayaan-1 flew in 2008
    assert not old.achieved[old.index("CHN"), old.milestone_index("soft_landing")]
    assert old.landing_attempts.sum() == 0  # the landing-attempt record starts in 2013


def test_latest_demonstration_not_the_first() -> None:
    now = load_world()
    usa, orbiter = now.index("USA"), now.milestone_index("orbiter")
    landing = now.milestone_index("soft_landing")
    assert (now.first_year[usa, orbiter], now.last_year[usa, orbiter]) == (1966, 2022)  # CAPSTONE
    assert (now.first_year[usa, landing], now.last_year[usa, landing]) == (1966, 2025)  # Blue Ghost
    _, first, last = achieved_matrix(2016)
    assert (first[usa, orbiter], last[usa, orbiter]) == (1966, 2013)  # LADEE
    assert (now.achieved == ~np.isnan(now.last_year)).all()
    assert (now.first_year[now.achieved] <= now.last_year[now.achieved]).all()


def test_partial_landings_are_demonstrations_and_half_successes() -> None:
    partial = {"SLIM", "IM-1 Odysseus", "IM-2 Athena"}
    shown = {a.mission for a in achievements() if a.milestone == "soft_landing"}
    assert partial <= shown
    now = load_world()
    usa = now.index("USA")
    assert now.landing_partials[usa] == 2
    assert now.landing_effective_successes(0.5)[usa] == now.landing_successes[usa] + 1.0


def test_blocs_and_sanctions_enter_in_their_years(old) -> None:  # type: ignore[no-untyped-def]
    assert not old.artemis.any() and not old.ilrs.any()  # no bloc before it existed
    assert not old.sanction.any()  # the Wolf Amendment is 2011
    artemis, ilrs = bloc_join_years(2007)
    assert artemis[ACTOR_IDS.index("USA")] == 2020 and ilrs[ACTOR_IDS.index("CHN")] == 2021
    assert artemis[ACTOR_IDS.index("ROW_ARTEMIS")] == 2020  # the aggregate exists with its bloc
    assert ilrs[ACTOR_IDS.index("ROW_ILRS")] == 2021
    assert not actor_blocs(date(2019, 12, 31))[0].any()
    usa, chn, rus = (ACTOR_IDS.index(a) for a in ("USA", "CHN", "RUS"))
    assert not sanction_matrix(2010)[usa, chn] and sanction_matrix(2011)[usa, chn]
    assert not sanction_matrix(2013)[usa, rus] and sanction_matrix(2014)[usa, rus]
    assert sanction_matrix(2022).sum() > sanction_matrix(2021).sum()
    assert (sanction_matrix(2025) == load_world().sanction).all()
    assert (old.sanction_year == load_world().sanction_year).all()


def test_2007_roadmaps_are_the_plans_announced_by_then() -> None:
    old_plans = plans(2007)
    assert all(p.announced_year is not None and p.announced_year <= 2007 for p in old_plans)
    constellation = [p for p in old_plans if (p.actor, p.milestone) == ("USA", "crewed_landing")]
    assert [(p.planned_year, p.planned_year_late) for p in constellation] == [(2015, 2020)]
    china = {p.milestone: p.planned_year for p in old_plans if p.actor == "CHN"}
    assert china == {"soft_landing": 2012, "rover": 2012, "sample_return": 2017}


def test_start_years_without_data_are_refused() -> None:
    assert START_YEARS == (2007, 2025)
    with pytest.raises(ValueError, match="no packaged world for start year 2010"):
        load_world(2010)
    with pytest.raises(InputFileError, match="no packaged world for start year 2010"):
        parse_scenario({"simulation": {"start": 2010, "end": 2030}})
    scenario = parse_scenario({"simulation": {"start": 2007, "end": 2025}})
    assert scenario.simulation.start == 2007


def test_heritage_recount_matches_the_file_at_the_base_year() -> None:
    assert count_landings(as_of=2012) == tuple(
        type(h)(h.actor, 0, 0, 0, 0) for h in count_landings()
    )
