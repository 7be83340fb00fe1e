"""M5b. The He-3 market: supply from Earth and Moon, demand, a clearing price (docs/model.md, M5b).

He-3 is worth what a buyer pays for it. Each year every kilogram offered is sold at the price that
clears the market:

* **Supply** (kg a year): tritium decay ``S_T`` (Savannah River; not an actor's), He-3 bred by
  D-D fusion ``y_DD · G_DD · CF · 8766 h`` by each actor holding D-He3 power in a run where
  D-He3 works (D-D burning needs at least D-He3's confinement: its reactivity is below D-He3's
  above ~20 keV, Bosch & Hale 1992), and the lunar He-3 each actor delivered this year (M5).
* **Non-fuel demand** (cryogenics and dilution refrigerators, neutron detection, medical):
  ``Q(P) = Q_0 (1 + g_D)^(t − 2025) (P/P_0)^ε_D`` below a backstop price ``P_B`` at which users
  switch to substitutes (demand is perfectly elastic at ``P_B``).
* **Fuel demand**, only where D-He3 works and an actor holds D-He3 power: plants buy fuel at up to
  its value as electricity ``P_F = e_He3 · η_F · p_E`` (before plant costs: an upper bound),
  as much as the fleet can burn next year after building ``B_F`` (kg a year, ``D_F``).

The clearing price (:func:`clearing_price`), with ``P_nf(S) = min(P_0 (S/Q_t)^(1/ε_D), P_B)``:
``P_nf(S)`` if it is at least ``P_F`` (no fuel bought); ``P_F`` while fuel buyers take the rest,
``S − Q(P_F) ≤ D_F``; ``P_nf(S − D_F)`` once the fleet is full. The price never rises when supply
does. Sellers are paid the price for every kilogram (revenue per actor, USD bn); fuel goes to each
actor's plants in proportion to what they can burn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from moondust.engine.fusion import HOURS_PER_YEAR, dhe3_power_column
from moondust.engine.jit import kernel
from moondust.engine.params import RunParameters, per_run
from moondust.engine.state import BoolArray, FloatArray, Setting, State

REFERENCE_YEAR = 2025
"""Year of the demand curve's anchor ``Q_0`` and ``P_0``."""
_MIN_SUPPLY_KG = 1e-6
"""Supply below which the price is taken at this supply (the non-fuel curve has no finite price
at zero supply; the backstop bounds it anyway)."""


@dataclass
class MarketState:
    """The He-3 market for R runs and N actors (this year's values)."""

    price_usd_per_kg: FloatArray
    """Clearing price (R,)."""
    supply_kg: FloatArray
    """He-3 offered and sold, all sources (R,)."""
    earth_supply_kg: FloatArray
    """Of which from Earth: tritium decay and D-D fusion (R,)."""
    fuel_kg: FloatArray
    """He-3 bought as fusion fuel by each actor (R, N)."""
    fuel_capacity_kg: FloatArray
    """What the D-He3 fleets could burn, all actors (R,) (read by mining next year)."""
    fuel_price_usd_per_kg: FloatArray
    """The fuel value ``P_F`` where D-He3 power is held and works, else 0 (R,)."""
    sold_kg: FloatArray
    """He-3 each actor sold (lunar and D-D) (R, N)."""
    lunar_sold_kg: FloatArray
    """Lunar He-3 each actor sold (R, N)."""
    revenue_usd_bn: FloatArray
    """Each actor's He-3 sales (R, N)."""


class Demand(NamedTuple):
    """This year's demand curve and fuel buyers, each (R,) float64."""

    scale_kg: FloatArray
    """``Q_0 (1 + g_D)^(t − 2025)``: non-fuel demand at ``P_0``."""
    reference_price: FloatArray
    """``P_0``, USD per kg."""
    elasticity: FloatArray
    """``ε_D`` < 0."""
    backstop_price: FloatArray
    """``P_B``, USD per kg."""
    fuel_price: FloatArray
    """``P_F``, USD per kg (0: no fuel buyers)."""
    fuel_capacity_kg: FloatArray
    """``D_F``, kg a year."""


