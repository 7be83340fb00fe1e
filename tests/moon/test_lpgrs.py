"""Measured titanium: the LP GRS pixels, their unmixing and the TiO2 layer the model uses."""

from __future__ import annotations

import numpy as np
import pytest

from moondust.moon import He3Map
from moondust.moon.grid import MoonGrid
from moondust.moon.lpgrs import lpgrs_pixels, pixel_index_grid, unmix_tio2


@pytest.fixture(scope="module")
def unmixed():  # type: ignore[no-untyped-def]
    return unmix_tio2()


def test_packaged_pixels_keep_their_columns_and_count() -> None:
    pixels = lpgrs_pixels()
    assert len(pixels) == 1790
    assert {"tio2_wt", "tio2_sd_wt", "feo_wt", "th_ppm", "min_lat", "max_lon"} <= set(pixels)
    assert (pixels["tio2_wt"] >= 0).all() and (pixels["tio2_sd_wt"] > 0).all()


def test_every_cell_lies_in_exactly_the_pixel_whose_bounds_contain_it() -> None:
    pixels = lpgrs_pixels()
    grid = MoonGrid(0.5)
    idx = pixel_index_grid(pixels, grid)
    assert (idx >= 0).all()
    lat = np.broadcast_to(grid.lat_deg[:, None], grid.shape)
    lon = np.broadcast_to(grid.lon_deg[None, :], grid.shape)
    row = pixels.iloc[idx.ravel()]
    assert (row["min_lat"].to_numpy() <= lat.ravel()).all()
    assert (lat.ravel() < row["max_lat"].to_numpy()).all()
    assert (row["min_lon"].to_numpy() <= lon.ravel()).all()
    assert (lon.ravel() < row["max_lon"].to_numpy()).all()
    # pixel edges lie on the 0.5° sub-grid, so each pixel's cells add up to its exact area
    area = np.bincount(idx.ravel(), grid.cell_area_km2.ravel(), minlength=len(pixels))
    exact = (
        grid.radius_km**2
        * np.deg2rad(pixels["max_lon"] - pixels["min_lon"]).to_numpy()
        * np.diff(np.sin(np.deg2rad(pixels[["min_lat", "max_lat"]].to_numpy())), axis=1)[:, 0]
    )
    np.testing.assert_allclose(area, exact, rtol=1e-9)


def test_remixing_the_parts_gives_back_each_pixel_except_where_clipped(unmixed) -> None:  # type: ignore[no-untyped-def]
    ok = ~unmixed.clipped
    assert ok.mean() > 0.98
    np.testing.assert_allclose(
        unmixed.remixed_wt_pct[ok], unmixed.tio2_pixel_wt_pct[ok], rtol=0, atol=1e-9
    )
    # and on the sub-grid, area-weighted, cell by cell
    grid = MoonGrid(0.5)
    idx = unmixed.pixel_index
    cell = (
        unmixed.mare_fraction * unmixed.tio2_mare_wt_pct[idx]
        + (1 - unmixed.mare_fraction) * unmixed.tio2_highland_wt_pct[idx]
    )
    a = grid.cell_area_km2
    pixel_mean = np.bincount(idx.ravel(), (a * cell).ravel()) / np.bincount(idx.ravel(), a.ravel())
    np.testing.assert_allclose(pixel_mean[ok], unmixed.tio2_pixel_wt_pct[ok], atol=1e-9)


def test_parts_stay_within_the_physical_bounds(unmixed) -> None:  # type: ignore[no-untyped-def]
    for part in (unmixed.tio2_mare_wt_pct, unmixed.tio2_highland_wt_pct):
        assert np.isfinite(part).all() and (part >= 0).all() and (part <= 15.0).all()
    clipped = unmix_tio2(max_wt_pct=5.0)
    assert clipped.tio2_mare_wt_pct.max() == 5.0 and clipped.clipped.sum() > unmixed.clipped.sum()


