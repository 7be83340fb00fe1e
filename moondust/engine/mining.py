"""M5. Lunar sites and He-3 mining (docs/model.md, M5).

Sites are the Moon model's richest deposits (:func:`moondust.moon.sites.find_sites`), each with the
He-3 a miner can reach in the top ``mining_depth_m`` metres and its mean grade. Actors that hold the
``commercial_mining`` milestone spend a share of their lunar programme on mining:

* **Sites.** An actor works one site at a time. Choosing exclusively (lever ``shared_sites`` = 0)
  it claims the richest unclaimed site it can reach (far-side sites need the ``far_side_landing``
  milestone, i.e. a relay); if the richest reachable site is already held exclusively by a rival,
  tension rises between them (it feeds M7 conflict). Choosing to share, it joins a joint base of a
  partner it coordinates with (same bloc, both sharing) or opens a new joint base. Setting up a
  base costs ``c_S``; at a joint base each member pays ``s_J c_S``.
* **Miners.** Wisconsin Mark III miners (< 10 t; 66 kg He-3 a year at 20 ppb, Olson 2021) are built
  and landed at ``c_hw + m_M c(Q)``, with the landing cost per kg falling by Wright's law with the
  actor's cumulative landed mass Q: ``c(Q) = c_0 (max(Q, m_M)/m_M)^(−b)``, ``b = −log₂(1 − LR)``.
  Miners retire after ``T_M`` years on average.
* **Extraction.** A miner at a site of grade C ppb yields ``y_M · η_X · C / 20`` kg a year; a site
  never yields more than it holds (output is scaled down when capacity exceeds what is left), and
  each actor keeps its own miners' output (a joint base shares output by contribution).
* **Delivery.** Mined He-3 waits on the Moon until the actor holds ``he3_delivered``; then every
  year's output, and the stock, goes to Earth, where it is sold on the He-3 market (M5b,
  :mod:`moondust.engine.market`).
* **Economics.** An actor spends on mining (sites and miners) only when it pays over a horizon
  ``H``: the He-3 the year's spending ``B`` would add, ``n q`` kg a year (``n`` miners of output
  ``q`` at its site's grade, or at the richest site's before it has one, after the setup cost),
  sold at the price the market would clear at with last year's supply plus that output
  (:func:`moondust.engine.market.clearing_price`; last year's fuel buyers), over the miners'
  expected working years within the horizon, ``T_M (1 − (1 − 1/T_M)^H)``, must be worth at least
  ``B``. Otherwise it spends nothing (mining stops; its miners retire at ``1/T_M`` a year).
  Expectations are myopic (this year's market) and undiscounted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from moondust.engine.jit import kernel
from moondust.engine.market import MarketState, clearing_price, demand_curve
from moondust.engine.params import RunParameters, once_per_block, per_run
from moondust.engine.state import BoolArray, FloatArray, Setting, State, writable
from moondust.world.sites import SiteTable, site_table

_EPS = 1e-12


def load_sites(p: RunParameters) -> SiteTable:
    """The richest ``mining_sites`` deposits of the default Moon model (the same for every run;
    the catalogue is :func:`moondust.world.sites.site_table`)."""
    return site_table(int(p["mining_sites"][0, 0]))


@dataclass
class MiningState:
    """Mining state for R runs, N actors and S sites."""

    remaining_kg: FloatArray
    """He-3 left within reach at each site (R, S)."""
    holder: np.ndarray
    """Actor that opened each site, −1 if unclaimed (R, S)."""
    joint: BoolArray
    """Site is a joint base (R, S)."""
    site_of: np.ndarray
    """Site each actor works, −1 for none (R, N)."""
    miners: FloatArray
    landed_mass_kg: FloatArray
    mined_kg: FloatArray
    """He-3 mined this year (R, N)."""
    delivered_kg: FloatArray
    """He-3 delivered to Earth this year (R, N)."""
    stock_on_moon_kg: FloatArray
    spent_usd_bn: FloatArray
    tension: FloatArray
    """Tension between rivals over sites (R, N, N), decaying."""


def initial(setting: Setting, p: RunParameters, runs: int) -> MiningState:
    """No mining in 2025: every site untouched and unclaimed."""
    sites = load_sites(p)
    n = setting.n_actors
    zeros = np.zeros((runs, n))
    return MiningState(
        remaining_kg=np.broadcast_to(sites.he3_kg, (runs, sites.he3_kg.size)).copy(),
        holder=np.full((runs, sites.he3_kg.size), -1, dtype=np.int64),
        joint=np.zeros((runs, sites.he3_kg.size), dtype=bool),
        site_of=np.full((runs, n), -1, dtype=np.int64),
        miners=zeros.copy(),
        landed_mass_kg=zeros.copy(),
        mined_kg=zeros.copy(),
        delivered_kg=zeros.copy(),
        stock_on_moon_kg=zeros.copy(),
        spent_usd_bn=zeros.copy(),
        tension=np.zeros((runs, n, n)),
    )


@kernel
def _learning_exponent(learning_rate):  # type: ignore[no-untyped-def]
    """Wright's law exponent ``b = −log₂(1 − LR)`` of one run (computed once per run, not per
    actor: a log per actor was a measurable share of the mining year)."""
    return -np.log2(1.0 - learning_rate)


@kernel
def _unit_landing_cost(landed_kg, reference_kg, exponent, cost_0):  # type: ignore[no-untyped-def]
    """Wright's law for one actor: ``c_0 (max(Q, m_M)/m_M)^(−b)``, USD per kg, with the run's
    ``reference_kg`` = m_M in kg and ``exponent`` = b (:func:`_learning_exponent`)."""
    doublings = max(landed_kg, reference_kg) / reference_kg
    return cost_0 * doublings ** (-exponent)


@kernel
def _landing_costs(landed_kg, miner_mass_t, learning_rate, cost_0, out):  # type: ignore[no-untyped-def]
    for r in range(landed_kg.shape[0]):
        reference_kg = miner_mass_t[r] * 1000.0
        exponent = _learning_exponent(learning_rate[r])
        for i in range(landed_kg.shape[1]):
            out[r, i] = _unit_landing_cost(landed_kg[r, i], reference_kg, exponent, cost_0[r])


def landing_cost_usd_per_kg(landed_mass_kg: FloatArray, p: RunParameters) -> FloatArray:
    """Wright's law: ``c_0 (max(Q, m_M)/m_M)^(−b)`` with ``b = −log₂(1 − LR)``.

    Parameters
    ----------
    landed_mass_kg
        Cumulative landed mass Q of every actor, (R, N).
    p
        Run parameters, each (R, 1).

    Returns
    -------
    numpy.ndarray
        Landing cost per kg, USD, (R, N).
    """
    landed = np.ascontiguousarray(landed_mass_kg, dtype=np.float64)
    runs = landed.shape[0]
    out = np.empty_like(landed)
    _landing_costs(
        landed,
        per_run(p["miner_mass_t"], runs),
        per_run(p["launch_learning_rate"], runs),
        per_run(p["surface_delivery_usd_per_kg"], runs),
        out,
    )
    return out


@kernel
def _richest_site(remaining_kg, holder, far_side, reach_far, free_only):  # type: ignore[no-untyped-def]
    """One run's first site holding the most He-3 among the reachable ones (still holding He-3,
    and on the near side or ``reach_far``), unclaimed ones only if ``free_only``; −1 if none."""
    richest, richest_kg = -1, -1.0
    for s in range(remaining_kg.size):
        value = remaining_kg[s]
        usable = (not far_side[s] or reach_far) and (not free_only or holder[s] < 0)
        if usable and value > _EPS and value > richest_kg:
            richest, richest_kg = s, value
    return richest


class MiningInputs(NamedTuple):
    """What the mining year reads from the rest of the engine, for R runs and N actors (the fund is
    also written: the mining spending comes out of it)."""

    year: int
    """The simulated year (it rotates the order in which actors claim sites)."""
    achieved: BoolArray
    """Milestones held (R, N, M) bool."""
    can_mine_index: int
    """Milestone column of ``commercial_mining`` in ``achieved``."""
    reach_far_index: int
    """Milestone column of ``far_side_landing`` in ``achieved``."""
    delivered_index: int
    """Milestone column of ``he3_delivered`` in ``achieved``."""
    civil_usd_bn: FloatArray
    """Civil space budget (R, N)."""
    mission_fund_usd_bn: FloatArray
    """Mission fund (R, N), written: it loses what mining spends."""
    shared_sites: FloatArray
    """Lever ``shared_sites`` (R, N); > 0.5 means the actor shares sites."""
    partners: BoolArray
    """Actors coordinating with each other this year (R, N, N) bool."""
    rivalry: FloatArray
    """Rivalry between actors (N, N); > 0 makes a held site contested."""


class MiningSites(NamedTuple):
    """The site table's columns the kernel reads (S sites, the same for every run)."""

    far_side: BoolArray
    """Site is on the far side (S,) bool."""
    mean_ppb: FloatArray
    """Mean He-3 grade, ppb (S,)."""


