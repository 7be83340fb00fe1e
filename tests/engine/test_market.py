"""M5b the He-3 market, mining economics and the climate stake over time (issue 18)."""

from __future__ import annotations

import numpy as np
import pytest

from moondust.engine import fusion, market, mining
from moondust.engine.params import EngineParameters, resolve
from moondust.engine.state import initial_state
from tests.engine.builders import run_parameters, two_actor_setting

P0, Q0, EPS = 20e6, 3.0, -0.5


def _price(supply: float, fuel_price: float = 0.0, capacity: float = 0.0) -> tuple[float, float]:
    price, fuel = market.clearing_price(supply, Q0, P0, EPS, 1e12, fuel_price, capacity)
    return float(price), float(fuel)


def test_clearing_price_is_the_inverse_demand_curve() -> None:
    # Q = Q0 (P/P0)^ε  =>  P = P0 (S/Q0)^(1/ε): 12 kg at ε = −0.5 clears at P0 (12/3)^−2 = P0/16.
    assert _price(12.0)[0] == pytest.approx(P0 / 16)
    assert _price(3.0)[0] == pytest.approx(P0)
    supplies = np.geomspace(0.1, 1e4, 60)
    prices = np.array([_price(s)[0] for s in supplies])
    assert np.all(prices > 0)
    assert np.all(np.diff(prices) < 0)  # price falls as supply grows


def test_backstop_caps_the_price() -> None:
    price, _ = market.clearing_price(0.1, Q0, P0, EPS, 30e6, 0.0, 0.0)
    assert float(price) == pytest.approx(30e6)


def test_fuel_buyers_hold_the_price_at_the_fuel_value() -> None:
    fuel_price = P0 / 16  # non-fuel demand at this price is 12 kg
    # 100 kg offered, fleets burn up to 200 kg: fuel buyers take 88 kg at the fuel value.
    price, fuel = _price(100.0, fuel_price, 200.0)
    assert price == pytest.approx(fuel_price)
    assert fuel == pytest.approx(88.0)
    # 212 kg offered: fleets full (200 kg); the other 12 kg clear the non-fuel market at P0/16.
    price, fuel = _price(212.0 + 1e-9, fuel_price, 200.0)
    assert fuel == pytest.approx(200.0)
    assert price == pytest.approx(fuel_price)
    price, fuel = _price(403.0, fuel_price, 200.0)  # 200 kg to fuel, 203 kg to other uses
    assert fuel == pytest.approx(200.0)
    assert price == pytest.approx(P0 * (203.0 / Q0) ** (1 / EPS))
    # Scarce He-3 goes to non-fuel users first: they pay more than the fuel is worth.
    price, fuel = _price(1.0, fuel_price, 200.0)
    assert fuel == 0.0 and price == pytest.approx(P0 * (1 / Q0) ** (1 / EPS))
    prices = [_price(s, fuel_price, 200.0)[0] for s in np.linspace(0.5, 1000, 400)]
    assert np.all(np.diff(prices) <= 1e-6 * fuel_price)


def _market_state(delivered: list[float], year: int = 2060) -> tuple[market.MarketState, float]:
    setting = two_actor_setting()
    p = resolve(EngineParameters(), 1)
    state = initial_state(setting, np.arange(1), seed=0)
    state.year = year
    state.mining = mining.initial(setting, p, 1)
    state.mining.delivered_kg = np.array([delivered])
    state.fusion = fusion.initial(setting, p, 1)
    state.market = market.initial(setting, p, 1)
    market.step(state, setting, p)
    return state.market, float(p["tritium_he3_supply_kg_per_yr"][0, 0])


def test_everything_offered_is_sold_at_one_price() -> None:
    traded, tritium = _market_state([40.0, 10.0])
    np.testing.assert_allclose(traded.sold_kg, [[40.0, 10.0]])
    assert traded.supply_kg[0] == pytest.approx(50.0 + tritium)
    assert traded.sold_kg.sum() <= traded.supply_kg[0]
    np.testing.assert_allclose(
        traded.revenue_usd_bn, traded.price_usd_per_kg[0] * np.array([[40.0, 10.0]]) / 1e9
    )
    assert traded.price_usd_per_kg[0] > 0
    assert traded.fuel_kg.sum() == 0.0  # nobody holds D-He3 power: no fuel buyers


def test_no_revenue_when_nobody_delivers() -> None:
    traded, tritium = _market_state([0.0, 0.0])
    assert np.all(traded.revenue_usd_bn == 0.0)
    assert np.all(traded.sold_kg == 0.0)
    assert traded.supply_kg[0] == pytest.approx(tritium)  # tritium He-3 is no actor's


def _mining(state_market: market.MarketState | None, years: int = 1) -> mining.MiningState:
    setting = two_actor_setting()
    p = resolve(EngineParameters(), 1)
    state = initial_state(setting, np.arange(1), seed=0)
    state.achieved[:, :, 12] = True  # both hold commercial_mining
    state.civil_usd_bn = np.full((1, 2), 50.0)
    state.levers = {"shared_sites": np.zeros((1, 2))}
    state.mining = mining.initial(setting, p, 1)
    index = {"commercial_mining": 12, "far_side_landing": 4, "he3_delivered": 13}
    for k in range(years):
        state.year = 2060 + k
        state.mission_fund_usd_bn = np.full((1, 2), 100.0)
        mining.advance(state, setting, p, index, np.zeros((1, 2, 2), dtype=bool), state_market)
    return state.mining


