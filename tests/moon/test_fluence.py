"""The solar-wind fluence factor: geometry and the magnetotail blackout (docs/model.md, M0)."""

from __future__ import annotations

import numpy as np
import pytest

from moondust.moon.fluence import fluence_factor, longitude_factor

# An independent numerical integration of the same geometry at latitude 0, 6-day and 4-day
# tails (we integrate analytically, so agreement to 3 decimals is expected).
SIX_DAY = {0: 0.404, 30: 0.484, 60: 0.699, 90: 0.901, 120: 0.997, 180: 1.000}
FOUR_DAY = {0: 0.587, 30: 0.642, 60: 0.793, 90: 0.955, 120: 1.000, 180: 1.000}


@pytest.mark.parametrize(("days", "table"), [(6.0, SIX_DAY), (4.0, FOUR_DAY)])
def test_matches_the_reference_table(days: float, table: dict[int, float]) -> None:
    for lon, expected in table.items():
        for signed in (lon, -lon):
            assert longitude_factor(signed, days) == pytest.approx(expected, abs=1.5e-3)


def test_symmetric_about_the_equator_and_the_central_meridian() -> None:
    lat = np.linspace(0, 90, 31)
    lon = np.linspace(-180, 180, 73)
    north = fluence_factor(lat[:, None], lon[None, :])
    south = fluence_factor(-lat[:, None], lon[None, :])
    np.testing.assert_allclose(north, south, atol=1e-15)
    np.testing.assert_allclose(north, fluence_factor(lat[:, None], -lon[None, :]), atol=1e-15)


def test_far_side_receives_more_than_near_side() -> None:
    lat = np.linspace(-89.5, 89.5, 180)[:, None]
    lon = np.linspace(-179.5, 179.5, 360)[None, :]
    f = fluence_factor(lat, lon)
    weights = np.cos(np.deg2rad(lat)) * np.ones_like(lon)
    near = np.abs(lon) < 90
    mean_near = (f * weights)[:, near[0]].sum() / weights[:, near[0]].sum()
    mean_far = (f * weights)[:, ~near[0]].sum() / weights[:, ~near[0]].sum()
    # The same independent integration: area means 0.48 (near) and 0.77 (far).
    assert mean_near == pytest.approx(0.48, abs=0.01)
    assert mean_far == pytest.approx(0.77, abs=0.01)


def test_no_blackout_is_uniform_in_longitude_and_bounded() -> None:
    g = longitude_factor(np.linspace(-180, 360, 97), 0.0)
    np.testing.assert_allclose(g, 1.0)
    f = fluence_factor(np.linspace(-90, 90, 181)[:, None], np.linspace(-180, 180, 361)[None, :])
    assert f.min() >= -1e-12 and f.max() <= 1 + 1e-12


def test_longer_blackout_lowers_the_near_side_only() -> None:
    assert longitude_factor(0, 6) < longitude_factor(0, 4) < longitude_factor(0, 2)
    assert longitude_factor(180, 6) == pytest.approx(longitude_factor(180, 2))


def test_blackout_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError):
        longitude_factor(0, 20)