class MiningArrays(NamedTuple):
    """The :class:`MiningState` arrays the kernel updates in place (R runs, N actors, S sites)."""

    remaining_kg: FloatArray
    """(R, S)"""
    holder: np.ndarray
    """(R, S) int64"""
    joint: BoolArray
    """(R, S) bool"""
    site_of: np.ndarray
    """(R, N) int64"""
    tension: FloatArray
    """(R, N, N)"""
    miners: FloatArray
    """(R, N)"""
    landed_mass_kg: FloatArray
    """(R, N)"""
    mined_kg: FloatArray
    """(R, N)"""
    delivered_kg: FloatArray
    """(R, N)"""
    stock_on_moon_kg: FloatArray
    """(R, N)"""
    spent_usd_bn: FloatArray
    """Mining spending this year (R, N)."""


class MiningParameters(NamedTuple):
    """The run parameters of M5, each (R,) float64 (:func:`moondust.engine.params.per_run`)."""

    tension_decay: FloatArray
    budget_share: FloatArray
    """``mining_budget_share``: share of the lunar programme spent on mining."""
    lunar_share: FloatArray
    contested_tension: FloatArray
    """``contested_site_tension``: tension added when a rival holds the richest site."""
    joint_cost_share: FloatArray
    """``joint_base_cost_share`` s_J."""
    setup_usd_bn: FloatArray
    """``site_setup_usd_bn`` c_S."""
    miner_lifetime_years: FloatArray
    miner_hardware_usd_bn: FloatArray
    miner_mass_t: FloatArray
    learning_rate: FloatArray
    """``launch_learning_rate`` LR."""
    cost_0_usd_per_kg: FloatArray
    """``surface_delivery_usd_per_kg`` c_0."""
    output_kg_at_20ppb: FloatArray
    """``miner_output_kg_at_20ppb`` y_M."""
    efficiency: FloatArray
    """``extraction_efficiency`` η_X."""


