"""The grid: exact spherical areas, indexing and resolution rules."""

from __future__ import annotations

import math

import numpy as np
import pytest

from moondust.errors import MoondustError
from moondust.moon.grid import MoonGrid, angular_distance_deg, normalize_point


@pytest.mark.parametrize("resolution", [0.25, 0.5, 1.0, 2.0, 5.0])
def test_cell_areas_sum_to_the_sphere(resolution: float) -> None:
    grid = MoonGrid(resolution)
    sphere = 4 * math.pi * 1737.4**2
    assert grid.cell_area_km2.sum() == pytest.approx(sphere, rel=1e-12)
    assert grid.shape == (int(180 / resolution), int(360 / resolution))


def test_hemispheres_have_equal_area() -> None:
    grid = MoonGrid(0.5)
    near = grid.cell_area_km2[grid.near_side].sum()
    assert near == pytest.approx(grid.cell_area_km2.sum() / 2, rel=1e-12)


def test_polar_band_area_matches_spherical_cap() -> None:
    grid = MoonGrid(1.0)
    cap = 2 * math.pi * 1737.4**2 * (1 - math.sin(math.radians(89)))
    assert grid.cell_area_km2[-1].sum() == pytest.approx(cap, rel=1e-12)


@pytest.mark.parametrize("bad", [0.3, 0.0, -1.0, 7.0, 4.0])
def test_unsupported_resolutions_are_refused(bad: float) -> None:
    with pytest.raises(MoondustError, match="resolution"):
        MoonGrid(bad)


def test_index_accepts_both_longitude_conventions() -> None:
    grid = MoonGrid(1.0)
    assert grid.index(0.5, -30.5) == grid.index(0.5, 329.5)
    row, col = grid.index(-90.0, -180.0)
    assert (row, col) == (0, 0)
    row, col = grid.index(90.0, 180.0)
    assert (row, col) == (179, 359)


@pytest.mark.parametrize(("lat", "lon"), [(91, 0), (-90.5, 0), (0, 361), (0, -181), (math.nan, 0)])
def test_points_out_of_range_are_refused(lat: float, lon: float) -> None:
    with pytest.raises(MoondustError):
        normalize_point(lat, lon)


def test_angular_distance_known_values() -> None:
    assert angular_distance_deg(0, 0, 0, 90) == pytest.approx(90)
    assert angular_distance_deg(90, 0, -90, 0) == pytest.approx(180)
    assert angular_distance_deg(10, 179.5, 10, -179.5) == pytest.approx(
        np.rad2deg(
            np.arccos(
                np.sin(np.radians(10)) ** 2 + np.cos(np.radians(10)) ** 2 * np.cos(np.radians(1))
            )
        )
    )