def demand_curve(
    p: RunParameters,
    runs: int,
    year: int,
    fuel_price: FloatArray,
    fuel_capacity_kg: FloatArray,
) -> Demand:
    """The :class:`Demand` of ``year`` from the run parameters and the fuel buyers."""

    def column(name: str) -> FloatArray:
        return per_run(p[name], runs)

    growth = (1.0 + column("he3_demand_growth")) ** (year - REFERENCE_YEAR)
    return Demand(
        scale_kg=np.ascontiguousarray(column("he3_reference_demand_kg_per_yr") * growth),
        reference_price=np.ascontiguousarray(column("he3_reference_price_usd_m_per_kg") * 1e6),
        elasticity=column("he3_demand_elasticity"),
        backstop_price=np.ascontiguousarray(column("he3_backstop_price_usd_m_per_kg") * 1e6),
        fuel_price=np.ascontiguousarray(fuel_price, dtype=np.float64),
        fuel_capacity_kg=np.ascontiguousarray(fuel_capacity_kg, dtype=np.float64),
    )


@kernel
def _nonfuel_price(supply_kg, scale_kg, reference_price, elasticity, backstop_price):  # type: ignore[no-untyped-def]
    """Inverse non-fuel demand ``min(P_0 (S/Q_t)^(1/ε), P_B)`` at supply S (> 0)."""
    if scale_kg <= 0.0:
        return 0.0
    price = reference_price * (max(supply_kg, _MIN_SUPPLY_KG) / scale_kg) ** (1.0 / elasticity)
    return min(price, backstop_price)


@kernel
def _nonfuel_demand(price, scale_kg, reference_price, elasticity, backstop_price):  # type: ignore[no-untyped-def]
    """Non-fuel demand at a price below the backstop: ``Q_t (P/P_0)^ε``."""
    if price >= backstop_price:
        return 0.0  # perfectly elastic at the backstop: any amount up to the curve's
    return scale_kg * (price / reference_price) ** elasticity


@kernel
def clearing_price(
    supply_kg: float,
    scale_kg: float,
    reference_price: float,
    elasticity: float,
    backstop_price: float,
    fuel_price: float,
    fuel_capacity_kg: float,
) -> tuple[float, float]:
    """One run's clearing price (USD per kg) and the He-3 bought as fuel (kg) when ``supply_kg``
    is offered (the module docstring gives the rule)."""
    alone = _nonfuel_price(supply_kg, scale_kg, reference_price, elasticity, backstop_price)
    if fuel_price <= 0.0 or fuel_capacity_kg <= 0.0 or alone >= fuel_price:
        return alone, 0.0
    fuel = supply_kg - _nonfuel_demand(
        fuel_price, scale_kg, reference_price, elasticity, backstop_price
    )
    if fuel <= fuel_capacity_kg:
        return fuel_price, max(fuel, 0.0)
    rest = _nonfuel_price(
        supply_kg - fuel_capacity_kg, scale_kg, reference_price, elasticity, backstop_price
    )
    return rest, fuel_capacity_kg


class Offers(NamedTuple):
    """What is offered this year and who can burn fuel, for R runs and N actors."""

    tritium_kg: FloatArray
    """Tritium-decay He-3 (R,)."""
    dd_kg: FloatArray
    """D-D bred He-3 per actor (R, N)."""
    lunar_kg: FloatArray
    """Lunar He-3 delivered per actor (R, N)."""
    fuel_capacity_kg: FloatArray
    """What each actor's D-He3 fleet can burn (R, N)."""


class MarketArrays(NamedTuple):
    """The :class:`MarketState` arrays the kernel writes."""

    price_usd_per_kg: FloatArray
    supply_kg: FloatArray
    earth_supply_kg: FloatArray
    fuel_kg: FloatArray
    sold_kg: FloatArray
    lunar_sold_kg: FloatArray
    revenue_usd_bn: FloatArray