@once_per_block
def mining_parameters(p: RunParameters, runs: int) -> MiningParameters:
    """The M5 run parameters as (R,) columns."""

    def column(name: str) -> FloatArray:
        return per_run(p[name], runs)

    return MiningParameters(
        tension_decay=column("tension_decay"),
        budget_share=column("mining_budget_share"),
        lunar_share=column("lunar_share"),
        contested_tension=column("contested_site_tension"),
        joint_cost_share=column("joint_base_cost_share"),
        setup_usd_bn=column("site_setup_usd_bn"),
        miner_lifetime_years=column("miner_lifetime_years"),
        miner_hardware_usd_bn=column("miner_hardware_usd_bn"),
        miner_mass_t=column("miner_mass_t"),
        learning_rate=column("launch_learning_rate"),
        cost_0_usd_per_kg=column("surface_delivery_usd_per_kg"),
        output_kg_at_20ppb=column("miner_output_kg_at_20ppb"),
        efficiency=column("extraction_efficiency"),
    )


class MiningMarket(NamedTuple):
    """What an actor expects to sell its He-3 for: last year's market and this year's demand,
    each (R,) float64 (:class:`moondust.engine.market.Demand`), and the horizon."""

    active: bool
    """False: no market to consult (mining always pays, as before the market existed)."""
    supply_kg: FloatArray
    """Last year's He-3 supply, all sources."""
    scale_kg: FloatArray
    reference_price: FloatArray
    elasticity: FloatArray
    backstop_price: FloatArray
    fuel_price: FloatArray
    fuel_capacity_kg: FloatArray
    horizon_years: FloatArray
    """``mining_horizon_years`` H."""


