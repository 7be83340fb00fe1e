"""M6. D-He3 fusion and the climate (DESIGN §3 M6; helium3.md §6; mechanisms.md §7).

Fusion capability is the ``fusion`` domain of the technology stocks (M2): it grows with fusion
R&D and spreads through spillovers only between open partners (shared in consortia, secret
otherwise); the ``fusion_demo`` and ``fusion_power`` milestones are its thresholds. Once an actor
holds ``fusion_power`` it builds D-He3 plants at up to ``B_F`` GWe a year, as far as its delivered
He-3 can fuel them. Each kilogram of He-3 gives ``e_He3`` = 163 GWh of heat (587 TJ; D + ³He →
⁴He + p, Q = 18.35 MeV) and ``η_F e_He3`` of electricity:

    E_i  = min(P_i · CF · 8.766 TWh/GW,  stock_i · η_F · e_He3)          [TWh]
    CO2_i = E_i · (I_grid − I_F) / 1000                                 [Mt CO2 avoided]
    V_i   = CO2_i · SCC(t) / 1000                                       [USD bn, EPA 2023, 2 %]

The climate benefit is global: every actor's avoided CO2 helps all. Each actor *counts* a share
``s_C`` of the world's benefit (reported as ``climate_value_counted``); with ``fusion_enabled`` = 0
no energy is produced.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from moondust.datafiles import read_csv
from moondust.engine.params import RunParameters
from moondust.engine.state import BoolArray, FloatArray, Setting, State

HOURS_PER_YEAR = 8766.0
"""Mean hours in a year (365.25 days)."""


@dataclass
class FusionState:
    """Fusion plants and their output for R runs and N actors."""

    plants_gw: FloatArray
    he3_stock_kg: FloatArray
    """Delivered He-3 not yet burned (R, N)."""
    energy_twh: FloatArray
    """Electricity generated this year (R, N)."""
    co2_avoided_mt: FloatArray
    climate_value_usd_bn: FloatArray
    climate_value_counted_usd_bn: FloatArray


def initial(setting: Setting, runs: int) -> FusionState:
    """No D-He3 plants in 2025."""
    zeros = np.zeros((runs, setting.n_actors))
    return FusionState(
        plants_gw=zeros.copy(),
        he3_stock_kg=zeros.copy(),
        energy_twh=zeros.copy(),
        co2_avoided_mt=zeros.copy(),
        climate_value_usd_bn=zeros.copy(),
        climate_value_counted_usd_bn=zeros.copy(),
    )


@cache
def _scc_table() -> tuple[np.ndarray, np.ndarray]:
    table = read_csv("engine", "social_cost_of_carbon.csv")
    return (
        table["year"].to_numpy(dtype=np.float64),
        table["scc_usd_per_t_2pct"].to_numpy(dtype=np.float64),
    )


def social_cost_of_carbon(year: int) -> float:
    """EPA 2023 social cost of carbon (2 % discounting, 2020 US$ per t CO2), linear between the
    table's years and held at the last value after 2050 (a conservative assumption).

    Examples
    --------
    >>> social_cost_of_carbon(2035), social_cost_of_carbon(2090)
    (250.0, 310.0)
    """
    years, values = _scc_table()
    return float(np.interp(year, years, values))


def step(state: State, setting: Setting, p: RunParameters, holds_fusion_power: BoolArray) -> None:
    """Build plants, burn delivered He-3, count energy, CO2 avoided and its value.

    ``holds_fusion_power`` is (R, N) bool. Reads ``state.mining.delivered_kg``; reads and writes
    ``state.fusion``. Contract: He-3 burned never exceeds the stock; no energy when fusion is off.
    """
    fusion: FusionState = state.fusion
    enabled = p["fusion_enabled"] > 0.5
    fusion.he3_stock_kg = fusion.he3_stock_kg + state.mining.delivered_kg
    twh_per_kg = p["fusion_efficiency"] * p["energy_per_kg_gwh_th"] / 1000.0
    twh_per_gw = p["plant_capacity_factor"] * HOURS_PER_YEAR / 1000.0
    fuel_for_gw = fusion.he3_stock_kg * twh_per_kg / twh_per_gw  # capacity the stock can run a year
    wanted = np.maximum(fuel_for_gw - fusion.plants_gw, 0.0)
    build = np.where(
        holds_fusion_power & enabled, np.minimum(wanted, p["plant_build_rate_gw"]), 0.0
    )
    fusion.plants_gw = fusion.plants_gw + build
    energy = np.where(
        enabled, np.minimum(fusion.plants_gw * twh_per_gw, fusion.he3_stock_kg * twh_per_kg), 0.0
    )
    burned = energy / twh_per_kg
    fusion.he3_stock_kg = np.maximum(fusion.he3_stock_kg - burned, 0.0)
    fusion.energy_twh = energy
    fusion.co2_avoided_mt = (
        energy * (p["grid_intensity_g_per_kwh"] - p["fusion_intensity_g_per_kwh"]) / 1000.0
    )
    fusion.climate_value_usd_bn = fusion.co2_avoided_mt * social_cost_of_carbon(state.year) / 1000.0
    world = fusion.climate_value_usd_bn.sum(axis=1, keepdims=True)
    fusion.climate_value_counted_usd_bn = p["climate_benefit_counted"] * np.broadcast_to(
        world, fusion.climate_value_usd_bn.shape
    )
