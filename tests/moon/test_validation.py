"""The Moon model against published He-3 inventories, per-terrain ranges and returned soils
(docs/validation.md).

The coefficients are not tuned to any one study. These tests pin the default model (TiO2 measured
by Lunar Prospector, unmixed) inside the published figures with the tolerances stated here, which
are what that layer earns; the misses are pinned as misses (strict xfail), so a change that fixes
or worsens them fails loudly and the docs get updated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from moondust.datafiles import read_csv
from moondust.moon import He3Map, MoonParameters

# Taylor's maria-to-2-m figure: the model's maria lie within this factor of it.
TAYLOR_FACTOR = 1.4


@pytest.fixture(scope="module")
def estimates() -> pd.DataFrame:
    return read_csv("moon", "he3_inventory_estimates.csv").set_index("study")


def test_total_lies_within_the_peer_reviewed_spread(
    moon_1deg: He3Map, estimates: pd.DataFrame
) -> None:
    # 6.5e8 (Fa & Jin 2007) to 1.2e9 kg (Chang'e-1 era), with no widening.
    peer = estimates[estimates["peer_reviewed_whole_moon"] == 1]["total_kg"]
    assert peer.min() <= moon_1deg.inventory().total_kg <= peer.max()


@pytest.mark.parametrize(
    "study", ["Kulcinski et al.", "Wang Zhenzhan et al. (CSSAR)", "Ouyang Ziyuan (post Chang'e-1)"]
)
def test_range_contains_kulcinski_and_the_chang_e_1_estimates(
    moon_1deg: He3Map, estimates: pd.DataFrame, study: str
) -> None:
    inv = moon_1deg.inventory()
    assert inv.total_kg_q05 <= estimates.loc[study, "total_kg"] <= inv.total_kg_q95


@pytest.mark.xfail(strict=True, reason="known miss: Fa & Jin's 6.6e8 kg lies below the 5 % bound")
def test_range_contains_fa_and_jin(moon_1deg: He3Map, estimates: pd.DataFrame) -> None:
    inv = moon_1deg.inventory()
    assert inv.total_kg_q05 <= estimates.loc["Fa & Jin"].iloc[-1]["total_kg"]


def test_near_far_split_against_chang_e_1(moon_1deg: He3Map, estimates: pd.DataFrame) -> None:
    # Fa & Jin 2010: 3.7e8 near, 2.9e8 far (ratio 1.28, share 0.56). The measured TiO2 lowers the
    # far-side highlands (0.4 wt% against the class model's 1.1), so the model now lands above:
    # share within ±0.05, and the published ratio inside the model's 5-95 % range.
    row = estimates.loc["Fa & Jin"].iloc[-1]
    inv = moon_1deg.inventory()
    assert abs(inv.near_side_kg / inv.total_kg - row["near_side_kg"] / row["total_kg"]) <= 0.05
    published_ratio = row["near_side_kg"] / row["far_side_kg"]
    assert inv.near_far_ratio_q05 <= published_ratio <= inv.near_far_ratio_q95


def test_maria_to_two_metres_matches_taylor_1991(estimates: pd.DataFrame) -> None:
    moon = He3Map(1.0, MoonParameters().with_overrides({"regolith_mare_m": 2.0}))
    taylor = estimates.loc["Taylor", "total_kg"]
    maria_kg = moon.inventory(with_range=False).maria_kg
    assert taylor / TAYLOR_FACTOR <= maria_kg <= taylor * TAYLOR_FACTOR


def test_tranquillitatis_top_three_metres_between_schmitt_and_cameron(
    moon_1deg: He3Map, estimates: pd.DataFrame
) -> None:
    # The same quantity `moondust sites` reports: He-3 in the top mining_depth_m (3 m) of the
    # Tranquillitatis deposit; the map's per-mare figure counts the whole column instead.
    from moondust.moon.sites import find_sites

    assert moon_1deg.params.mining_depth_m == 3.0
    site = next(s for s in find_sites(moon_1deg, top=None) if s.mare == "Mare Tranquillitatis")
    assert site.he3_top_kg < site.he3_kg
    assert (
        estimates.loc["Schmitt", "total_kg"]
        <= site.he3_top_kg
        <= estimates.loc["Cameron", "total_kg"]
    )


def _area_quantiles(values: np.ndarray, weights: np.ndarray, qs: list[float]) -> np.ndarray:
    order = np.argsort(values.ravel())
    cumulative = np.cumsum(weights.ravel()[order]) / weights.sum()
    return values.ravel()[order][np.searchsorted(cumulative, qs)]


def test_highland_concentrations_in_published_range(moon_1deg: He3Map) -> None:
    # 3-9 ppm total He ≈ 1-3.6 ppb (Taylor 1991, derived); the class model needed Kaydash et al.'s
    # wider 1-5 ppb.
    weights = moon_1deg.grid.cell_area_km2 * (1 - moon_1deg.mare_fraction)
    lo, hi = _area_quantiles(moon_1deg.he3_highland_ppb, weights, [0.05, 0.95])
    assert 1.0 <= lo and hi <= 3.6


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


# --- TiO2 at the returned-sample sites ----------------------------------------------------------
# Accepted: |model − soil| ≤ 2σ (the unmixed 1σ of the cell) + 0.3 wt% (spread among a site's
# soils). Apollo 11 and 17 sit in high-Ti mare smaller than the 5° LP GRS footprint: pinned as
# misses. Luna 20 (highland between Crisium and Fecunditatis, whose basalts the footprint reads)
# passes only just: 1.36 ± 0.31 against 0.5.
MISSES = {
    "Apollo 11": "a 5° footprint dilutes the high-Ti mare edge (pixel 3.8 wt%, soil 7.5)",
    "Apollo 17": "Taurus-Littrow is a valley far smaller than a 5° pixel (pixel 2.6, soil 9.4)",
}
RETURNED = ["Apollo 11", "Apollo 12", "Apollo 14", "Apollo 15", "Apollo 16", "Apollo 17"]
RETURNED += ["Luna 16", "Luna 20", "Luna 24", "Chang'e 5"]


@pytest.mark.parametrize(
    "site",
    [
        pytest.param(s, marks=pytest.mark.xfail(strict=True, reason=MISSES[s]))
        if s in MISSES
        else s
        for s in RETURNED
    ],
)
def test_tio2_at_returned_sample_sites(moon_1deg: He3Map, site: str) -> None:
    row = read_csv("moon", "landing_sites.csv").set_index("site").loc[site]
    probe = moon_1deg.probe(float(row["lat_deg"]), float(row["lon_deg_east"]))
    soil = float(row["tio2_soil_wt_pct"])
    assert abs(probe.tio2_wt_pct - soil) <= 2 * probe.tio2_sd_wt_pct + 0.3, (
        probe.tio2_wt_pct,
        probe.tio2_sd_wt_pct,
        soil,
    )


def test_apollo_16_tio2_matches_its_soils(moon_1deg: He3Map) -> None:
    # Apollo 16 soils: 0.5-0.6 wt% TiO2; the class model's 1.1 missed them.
    assert 0.45 <= moon_1deg.probe(-8.9730, 15.5002).tio2_wt_pct <= 0.65


def test_feo_correlates_with_the_mare_mask() -> None:
    from moondust.moon.lpgrs import unmix_tio2

    assert unmix_tio2().feo_mare_fraction_correlation >= 0.85
