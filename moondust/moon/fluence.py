"""Solar-wind fluence factor F(lat, lon) from geometry, with the magnetotail blackout.

The Moon is tidally locked, so each longitude sees the Sun rise and set once per synodic month
(29.53 days). The solar-wind flux on a surface element is taken proportional to
``max(0, cos(lat) · cos(lon − λ_sun))``, with ``λ_sun`` the sub-solar longitude. Around full Moon
(``λ_sun = 0``, the near side lit) the Moon crosses Earth's magnetotail and the wind switches off
for ``T_tail`` days (docs/model.md, M0). Averaging over a month gives

    F(lat, lon) = cos(lat) · G(lon),
    G(lon) = [2 − ∫_{−w}^{w} max(0, cos(lon − s)) ds] / 2,   w = π · T_tail / 29.53,

normalised so F = 1 at the far-side equator (where the blackout never falls in daylight). Derived in
docs/model.md (M0, status derived): with a 6-day tail, G(0°) = 0.404 and G(±90°) = 0.901.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

SYNODIC_MONTH_DAYS = 29.530589
"""Mean synodic month (days); IAU/astronomical almanac value."""


def _positive_cos_integral(upper: NDArray[np.float64]) -> NDArray[np.float64]:
    """∫_{−π/2}^{u} max(0, cos t) dt for any real u (each 2π period contributes 2)."""
    shifted = upper + np.pi / 2
    periods = np.floor(shifted / (2 * np.pi))
    rest = shifted - 2 * np.pi * periods
    partial = np.where(rest < np.pi, 1.0 - np.cos(rest), 2.0)
    return 2.0 * periods + partial


def longitude_factor(lon_deg: ArrayLike, blackout_days: float) -> NDArray[np.float64]:
    """G(lon): the monthly solar-wind exposure of a longitude relative to the far-side centre."""
    if not 0.0 <= blackout_days <= SYNODIC_MONTH_DAYS / 2:
        raise ValueError(f"blackout_days must be in 0..{SYNODIC_MONTH_DAYS / 2:.2f}")
    lon = np.deg2rad(np.asarray(lon_deg, dtype=np.float64))
    half_width = np.pi * blackout_days / SYNODIC_MONTH_DAYS
    blocked = _positive_cos_integral(lon + half_width) - _positive_cos_integral(lon - half_width)
    return (2.0 - blocked) / 2.0


def fluence_factor(
    lat_deg: ArrayLike, lon_deg: ArrayLike, blackout_days: float = 6.0
) -> NDArray[np.float64]:
    """Normalised solar-wind fluence F(lat, lon) = cos(lat) · G(lon) (broadcasts).

    Parameters
    ----------
    lat_deg, lon_deg
        Latitude (degrees north) and east longitude (degrees, any branch).
    blackout_days
        Days per synodic month without solar wind, centred on full Moon.

    Returns
    -------
    numpy.ndarray
        F in [0, 1]; 1 at the far-side equator, ≈0.40 at the near-side centre with a 6-day tail.
    """
    lat = np.deg2rad(np.asarray(lat_deg, dtype=np.float64))
    return np.cos(lat) * longitude_factor(lon_deg, blackout_days)