def _paying_market() -> market.MarketState:
    setting = two_actor_setting()
    state = market.initial(setting, resolve(EngineParameters(), 1), 1)
    state.fuel_price_usd_per_kg[:] = 1e9  # fuel buyers pay $1 bn a kilogram, without limit
    state.fuel_capacity_kg[:] = 1e9
    return state


def test_mining_starts_when_it_pays_and_stops_when_it_loses_money() -> None:
    paying = _mining(_paying_market())
    assert paying.miners.sum() > 0 and paying.spent_usd_bn.sum() > 0
    # Only the non-fuel market (a few kg a year): a miner's output would sink the price.
    losing = _mining(market.initial(two_actor_setting(), resolve(EngineParameters(), 1), 1))
    assert losing.miners.sum() == 0 and losing.spent_usd_bn.sum() == 0
    assert np.all(losing.site_of == -1)


def test_mining_stops_once_the_price_falls() -> None:
    setting = two_actor_setting()
    p = resolve(EngineParameters(), 1)
    quotes = _paying_market()
    state = initial_state(setting, np.arange(1), seed=0)
    state.achieved[:, :, 12] = True
    state.civil_usd_bn = np.full((1, 2), 50.0)
    state.levers = {"shared_sites": np.zeros((1, 2))}
    state.mining = mining.initial(setting, p, 1)
    index = {"commercial_mining": 12, "far_side_landing": 4, "he3_delivered": 13}
    partners = np.zeros((1, 2, 2), dtype=bool)
    state.year, state.mission_fund_usd_bn = 2060, np.full((1, 2), 100.0)
    mining.advance(state, setting, p, index, partners, quotes)
    built = state.mining.miners.copy()
    assert built.sum() > 0
    quotes.fuel_price_usd_per_kg[:] = 0.0  # D-He3 fuel buyers gone
    quotes.supply_kg[:] = 1e4
    state.year, state.mission_fund_usd_bn = 2061, np.full((1, 2), 100.0)
    mining.advance(state, setting, p, index, partners, quotes)
    assert state.mining.spent_usd_bn.sum() == 0.0
    lifetime = float(p["miner_lifetime_years"][0, 0])
    np.testing.assert_allclose(state.mining.miners, built * (1 - 1 / lifetime))


def test_co2_avoided_uses_the_years_grid_intensity() -> None:
    setting = two_actor_setting()
    p = run_parameters(grid_path_position=0.75)
    state = initial_state(setting, np.arange(1), seed=0)
    state.year = 2040
    state.mining = mining.initial(setting, p, 1)
    state.fusion = fusion.initial(setting, p, 1)
    state.market = market.initial(setting, p, 1)
    state.market.fuel_kg = np.array([[1000.0, 0.0]])
    fusion.burn(state, setting, p, np.array([[True, True]]))
    # 2040, position 0.75: halfway between Stated Policies (187 g) and Current Policies (246 g).
    grid = (187.0 + 246.0) / 2
    assert state.fusion.grid_intensity_g_per_kwh[0] == pytest.approx(grid)
    energy = 2 * 0.9 * 8.766  # 2 GW built, CF 0.9
    assert state.fusion.energy_twh[0, 0] == pytest.approx(energy)
    assert state.fusion.co2_avoided_mt[0, 0] == pytest.approx(energy * (grid - 12) / 1000)
    value = energy * (grid - 12) / 1000 * 270 / 1000  # SCC 2040 = $270/t
    assert state.fusion.climate_value_usd_bn[0, 0] == pytest.approx(value)


def test_scc_covers_the_epa_horizon() -> None:
    assert fusion.social_cost_of_carbon(2060) == 350.0
    assert fusion.social_cost_of_carbon(2080) == 410.0
    assert fusion.social_cost_of_carbon(2095) == 410.0  # held after the EPA's last year


def test_dhe3_power_under_either_id() -> None:
    assert fusion.dhe3_power_column(("x", "fusion_power")) == 1
    assert fusion.dhe3_power_column(("dhe3_power", "fusion_power")) == 0
    with pytest.raises(KeyError):
        fusion.dhe3_power_column(("x",))


def test_no_fuel_value_where_dhe3_does_not_work() -> None:
    setting = two_actor_setting()
    p = resolve(EngineParameters(), 2)
    state = initial_state(setting, np.arange(2), seed=0)
    state.year = 2060
    state.achieved[:, :, fusion.dhe3_power_column(setting.ladder.ids)] = True
    state.mining = mining.initial(setting, p, 2)
    state.fusion = fusion.initial(setting, p, 2)
    state.fusion.dhe3_achievable = np.array([True, False])
    state.market = market.initial(setting, p, 2)
    market.step(state, setting, p)
    assert state.market.fuel_price_usd_per_kg[0] > 0 and state.market.fuel_price_usd_per_kg[1] == 0
    assert state.market.earth_supply_kg[0] > state.market.earth_supply_kg[1]  # D-D only in run 0
    assert state.market.fuel_kg[1].sum() == 0.0