@kernel
def _clear(offers, demand, out):  # type: ignore[no-untyped-def]
    """Clear every run's market, in place."""
    tritium_kg, dd_kg, lunar_kg, capacity = (
        offers.tritium_kg,
        offers.dd_kg,
        offers.lunar_kg,
        offers.fuel_capacity_kg,
    )
    scale, p0, eps, backstop = (
        demand.scale_kg,
        demand.reference_price,
        demand.elasticity,
        demand.backstop_price,
    )
    fuel_price = demand.fuel_price
    price_out, supply_out, earth_out = out.price_usd_per_kg, out.supply_kg, out.earth_supply_kg
    fuel_out, sold, lunar_sold, revenue = (
        out.fuel_kg,
        out.sold_kg,
        out.lunar_sold_kg,
        out.revenue_usd_bn,
    )
    runs, n = lunar_kg.shape
    for r in range(runs):
        earth = tritium_kg[r]
        total_capacity = 0.0
        supply = tritium_kg[r]
        for i in range(n):
            earth += dd_kg[r, i]
            supply += dd_kg[r, i] + lunar_kg[r, i]
            total_capacity += capacity[r, i]
        price, fuel = clearing_price(
            supply, scale[r], p0[r], eps[r], backstop[r], fuel_price[r], total_capacity
        )
        price_out[r] = price
        supply_out[r] = supply
        earth_out[r] = earth
        for i in range(n):
            sold[r, i] = dd_kg[r, i] + lunar_kg[r, i]
            lunar_sold[r, i] = lunar_kg[r, i]
            revenue[r, i] = price * sold[r, i] / 1e9
            fuel_out[r, i] = fuel * capacity[r, i] / total_capacity if total_capacity > 0 else 0.0


def initial(setting: Setting, p: RunParameters, runs: int) -> MarketState:
    """The 2025 market: tritium He-3 only, sold at the clearing price."""
    n = setting.n_actors
    zeros = np.zeros((runs, n))
    state = MarketState(
        price_usd_per_kg=np.zeros(runs),
        supply_kg=np.zeros(runs),
        earth_supply_kg=np.zeros(runs),
        fuel_kg=zeros.copy(),
        fuel_capacity_kg=np.zeros(runs),
        fuel_price_usd_per_kg=np.zeros(runs),
        sold_kg=zeros.copy(),
        lunar_sold_kg=zeros.copy(),
        revenue_usd_bn=zeros.copy(),
    )
    offers = Offers(
        tritium_kg=per_run(p["tritium_he3_supply_kg_per_yr"], runs),
        dd_kg=zeros.copy(),
        lunar_kg=zeros.copy(),
        fuel_capacity_kg=zeros.copy(),
    )
    _clear(
        offers, demand_curve(p, runs, setting.start, np.zeros(runs), np.zeros(runs)), _arrays(state)
    )
    return state


def _arrays(market: MarketState) -> MarketArrays:
    return MarketArrays(
        price_usd_per_kg=market.price_usd_per_kg,
        supply_kg=market.supply_kg,
        earth_supply_kg=market.earth_supply_kg,
        fuel_kg=market.fuel_kg,
        sold_kg=market.sold_kg,
        lunar_sold_kg=market.lunar_sold_kg,
        revenue_usd_bn=market.revenue_usd_bn,
    )


