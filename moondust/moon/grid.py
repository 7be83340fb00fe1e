"""The global latitude-longitude grid the Moon's layers live on.

Cells are equal-angle (``resolution_deg`` in latitude and longitude), rows run south to north and
columns west to east from 180°W, so ``array[i, j]`` is the cell centred on ``lat_deg[i]``,
``lon_deg[j]``. Cell areas are exact on a sphere: ``A = R² Δλ (sin φ_north − sin φ_south)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from numpy.typing import NDArray

from moondust.errors import MoondustError
from moondust.limits import RESOLUTION_MAX_DEG, RESOLUTION_MIN_DEG

FloatArray = NDArray[np.float64]


def _check_resolution(resolution_deg: float) -> Fraction:
    if not RESOLUTION_MIN_DEG <= resolution_deg <= RESOLUTION_MAX_DEG:  # NaN fails too
        raise MoondustError(
            f"resolution {resolution_deg:g}°: expected {RESOLUTION_MIN_DEG:g} to "
            f"{RESOLUTION_MAX_DEG:g} degrees (a finer grid would not fit in memory)"
        )
    frac = Fraction(resolution_deg).limit_denominator(1000)
    ok = abs(float(frac) - resolution_deg) < 1e-12
    # 1/k degrees (finer than the data, by repetition) or whole degrees dividing 90 (coarser, by
    # area-weighted averaging); both keep the near/far boundary at ±90° on a cell edge.
    ok = ok and ((frac.numerator == 1) or (frac.denominator == 1 and 90 % frac.numerator == 0))
    if not ok:
        raise MoondustError(
            f"resolution {resolution_deg:g}°: expected 1/k degrees (1, 0.5, 0.25, 0.2, 0.1, …) "
            "or a whole number of degrees dividing 90 (2, 3, 5, …)"
        )
    return frac


@dataclass(frozen=True)
class MoonGrid:
    """An equal-angle global grid on a spherical Moon.

    Parameters
    ----------
    resolution_deg
        Cell size in degrees: 1/k (1, 0.5, 0.25, …) or a whole number dividing 90.
    radius_km
        Radius of the sphere, km.
    """

    resolution_deg: float = 1.0
    radius_km: float = 1737.4
    _frac: Fraction = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_frac", _check_resolution(self.resolution_deg))

    @property
    def n_lat(self) -> int:
        """Number of rows (latitude bands)."""
        return int(180 / self._frac)

    @property
    def n_lon(self) -> int:
        """Number of columns (longitude bands)."""
        return int(360 / self._frac)

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_lat, n_lon)``."""
        return (self.n_lat, self.n_lon)

    @property
    def lat_edges_deg(self) -> FloatArray:
        """Latitudes of row edges, south to north (n_lat + 1 values)."""
        return np.linspace(-90.0, 90.0, self.n_lat + 1)

    @property
    def lon_edges_deg(self) -> FloatArray:
        """East longitudes of column edges from −180 to 180 (n_lon + 1 values)."""
        return np.linspace(-180.0, 180.0, self.n_lon + 1)

    @property
    def lat_deg(self) -> FloatArray:
        """Latitudes of cell centres, degrees north, ascending."""
        edges = self.lat_edges_deg
        return 0.5 * (edges[:-1] + edges[1:])

    @property
    def lon_deg(self) -> FloatArray:
        """East longitudes of cell centres in −180..180, ascending."""
        edges = self.lon_edges_deg
        return 0.5 * (edges[:-1] + edges[1:])

    @property
    def cell_area_km2(self) -> FloatArray:
        """Exact spherical area of each cell, km², shape ``(n_lat, n_lon)``."""
        sin_edges = np.sin(np.deg2rad(self.lat_edges_deg))
        band = self.radius_km**2 * np.deg2rad(float(self._frac)) * np.diff(sin_edges)
        return np.broadcast_to(band[:, None], self.shape)

    @property
    def near_side(self) -> NDArray[np.bool_]:
        """True for cells on the hemisphere facing Earth (|longitude| < 90°)."""
        return np.broadcast_to(np.abs(self.lon_deg)[None, :] < 90.0, self.shape)

    def index(self, lat_deg: float, lon_deg: float) -> tuple[int, int]:
        """Row and column of the cell containing a point (longitude in −180..360, east positive)."""
        lat_deg, lon_deg = normalize_point(lat_deg, lon_deg)
        row = min(int((lat_deg + 90.0) / float(self._frac)), self.n_lat - 1)
        col = min(int((lon_deg + 180.0) / float(self._frac)), self.n_lon - 1)
        return row, col


def normalize_point(lat_deg: float, lon_deg: float) -> tuple[float, float]:
    """Check a point and return latitude and east longitude in −180..180.

    Raises
    ------
    MoondustError
        If latitude is outside −90..90 or longitude outside −180..360.
    """
    if not np.isfinite(lat_deg) or not -90.0 <= lat_deg <= 90.0:
        raise MoondustError(f"latitude {lat_deg:g}: expected −90..90 degrees north")
    if not np.isfinite(lon_deg) or not -180.0 <= lon_deg <= 360.0:
        raise MoondustError(f"longitude {lon_deg:g}: expected −180..180 or 0..360 degrees east")
    lon = ((lon_deg + 180.0) % 360.0) - 180.0
    if lon_deg == 180.0 or lon_deg == -180.0:
        lon = lon_deg
    return float(lat_deg), float(lon)


def angular_distance_deg(
    lat1_deg: FloatArray | float,
    lon1_deg: FloatArray | float,
    lat2_deg: FloatArray | float,
    lon2_deg: FloatArray | float,
) -> FloatArray:
    """Great-circle angle between points, degrees (haversine form; broadcasts)."""
    lat1, lon1, lat2, lon2 = (
        np.deg2rad(np.asarray(v, dtype=np.float64))
        for v in (lat1_deg, lon1_deg, lat2_deg, lon2_deg)
    )
    hav = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return np.rad2deg(2 * np.arcsin(np.sqrt(np.clip(hav, 0.0, 1.0))))