def mining_market(
    market: MarketState | None, p: RunParameters, runs: int, year: int
) -> MiningMarket:
    """The :class:`MiningMarket` of ``year`` from last year's market (inactive if None)."""
    zeros = np.zeros(runs)
    if market is None:
        return MiningMarket(False, zeros, zeros, zeros, zeros, zeros, zeros, zeros, zeros)
    demand = demand_curve(p, runs, year, market.fuel_price_usd_per_kg, market.fuel_capacity_kg)
    return MiningMarket(
        active=True,
        supply_kg=np.ascontiguousarray(market.supply_kg, dtype=np.float64),
        scale_kg=demand.scale_kg,
        reference_price=demand.reference_price,
        elasticity=demand.elasticity,
        backstop_price=demand.backstop_price,
        fuel_price=demand.fuel_price,
        fuel_capacity_kg=demand.fuel_capacity_kg,
        horizon_years=per_run(p["mining_horizon_years"], runs),
    )


@kernel
def _stop_unless_it_pays(world, sites, m, q, market, budget):  # type: ignore[no-untyped-def]
    """Set to zero the ``budget`` (R, N) of each actor whose year of mining spending would not pay
    back over the horizon at the price its extra output would fetch (module docstring)."""
    if not market.active:
        return
    mean_ppb = sites.mean_ppb
    remaining_kg, site_of, landed_mass_kg = m.remaining_kg, m.site_of, m.landed_mass_kg
    shared_sites = world.shared_sites
    supply_kg, scale_kg, reference_price = market.supply_kg, market.scale_kg, market.reference_price
    elasticity, backstop_price = market.elasticity, market.backstop_price
    fuel_price, fuel_capacity_kg, horizon = (
        market.fuel_price,
        market.fuel_capacity_kg,
        market.horizon_years,
    )
    setup_usd_bn, joint_cost_share = q.setup_usd_bn, q.joint_cost_share
    miner_lifetime, miner_hardware, miner_mass_t = (
        q.miner_lifetime_years,
        q.miner_hardware_usd_bn,
        q.miner_mass_t,
    )
    learning_rate, cost_0 = q.learning_rate, q.cost_0_usd_per_kg
    output_at_20ppb, efficiency = q.output_kg_at_20ppb, q.efficiency
    best_ppb = 0.0
    for s in range(mean_ppb.size):
        best_ppb = max(best_ppb, mean_ppb[s])
    runs, n = budget.shape
    for r in range(runs):
        reference_kg = miner_mass_t[r] * 1000.0
        exponent = _learning_exponent(learning_rate[r])
        kept = 1.0 - 1.0 / miner_lifetime[r]
        working_years = miner_lifetime[r] * (1.0 - kept ** horizon[r])
        for i in range(n):
            if budget[r, i] <= 0.0:
                continue
            site = site_of[r, i]
            has_site = site >= 0 and remaining_kg[r, site] > _EPS
            grade = mean_ppb[site] if has_site else best_ppb
            setup = 0.0
            if not has_site:
                share = joint_cost_share[r] if shared_sites[r, i] > 0.5 else 1.0
                setup = setup_usd_bn[r] * share
            landing = _unit_landing_cost(landed_mass_kg[r, i], reference_kg, exponent, cost_0[r])
            unit_cost = miner_hardware[r] + miner_mass_t[r] * 1000.0 * landing / 1e9
            output = (
                max(budget[r, i] - setup, 0.0)
                / unit_cost
                * output_at_20ppb[r]
                * efficiency[r]
                * grade
                / 20.0
            )
            price, _ = clearing_price(
                supply_kg[r] + output,
                scale_kg[r],
                reference_price[r],
                elasticity[r],
                backstop_price[r],
                fuel_price[r],
                fuel_capacity_kg[r],
            )
            if price * output * working_years / 1e9 < budget[r, i]:
                budget[r, i] = 0.0


# The phases below each loop over all runs (runs are independent, so this gives every run the
# same arithmetic as one loop over runs around all phases) and bind the tuple fields they use to
# locals first: an array read out of a tuple inside a loop, or a tuple passed to a helper once per
# run, costs reference counting that made the mining year 2.5 to 4 times as slow (200 runs).


