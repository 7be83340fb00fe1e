"""The Moon model's parameters (table ``data/parameters/moon.csv``; docs/model.md §M0)."""

from __future__ import annotations

from typing import ClassVar

from moondust.parameters import ParameterSet, spec_field


def _field(name: str, **constraints: float) -> float:
    value: float = spec_field("moon", name, **constraints)
    return value


class MoonParameters(ParameterSet):
    """Every parameter of the He-3 resource model, with cited defaults.

    Override any of them from Python (``MoonParameters(regolith_highland_m=10)`` or
    ``params.with_overrides({"regolith_highland_m": 10})``) or from the command line
    (``--param regolith_highland_m=10``). ``MoonParameters.specs()`` gives each one's range,
    unit, source and status.
    """

    table: ClassVar[str] = "moon"

    moon_radius_km: float = _field("moon_radius_km", gt=0)
    he3_tio2_coefficient: float = _field("he3_tio2_coefficient", ge=0)
    he3_background_ppb: float = _field("he3_background_ppb", ge=0)
    omat_mare: float = _field("omat_mare", gt=0)
    omat_highland: float = _field("omat_highland", gt=0)
    omat_floor: float = _field("omat_floor", gt=0)
    tio2_mare_mean_wt_pct: float = _field("tio2_mare_mean_wt_pct", ge=0, le=100)
    tio2_highland_mean_wt_pct: float = _field("tio2_highland_mean_wt_pct", ge=0, le=100)
    magnetotail_blackout_days: float = _field("magnetotail_blackout_days", ge=0, le=14.7)
    regolith_mare_m: float = _field("regolith_mare_m", ge=0)
    regolith_highland_m: float = _field("regolith_highland_m", ge=0)
    density_mare_kg_m3: float = _field("density_mare_kg_m3", gt=0)
    density_highland_kg_m3: float = _field("density_highland_kg_m3", gt=0)
    mining_depth_m: float = _field("mining_depth_m", gt=0)
    site_cutoff_ppb: float = _field("site_cutoff_ppb", ge=0)
    tio2_highland_pixel_max_mare_fraction: float = _field(
        "tio2_highland_pixel_max_mare_fraction", gt=0, le=1
    )
    tio2_unmix_min_mare_fraction: float = _field("tio2_unmix_min_mare_fraction", gt=0, lt=1)
    tio2_max_wt_pct: float = _field("tio2_max_wt_pct", gt=0, le=100)
    tio2_borrow_radius_deg: float = _field("tio2_borrow_radius_deg", gt=0, le=180)
    inventory_draws: float = _field("inventory_draws", ge=10, le=100000)
