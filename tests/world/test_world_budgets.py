"""actors.csv: provenance of every number, ranges, cross-checks with the source tables, and the
world-total consistency check."""

from __future__ import annotations

import pandas as pd
import pytest

from moondust.datafiles import read_csv
from moondust.world import ACTOR_IDS, AGGREGATE_IDS, actor_records, derive_aggregates, world_total
from moondust.world.actors import ActorRecord, Estimate, aggregate_shares
from moondust.world.blocs import state_actors
from moondust.world.ids import PROVENANCE

RECORDS = {r.id: r for r in actor_records()}
NAMED = [r for r in actor_records() if r.id not in AGGREGATE_IDS]


def estimates(record: ActorRecord) -> dict[str, Estimate]:
    return {"civil": record.civil, "military": record.military, "gdp": record.gdp_growth_pct}


@pytest.mark.parametrize("actor", ACTOR_IDS)
def test_every_number_has_a_source_a_status_and_a_range(actor: str) -> None:
    record = RECORDS[actor]
    assert record.name and record.capability_source
    for label, estimate in estimates(record).items():
        assert estimate.status in PROVENANCE, label
        assert len(estimate.source) > 20, label  # a citation, not a placeholder
        assert estimate.low <= estimate.value <= estimate.high, label
        if estimate.status in ("assumption", "unconfirmed"):
            assert estimate.low < estimate.high, f"{label}: a guess needs a real range"


@pytest.mark.parametrize("actor", ACTOR_IDS)
def test_budgets_are_positive(actor: str) -> None:
    record = RECORDS[actor]
    assert record.civil.value > 0 and record.military.value > 0
    assert record.civil.low >= 0 and record.military.low >= 0


def test_aggregates_are_labelled_assumptions() -> None:
    for actor in AGGREGATE_IDS:
        record = RECORDS[actor]
        assert record.kind == "aggregate"
        assert {record.civil.status, record.military.status} == {"assumption"}
        assert "residual" in record.civil.source
    assert all(r.kind == "state" for r in NAMED)


def _supplement(country: str, year: str, column: str) -> float:
    table = read_csv("world", "budgets_supplement.csv")
    rows = table[(table.country == country) & table.year.astype(str).str.startswith(year)]
    return float(rows[column].dropna().iloc[0])


def _budgets(country: str, year: int, column: str) -> float:
    table = read_csv("world", "budgets.csv")
    rows = table[(table.country == country) & (table.year == year)]
    return float(rows[column].dropna().iloc[0])


def test_numbers_match_the_source_tables() -> None:
    usa, rus, kor = RECORDS["USA"], RECORDS["RUS"], RECORDS["KOR"]
    # US: NASA FY2025 (budgets.csv), USSF FY2025 enacted as the floor (ussf_budget.csv),
    # Space Foundation's 2024 US total minus NASA as the value.
    assert usa.civil.value == _budgets("United States", 2025, "civil_usd_bn")
    ussf = read_csv("world", "ussf_budget.csv").set_index("fiscal_year")
    assert usa.military.low == float(ussf.loc["FY2025", "enacted_usd_bn"])
    us_total_2024 = _budgets("United States", 2024, "total_usd_bn")
    assert usa.military.value == pytest.approx(us_total_2024 - usa.civil.value)
    assert rus.civil.value == pytest.approx(_supplement("Russia", "2025", "civil_usd_bn"))
    assert rus.military.value == _supplement("Russia", "2023", "military_usd_bn")
    assert kor.civil.value == pytest.approx(_supplement("South Korea", "2025", "civil_usd_bn"))
    assert RECORDS["CAN"].civil.value == pytest.approx(
        _supplement("Canada", "2025", "civil_usd_bn")
    )
    assert RECORDS["JPN"].civil.low == pytest.approx(
        _supplement("Japan", "2025 (FY2025)", "civil_usd_bn")
    )
    assert RECORDS["JPN"].military.value == pytest.approx(
        _supplement("Japan", "2025 (FY2025 request)", "military_usd_bn")
    )
    assert RECORDS["CHN"].military.low == _supplement("China", "2023", "military_usd_bn")
    assert RECORDS["TUR"].civil.value == pytest.approx(
        _supplement("Turkey", "2025", "civil_usd_bn")
    )
    # Europe's floor is ESA's 2025 budget at the Fed's 2025 rate.
    assert RECORDS["EUR"].civil.low == pytest.approx(
        _supplement("ESA (intergovernmental)", "2025", "civil_usd_bn")
    )


