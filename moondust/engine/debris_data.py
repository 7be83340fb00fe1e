"""The record the debris model starts from and is driven by (docs/model.md, M7).

Shells (``data/world/debris_shells.csv``), the populations at the start
(``debris_counts.csv``), satellites launched per year (``satellites_launched.csv``), recorded
fragmentations (``fragmentation_events.csv``) and constellation plans (``constellations.csv``),
read once and cached. The model itself is :mod:`moondust.engine.debris`.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from moondust.datafiles import read_csv
from moondust.engine.state import FloatArray


@cache
def shell_table() -> tuple[FloatArray, dict[str, FloatArray]]:
    """Shell edges (K + 1,) in km and the shares of each population and of launches by shell."""
    table = read_csv("world", "debris_shells.csv").sort_values("shell")
    edges = np.append(table["floor_km"].to_numpy(float), table["ceiling_km"].iloc[-1])
    shares = {
        name: table[name].to_numpy(float) / table[name].sum()
        for name in table.columns
        if name.endswith(("_2025", "_2007")) or name == "other_launches"
    }
    return edges, shares


SHELLS = 8
"""Number of altitude shells K."""


def _parse_count(text: str) -> float:
    return float(str(text).replace(",", "").lstrip("~><=").strip())


def _count(year: int, metric: str) -> float:
    table = read_csv("world", "debris_counts.csv")
    rows = table[(table["year"] == year) & (table["metric"] == metric)]
    if len(rows) != 1:
        raise RuntimeError(f"debris_counts.csv: no single row for {year} {metric!r}")
    return _parse_count(rows["value"].iloc[0])


@cache
def counts_2025() -> tuple[float, float, float]:
    """(active S, derelict D, debris N) at the start, from ``data/world/debris_counts.csv``.

    Examples
    --------
    >>> counts_2025()
    (11000.0, 2672.0, 40328.0)
    """
    active = _count(2025, "active payloads (headline)")
    payloads = _count(2024, "payloads in orbit")
    at_least_10cm = _count(2024, "MASTER objects >10 cm (Aug 2024)")
    return active, payloads - active, at_least_10cm - payloads


@cache
def counts_2007() -> tuple[float, float, float]:
    """(S, D, N) in LEO on 1 January 2007 (derived, ``debris_counts.csv``).

    Catalogued LEO objects (6,823) scaled to ≥ 10 cm by the 2024 ratio of MASTER objects ≥ 10 cm to
    tracked objects (54,000 / 39,246); active and intact shares as recorded in the table.

    Examples
    --------
    >>> [round(x) for x in counts_2007()]
    [450, 2000, 6938]
    """
    catalogued = _count(2007, "catalogued objects in LEO (1 Jan)")
    ratio = _count(2024, "MASTER objects >10 cm (Aug 2024)") / _count(
        2024, "tracked objects in orbit"
    )
    active = _count(2007, "active payloads in LEO (1 Jan)")
    intact = _count(2007, "derelict payloads and rocket bodies in LEO (1 Jan)")
    return active, intact, catalogued * ratio - active - intact


@cache
def _launch_record() -> dict[int, tuple[float, float]]:
    table = read_csv("world", "satellites_launched.csv")
    years = table["year"].to_numpy(int)
    values = table[["satellites", "starlink"]].to_numpy(float)
    return {int(y): (float(v[0]), float(v[1])) for y, v in zip(years, values, strict=True)}


@cache
def _events() -> tuple[tuple[int, float, float], ...]:
    table = read_csv("world", "fragmentation_events.csv")
    years = table["year"].to_numpy(int)
    values = table[["altitude_km", "fragments"]].to_numpy(float)
    return tuple((int(y), float(v[0]), float(v[1])) for y, v in zip(years, values, strict=True))


@cache
def _constellations() -> tuple[tuple[float, float, float, float], ...]:
    """(altitude km, planned, plan year, deployed 2025) of each constellation."""
    table = read_csv("world", "constellations.csv")
    values = table[["altitude_km", "planned", "plan_year", "deployed_2025"]].to_numpy(float)
    return tuple((float(v[0]), float(v[1]), float(v[2]), float(v[3])) for v in values)


def shell_of(altitude_km: float) -> int:
    """Index of the shell holding ``altitude_km`` (clipped to the grid)."""
    edges, _ = shell_table()
    return int(np.clip(np.searchsorted(edges, altitude_km, side="right") - 1, 0, SHELLS - 1))
