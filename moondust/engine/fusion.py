"""M6. D-He3 fusion and the climate (docs/model.md, M6).

Fusion capability is the ``fusion`` domain of the technology stocks (M2): it grows with fusion
R&D and spreads through spillovers only between open partners (shared in consortia, secret
otherwise); the D-He3 demonstration and power milestones are its thresholds. Once an actor
holds D-He3 power (``dhe3_power``, formerly ``fusion_power``) in a run where D-He3 works
(``dhe3_achievable``) it builds D-He3 plants at up to ``B_F`` GWe a year, as far as the He-3 it
bought as fuel on the market (M5b, :mod:`moondust.engine.market`) can fuel them. Each kilogram
of He-3 gives ``e_He3`` = 163 GWh of heat (587 TJ; D + ³He → ⁴He + p, Q = 18.35 MeV) and
``η_F e_He3`` of electricity:

    E_i  = min(P_i · CF · 8.766 TWh/GW,  stock_i · η_F · e_He3)          [TWh]
    CO2_i = E_i · (I_grid(t) − I_F) / 1000                              [Mt CO2 avoided]
    V_i   = CO2_i · SCC(t) / 1000                                       [USD bn, EPA 2023, 2 %]

``I_grid(t)`` is that year's world grid intensity on a path between the IEA WEO 2025 scenarios
(``grid_path_position``: 0 Net Zero, 0.5 Stated Policies, 1 Current Policies;
:func:`moondust.world.fusion_inputs.grid_paths`), so fusion avoids less CO2 as the grid it
displaces gets cleaner (and adds CO2 if the grid falls below ``I_F``).

The climate benefit is global: every actor's avoided CO2 helps all. Each actor *counts* a share
``s_C`` of the world's benefit (reported as ``climate_value_counted``); with ``fusion_enabled`` = 0
no energy is produced.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

import numpy as np

from moondust.datafiles import read_csv
from moondust.engine.jit import kernel
from moondust.engine.params import RunParameters, once_per_block, per_run
from moondust.engine.state import BoolArray, FloatArray, Setting, State
from moondust.world.fusion_inputs import grid_paths

HOURS_PER_YEAR = 8766.0
"""Mean hours in a year (365.25 days)."""

DHE3_POWER_IDS = ("dhe3_power", "fusion_power")
"""Ids of the D-He3 power milestone, new first (``fusion_power`` is the deprecated alias)."""


def milestone_column(ids: tuple[str, ...] | list[str], *names: str) -> int:
    """Index in ``ids`` of the first of ``names`` present (a renamed milestone under either id).

    Examples
    --------
    >>> milestone_column(("a", "fusion_power"), "dhe3_power", "fusion_power")
    1
    """
    for name in names:
        if name in ids:
            return list(ids).index(name)
    raise KeyError(f"none of the milestones {names} is in the ladder")


def dhe3_power_column(ids: tuple[str, ...] | list[str]) -> int:
    """Index of the D-He3 power milestone: ``dhe3_power``, or ``fusion_power`` before the rename."""
    return milestone_column(ids, *DHE3_POWER_IDS)


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
    grid_intensity_g_per_kwh: FloatArray
    """This year's grid CO2 intensity fusion displaces (R,)."""
    dhe3_achievable: BoolArray
    """Whether D-He3 power is achievable this century in each run (R,) (all True until the fusion
    ladder draws it)."""


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
        grid_intensity_g_per_kwh=grid_intensity(setting.start, p, runs),
        dhe3_achievable=np.ones(runs, dtype=bool),
    )


def grid_intensity(year: int, p: RunParameters, runs: int) -> FloatArray:
    """World grid intensity in ``year`` at each run's ``grid_path_position`` (R,), g/kWh."""
    position = per_run(p["grid_path_position"], runs)
    return np.ascontiguousarray(grid_paths().between(year, position), dtype=np.float64)


@cache
def _scc_table() -> tuple[np.ndarray, np.ndarray]:
    table = read_csv("engine", "social_cost_of_carbon.csv")
    return (
        table["year"].to_numpy(dtype=np.float64),
        table["scc_usd_per_t_2pct"].to_numpy(dtype=np.float64),
    )


def social_cost_of_carbon(year: int) -> float:
    """EPA 2023 social cost of carbon (2 % discounting, 2020 US$ per t CO2), linear between the
    table's years (2020–2080, the EPA's full horizon) and held at the 2080 value after it (an
    assumption: the EPA gives no later emission year).

    Examples
    --------
    >>> social_cost_of_carbon(2035), social_cost_of_carbon(2075), social_cost_of_carbon(2090)
    (250.0, 395.0, 410.0)
    """
    years, values = _scc_table()
    return float(np.interp(year, years, values))


class FusionArrays(NamedTuple):
    """The :class:`FusionState` arrays the kernel updates in place, each (R, N)."""

    plants_gw: FloatArray
    he3_stock_kg: FloatArray
    energy_twh: FloatArray
    co2_avoided_mt: FloatArray
    climate_value_usd_bn: FloatArray
    climate_value_counted_usd_bn: FloatArray


