"""Mining deposits: contiguous regions richer in He-3 than a cutoff (docs/model.md, M0, M5).

Cells whose mean concentration reaches the cutoff are grouped into 4-connected regions (wrapping
around in longitude), and each region becomes a :class:`Site` with its area, mean grade, its He-3 in
the whole regolith column (``he3_kg``, the depth every inventory figure counts) and the part a miner
could reach in the top ``mining_depth_m`` metres (``he3_top_kg``, what sites are ranked by), its
centroid, the side of the Moon it lies on (far-side sites need a relay satellite) and the nearest
named feature. The engine mines these. :func:`merge_by_name` folds deposits that share a nearest
feature into one entry (what ``moondust sites`` lists).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
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
    he3_kg: float
    centroid_lat_deg: float
    centroid_lon_deg: float
    side: str
    mare: str | None
    nearest_feature: str
    nearest_feature_type: str
    nearest_feature_km: float
    n_deposits: int = 1

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
    column = np.bincount(flat, moon.he3_kg.ravel(), minlength=n)
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
                he3_kg=float(column[i]),
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


def merge_by_name(sites: list[Site], top: int | None = None) -> list[Site]:
    """Fold deposits sharing a nearest feature into one site each, re-ranked by He-3 in reach.

    Areas, cells and He-3 add up; the mean grade is weighted by regolith mass, the peak is the
    largest; the centroid is the area-weighted mean on the sphere; the mare and the side are the
    largest deposit's; ``n_deposits`` counts what was merged.
    """
    groups: dict[str, list[Site]] = {}
    for site in sites:
        groups.setdefault(site.nearest_feature, []).append(site)
    merged = []
    for parts in groups.values():
        if len(parts) == 1:
            merged.append(parts[0])
            continue
        largest = max(parts, key=lambda s: s.he3_top_kg)
        area = sum(s.area_km2 for s in parts)
        top_kg = sum(s.he3_top_kg for s in parts)
        regolith = sum(s.he3_top_kg / (s.mean_ppb * PPB) for s in parts if s.mean_ppb > 0)
        lat = np.deg2rad([s.centroid_lat_deg for s in parts])
        lon = np.deg2rad([s.centroid_lon_deg for s in parts])
        w = np.array([s.area_km2 for s in parts])
        x, y, z = (
            float(np.sum(w * c))
            for c in (np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat))
        )
        c_lat = float(np.rad2deg(np.arctan2(z, np.hypot(x, y))))
        c_lon = float(np.rad2deg(np.arctan2(y, x)))
        merged.append(
            replace(
                largest,
                area_km2=area,
                n_cells=sum(s.n_cells for s in parts),
                mean_ppb=top_kg / regolith / PPB if regolith > 0 else float("nan"),
                max_ppb=max(s.max_ppb for s in parts),
                he3_top_kg=top_kg,
                he3_kg=sum(s.he3_kg for s in parts),
                centroid_lat_deg=c_lat,
                centroid_lon_deg=c_lon,
                nearest_feature_km=min(s.nearest_feature_km for s in parts),
                n_deposits=sum(s.n_deposits for s in parts),
            )
        )
    merged.sort(key=lambda s: -s.he3_top_kg)
    if top is not None:
        merged = merged[:top]
    return [replace(s, rank=rank) for rank, s in enumerate(merged, start=1)]
