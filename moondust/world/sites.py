"""The mining-site catalogue: the Moon model's richest He-3 deposits, as the race sees them.

Which deposits exist and what they hold is a fact about the world (derived from the Moon model,
:func:`moondust.moon.sites.find_sites`); how actors claim and mine them is the engine's
(:mod:`moondust.engine.mining`). The run's dataset labels its ``site`` dimension with this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class SiteTable:
    """The mineable deposits, richest first (S sites)."""

    he3_kg: NDArray[np.float64]
    """He-3 within mining depth at each site, kg (S,)."""
    mean_ppb: NDArray[np.float64]
    far_side: NDArray[np.bool_]
    lat_deg: NDArray[np.float64]
    lon_deg: NDArray[np.float64]
    names: tuple[str, ...]


@cache
def site_table(count: int) -> SiteTable:
    """The richest ``count`` deposits of the default Moon model (1° grid, default parameters).

    Parameters
    ----------
    count
        How many sites (the engine parameter ``mining_sites``).

    Returns
    -------
    SiteTable
        The same (cached) table for every call with the same count.
    """
    from moondust.moon import He3Map
    from moondust.moon.sites import find_sites

    sites = find_sites(He3Map(1.0), top=count)
    return SiteTable(
        he3_kg=np.array([s.he3_top_kg for s in sites]),
        mean_ppb=np.array([s.mean_ppb for s in sites]),
        far_side=np.array([s.side == "far" for s in sites]),
        lat_deg=np.array([s.centroid_lat_deg for s in sites]),
        lon_deg=np.array([s.centroid_lon_deg for s in sites]),
        names=tuple(s.nearest_feature for s in sites),
    )