def fuel_buyers(
    state: State, p: RunParameters, holds_dhe3_power: BoolArray
) -> tuple[FloatArray, FloatArray]:
    """Each actor's fuel capacity ``D_F`` (kg a year, (R, N)) and the run's fuel value ``P_F``
    (USD per kg, (R,); 0 where no actor can burn He-3).

    ``holds_dhe3_power`` (R, N) marks actors whose D-He3 plants run (the milestone held, D-He3
    achievable in the run and fusion enabled); their fleet after this year's build, ``P + B_F``
    GWe, can burn ``(P + B_F) · CF · 8.766 / (η_F e_He3 / 1000)`` kg a year, less the fuel it holds.
    """
    fusion = state.fusion
    runs = holds_dhe3_power.shape[0]

    def column(name: str) -> FloatArray:
        return per_run(p[name], runs)[:, None]

    twh_per_kg = column("fusion_efficiency") * column("energy_per_kg_gwh_th") / 1000.0
    twh_per_gw = column("plant_capacity_factor") * HOURS_PER_YEAR / 1000.0
    burnable = (fusion.plants_gw + column("plant_build_rate_gw")) * twh_per_gw / twh_per_kg
    capacity = np.where(holds_dhe3_power, np.maximum(burnable - fusion.he3_stock_kg, 0.0), 0.0)
    # The electricity a kilogram makes, MWh · USD/MWh.
    value = (twh_per_kg[:, 0] * 1e6) * column("electricity_price_usd_per_mwh")[:, 0]
    fuel_price = np.where(holds_dhe3_power.any(axis=1), value, 0.0)
    return np.ascontiguousarray(capacity), np.ascontiguousarray(fuel_price)


def holds_dhe3_power(state: State, setting: Setting, p: RunParameters) -> BoolArray:
    """Actors whose D-He3 plants can run: the D-He3 power milestone held, D-He3 achievable in the
    run (``state.fusion.dhe3_achievable``) and fusion enabled, (R, N) bool."""
    held = state.achieved[:, :, dhe3_power_column(setting.ladder.ids)]
    runs = held.shape[0]
    works = np.asarray(state.fusion.dhe3_achievable, dtype=bool) & (
        per_run(p["fusion_enabled"], runs) > 0.5
    )
    return np.asarray(held & works[:, None])


def step(state: State, setting: Setting, p: RunParameters) -> None:
    """Clear this year's market (:func:`trade`) with the delivered lunar He-3."""
    trade(state, setting, p, holds_dhe3_power(state, setting, p))


def trade(state: State, setting: Setting, p: RunParameters, holds_power: BoolArray) -> None:
    """Offer tritium, D-D and lunar He-3, clear the market, pay the sellers.

    Parameters
    ----------
    state
        The engine state; reads ``state.mining.delivered_kg`` and ``state.fusion`` (last year's
        plants and fuel stock), updates ``state.market`` in place.
    setting
        The scenario's fixed inputs.
    p
        Run parameters, each (R, 1).
    holds_power
        Actors whose D-He3 plants can run (:func:`holds_dhe3_power`), (R, N) bool.

    Notes
    -----
    Contract: every kilogram offered is sold at one price per run, ``price > 0`` while there is
    non-fuel demand; fuel bought never exceeds what the fleets can burn.
    """
    market: MarketState = state.market
    runs = holds_power.shape[0]
    capacity, fuel_price = fuel_buyers(state, p, holds_power)
    heat_gwh_th = (
        per_run(p["dd_breeding_gw_th"], runs)
        * per_run(p["plant_capacity_factor"], runs)
        * HOURS_PER_YEAR
    )
    dd_kg = np.where(
        holds_power, (heat_gwh_th * per_run(p["dd_he3_kg_per_gwh_th"], runs))[:, None], 0.0
    )
    offers = Offers(
        tritium_kg=per_run(p["tritium_he3_supply_kg_per_yr"], runs),
        dd_kg=np.ascontiguousarray(dd_kg),
        lunar_kg=np.ascontiguousarray(state.mining.delivered_kg, dtype=np.float64),
        fuel_capacity_kg=capacity,
    )
    _clear(
        offers,
        demand_curve(p, runs, int(state.year), fuel_price, capacity.sum(axis=1)),
        _arrays(market),
    )
    market.fuel_capacity_kg = capacity.sum(axis=1)
    market.fuel_price_usd_per_kg = fuel_price
