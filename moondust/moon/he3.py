"""Helium-3 in the lunar regolith: concentration, inventory and point probes (docs/model.md, M0).

Each grid cell is a mix of two terrain classes, mare (area fraction ``f`` from the LROC mare mask)
and highland (``1 − f``), each with its own TiO2, optical maturity, regolith thickness and density.
The He-3 mass fraction of each class follows the Fa & Jin (2007) linear law

    C = a · TiO2 · F / max(OMAT, OMAT_min) + b        [ppb = 1e-9 kg/kg]

with F the solar-wind fluence factor (:mod:`moondust.moon.fluence`). The inventory is the exact sum
over cells of ``A · (f h_m ρ_m C_m + (1 − f) h_h ρ_h C_h)`` with ``A`` the spherical cell area, so
maria and highlands, near and far side, add up to the total exactly.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from moondust.errors import MoondustError
from moondust.moon.features import mare_tio2, maria
from moondust.moon.fluence import fluence_factor
from moondust.moon.grid import FloatArray, MoonGrid
from moondust.moon.layers import GridLayer, mare_fraction_layer
from moondust.moon.lpgrs import (
    SUB_GRID_DEG,
    UnmixedTiO2,
    lpgrs_pixels,
    pixel_index_grid,
    unmix_tio2,
)
from moondust.moon.params import MoonParameters
from moondust.moon.uncertainty import InventoryRange, inventory_range

PPB = 1e-9
"""Mass fraction of one part per billion (ng/g)."""

M2_PER_KM2 = 1e6


TIO2_MODELS = ("lpgrs", "class")
"""TiO2 models: measured (LP GRS, unmixed; the default) or class means with per-mare values."""


@cache
def _mare_fraction_base() -> GridLayer:
    return mare_fraction_layer()


@cache
def _lpgrs_layers(unmixed: UnmixedTiO2) -> dict[str, GridLayer]:
    return unmixed.layers()


@dataclass(frozen=True)
class MareInventory:
    """He-3 held in one named mare's basalt (the mare part of the cells assigned to it)."""

    name: str
    kg: float
    mean_ppb: float
    area_km2: float


@dataclass(frozen=True)
class Inventory:
    """Whole-Moon He-3 inventory, kg, and its splits (each pair sums to ``total_kg``).

    Every figure counts the whole regolith column (``regolith_mare_m`` on mare,
    ``regolith_highland_m`` on highland; ``depth`` says so). ``total_kg_q05`` and ``total_kg_q95``
    are the 5 % and 95 % quantiles of the Monte Carlo over the parameter ranges and the TiO2 errors
    (:mod:`moondust.moon.uncertainty`); ``total_kg`` is the model at its default parameters.
    """

    total_kg: float
    near_side_kg: float
    far_side_kg: float
    maria_kg: float
    highlands_kg: float
    mean_ppb: float
    by_mare: tuple[MareInventory, ...]
    total_kg_q05: float = float("nan")
    total_kg_q95: float = float("nan")
    near_far_ratio_q05: float = float("nan")
    near_far_ratio_q95: float = float("nan")
    draws: int = 0
    tio2_model: str = "lpgrs"
    depth: str = "whole regolith column"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the keys the CLI's ``--format json`` prints."""
        data = asdict(self)
        data["by_mare"] = [asdict(m) for m in self.by_mare]
        return data


@dataclass(frozen=True)
class Probe:
    """The model's layers in the grid cell that contains a point."""

    lat_deg: float
    lon_deg: float
    cell_lat_deg: float
    cell_lon_deg: float
    mare_fraction: float
    tio2_wt_pct: float
    tio2_sd_wt_pct: float
    omat: float
    fluence_factor: float
    regolith_m: float
    he3_ppb: float
    mare: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