@kernel
def _decay_tension_and_budget(world, m, q, budget):  # type: ignore[no-untyped-def]
    """Decay the site tension, set each actor's mining ``budget`` (R, N) (its share of the lunar
    programme, at most its mission fund) and zero its spending."""
    achieved, can_mine_index = world.achieved, world.can_mine_index
    civil_usd_bn, mission_fund = world.civil_usd_bn, world.mission_fund_usd_bn
    tension, spent = m.tension, m.spent_usd_bn
    tension_decay, budget_share, lunar_share = q.tension_decay, q.budget_share, q.lunar_share
    runs, n = budget.shape
    for r in range(runs):
        # A pass of its own over the run's (N, N) block, which the compiler vectorises.
        kept_tension = 1.0 - tension_decay[r]
        for i in range(n):
            for j in range(n):
                tension[r, i, j] *= kept_tension
        for i in range(n):
            budget[r, i] = 0.0
            if achieved[r, i, can_mine_index]:
                budget[r, i] = budget_share[r] * lunar_share[r] * civil_usd_bn[r, i]
            if mission_fund[r, i] < budget[r, i]:
                budget[r, i] = mission_fund[r, i]
            spent[r, i] = 0.0


@kernel
def _partner_base(partners, shared_sites, site_of, joint, remaining_kg):  # type: ignore[no-untyped-def]
    """One run and actor: the site of its first partner (``partners`` (N,) bool) that shares a
    joint base still holding He-3, −1 if none; the other arguments are the run's rows."""
    for j in range(site_of.size):
        site = site_of[j]
        if (
            partners[j]
            and shared_sites[j] > 0.5
            and site >= 0
            and joint[site]
            and remaining_kg[site] > _EPS
        ):
            return site
    return -1


@kernel
def _claim_sites(world, sites, m, q, budget):  # type: ignore[no-untyped-def]
    """Actors without a working site take turns to join a partner's joint base or claim the
    richest free site, paying the setup cost out of ``budget`` (R, N); a rival holding the richest
    reachable site exclusively raises tension."""
    achieved, can_mine_index, reach_far_index = (
        world.achieved,
        world.can_mine_index,
        world.reach_far_index,
    )
    shared_sites, partners, rivalry = world.shared_sites, world.partners, world.rivalry
    far_side = sites.far_side
    remaining_kg, holder, joint, site_of = m.remaining_kg, m.holder, m.joint, m.site_of
    tension, spent = m.tension, m.spent_usd_bn
    contested_tension, setup_usd_bn, joint_cost_share = (
        q.contested_tension,
        q.setup_usd_bn,
        q.joint_cost_share,
    )
    runs, n = budget.shape
    # Each run's richest reachable site without (0) and with (1) far-side reach, −2 until needed:
    # sites hold the same He-3 all through the turns, so one scan serves every actor that looks.
    richest_reachable = np.empty(2, dtype=np.int64)
    for r in range(runs):
        # Actors take turns in an order that rotates with the year (no one always first):
        # actor (turn + year) mod N, counted on without a division per turn.
        richest_reachable[:] = -2
        i = world.year % n - 1
        for _ in range(n):
            i = i + 1 if i + 1 < n else 0
            current = site_of[r, i]
            exhausted = current >= 0 and remaining_kg[r, current] <= _EPS
            needs = (
                achieved[r, i, can_mine_index] and (current < 0 or exhausted) and budget[r, i] > 0
            )
            opened = False
            if needs:
                reach_far = achieved[r, i, reach_far_index]
                reach = 1 if reach_far else 0
                if richest_reachable[reach] == -2:
                    richest_reachable[reach] = _richest_site(
                        remaining_kg[r], holder[r], far_side, reach_far, False
                    )
                # Contested: the richest reachable site (as argmax: site 0 when none is reachable)
                # is held exclusively by a rival.
                richest = max(richest_reachable[reach], 0)
                owner = holder[r, richest]
                if owner >= 0 and not joint[r, richest] and rivalry[i, owner] > 0 and owner != i:
                    tension[r, i, owner] += contested_tension[r]
                    tension[r, owner, i] += contested_tension[r]

                # Join a partner's joint base if sharing; otherwise claim the richest free site.
                # (Most years the budget falls short of the setup cost, so look only when it does
                # not.)
                sharing = shared_sites[r, i] > 0.5
                setup = setup_usd_bn[r] * (joint_cost_share[r] if sharing else 1.0)
                if budget[r, i] >= setup:
                    join_site = -1
                    if sharing:
                        join_site = _partner_base(
                            partners[r, i], shared_sites[r], site_of[r], joint[r], remaining_kg[r]
                        )
                    if join_site >= 0:
                        site_of[r, i] = join_site
                        opened = True
                    else:
                        claimed = _richest_site(
                            remaining_kg[r], holder[r], far_side, reach_far, True
                        )
                        if claimed >= 0:
                            site_of[r, i] = claimed
                            holder[r, claimed] = i
                            joint[r, claimed] = joint[r, claimed] or sharing
                            opened = True
                if opened:
                    spent[r, i] += setup
                    budget[r, i] -= setup
            # Miners stay idle (not relocated) while their actor has no site.
            if exhausted and not opened:
                site_of[r, i] = -1


