"""Named places on the Moon: the maria, landing sites and the IAU gazetteer.

All from packaged files with provenance (``moondust/data/moon/``): ``maria.csv`` (IAU centres and
diameters), ``mare_tio2.csv`` (per-mare TiO2 where a source gives it), ``landing_sites.csv`` and
``iau_moon_gazetteer_all_features.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from moondust.datafiles import read_csv
from moondust.moon.grid import FloatArray, MoonGrid, angular_distance_deg


@dataclass(frozen=True)
class Maria:
    """The 23 named maria (and Oceanus Procellarum), with IAU centres and angular radii."""

    names: tuple[str, ...]
    lat_deg: FloatArray
    lon_deg: FloatArray
    radius_deg: FloatArray

    def assign(self, grid: MoonGrid, mare_fraction: FloatArray) -> np.ndarray:
        """Index into :attr:`names` of the mare each mare-bearing cell belongs to, or −1.

        A cell belongs to the mare whose IAU circle contains it most centrally (smallest
        distance / radius); circles overlap (Imbrium lies inside Procellarum's), and this picks
        the more specific one. Mare cells outside every circle are unnamed (−1).
        """
        result = np.full(grid.shape, -1, dtype=np.int64)
        rows, cols = np.nonzero(np.nan_to_num(mare_fraction) > 0)
        if rows.size == 0:
            return result
        lat = grid.lat_deg[rows][:, None]
        lon = grid.lon_deg[cols][:, None]
        rel = angular_distance_deg(lat, lon, self.lat_deg, self.lon_deg) / self.radius_deg
        best = np.argmin(rel, axis=1)
        inside = rel[np.arange(rows.size), best] <= 1.0
        result[rows[inside], cols[inside]] = best[inside]
        return result


@cache
def maria(radius_km: float = 1737.4) -> Maria:
    """The packaged maria catalogue."""
    table = read_csv("moon", "maria.csv")
    radius_deg = np.rad2deg(table["diameter_km"].to_numpy(dtype=np.float64) / 2 / radius_km)
    return Maria(
        names=tuple(table["name"]),
        lat_deg=table["lat"].to_numpy(dtype=np.float64),
        lon_deg=table["lon"].to_numpy(dtype=np.float64),
        radius_deg=radius_deg,
    )


def mare_tio2() -> pd.DataFrame:
    """Per-mare TiO2 (wt%) where a source gives one: ``name, tio2_wt_pct, tio2_low, tio2_high``."""
    return read_csv("moon", "mare_tio2.csv")


def landing_sites() -> pd.DataFrame:
    """Apollo, Luna and Chang'e landing sites with coordinates, soil TiO2 and provenance."""
    return read_csv("moon", "landing_sites.csv")


@dataclass(frozen=True)
class NamedFeature:
    """A named feature near a point."""

    name: str
    type: str
    distance_km: float


@cache
def _gazetteer() -> pd.DataFrame:
    table = read_csv("moon", "iau_moon_gazetteer_all_features.csv")
    # Lettered satellite craters ("Apollonius A") and Apollo traverse nicknames are too fine-grained
    # to tell a reader where a deposit is.
    keep = ~table["type"].isin(["satellite feature", "landing site name"])
    return table.loc[keep].reset_index(drop=True)


def nearest_feature(lat_deg: float, lon_deg: float, radius_km: float = 1737.4) -> NamedFeature:
    """The named IAU feature (crater, mare, mons, …) whose centre is nearest a point."""
    table = _gazetteer()
    dist = angular_distance_deg(
        lat_deg,
        lon_deg,
        table["center_lat_deg"].to_numpy(dtype=np.float64),
        table["center_lon_deg_east_pm180"].to_numpy(dtype=np.float64),
    )
    i = int(np.argmin(dist))
    return NamedFeature(
        name=str(table.at[i, "name"]),
        type=str(table.at[i, "type"]),
        distance_km=float(np.deg2rad(dist[i]) * radius_km),
    )