class He3Map:
    """The Moon's He-3 resource on a global grid.

    Parameters
    ----------
    resolution_deg
        Grid cell size, degrees (1, 0.5, 0.25, … or 2, 3, 5, …).
    params
        Model parameters; defaults are the cited values in ``docs/model.md``.
    tio2
        Optional TiO2 map (wt%) replacing the model's TiO2 wherever it has data: a
        :class:`~moondust.moon.layers.GridLayer` or a path to a ``.csv``, ``.npy`` or GeoTIFF.
    tio2_model
        ``"lpgrs"`` (default): Lunar Prospector GRS TiO2 unmixed into mare and highland parts
        (:mod:`moondust.moon.lpgrs`); ``"class"``: mare and highland means with four sourced
        per-mare values (the earlier model, kept for comparison).

    Examples
    --------
    >>> from moondust.moon import He3Map
    >>> moon = He3Map(resolution_deg=1.0)
    >>> inv = moon.inventory()
    >>> inv.near_side_kg + inv.far_side_kg == inv.total_kg
    True
    >>> round(moon.probe(0.674, 23.473).he3_ppb, 1)  # Apollo 11, Mare Tranquillitatis
    9.2
    >>> inv.total_kg_q05 < inv.total_kg < inv.total_kg_q95  # the 5-95 % range
    True
    """

    def __init__(
        self,
        resolution_deg: float = 1.0,
        params: MoonParameters | None = None,
        tio2: GridLayer | str | Path | None = None,
        tio2_model: str = "lpgrs",
    ) -> None:
        if tio2_model not in TIO2_MODELS:
            raise MoondustError(
                f"TiO2 model {tio2_model!r}: expected one of {', '.join(TIO2_MODELS)}"
            )
        self.params = params if params is not None else MoonParameters()
        p = self.params
        self.tio2_model = tio2_model
        self.grid = MoonGrid(resolution_deg, p.moon_radius_km)
        if isinstance(tio2, str | Path):
            tio2 = GridLayer.from_file(tio2, name="tio2", unit="wt%")
        self.tio2_layer = tio2
        shape = self.grid.shape

        self.mare_fraction: FloatArray = np.clip(
            np.nan_to_num(_mare_fraction_base().on(self.grid), nan=0.0), 0.0, 1.0
        )
        catalogue = maria(p.moon_radius_km)
        self.mare_names = catalogue.names
        self.mare_index = catalogue.assign(self.grid, self.mare_fraction)

        # TiO2 of each part, its 1σ, and the LP GRS pixel each cell draws its errors from (−1: none)
        self.tio2_mare_sd_wt_pct: FloatArray = np.zeros(shape)
        self.tio2_highland_sd_wt_pct: FloatArray = np.zeros(shape)
        self.tio2_pixel: np.ndarray = np.full(shape, -1, dtype=np.int64)
        if tio2_model == "lpgrs":
            unmixed = unmix_tio2(
                p.tio2_highland_pixel_max_mare_fraction,
                p.tio2_unmix_min_mare_fraction,
                p.tio2_max_wt_pct,
                p.tio2_borrow_radius_deg,
            )
            self.tio2_pixel = pixel_index_grid(lpgrs_pixels(), self.grid)
            if self.grid.resolution_deg <= SUB_GRID_DEG:  # each cell lies inside one pixel
                pix = self.tio2_pixel
                self.tio2_mare_wt_pct: FloatArray = unmixed.tio2_mare_wt_pct[pix]
                self.tio2_highland_wt_pct: FloatArray = unmixed.tio2_highland_wt_pct[pix]
                self.tio2_mare_sd_wt_pct = unmixed.tio2_mare_sd_wt_pct[pix]
                self.tio2_highland_sd_wt_pct = unmixed.tio2_highland_sd_wt_pct[pix]
            else:  # area-weighted means of the 0.5° sub-grid
                layers = _lpgrs_layers(unmixed)
                self.tio2_mare_wt_pct = layers["mare"].on(self.grid)
                self.tio2_highland_wt_pct = layers["highland"].on(self.grid)
                self.tio2_mare_sd_wt_pct = layers["mare_sd"].on(self.grid)
                self.tio2_highland_sd_wt_pct = layers["highland_sd"].on(self.grid)
        else:
            tio2_by_mare = np.full(len(self.mare_names) + 1, p.tio2_mare_mean_wt_pct)
            table = mare_tio2()
            for name, value in zip(table["name"], table["tio2_wt_pct"], strict=True):
                tio2_by_mare[self.mare_names.index(str(name))] = float(value)
            # index −1 (unnamed mare) reads the last slot, which keeps the mare mean
            self.tio2_mare_wt_pct = tio2_by_mare[self.mare_index]
            self.tio2_highland_wt_pct = np.full(shape, p.tio2_highland_mean_wt_pct)
        if tio2 is not None:
            observed = tio2.on(self.grid)
            if np.any(observed[np.isfinite(observed)] < 0):
                raise_negative(tio2)
            has_data = np.isfinite(observed)
            self.tio2_mare_wt_pct = np.where(has_data, observed, self.tio2_mare_wt_pct)
            self.tio2_highland_wt_pct = np.where(has_data, observed, self.tio2_highland_wt_pct)
            self.tio2_mare_sd_wt_pct = np.where(has_data, 0.0, self.tio2_mare_sd_wt_pct)
            self.tio2_highland_sd_wt_pct = np.where(has_data, 0.0, self.tio2_highland_sd_wt_pct)
            self.tio2_pixel = np.where(has_data, -1, self.tio2_pixel)
        self._range: InventoryRange | None = None

        self.fluence: FloatArray = np.clip(
            fluence_factor(
                self.grid.lat_deg[:, None], self.grid.lon_deg[None, :], p.magnetotail_blackout_days
            ),
            0.0,
            1.0,
        )
        self.he3_mare_ppb = concentration_ppb(self.tio2_mare_wt_pct, self.fluence, p.omat_mare, p)
        self.he3_highland_ppb = concentration_ppb(
            self.tio2_highland_wt_pct, self.fluence, p.omat_highland, p
        )
        self._area_m2 = self.grid.cell_area_km2 * M2_PER_KM2
        self.regolith_kg = self._regolith_kg(depth_m=None)
        self.he3_mare_kg: FloatArray = self._mare_regolith_kg(None) * self.he3_mare_ppb * PPB
        self.he3_highland_kg: FloatArray = (
            self._highland_regolith_kg(None) * self.he3_highland_ppb * PPB
        )

    # --- derived layers -------------------------------------------------------------------------
    def _mare_regolith_kg(self, depth_m: float | None) -> FloatArray:
        p = self.params
        h = p.regolith_mare_m if depth_m is None else min(depth_m, p.regolith_mare_m)
        return self._area_m2 * self.mare_fraction * h * p.density_mare_kg_m3

    def _highland_regolith_kg(self, depth_m: float | None) -> FloatArray:
        p = self.params
        h = p.regolith_highland_m if depth_m is None else min(depth_m, p.regolith_highland_m)
        return self._area_m2 * (1.0 - self.mare_fraction) * h * p.density_highland_kg_m3

    def _regolith_kg(self, depth_m: float | None) -> FloatArray:
        return self._mare_regolith_kg(depth_m) + self._highland_regolith_kg(depth_m)

    def he3_kg_to_depth(self, depth_m: float) -> FloatArray:
        """He-3 per cell in the top ``depth_m`` metres of regolith, kg (uniform with depth)."""
        return PPB * (
            self._mare_regolith_kg(depth_m) * self.he3_mare_ppb
            + self._highland_regolith_kg(depth_m) * self.he3_highland_ppb
        )

    def regolith_kg_to_depth(self, depth_m: float) -> FloatArray:
        """Regolith mass per cell in the top ``depth_m`` metres, kg."""
        return self._regolith_kg(depth_m)

    @property
    def he3_kg(self) -> FloatArray:
        """He-3 per cell in the whole regolith column, kg."""
        return self.he3_mare_kg + self.he3_highland_kg

    @property
    def he3_ppb(self) -> FloatArray:
        """Mass-weighted mean He-3 concentration per cell, ppb."""
        with np.errstate(invalid="ignore", divide="ignore"):
            mixed = self.he3_kg / self.regolith_kg / PPB
        # Cells with no regolith (thickness 0) report the area-weighted concentration.
        fallback = (
            self.mare_fraction * self.he3_mare_ppb
            + (1 - self.mare_fraction) * self.he3_highland_ppb
        )
        return np.where(self.regolith_kg > 0, mixed, fallback)

    def _area_mix(
        self, mare_value: FloatArray | float, highland_value: FloatArray | float
    ) -> FloatArray:
        f = self.mare_fraction
        return np.asarray(f * mare_value + (1.0 - f) * highland_value, dtype=np.float64)

    @property
    def tio2_wt_pct(self) -> FloatArray:
        """Area-weighted TiO2 per cell, wt%."""
        return self._area_mix(self.tio2_mare_wt_pct, self.tio2_highland_wt_pct)

    @property
    def tio2_sd_wt_pct(self) -> FloatArray:
        """1σ of the cell's TiO2, wt% (the two parts' errors added as fully correlated)."""
        return self._area_mix(self.tio2_mare_sd_wt_pct, self.tio2_highland_sd_wt_pct)

    @property
    def omat(self) -> FloatArray:
        """Area-weighted optical maturity per cell."""
        return self._area_mix(self.params.omat_mare, self.params.omat_highland)

    @property
    def regolith_m(self) -> FloatArray:
        """Area-weighted regolith thickness per cell, m."""
        return self._area_mix(self.params.regolith_mare_m, self.params.regolith_highland_m)

    # --- results ---------------------------------------------------------------------------------
    def inventory_range(self) -> InventoryRange:
        """Monte Carlo draws of the inventory (computed once per map; deterministic)."""
        if self._range is None:
            self._range = inventory_range(self)
        return self._range

    def inventory(self, with_range: bool = True) -> Inventory:
        """Total He-3 and its splits: near/far side, maria/highlands, and per named mare.

        Every figure counts the whole regolith column. With ``with_range`` the 5–95 % range of the
        total and of the near/far ratio come from :meth:`inventory_range`.
        """
        total = float(self.he3_kg.sum())
        near = float(self.he3_kg[self.grid.near_side].sum())
        maria_kg = float(self.he3_mare_kg.sum())
        mare_regolith = self._mare_regolith_kg(None)
        n = len(self.mare_names)
        idx = self.mare_index.ravel()
        named = idx >= 0
        kg = np.bincount(idx[named], self.he3_mare_kg.ravel()[named], minlength=n)
        regolith = np.bincount(idx[named], mare_regolith.ravel()[named], minlength=n)
        area = np.bincount(
            idx[named], (self.grid.cell_area_km2 * self.mare_fraction).ravel()[named], minlength=n
        )
        by_mare = [
            MareInventory(
                name=self.mare_names[i],
                kg=float(kg[i]),
                mean_ppb=float(kg[i] / regolith[i] / PPB) if regolith[i] > 0 else float("nan"),
                area_km2=float(area[i]),
            )
            for i in np.argsort(-kg)
            if area[i] > 0
        ]
        p = self.params
        extra: dict[str, Any] = {}
        if with_range:
            draws = self.inventory_range()
            ratio = draws.near_far_ratio
            extra = {
                "total_kg_q05": draws.quantile(0.05),
                "total_kg_q95": draws.quantile(0.95),
                "near_far_ratio_q05": float(np.quantile(ratio, 0.05)),
                "near_far_ratio_q95": float(np.quantile(ratio, 0.95)),
                "draws": int(draws.total_kg.size),
            }
        return Inventory(
            total_kg=total,
            near_side_kg=near,
            far_side_kg=total - near,
            maria_kg=maria_kg,
            highlands_kg=total - maria_kg,
            mean_ppb=float(total / self.regolith_kg.sum() / PPB),
            by_mare=tuple(by_mare),
            tio2_model=self.tio2_model,
            depth=(
                f"whole regolith column: {p.regolith_mare_m:g} m on mare, "
                f"{p.regolith_highland_m:g} m on highland"
            ),
            **extra,
        )

    def probe(self, lat_deg: float, lon_deg: float) -> Probe:
        """Every layer in the grid cell containing a point (longitude east, −180..360).

        Raises
        ------
        MoondustError
            If the coordinates are out of range.
        """
        from moondust.moon.grid import normalize_point

        lat_deg, lon_deg = normalize_point(lat_deg, lon_deg)
        i, j = self.grid.index(lat_deg, lon_deg)
        mare = int(self.mare_index[i, j])
        return Probe(
            lat_deg=lat_deg,
            lon_deg=lon_deg,
            cell_lat_deg=float(self.grid.lat_deg[i]),
            cell_lon_deg=float(self.grid.lon_deg[j]),
            mare_fraction=float(self.mare_fraction[i, j]),
            tio2_wt_pct=float(self.tio2_wt_pct[i, j]),
            tio2_sd_wt_pct=float(self.tio2_sd_wt_pct[i, j]),
            omat=float(self.omat[i, j]),
            fluence_factor=float(self.fluence[i, j]),
            regolith_m=float(self.regolith_m[i, j]),
            he3_ppb=float(self.he3_ppb[i, j]),
            mare=self.mare_names[mare] if mare >= 0 else None,
        )

    def to_dataset(self) -> xr.Dataset:
        """All layers as an xarray Dataset on ``(lat, lon)`` with units in attributes."""
        coords = {
            "lat": ("lat", self.grid.lat_deg, {"units": "degrees_north"}),
            "lon": ("lon", self.grid.lon_deg, {"units": "degrees_east"}),
        }
        dims = ("lat", "lon")
        layers = {
            "cell_area_km2": (self.grid.cell_area_km2, "km2"),
            "mare_fraction": (self.mare_fraction, "1"),
            "tio2_wt_pct": (self.tio2_wt_pct, "wt%"),
            "tio2_sd_wt_pct": (self.tio2_sd_wt_pct, "wt%"),
            "omat": (self.omat, "1"),
            "fluence_factor": (self.fluence, "1"),
            "regolith_m": (self.regolith_m, "m"),
            "he3_ppb": (self.he3_ppb, "ppb"),
            "he3_kg": (self.he3_kg, "kg"),
        }
        data_vars: dict[str, Any] = {
            name: (dims, np.asarray(values), {"units": unit})
            for name, (values, unit) in layers.items()
        }
        data_vars["mare"] = (dims, self.mare_index, {"names": list(self.mare_names), "missing": -1})
        return xr.Dataset(
            data_vars,
            coords=coords,
            attrs={
                "resolution_deg": self.grid.resolution_deg,
                "tio2_model": self.tio2_model,
                **self.params.model_dump(),
            },
        )


def concentration_ppb(
    tio2_wt_pct: FloatArray | float,
    fluence: FloatArray | float,
    omat: FloatArray | float,
    params: MoonParameters,
) -> FloatArray:
    """He-3 mass fraction, ppb: ``a · TiO2 · F / max(OMAT, OMAT_min) + b`` (Fa & Jin 2007 form)."""
    maturity = np.maximum(omat, params.omat_floor)
    return np.asarray(
        params.he3_tio2_coefficient * np.asarray(tio2_wt_pct) * fluence / maturity
        + params.he3_background_ppb,
        dtype=np.float64,
    )


def raise_negative(layer: GridLayer) -> None:
    """Refuse a TiO2 layer with negative values."""
    from moondust.errors import InputFileError

    raise InputFileError(f"{layer.source}: TiO2 values must be ≥ 0 wt%")
