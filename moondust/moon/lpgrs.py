"""Measured titanium: Lunar Prospector gamma-ray TiO2, unmixed into mare and highland parts.

The Lunar Prospector gamma-ray spectrometer (LP GRS) measured the surface's major oxides on 1,790
equal-area pixels about 5° across (Prettyman et al. 2006, JGR 111, E12007; NASA PDS data set
LP-L-GRS-5-ELEM-ABUNDANCE-V1.0), packaged as ``data/moon/lpgrs/``. A 5° footprint mixes small
high-titanium maria with the highlands around them (Apollo 11's pixel reads 3.8 wt% TiO2 where its
soils hold 7.5), so each pixel is split between its mare and highland parts with the 1° LROC mare
mask, by the linear mixing model (docs/model.md, "Measured titanium")

    T_pixel = f · T_mare + (1 − f) · T_highland,

where ``f`` is the pixel's area-weighted mare fraction:

1. the highland end-member ``T_h0`` is the area-weighted mean TiO2 of pixels with
   ``f < f_hl`` (``tio2_highland_pixel_max_mare_fraction``), its σ their area-weighted spread;
2. where ``f ≥ f_min`` (``tio2_unmix_min_mare_fraction``) the mare part is solved,
   ``T_mare = (T_pixel − (1 − f) T_h0) / f``, and the highland part is ``T_h0``;
3. where ``f < f_min`` the mare part is borrowed (mare-area-weighted mean of the solved pixels
   within ``tio2_borrow_radius_deg``; the global solved mean if there are none) and the highland
   part solved, ``T_highland = (T_pixel − f T_mare) / (1 − f)``;
4. both parts are clipped to ``0 … tio2_max_wt_pct``.

Re-mixed by area, the parts give back each pixel's measured mean exactly except where a part was
clipped. The 1σ counting errors propagate linearly (``σ_mare = √(σ_p² + (1 − f)² σ_h0²) / f`` for a
solved pixel, and symmetrically for a borrowed one).

The layers live on a 0.5° sub-grid (pixel edges fall on multiples of 0.5°; the mare mask is
repeated), and :meth:`UnmixedTiO2.layers` hands them to the model as
:class:`~moondust.moon.layers.GridLayer` objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from moondust.datafiles import read_csv
from moondust.moon.grid import FloatArray, MoonGrid, angular_distance_deg
from moondust.moon.layers import GridLayer, mare_fraction_layer

PIXEL_FILE = ("moon", "lpgrs", "lpgrs_prettyman2006_5deg_pixels.csv")
SOURCE = (
    "Lunar Prospector GRS (Prettyman et al. 2006, JGR 111, E12007; PDS LP-L-GRS-5-ELEM-ABUNDANCE-"
    "V1.0), unmixed with the LROC mare mask (Nelson et al. 2014)"
)
SUB_GRID_DEG = 0.5
"""Resolution of the sub-grid the pixels are rasterised on (every pixel edge is a multiple)."""


def lpgrs_pixels() -> pd.DataFrame:
    """The 1,790 LP GRS pixels: bounds (degrees, east longitude), oxides (wt%), Th (ppm), 1σ."""
    return read_csv(*PIXEL_FILE)


def pixel_index_grid(pixels: pd.DataFrame, grid: MoonGrid) -> NDArray[np.int64]:
    """Row number (into ``pixels``) of the pixel containing each cell centre of ``grid``.

    Pixels are half-open in latitude and longitude, ``[min, max)``, with the north pole and 180°E
    closing the last band and column.
    """
    lat_c = grid.lat_deg
    lon_c = grid.lon_deg
    result = np.full(grid.shape, -1, dtype=np.int64)
    min_lat = pixels["min_lat"].to_numpy(dtype=np.float64)
    for band_lat in np.unique(min_lat):
        in_band = np.flatnonzero(min_lat == band_lat)
        band = pixels.iloc[in_band]
        rows = (lat_c >= band_lat) & (lat_c < float(band["max_lat"].iloc[0]))
        if float(band["max_lat"].iloc[0]) >= 90.0:
            rows |= lat_c >= band_lat
        order = np.argsort(band["min_lon"].to_numpy())
        lon_starts = band["min_lon"].to_numpy(dtype=np.float64)[order]
        col = np.clip(np.searchsorted(lon_starts, lon_c, side="right") - 1, 0, order.size - 1)
        result[rows, :] = in_band[order][col][None, :]
    return result


@dataclass(frozen=True, eq=False)  # compared and hashed by identity (cached)
class UnmixedTiO2:
    """LP GRS TiO2 split into mare and highland parts, per pixel and on the 0.5° sub-grid.

    Per-pixel arrays have one value per row of :func:`lpgrs_pixels`.
    """

    pixel_index: NDArray[np.int64]
    """Pixel of each 0.5° sub-grid cell, shape (360, 720)."""
    mare_fraction: FloatArray
    """LROC mare fraction of each 0.5° sub-grid cell (0 poleward of ±70°)."""
    pixel_area: FloatArray
    """Pixel area as a fraction of the sphere."""
    pixel_mare_fraction: FloatArray
    tio2_pixel_wt_pct: FloatArray
    tio2_pixel_sd_wt_pct: FloatArray
    feo_pixel_wt_pct: FloatArray
    tio2_mare_wt_pct: FloatArray
    tio2_highland_wt_pct: FloatArray
    tio2_mare_sd_wt_pct: FloatArray
    tio2_highland_sd_wt_pct: FloatArray
    solved: NDArray[np.bool_]
    """True where the mare part was solved from the pixel (f ≥ f_min), False where borrowed."""
    clipped: NDArray[np.bool_]
    """True where a part was clipped to the physical bounds (the re-mix then differs)."""
    highland_endmember_wt_pct: float
    highland_endmember_sd_wt_pct: float

    @property
    def remixed_wt_pct(self) -> FloatArray:
        """Area-weighted re-mix of the parts per pixel: ``f T_mare + (1 − f) T_highland``."""
        f = self.pixel_mare_fraction
        return f * self.tio2_mare_wt_pct + (1.0 - f) * self.tio2_highland_wt_pct

    @property
    def feo_mare_fraction_correlation(self) -> float:
        """Area-weighted Pearson correlation of pixel FeO with pixel mare fraction.

        FeO is independent of the mare mask (basalts carry 15–22 wt% FeO, anorthositic highlands
        ~4–6), so a high correlation says the mask and the spectrometer see the same maria.
        """
        w = self.pixel_area / self.pixel_area.sum()
        x = self.pixel_mare_fraction - np.sum(w * self.pixel_mare_fraction)
        y = self.feo_pixel_wt_pct - np.sum(w * self.feo_pixel_wt_pct)
        return float(np.sum(w * x * y) / np.sqrt(np.sum(w * x * x) * np.sum(w * y * y)))

    def layers(self) -> dict[str, GridLayer]:
        """Mare and highland TiO2 and their 1σ as 0.5° layers (keys ``mare``, ``highland``,
        ``mare_sd``, ``highland_sd``), plus ``pixel`` (the pixel index, as float)."""
        idx = self.pixel_index
        arrays = {
            "mare": self.tio2_mare_wt_pct[idx],
            "highland": self.tio2_highland_wt_pct[idx],
            "mare_sd": self.tio2_mare_sd_wt_pct[idx],
            "highland_sd": self.tio2_highland_sd_wt_pct[idx],
            "pixel": idx.astype(np.float64),
        }
        return {
            name: GridLayer(values, -90.0, 90.0, f"tio2_{name}", "wt%", SOURCE)
            for name, values in arrays.items()
        }


@cache
def unmix_tio2(
    highland_max_mare_fraction: float = 0.05,
    min_mare_fraction: float = 0.25,
    max_wt_pct: float = 15.0,
    borrow_radius_deg: float = 15.0,
) -> UnmixedTiO2:
    """Split every LP GRS pixel's TiO2 into mare and highland parts (module docstring).

    Parameters
    ----------
    highland_max_mare_fraction
        Pixels with a smaller mare fraction define the highland end-member.
    min_mare_fraction
        Smallest mare fraction at which the mare part is solved from the pixel itself.
    max_wt_pct
        Upper clip of both parts, wt% (the lower clip is 0).
    borrow_radius_deg
        Radius within which a pixel with little mare borrows its neighbours' mare TiO2, degrees.

    Returns
    -------
    UnmixedTiO2
        Parts, errors and flags per pixel and the 0.5° sub-grid they are drawn on.
    """
    pixels = lpgrs_pixels()
    grid = MoonGrid(SUB_GRID_DEG)
    idx = pixel_index_grid(pixels, grid)
    mare = np.clip(np.nan_to_num(mare_fraction_layer().on(grid), nan=0.0), 0.0, 1.0)
    n = len(pixels)
    area = np.bincount(idx.ravel(), grid.cell_area_km2.ravel(), minlength=n)
    f = np.bincount(idx.ravel(), (grid.cell_area_km2 * mare).ravel(), minlength=n) / area
    area_frac = area / area.sum()
    t_pix = pixels["tio2_wt"].to_numpy(dtype=np.float64)
    sd_pix = pixels["tio2_sd_wt"].to_numpy(dtype=np.float64)

    highland = f < highland_max_mare_fraction
    w_h = area_frac[highland] / area_frac[highland].sum()
    t_h0 = float(np.sum(w_h * t_pix[highland]))
    sd_h0 = float(np.sqrt(np.sum(w_h * (t_pix[highland] - t_h0) ** 2)))

    solved = f >= min_mare_fraction
    t_mare = np.full(n, np.nan)
    sd_mare = np.full(n, np.nan)
    t_high = np.full(n, t_h0)
    sd_high = np.full(n, sd_h0)
    fs = f[solved]
    t_mare[solved] = (t_pix[solved] - (1.0 - fs) * t_h0) / fs
    sd_mare[solved] = np.sqrt(sd_pix[solved] ** 2 + ((1.0 - fs) * sd_h0) ** 2) / fs

    # Pixels with little mare borrow the mare TiO2 of solved neighbours (weighted by mare area).
    lat_c = 0.5 * (pixels["min_lat"].to_numpy() + pixels["max_lat"].to_numpy())
    lon_c = 0.5 * (pixels["min_lon"].to_numpy() + pixels["max_lon"].to_numpy())
    donors = np.flatnonzero(solved)
    donor_t = np.clip(t_mare[donors], 0.0, max_wt_pct)
    donor_w = (f * area_frac)[donors]
    global_mean = float(np.sum(donor_w * donor_t) / donor_w.sum())
    global_sd = float(np.sqrt(np.sum(donor_w * (donor_t - global_mean) ** 2) / donor_w.sum()))
    borrowers = np.flatnonzero(~solved)
    if donors.size:
        dist = angular_distance_deg(
            lat_c[borrowers][:, None], lon_c[borrowers][:, None], lat_c[donors], lon_c[donors]
        )
        near = dist <= borrow_radius_deg
        weights = np.where(near, donor_w[None, :], 0.0)
        total = weights.sum(axis=1)
        has = total > 0
        safe = np.where(has, total, 1.0)
        mean = (weights @ donor_t) / safe
        spread = np.sqrt(np.maximum((weights @ donor_t**2) / safe - mean**2, 0.0))
        t_mare[borrowers] = np.where(has, mean, global_mean)
        sd_mare[borrowers] = np.where(has, spread, global_sd)
    fb = f[borrowers]
    t_high[borrowers] = (t_pix[borrowers] - fb * t_mare[borrowers]) / (1.0 - fb)
    sd_high[borrowers] = np.sqrt(sd_pix[borrowers] ** 2 + (fb * sd_mare[borrowers]) ** 2) / (
        1.0 - fb
    )

    clipped_mare = (t_mare < 0.0) | (t_mare > max_wt_pct)
    clipped_high = (t_high < 0.0) | (t_high > max_wt_pct)
    # A part only matters where its class is present.
    clipped = (clipped_mare & (f > 0)) | (clipped_high & (f < 1))
    return UnmixedTiO2(
        pixel_index=idx,
        mare_fraction=mare,
        pixel_area=area_frac,
        pixel_mare_fraction=f,
        tio2_pixel_wt_pct=t_pix,
        tio2_pixel_sd_wt_pct=sd_pix,
        feo_pixel_wt_pct=pixels["feo_wt"].to_numpy(dtype=np.float64),
        tio2_mare_wt_pct=np.clip(t_mare, 0.0, max_wt_pct),
        tio2_highland_wt_pct=np.clip(t_high, 0.0, max_wt_pct),
        tio2_mare_sd_wt_pct=sd_mare,
        tio2_highland_sd_wt_pct=sd_high,
        solved=solved,
        clipped=clipped,
        highland_endmember_wt_pct=t_h0,
        highland_endmember_sd_wt_pct=sd_h0,
    )
