"""The He-3 map and inventory: how long a user waits for `moondust map`."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from benchmarks.timing import measure
from moondust.moon import He3Map
from moondust.moon.sites import find_sites
from moondust.report.moon_map import save_he3_map


def bench_moon(
    resolutions: tuple[float, ...] = (1.0, 0.5, 0.25), repeats: int = 5, render: bool = True
) -> dict[str, Any]:
    """Median seconds to build the map and inventory, and to find sites, per resolution; and
    to render the 0.25° PNG (unless ``render`` is false)."""
    results: dict[str, Any] = {}
    for resolution in resolutions:
        key = f"{resolution:g}deg"

        def build(resolution: float = resolution) -> object:
            return He3Map(resolution).inventory()

        moon = He3Map(resolution)
        results[f"moon_map_inventory_{key}_s"] = measure(build, repeats).median_s
        results[f"moon_sites_{key}_s"] = measure(
            lambda moon=moon: find_sites(moon), repeats
        ).median_s
    if not render:
        return results
    with tempfile.TemporaryDirectory() as tmp:
        moon = He3Map(0.25)
        png = Path(tmp) / "map.png"
        results["moon_render_png_0.25deg_s"] = measure(
            lambda: save_he3_map(moon, png), max(1, repeats // 2)
        ).median_s
    return results
