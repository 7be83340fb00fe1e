"""The fusion and He-3 market tables: shapes, units, provenance and interpolation."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator

import numpy as np
import pytest

from moondust.datafiles import data_path
from moondust.errors import InputFileError
from moondust.parameters import STATUSES, load_specs
from moondust.world import fusion_inputs as fi
from moondust.world.ids import ACTOR_IDS

FILES = [
    "schedules.csv",
    "budgets.csv",
    "private_investment.csv",
    "he3_supply.csv",
    "he3_demand.csv",
    "he3_prices.csv",
    "he3_agreements.csv",
    "grid_intensity.csv",
]


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    fi.clear_caches()
    yield
    fi.clear_caches()


@pytest.mark.parametrize("name", FILES)
def test_every_row_has_a_source_and_a_status(name: str) -> None:
    with data_path("fusion", name).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    for row in rows:
        assert None not in row, (name, row)  # no stray columns
        assert row["source"].strip(), (name, row)
        assert row["status"] in STATUSES, (name, row)


def test_schedules_shapes_and_iter_history() -> None:
    s = fi.schedules()
    n = len(s.programme)
    assert n >= 25
    assert s.announced_year.shape == s.planned_year.shape == s.planned_year_late.shape == (n,)
    assert np.all(s.planned_year >= s.announced_year)
    assert np.all(s.planned_year_late >= s.planned_year)
    rows = zip(s.announced_year, s.planned_year, s.chain, strict=True)
    dt = [(int(a), int(p)) for a, p, c in rows if c == "iter_dt"]
    assert sorted(dt) == [(2009, 2026), (2010, 2027), (2016, 2035), (2024, 2039)]
    assert {"dt_burning_plasma", "dt_first_electricity", "dt_power"} <= set(s.ladder_milestone)


def test_slip_statistics_match_the_parameter_rows() -> None:
    stats = fi.slip_statistics()
    iter_dt = next(c for c in stats.chains if c.chain == "iter_dt")
    assert iter_dt.ratio == pytest.approx(13 / 17)
    assert iter_dt.rate == pytest.approx(13 / 15)  # 0.87 years of slip per year elapsed
    specs = load_specs("fusion")
    assert specs["dt_slip_ratio_median"].default == pytest.approx(stats.median, abs=0.01)
    assert specs["dt_slip_log_sigma"].default == pytest.approx(stats.log_sigma, abs=0.01)
    draws = stats.sample(np.random.default_rng(1), 20_000)
    assert np.all(draws > 0)
    assert np.median(draws) == pytest.approx(stats.median, rel=0.05)
    assert fi.slipped_year(2024, 2039, 0.0) == 2039
    assert fi.slipped_year(2024, 2039, iter_dt.ratio) == pytest.approx(2024 + 15 * (30 / 17))


def test_budgets_per_actor() -> None:
    b = fi.fusion_budgets()
    assert b.actor_ids == ACTOR_IDS
    assert b.usd_bn.shape == b.low_usd_bn.shape == b.high_usd_bn.shape == (len(ACTOR_IDS),)
    assert np.all(b.low_usd_bn <= b.usd_bn) and np.all(b.usd_bn <= b.high_usd_bn)
    assert b.of("USA").value == pytest.approx(0.79)  # DOE FES FY2024; ICF not counted
    assert b.of("EUR").value == pytest.approx(0.80 * 1.1306 + 0.41 * 1.28, rel=1e-3)
    assert b.of("CHN").value == pytest.approx(1.5)
    assert b.of("TUR").value == 0.0 and b.status[ACTOR_IDS.index("TUR")] == ""
    assert b.status[ACTOR_IDS.index("RUS")] == "assumption"


def test_private_investment_grows() -> None:
    p = fi.private_investment()
    assert p.year[0] == 2021 and p.cumulative_usd_bn[-1] == pytest.approx(9.77)
    assert np.all(np.diff(p.cumulative_usd_bn) >= 0)


def test_he3_market_units() -> None:
    m = fi.he3_market()
    tritium = m.supply.kg_per_yr[m.supply.name.index("tritium_decay_us")]
    assert tritium == pytest.approx(9000 / 7432, rel=1e-3)  # litres at STP → kg
    # today's prices are $15-22 M per kg; before 2008 about $1 M
    assert 1.5e7 < m.prices.usd_per_kg[-1] < 2.3e7
    assert m.prices.usd_per_kg[0] < 2e6
    assert np.all(np.diff(m.prices.year) > 0)
    bluefors = next(a for a in m.agreements if a.buyer == "Bluefors")
    assert bluefors.kg_per_yr == pytest.approx(1.35, rel=0.01)
    assert bluefors.usd_per_kg == pytest.approx(3000 * 7432, rel=1e-3)
    for flows in (m.supply, m.demand):
        finite = np.isfinite(flows.kg_per_yr)
        assert np.all(flows.low_kg_per_yr[finite] <= flows.kg_per_yr[finite])


def test_grid_paths_are_ordered_and_monotone() -> None:
    g = fi.grid_paths()
    years = np.arange(2024, 2101)
    low, mid, high = g.band(years)
    assert low[0] == mid[0] == high[0] == 446
    assert np.all(low <= mid) and np.all(mid <= high)
    for path in (low, mid, high):
        assert np.all(np.diff(path) <= 0)  # falling (non-increasing) along every path
        assert np.all(path >= 0)
    assert mid[years == 2035][0] == 251 and high[years == 2050][0] == 192
    assert g.intensity(2050, "net_zero", floor=-10.0) == -4  # the floor is optional
    assert g.intensity(2100, "stated_policies") == 122  # held flat after 2050
    assert g.intensity(2030, "stated_policies") == pytest.approx(446 + (251 - 446) * 6 / 11)
    np.testing.assert_allclose(g.between(2040, 0.5), mid[years == 2040])
    np.testing.assert_allclose(g.between(2040, 0.0), low[years == 2040])
    np.testing.assert_allclose(g.between(2040, 1.0), high[years == 2040])


def test_a_bad_status_names_file_row_and_field(
    corrupt_table: Callable[[str, str, Callable[[str], str]], None],
) -> None:
    corrupt_table("fusion", "budgets.csv", lambda text: text.replace(",secondary,", ",rumour,", 1))
    fi.clear_caches()
    with pytest.raises(InputFileError, match=r"fusion/budgets.csv: row 2, field 'status'"):
        fi.fusion_budgets()


def test_an_unknown_actor_is_refused(
    corrupt_table: Callable[[str, str, Callable[[str], str]], None],
) -> None:
    corrupt_table("fusion", "schedules.csv", lambda text: text.replace(",INTL,", ",XYZ,", 1))
    fi.clear_caches()
    with pytest.raises(InputFileError, match="field 'actor'"):
        fi.schedules()
