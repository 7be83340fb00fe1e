"""Mining deposits: connected regions above a cutoff, wrapping at 180°."""

from __future__ import annotations

import numpy as np
import pytest

from moondust.moon import He3Map
from moondust.moon.sites import find_sites, label_deposits


def test_labels_merge_across_the_dateline() -> None:
    mask = np.zeros((4, 8), dtype=bool)
    mask[1, 0] = mask[1, -1] = True  # one region cut by the 180° meridian
    mask[3, 3] = True
    labels, count = label_deposits(mask)
    assert count == 2
    assert labels[1, 0] == labels[1, -1] != 0
    assert labels[3, 3] not in (0, labels[1, 0])


def test_sites_are_ranked_and_conserve_he3(moon_1deg: He3Map) -> None:
    sites = find_sites(moon_1deg, top=None)
    assert sites, "the default cutoff must find deposits"
    kg = [s.he3_top_kg for s in sites]
    assert kg == sorted(kg, reverse=True)
    reachable = moon_1deg.he3_kg_to_depth(moon_1deg.params.mining_depth_m)
    in_deposits = reachable[moon_1deg.he3_ppb >= moon_1deg.params.site_cutoff_ppb].sum()
    assert sum(kg) == pytest.approx(in_deposits, rel=1e-12)
    assert all(s.mean_ppb >= moon_1deg.params.site_cutoff_ppb for s in sites)
    assert sum(s.n_cells for s in sites) == int((moon_1deg.he3_ppb >= 8.0).sum())


def test_top_sites_are_the_high_titanium_maria(moon_1deg: He3Map) -> None:
    top = find_sites(moon_1deg, top=3)
    assert {s.mare for s in top} >= {"Mare Tranquillitatis"}
    assert all(s.side == "near" for s in top)
    tranquillitatis = next(s for s in top if s.mare == "Mare Tranquillitatis")
    assert tranquillitatis.nearest_feature_km < 200
    assert 5 < tranquillitatis.centroid_lat_deg < 12 and 25 < tranquillitatis.centroid_lon_deg < 36


def test_far_side_sites_need_a_relay(moon_1deg: He3Map) -> None:
    far = [s for s in find_sites(moon_1deg, top=None) if s.side == "far"]
    assert far and all(s.needs_relay for s in far)
    assert all(abs(s.centroid_lon_deg) >= 90 for s in far)


def test_cutoff_controls_the_deposits(moon_1deg: He3Map) -> None:
    assert find_sites(moon_1deg, min_ppb=1000) == []
    loose = find_sites(moon_1deg, min_ppb=6, top=None)
    strict = find_sites(moon_1deg, min_ppb=12, top=None)
    assert sum(s.area_km2 for s in strict) < sum(s.area_km2 for s in loose)


def test_merging_by_name_keeps_every_kilogram(moon_1deg: He3Map) -> None:
    from moondust.moon.sites import merge_by_name

    sites = find_sites(moon_1deg, top=None)
    merged = merge_by_name(sites)
    names = [s.nearest_feature for s in merged]
    assert len(names) == len(set(names)) == len({s.nearest_feature for s in sites})
    assert len(merged) < len(sites), "some deposits share a nearest feature at 1°"
    assert sum(s.he3_top_kg for s in merged) == pytest.approx(sum(s.he3_top_kg for s in sites))
    assert sum(s.he3_kg for s in merged) == pytest.approx(sum(s.he3_kg for s in sites))
    assert sum(s.n_deposits for s in merged) == len(sites)
    assert [s.rank for s in merged] == list(range(1, len(merged) + 1))
    kg = [s.he3_top_kg for s in merged]
    assert kg == sorted(kg, reverse=True)
    assert all(s.he3_kg >= s.he3_top_kg for s in merged)
    assert merge_by_name(sites, top=3) == merged[:3]


def test_whole_column_he3_of_deposits_is_the_map_integral(moon_1deg: He3Map) -> None:
    sites = find_sites(moon_1deg, top=None)
    in_deposits = moon_1deg.he3_kg[moon_1deg.he3_ppb >= moon_1deg.params.site_cutoff_ppb].sum()
    assert sum(s.he3_kg for s in sites) == pytest.approx(in_deposits, rel=1e-12)