@kernel
def _buy_and_land_miners(world, m, q, budget):  # type: ignore[no-untyped-def]
    """Miners retire, then actors with a site buy and land new ones with what is left of their
    ``budget`` (R, N); the mission fund loses the year's mining spending."""
    mission_fund = world.mission_fund_usd_bn
    site_of, miners, landed_mass_kg, spent = m.site_of, m.miners, m.landed_mass_kg, m.spent_usd_bn
    miner_lifetime, miner_hardware, miner_mass_t = (
        q.miner_lifetime_years,
        q.miner_hardware_usd_bn,
        q.miner_mass_t,
    )
    learning_rate, cost_0 = q.learning_rate, q.cost_0_usd_per_kg
    runs, n = budget.shape
    for r in range(runs):
        reference_kg = miner_mass_t[r] * 1000.0
        exponent = _learning_exponent(learning_rate[r])
        for i in range(n):
            miners[r, i] *= 1.0 - 1.0 / miner_lifetime[r]
            if site_of[r, i] >= 0:  # only actors with a site buy miners
                landing = _unit_landing_cost(
                    landed_mass_kg[r, i], reference_kg, exponent, cost_0[r]
                )
                unit_cost = miner_hardware[r] + miner_mass_t[r] * 1000.0 * landing / 1e9
                new = budget[r, i] / unit_cost
                miners[r, i] += new
                landed_mass_kg[r, i] += new * miner_mass_t[r] * 1000.0
                spent[r, i] += new * unit_cost
            mission_fund[r, i] -= spent[r, i]


@kernel
def _extract(sites, m, q):  # type: ignore[no-untyped-def]
    """Each actor's miners extract at its site's grade, capped by what each site holds (output
    scaled down when capacity exceeds what is left); each actor keeps its own miners' output."""
    mean_ppb = sites.mean_ppb
    remaining_kg, site_of, miners, mined_kg = m.remaining_kg, m.site_of, m.miners, m.mined_kg
    output_at_20ppb, efficiency = q.output_kg_at_20ppb, q.efficiency
    runs, n = site_of.shape
    n_sites = remaining_kg.shape[1]
    demand = np.empty(n_sites)
    for r in range(runs):
        demand[:] = 0.0
        for i in range(n):
            site = site_of[r, i]
            mined_kg[r, i] = 0.0
            if site >= 0:
                capacity = miners[r, i] * output_at_20ppb[r] * efficiency[r] * mean_ppb[site] / 20.0
                mined_kg[r, i] = capacity
                demand[site] += capacity
        for i in range(n):
            site = site_of[r, i]
            if site >= 0:
                if demand[site] > 0:
                    mined_kg[r, i] *= min(demand[site], remaining_kg[r, site]) / demand[site]
                else:
                    mined_kg[r, i] = 0.0
        for s in range(n_sites):
            remaining_kg[r, s] = max(remaining_kg[r, s] - min(demand[s], remaining_kg[r, s]), 0.0)


@kernel
def _deliver(world, m):  # type: ignore[no-untyped-def]
    """The stock on the Moon goes to Earth once the actor holds ``he3_delivered``."""
    achieved, delivered_index = world.achieved, world.delivered_index
    mined_kg, delivered_kg, stock_on_moon_kg = m.mined_kg, m.delivered_kg, m.stock_on_moon_kg
    runs, n = mined_kg.shape
    for r in range(runs):
        for i in range(n):
            stock_on_moon_kg[r, i] += mined_kg[r, i]
            delivered_kg[r, i] = 0.0
            if achieved[r, i, delivered_index]:
                delivered_kg[r, i] = stock_on_moon_kg[r, i]
            stock_on_moon_kg[r, i] -= delivered_kg[r, i]


