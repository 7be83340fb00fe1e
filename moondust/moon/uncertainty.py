"""The inventory's range: Monte Carlo over the parameter ranges and the TiO2 errors.

Each draw takes every parameter that moves the inventory from a triangular distribution on its
documented range (low, default, high; a user's override becomes the mode, widening the range if it
lies outside), and the TiO2 of each LP GRS pixel from a normal distribution with its unmixed 1σ:
one standard normal ``z`` per pixel moves both parts of every cell in that pixel,
``T' = T + z σ`` (pixels are independent; not clipped, since σ is the error of the pixel's mean,
and the inventory stays linear in TiO2, which keeps the draws cheap: per-column sums). With the
class TiO2 model the two class means are drawn instead and scale the mare and highland parts. The
random numbers come from a Philox counter-based generator with a fixed key, so the range is the
same on every run and machine.

The draws are evaluated on the map's own grid, exactly (the fluence is ``cos(lat)·G(lon)``, so a
draw needs only per-column sums).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from moondust.moon.fluence import longitude_factor
from moondust.moon.grid import FloatArray
from moondust.moon.params import MoonParameters

if TYPE_CHECKING:
    from moondust.moon.he3 import He3Map

SEED = 20061212
"""Key of the Philox generator (fixed: the range is deterministic)."""

SAMPLED = (
    "he3_tio2_coefficient",
    "he3_background_ppb",
    "omat_mare",
    "omat_highland",
    "magnetotail_blackout_days",
    "regolith_mare_m",
    "regolith_highland_m",
    "density_mare_kg_m3",
    "density_highland_kg_m3",
)
"""Parameters drawn in every Monte Carlo draw (the ones the whole-Moon inventory depends on)."""

CLASS_SAMPLED = ("tio2_mare_mean_wt_pct", "tio2_highland_mean_wt_pct")
"""Drawn as well with the class TiO2 model."""


@dataclass(frozen=True)
class InventoryRange:
    """Monte Carlo draws of the whole-Moon and near-side inventory, kg (one value per draw)."""

    total_kg: FloatArray
    near_side_kg: FloatArray

    def quantile(self, q: float) -> float:
        """Quantile ``q`` (0–1) of the whole-Moon total, kg."""
        return float(np.quantile(self.total_kg, q))

    @property
    def near_far_ratio(self) -> FloatArray:
        """Near-side over far-side He-3 in each draw."""
        return np.asarray(self.near_side_kg / (self.total_kg - self.near_side_kg))


def draw_parameters(
    params: MoonParameters,
    names: tuple[str, ...],
    draws: int,
    rng: np.random.Generator,
    ranges: Mapping[str, tuple[float, float]] | None = None,
) -> dict[str, FloatArray]:
    """Triangular draws (low, value, high) of each named parameter; fixed where low = high.

    ``ranges`` replaces the table's (low, high) for the parameters it names.
    """
    specs = MoonParameters.specs()
    ranges = ranges or {}
    result: dict[str, FloatArray] = {}
    for name in names:
        value = float(getattr(params, name))
        table_low, table_high = ranges.get(name, (specs[name].low, specs[name].high))
        low = min(table_low, value)
        high = max(table_high, value)
        if high > low:
            result[name] = rng.triangular(low, value, high, size=draws)
        else:
            result[name] = np.full(draws, value)
    return result


def inventory_range(
    moon: He3Map,
    draws: int | None = None,
    seed: int = SEED,
    ranges: Mapping[str, tuple[float, float]] | None = None,
    tio2_errors: bool = True,
) -> InventoryRange:
    """Draw the inventory ``draws`` times (default: the ``inventory_draws`` parameter).

    Parameters
    ----------
    moon
        The map whose model, parameters and TiO2 layers are drawn.
    draws
        Number of draws.
    seed
        Key of the counter-based generator.
    ranges
        (low, high) replacing the parameter table's range for the parameters it names.
    tio2_errors
        Draw the TiO2 of each LP GRS pixel from its 1σ (false: TiO2 fixed).

    Returns
    -------
    InventoryRange
        Totals and near-side totals per draw.
    """
    from moondust.moon.he3 import PPB

    p = moon.params
    n = int(draws if draws is not None else p.inventory_draws)
    rng = np.random.Generator(np.random.Philox(key=seed))
    names = SAMPLED + (CLASS_SAMPLED if moon.tio2_model == "class" else ())
    theta = draw_parameters(p, names, n, rng, ranges)
    pixel = moon.tio2_pixel.ravel()
    n_pixels = int(pixel.max()) + 1 if pixel.size else 0
    z = rng.standard_normal((n, max(n_pixels, 1)))

    # The inventory is linear in TiO2 and the fluence is cos(lat)·G(lon), so each part reduces to
    # per-column sums: S_j = Σ_i w T cos(lat) and, for the errors, M_jp = Σ_{i in pixel p} w σ cos.
    grid = moon.grid
    n_lon = grid.n_lon
    area_m2 = grid.cell_area_km2 * 1e6
    cos_lat = np.cos(np.deg2rad(grid.lat_deg))[:, None]
    col = np.broadcast_to(np.arange(n_lon)[None, :], grid.shape).ravel()
    has_pixel = pixel >= 0
    near_cols = np.abs(grid.lon_deg) < 90.0
    g = np.stack(
        [longitude_factor(grid.lon_deg, t) for t in theta["magnetotail_blackout_days"]]
    )  # (draws, n_lon)
    total = np.zeros(n)
    near_total = np.zeros(n)
    f = moon.mare_fraction
    for fraction, tio2, sd, name in (
        (f, moon.tio2_mare_wt_pct, moon.tio2_mare_sd_wt_pct, "mare"),
        (1.0 - f, moon.tio2_highland_wt_pct, moon.tio2_highland_sd_wt_pct, "highland"),
    ):
        w = area_m2 * fraction
        s_col = (w * tio2 * cos_lat).sum(axis=0)  # (n_lon,)
        tio2_cols = np.broadcast_to(s_col, (n, n_lon))
        if moon.tio2_model == "class":
            scale = theta[f"tio2_{name}_mean_wt_pct"] / getattr(p, f"tio2_{name}_mean_wt_pct")
            tio2_cols = tio2_cols * scale[:, None]
        elif n_pixels and tio2_errors:
            weights = (w * sd * cos_lat).ravel()[has_pixel]
            m = sparse.coo_matrix(
                (weights, (col[has_pixel], pixel[has_pixel])), shape=(n_lon, n_pixels)
            ).tocsr()  # duplicates are summed
            tio2_cols = tio2_cols + np.asarray(m @ z.T).T
        omat = np.maximum(theta[f"omat_{name}"], p.omat_floor)
        slope = theta["he3_tio2_coefficient"] / omat
        column = theta[f"regolith_{name}_m"] * theta[f"density_{name}_kg_m3"] * PPB
        signal = g * tio2_cols
        background = theta["he3_background_ppb"]
        w_col = w.sum(axis=0)
        total += column * (slope * signal.sum(axis=1) + background * w_col.sum())
        near_total += column * (
            slope * signal[:, near_cols].sum(axis=1) + background * w_col[near_cols].sum()
        )
    return InventoryRange(total_kg=total, near_side_kg=near_total)
