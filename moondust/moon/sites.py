"""Mining deposits: contiguous regions richer in He-3 than a cutoff (DESIGN §3 M0, M5).

Cells whose mean concentration reaches the cutoff are grouped into 4-connected regions (wrapping
around in longitude), and each region becomes a :class:`Site` with its area, mean grade, the He-3 a
miner could reach in the top ``mining_depth_m`` metres, its centroid, the side of the Moon it lies
on (far-side sites need a relay satellite) and the nearest named feature. The engine mines these.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import ndimage

from moondust.moon.features import nearest_feature
from moondust.moon.he3 import PPB, He3Map


@dataclass(frozen=True)
class Site:
    """One He-3 deposit."""

    rank: int
    area_km2: float
    n_cells: int
    mean_ppb: float
    max_ppb: float
    he3_top_kg: float
    mining_depth_m: float
    centroid_lat_deg: float
    centroid_lon_deg: float
    side: str
    mare: str | None
    nearest_feature: str
    nearest_feature_type: str
    nearest_feature_km: float

    @property
    def needs_relay(self) -> bool:
        """Far-side sites have no line of sight to Earth."""
        return self.side == "far"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {**asdict(self), "needs_relay": self.needs_relay}


def label_deposits(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """4-connected labels of ``mask`` on a grid that wraps around in longitude.

    Returns labels (0 = background, 1..n) and n.
    """
    labels, count = ndimage.label(mask)
    # Regions cut by the 180° meridian touch both the first and last column: merge them.
    parent = np.arange(count + 1)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = int(parent[x])
        return x

    for a, b in zip(labels[:, 0], labels[:, -1], strict=True):
        if a and b:
            ra, rb = find(int(a)), find(int(b))
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    roots = np.array([find(i) for i in range(count + 1)])
    unique_roots, compact = np.unique(roots, return_inverse=True)
    return compact[labels], int(unique_roots.size - 1)


def find_sites(
    moon: He3Map, min_ppb: float | None = None, top: int | None = 10, min_area_km2: float = 0.0
) -> list[Site]:
    """The richest deposits, ranked by He-3 within reach of a miner.

    Parameters
    ----------
    moon
        The He-3 map.
    min_ppb
        Cutoff concentration, ppb; defaults to the ``site_cutoff_ppb`` parameter.
    top
        How many sites to return (``None`` for all).
    min_area_km2
        Drop deposits smaller than this.

    Returns
    -------
    list of Site
        Sorted by ``he3_top_kg``, largest first.
    """
    p = moon.params
    cutoff = p.site_cutoff_ppb if min_ppb is None else float(min_ppb)
    ppb = moon.he3_ppb
    labels, count = label_deposits(ppb >= cutoff)
    if count == 0:
        return []
    grid = moon.grid
    flat = labels.ravel()
    n = count + 1
    area = np.bincount(flat, (grid.cell_area_km2 * 1.0).ravel(), minlength=n)
    cells = np.bincount(flat, minlength=n)
    reachable_kg = moon.he3_kg_to_depth(p.mining_depth_m)
    regolith_top = moon.regolith_kg_to_depth(p.mining_depth_m)
    he3_top = np.bincount(flat, reachable_kg.ravel(), minlength=n)
    reg_top = np.bincount(flat, regolith_top.ravel(), minlength=n)
    peak = np.zeros(n)
    np.maximum.at(peak, flat, ppb.ravel())

    # Area-weighted centroid on the sphere (mean of unit vectors).
    lat = np.deg2rad(grid.lat_deg)[:, None]
    lon = np.deg2rad(grid.lon_deg)[None, :]
    weights = grid.cell_area_km2
    xyz = [
        np.bincount(flat, (weights * comp).ravel(), minlength=n)
        for comp in (
            np.cos(lat) * np.cos(lon),
            np.cos(lat) * np.sin(lon),
            np.broadcast_to(np.sin(lat), grid.shape),
        )
    ]
    mare_area = np.zeros((n, len(moon.mare_names) + 1))
    np.add.at(mare_area, (flat, moon.mare_index.ravel()), (weights * moon.mare_fraction).ravel())

    order = [i for i in np.argsort(-he3_top) if i != 0 and area[i] >= min_area_km2]
    if top is not None:
        order = order[:top]
    sites = []
    for rank, i in enumerate(order, start=1):
        c_lat = float(np.rad2deg(np.arctan2(xyz[2][i], np.hypot(xyz[0][i], xyz[1][i]))))
        c_lon = float(np.rad2deg(np.arctan2(xyz[1][i], xyz[0][i])))
        feature = nearest_feature(c_lat, c_lon, p.moon_radius_km)
        named = mare_area[i, :-1]
        mare = moon.mare_names[int(np.argmax(named))] if named.max() > 0 else None
        sites.append(
            Site(
                rank=rank,
                area_km2=float(area[i]),
                n_cells=int(cells[i]),
                mean_ppb=float(he3_top[i] / reg_top[i] / PPB) if reg_top[i] > 0 else float("nan"),
                max_ppb=float(peak[i]),
                he3_top_kg=float(he3_top[i]),
                mining_depth_m=p.mining_depth_m,
                centroid_lat_deg=c_lat,
                centroid_lon_deg=c_lon,
                side="near" if abs(c_lon) < 90.0 else "far",
                mare=mare,
                nearest_feature=feature.name,
                nearest_feature_type=feature.type,
                nearest_feature_km=feature.distance_km,
            )
        )
    return sites