def _imf_mean(country: str, edition: str) -> tuple[float, float]:
    """(stored 2025-2030 mean, mean recomputed from the annual values) for one IMF edition."""
    table = read_csv("world", "gdp_growth.csv")
    rows = table[(table.country == country) & table.source.str.contains(edition, regex=False)]
    stored = float(rows[rows.period.str.contains("mean")].real_gdp_growth_pct.iloc[0])
    years = rows[rows.period.isin([str(y) for y in range(2025, 2031)])]
    annual = pd.to_numeric(years.drop_duplicates("period").real_gdp_growth_pct).mean()
    return stored, float(annual)


@pytest.mark.parametrize("actor", [r.id for r in NAMED if r.id != "EUR"])
def test_growth_is_the_imf_april_2025_medium_term_mean(actor: str) -> None:
    state = next(s for s, m in state_actors().items() if m.actor == actor)
    stored, recomputed = _imf_mean(state, "April 2025")
    assert RECORDS[actor].gdp_growth_pct.value == pytest.approx(stored, abs=1e-9)
    assert stored == pytest.approx(recomputed, abs=0.002)


def test_europe_growth_is_budget_weighted() -> None:
    weights = {"France": 2.6985, "Germany": 1.8395, "Italy": 1.391, "United Kingdom": 0.8679}
    budgets = read_csv("world", "budgets.csv")
    for country, weight in weights.items():  # the weights are the OECD 2022 budgets
        row = budgets[(budgets.country == country) & (budgets.year == 2022)]
        assert float(row.civil_usd_bn.iloc[0]) == weight
    expected = sum(w * _imf_mean(c, "April 2025")[0] for c, w in weights.items()) / sum(
        weights.values()
    )
    assert RECORDS["EUR"].gdp_growth_pct.value == pytest.approx(expected, abs=0.0005)


def test_world_total_is_the_latest_published_figure() -> None:
    budgets = read_csv("world", "budgets.csv")
    latest = budgets[budgets.country == "World"].year.max()
    totals = sorted(budgets[(budgets.country == "World") & (budgets.year == latest)].total_usd_bn)
    anchor = world_total()
    assert latest == 2024
    assert (anchor.low, anchor.value) == (totals[0], totals[1])  # Space Foundation, Novaspace
    assert anchor.high == pytest.approx(anchor.value * 1.10)


def test_sum_over_actors_matches_the_world_total() -> None:
    """Consistency check. Tolerance: the 18 actors' civil + military must lie within 2 % of
    Novaspace's 2024 world government space total ($135bn) and within 5 % of Space Foundation's
    ($132bn); the 15 named actors alone must cover 85–100 % of the lower figure."""
    total = sum(r.total_usd_bn for r in actor_records())
    named = sum(r.total_usd_bn for r in NAMED)
    anchor = world_total()
    assert total == pytest.approx(anchor.value, rel=0.02)
    assert total == pytest.approx(anchor.low, rel=0.05)
    assert 0.85 * anchor.low <= named <= anchor.low
    world_civil = float(
        read_csv("world", "budgets.csv")
        .query("country == 'World' and year == 2024")
        .civil_usd_bn.max()
    )
    assert sum(r.civil.value for r in NAMED) <= world_civil  # 62: named civil leaves room for ROW


def test_aggregate_rows_follow_their_derivation() -> None:
    derived = derive_aggregates()
    for actor in AGGREGATE_IDS:
        record = RECORDS[actor]
        civil, military = derived[actor].civil, derived[actor].military
        assert (record.civil.value, record.civil.low, record.civil.high) == pytest.approx(civil)
        assert (record.military.value, record.military.low, record.military.high) == pytest.approx(
            military
        )
    shares = aggregate_shares()
    assert sum(s.bloc_share.value for s in shares.values()) == pytest.approx(1.0)
    residual = world_total().value - sum(r.total_usd_bn for r in NAMED)
    assert sum(RECORDS[a].total_usd_bn for a in AGGREGATE_IDS) == pytest.approx(residual, abs=1e-3)


def test_capabilities() -> None:
    crewed = [r.id for r in actor_records() if r.crewed_capable]
    assert crewed == ["USA", "CHN", "RUS"]
    launchers = {r.id for r in actor_records() if r.has_launcher}
    assert {"USA", "CHN", "RUS", "EUR", "JPN", "IND", "KOR", "ISR"} <= launchers
    assert not launchers & {"ARE", "PAK", "BRA", "CAN", "AUS", "SAU", "TUR"}
    assert set(crewed) <= launchers
