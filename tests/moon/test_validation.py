"""The Moon model against published He-3 inventories and per-terrain ranges (docs/validation.md).

The coefficients are not tuned to any one study. These tests pin the model inside the published
spread with the tolerances stated here, so a change that moves it outside fails loudly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from moondust.datafiles import read_csv
from moondust.moon import He3Map, MoonParameters

# The peer-reviewed whole-Moon totals span 6.5e8 (Fa & Jin 2007) to 1.2e9 kg (Chang'e-1 era).
# Each rests on a regolith thickness uncertain by about ±50 % (helium3.md §2.5) and on
# secondary coefficients, so we accept a factor 1.5 beyond either end of that spread.
TOLERANCE_FACTOR = 1.5


@pytest.fixture(scope="module")
def estimates() -> pd.DataFrame:
    return read_csv("moon", "he3_inventory_estimates.csv").set_index("study")


def test_total_lies_within_the_published_spread(moon_1deg: He3Map, estimates: pd.DataFrame) -> None:
    peer = estimates[estimates["peer_reviewed_whole_moon"] == 1]["total_kg"]
    total = moon_1deg.inventory().total_kg
    assert peer.min() / TOLERANCE_FACTOR <= total <= peer.max() * TOLERANCE_FACTOR
    # and inside the full range of whole-Moon figures ever published (press and preliminary too)
    whole = estimates[estimates["scope"].str.startswith("whole Moon")]["total_kg"]
    assert whole.min() <= total <= whole.max()


def test_near_side_share_is_close_to_chang_e_1(moon_1deg: He3Map, estimates: pd.DataFrame) -> None:
    # Fa & Jin 2010 put 56 % on the near side. Our fluence term raises the far-side highlands, so
    # we land lower; the accepted band is ±0.10 in share.
    row = estimates.loc["Fa & Jin"].iloc[-1]
    published = row["near_side_kg"] / row["total_kg"]
    inv = moon_1deg.inventory()
    assert abs(inv.near_side_kg / inv.total_kg - published) <= 0.10


def test_maria_to_two_metres_matches_taylor_1991(estimates: pd.DataFrame) -> None:
    moon = He3Map(1.0, MoonParameters().with_overrides({"regolith_mare_m": 2.0}))
    taylor = estimates.loc["Taylor", "total_kg"]
    assert taylor / TOLERANCE_FACTOR <= moon.inventory().maria_kg <= taylor * TOLERANCE_FACTOR


def test_tranquillitatis_top_three_metres_between_schmitt_and_cameron(
    estimates: pd.DataFrame,
) -> None:
    moon = He3Map(1.0, MoonParameters().with_overrides({"regolith_mare_m": 3.0}))
    kg = next(m.kg for m in moon.inventory().by_mare if m.name == "Mare Tranquillitatis")
    assert estimates.loc["Schmitt", "total_kg"] <= kg <= estimates.loc["Cameron", "total_kg"]


def _area_quantiles(values: np.ndarray, weights: np.ndarray, qs: list[float]) -> np.ndarray:
    order = np.argsort(values.ravel())
    cumulative = np.cumsum(weights.ravel()[order]) / weights.sum()
    return values.ravel()[order][np.searchsorted(cumulative, qs)]


def test_highland_concentrations_in_published_range(moon_1deg: He3Map) -> None:
    # Highlands 1-5 ppb (Kaydash et al. 1999 model), 3-9 ppm total He ≈ 1-3.6 ppb (Taylor 1991).
    weights = moon_1deg.grid.cell_area_km2 * (1 - moon_1deg.mare_fraction)
    lo, hi = _area_quantiles(moon_1deg.he3_highland_ppb, weights, [0.05, 0.95])
    assert 1.0 <= lo and hi <= 5.0


def test_high_titanium_mare_in_cameron_range(moon_1deg: He3Map) -> None:
    # Tranquillitatis regolith 7-18 ppb He-3 (Cameron 1991, from 20-45 ppm total He).
    tranquillitatis = next(
        m for m in moon_1deg.inventory().by_mare if m.name == "Mare Tranquillitatis"
    )
    assert 7.0 <= tranquillitatis.mean_ppb <= 18.0
    apollo_11 = moon_1deg.probe(0.6741, 23.4732)
    assert 7.0 <= apollo_11.he3_ppb <= 18.0


def test_sunlit_surface_range(moon_1deg: He3Map) -> None:
    # 1.4-15 ppb is the commonly quoted range for the sunlit surface (FTI via Wikipedia); allow
    # the extreme 1 % of area at each end to fall outside it.
    lo, hi = _area_quantiles(moon_1deg.he3_ppb, moon_1deg.grid.cell_area_km2, [0.01, 0.99])
    assert 1.4 <= lo and hi <= 15.0


@pytest.mark.parametrize(
    ("site", "lat", "lon", "lo", "hi"),
    [
        ("Apollo 16 (highland)", -8.9730, 15.5002, 1.0, 5.0),
        ("Luna 20 (highland)", 3.7866, 56.6242, 1.0, 5.0),
        ("Apollo 11 (high-Ti mare)", 0.6741, 23.4732, 7.0, 18.0),
    ],
)
def test_probe_at_sample_sites_in_terrain_range(
    moon_1deg: He3Map, site: str, lat: float, lon: float, lo: float, hi: float
) -> None:
    assert lo <= moon_1deg.probe(lat, lon).he3_ppb <= hi, site