def test_highland_end_member_is_the_mean_of_nearly_pure_highland_pixels(unmixed) -> None:  # type: ignore[no-untyped-def]
    pure = unmixed.pixel_mare_fraction < 0.05
    w = unmixed.pixel_area[pure]
    expected = np.sum(w * unmixed.tio2_pixel_wt_pct[pure]) / w.sum()
    assert unmixed.highland_endmember_wt_pct == pytest.approx(expected)
    # Apollo 16 and Luna 20 highland soils: 0.5-0.6 wt% TiO2; far-side highlands are poorer still.
    assert 0.3 <= unmixed.highland_endmember_wt_pct <= 0.6


def test_mare_parts_exceed_their_pixels_where_mare_is_partial(unmixed) -> None:  # type: ignore[no-untyped-def]
    f = unmixed.pixel_mare_fraction
    solved = unmixed.solved & (f < 0.95) & ~unmixed.clipped
    above = unmixed.tio2_pixel_wt_pct[solved] > unmixed.highland_endmember_wt_pct
    assert np.all(
        unmixed.tio2_mare_wt_pct[solved][above] >= unmixed.tio2_pixel_wt_pct[solved][above]
    )


def test_errors_propagate_through_the_unmixing(unmixed) -> None:  # type: ignore[no-untyped-def]
    solved = unmixed.solved
    f = unmixed.pixel_mare_fraction[solved]
    expected = (
        np.sqrt(
            unmixed.tio2_pixel_sd_wt_pct[solved] ** 2
            + ((1 - f) * unmixed.highland_endmember_sd_wt_pct) ** 2
        )
        / f
    )
    np.testing.assert_allclose(unmixed.tio2_mare_sd_wt_pct[solved], expected)
    # the mare part of a solved pixel is never more certain than the pixel itself
    assert np.all(unmixed.tio2_mare_sd_wt_pct[solved] >= unmixed.tio2_pixel_sd_wt_pct[solved])
    assert np.isfinite(unmixed.tio2_highland_sd_wt_pct).all()


def test_feo_sees_the_same_maria_as_the_mask(unmixed) -> None:  # type: ignore[no-untyped-def]
    # FeO is measured independently of the LROC outline; basalts are iron-rich.
    assert unmixed.feo_mare_fraction_correlation > 0.8


def test_apollo_16_highlands_read_their_soils(moon_1deg: He3Map) -> None:
    # Apollo 16 soils hold 0.5-0.6 wt% TiO2 (the class model gave 1.1).
    probe = moon_1deg.probe(-8.9730, 15.5002)
    assert probe.mare_fraction == 0.0
    assert 0.45 <= probe.tio2_wt_pct <= 0.65
    assert 0 < probe.tio2_sd_wt_pct < 0.5


def test_small_high_titanium_mare_recovers_more_than_its_pixel(moon_1deg: He3Map) -> None:
    # Apollo 11: the pixel reads 3.84 wt%; the soils 7.5. Unmixing moves the mare cell up.
    probe = moon_1deg.probe(0.6741, 23.4732)
    assert probe.mare_fraction == 1.0 and probe.tio2_wt_pct > 3.84


def test_layer_is_the_default_and_class_model_stays_available(moon_1deg: He3Map) -> None:
    assert moon_1deg.tio2_model == "lpgrs"
    class_moon = He3Map(2.0, tio2_model="class")
    assert class_moon.tio2_model == "class"
    assert class_moon.probe(-8.973, 15.5).tio2_wt_pct == pytest.approx(1.1)
    with pytest.raises(Exception, match="TiO2 model 'clementine'"):
        He3Map(2.0, tio2_model="clementine")


def test_layer_totals_agree_across_resolutions(moon_1deg: He3Map) -> None:
    ref = moon_1deg.tio2_wt_pct
    w = moon_1deg.grid.cell_area_km2
    mean_1deg = float((ref * w).sum() / w.sum())
    for resolution in (0.25, 0.5, 2.0):
        moon = He3Map(resolution)
        a = moon.grid.cell_area_km2
        assert float((moon.tio2_wt_pct * a).sum() / a.sum()) == pytest.approx(mean_1deg, rel=0.01)