class FusionParameters(NamedTuple):
    """The run parameters of M6, each (R,) float64 (:func:`moondust.engine.params.per_run`)."""

    enabled: FloatArray
    """``fusion_enabled``; > 0.5 means on."""
    efficiency: FloatArray
    """``fusion_efficiency`` η_F."""
    energy_per_kg_gwh_th: FloatArray
    """e_He3, GWh of heat per kg."""
    capacity_factor: FloatArray
    """``plant_capacity_factor`` CF."""
    build_rate_gw: FloatArray
    """``plant_build_rate_gw`` B_F, GWe a year."""
    fusion_intensity_g_per_kwh: FloatArray
    counted_share: FloatArray
    """``climate_benefit_counted`` s_C."""


@once_per_block
def fusion_parameters(p: RunParameters, runs: int) -> FusionParameters:
    """The M6 run parameters as (R,) columns."""

    def column(name: str) -> FloatArray:
        return per_run(p[name], runs)

    return FusionParameters(
        enabled=column("fusion_enabled"),
        efficiency=column("fusion_efficiency"),
        energy_per_kg_gwh_th=column("energy_per_kg_gwh_th"),
        capacity_factor=column("plant_capacity_factor"),
        build_rate_gw=column("plant_build_rate_gw"),
        fusion_intensity_g_per_kwh=column("fusion_intensity_g_per_kwh"),
        counted_share=column("climate_benefit_counted"),
    )


@kernel
def _burn(holds_fusion_power, fuel_kg, f, q, scc_usd_per_t, grid_g_per_kwh):  # type: ignore[no-untyped-def]
    """One year of M6 for every run and actor, in place: ``holds_fusion_power`` (R, N) bool,
    ``fuel_kg`` the He-3 each actor bought as fuel (R, N), ``f`` the :class:`FusionArrays`, ``q``
    the :class:`FusionParameters`, ``scc_usd_per_t`` this year's social cost of carbon,
    ``grid_g_per_kwh`` this year's grid intensity (R,)."""
    runs, n = f.plants_gw.shape
    for r in range(runs):
        on = q.enabled[r] > 0.5
        twh_per_kg = q.efficiency[r] * q.energy_per_kg_gwh_th[r] / 1000.0
        twh_per_gw = q.capacity_factor[r] * HOURS_PER_YEAR / 1000.0
        world = 0.0
        for i in range(n):
            stock = f.he3_stock_kg[r, i] + fuel_kg[r, i]
            fuel_for_gw = stock * twh_per_kg / twh_per_gw  # capacity the stock can run a year
            if holds_fusion_power[r, i] and on:
                f.plants_gw[r, i] += min(
                    max(fuel_for_gw - f.plants_gw[r, i], 0.0), q.build_rate_gw[r]
                )
            energy = min(f.plants_gw[r, i] * twh_per_gw, stock * twh_per_kg) if on else 0.0
            f.he3_stock_kg[r, i] = max(stock - energy / twh_per_kg, 0.0)
            f.energy_twh[r, i] = energy
            f.co2_avoided_mt[r, i] = (
                energy * (grid_g_per_kwh[r] - q.fusion_intensity_g_per_kwh[r]) / 1000.0
            )
            f.climate_value_usd_bn[r, i] = f.co2_avoided_mt[r, i] * scc_usd_per_t / 1000.0
            world += f.climate_value_usd_bn[r, i]
        for i in range(n):
            f.climate_value_counted_usd_bn[r, i] = q.counted_share[r] * world


def step(state: State, setting: Setting, p: RunParameters) -> None:
    """:func:`burn` for the actors holding the D-He3 power milestone in runs where D-He3 works."""
    holds = state.achieved[:, :, dhe3_power_column(setting.ladder.ids)]
    burn(state, setting, p, holds & np.asarray(state.fusion.dhe3_achievable, dtype=bool)[:, None])


def burn(state: State, setting: Setting, p: RunParameters, holds_fusion_power: BoolArray) -> None:
    """Build plants, burn delivered He-3, count energy, CO2 avoided and its value.

    Parameters
    ----------
    state
        The engine state; reads the fuel bought on the market (``state.market.fuel_kg``; without
        a market, ``state.mining.delivered_kg``), updates ``state.fusion`` in place.
    setting
        The scenario's fixed inputs.
    p
        Run parameters, each (R, 1).
    holds_fusion_power
        Actors whose D-He3 plants run, (R, N) bool.

    Notes
    -----
    Contract: He-3 burned never exceeds the stock; no energy when fusion is off.
    """
    fusion: FusionState = state.fusion
    runs = fusion.plants_gw.shape[0]
    fuel = state.market.fuel_kg if state.market is not None else state.mining.delivered_kg
    fusion.grid_intensity_g_per_kwh = grid_intensity(state.year, p, runs)

    _burn(
        np.asarray(holds_fusion_power, dtype=np.bool_),
        np.asarray(fuel, dtype=np.float64),
        FusionArrays(
            plants_gw=fusion.plants_gw,
            he3_stock_kg=fusion.he3_stock_kg,
            energy_twh=fusion.energy_twh,
            co2_avoided_mt=fusion.co2_avoided_mt,
            climate_value_usd_bn=fusion.climate_value_usd_bn,
            climate_value_counted_usd_bn=fusion.climate_value_counted_usd_bn,
        ),
        fusion_parameters(p, runs),
        social_cost_of_carbon(state.year),
        fusion.grid_intensity_g_per_kwh,
    )