@kernel
def _mining_year(world, sites, m, q, market):  # type: ignore[no-untyped-def]
    """One year of M5 for every run, in place: claim sites, buy and land miners, extract, deliver,
    where mining pays (``market``, a :class:`MiningMarket`). ``world.mission_fund_usd_bn`` loses
    what is spent (``m.spent_usd_bn``)."""
    budget = np.empty(m.site_of.shape)
    _decay_tension_and_budget(world, m, q, budget)
    _stop_unless_it_pays(world, sites, m, q, market, budget)
    _claim_sites(world, sites, m, q, budget)
    _buy_and_land_miners(world, m, q, budget)
    _extract(sites, m, q)
    _deliver(world, m)


def step(state: State, setting: Setting, p: RunParameters) -> None:
    """:func:`advance` with this year's coordination partners (``state.now.partners``)."""
    milestone_index = {name: i for i, name in enumerate(setting.ladder.ids)}
    advance(state, setting, p, milestone_index, state.now.partners, state.market)


def advance(
    state: State,
    setting: Setting,
    p: RunParameters,
    milestone_index: dict[str, int],
    partners: BoolArray,
    market: MarketState | None = None,
) -> None:
    """Claim sites, buy and land miners, extract, deliver. Reads and writes ``state.mining``.

    Parameters
    ----------
    state
        The engine state; ``state.mining`` (a :class:`MiningState`) is updated in place and the
        mining spending is taken out of ``state.mission_fund_usd_bn``.
    setting
        The scenario's fixed inputs (rivalry decides contested sites).
    p
        Run parameters, each (R, 1).
    milestone_index
        Milestone id → index into ``state.achieved`` (``commercial_mining``, ``far_side_landing``,
        ``he3_delivered``).
    partners
        Actors coordinating with each other this year, (R, N, N) bool.
    market
        Last year's He-3 market (``state.market``): actors spend only where mining pays. None
        (tests of the mechanics alone): mining always pays.

    Notes
    -----
    Contract: a site never yields more He-3 than it holds; mining spending comes out of the
    mission fund and never exceeds it.
    """
    mining: MiningState = state.mining
    sites = load_sites(p)
    runs = state.military_share.shape[0]

    # Update the fund and the spending in place, as the other mechanisms do, rather than copy the
    # fund into a fresh (R, N) array and allocate another for the spending every year.
    fund = writable(state.mission_fund_usd_bn, np.float64)
    spent = writable(mining.spent_usd_bn, np.float64)
    world = MiningInputs(
        year=int(state.year),
        achieved=state.achieved,
        can_mine_index=milestone_index["commercial_mining"],
        reach_far_index=milestone_index["far_side_landing"],
        delivered_index=milestone_index["he3_delivered"],
        civil_usd_bn=np.ascontiguousarray(state.civil_usd_bn, dtype=np.float64),
        mission_fund_usd_bn=fund,
        shared_sites=np.ascontiguousarray(state.levers["shared_sites"], dtype=np.float64),
        partners=np.ascontiguousarray(partners, dtype=np.bool_),
        rivalry=np.ascontiguousarray(setting.rivalry, dtype=np.float64),
    )
    arrays = MiningArrays(
        remaining_kg=mining.remaining_kg,
        holder=mining.holder,
        joint=mining.joint,
        site_of=mining.site_of,
        tension=mining.tension,
        miners=mining.miners,
        landed_mass_kg=mining.landed_mass_kg,
        mined_kg=mining.mined_kg,
        delivered_kg=mining.delivered_kg,
        stock_on_moon_kg=mining.stock_on_moon_kg,
        spent_usd_bn=spent,
    )
    _mining_year(
        world,
        MiningSites(far_side=sites.far_side, mean_ppb=sites.mean_ppb),
        arrays,
        mining_parameters(p, runs),
        mining_market(market, p, runs, int(state.year)),
    )
    state.mission_fund_usd_bn = fund
    mining.spent_usd_bn = spent
