"""M6. D-He3 fusion and the climate (docs/model.md, M6).

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
from moondust.engine.jit import kernel
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


def initial(setting: Setting, p: RunParameters, runs: int) -> FusionState:
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


@kernel
def _burn(  # type: ignore[no-untyped-def]
    holds_fusion_power,
    delivered_kg,
    plants_gw,
    he3_stock_kg,
    energy_twh,
    co2_avoided_mt,
    climate_value,
    climate_value_counted,
    scc_usd_per_t,
    enabled,
    efficiency,
    energy_per_kg_gwh,
    capacity_factor,
    build_rate_gw,
    grid_intensity,
    fusion_intensity,
    counted_share,
):
    """One year of M6 for every run and actor, in place."""
    runs, n = plants_gw.shape
    for r in range(runs):
        on = enabled[r] > 0.5
        twh_per_kg = efficiency[r] * energy_per_kg_gwh[r] / 1000.0
        twh_per_gw = capacity_factor[r] * HOURS_PER_YEAR / 1000.0
        world = 0.0
        for i in range(n):
            stock = he3_stock_kg[r, i] + delivered_kg[r, i]
            fuel_for_gw = stock * twh_per_kg / twh_per_gw  # capacity the stock can run a year
            if holds_fusion_power[r, i] and on:
                plants_gw[r, i] += min(max(fuel_for_gw - plants_gw[r, i], 0.0), build_rate_gw[r])
            energy = min(plants_gw[r, i] * twh_per_gw, stock * twh_per_kg) if on else 0.0
            he3_stock_kg[r, i] = max(stock - energy / twh_per_kg, 0.0)
            energy_twh[r, i] = energy
            co2_avoided_mt[r, i] = energy * (grid_intensity[r] - fusion_intensity[r]) / 1000.0
            climate_value[r, i] = co2_avoided_mt[r, i] * scc_usd_per_t / 1000.0
            world += climate_value[r, i]
        for i in range(n):
            climate_value_counted[r, i] = counted_share[r] * world


def step(state: State, setting: Setting, p: RunParameters) -> None:
    """:func:`burn` for the actors holding the ``fusion_power`` milestone."""
    holds_fusion_power = state.achieved[:, :, setting.ladder.ids.index("fusion_power")]
    burn(state, setting, p, holds_fusion_power)


def burn(state: State, setting: Setting, p: RunParameters, holds_fusion_power: BoolArray) -> None:
    """Build plants, burn delivered He-3, count energy, CO2 avoided and its value.

    Parameters
    ----------
    state
        The engine state; reads ``state.mining.delivered_kg``, updates ``state.fusion`` in place.
    setting
        The scenario's fixed inputs.
    p
        Run parameters, each (R, 1).
    holds_fusion_power
        Actors holding the ``fusion_power`` milestone, (R, N) bool.

    Notes
    -----
    Contract: He-3 burned never exceeds the stock; no energy when fusion is off.
    """
    fusion: FusionState = state.fusion
    runs = fusion.plants_gw.shape[0]

    def column(name: str) -> FloatArray:  # a run parameter as an (R,) array (a view if it can)
        flat = np.asarray(p[name], dtype=np.float64).reshape(-1)
        return flat if flat.size == runs else np.ascontiguousarray(np.broadcast_to(flat, (runs,)))

    _burn(
        np.asarray(holds_fusion_power, dtype=np.bool_),
        np.asarray(state.mining.delivered_kg, dtype=np.float64),
        fusion.plants_gw,
        fusion.he3_stock_kg,
        fusion.energy_twh,
        fusion.co2_avoided_mt,
        fusion.climate_value_usd_bn,
        fusion.climate_value_counted_usd_bn,
        social_cost_of_carbon(state.year),
        column("fusion_enabled"),
        column("fusion_efficiency"),
        column("energy_per_kg_gwh_th"),
        column("plant_capacity_factor"),
        column("plant_build_rate_gw"),
        column("grid_intensity_g_per_kwh"),
        column("fusion_intensity_g_per_kwh"),
        column("climate_benefit_counted"),
    )
