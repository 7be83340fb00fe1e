"""M5. Lunar sites and He-3 mining (DESIGN §3 M5; helium3.md §5).

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
  year's output, and the stock, goes to Earth.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from moondust.engine.params import RunParameters
from moondust.engine.state import BoolArray, FloatArray, Setting, State

_EPS = 1e-12


@dataclass(frozen=True)
class SiteTable:
    """The mineable deposits, richest first (S sites)."""

    he3_kg: FloatArray
    """He-3 within mining depth at each site, kg (S,)."""
    mean_ppb: FloatArray
    far_side: BoolArray
    lat_deg: FloatArray
    lon_deg: FloatArray
    names: tuple[str, ...]


@cache
def _sites(count: int) -> SiteTable:
    from moondust.moon import He3Map
    from moondust.moon.sites import find_sites

    sites = find_sites(He3Map(1.0), top=count)
    return SiteTable(
        he3_kg=np.array([s.he3_top_kg for s in sites]),
        mean_ppb=np.array([s.mean_ppb for s in sites]),
        far_side=np.array([s.side == "far" for s in sites]),
        lat_deg=np.array([s.centroid_lat_deg for s in sites]),
        lon_deg=np.array([s.centroid_lon_deg for s in sites]),
        names=tuple(s.nearest_feature for s in sites),
    )


def load_sites(p: RunParameters) -> SiteTable:
    """The richest ``mining_sites`` deposits of the default Moon model (the same for every run)."""
    return _sites(int(p["mining_sites"][0, 0]))


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


def initial(setting: Setting, runs: int, p: RunParameters) -> MiningState:
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


def landing_cost_usd_per_kg(landed_mass_kg: FloatArray, p: RunParameters) -> FloatArray:
    """Wright's law: ``c_0 (max(Q, m_M)/m_M)^(−b)`` with ``b = −log₂(1 − LR)``."""
    reference = p["miner_mass_t"] * 1000.0
    exponent = -np.log2(1.0 - p["launch_learning_rate"])
    doublings = np.maximum(landed_mass_kg, reference) / reference
    return np.asarray(p["surface_delivery_usd_per_kg"] * doublings ** (-exponent))


def step(
    state: State,
    setting: Setting,
    p: RunParameters,
    milestone_index: dict[str, int],
    partners: BoolArray,
) -> None:
    """Claim sites, buy and land miners, extract, deliver. Reads and writes ``state.mining``.

    Contract: a site never yields more He-3 than it holds; mining spending comes out of the
    mission fund and never exceeds it.
    """
    mining: MiningState = state.mining
    sites = load_sites(p)
    runs, n = state.military_share.shape
    rows = np.arange(runs)
    holds = state.achieved
    can_mine = holds[:, :, milestone_index["commercial_mining"]]
    reach_far = holds[:, :, milestone_index["far_side_landing"]]
    delivers = holds[:, :, milestone_index["he3_delivered"]]
    sharing = state.levers["shared_sites"] > 0.5

    mining.tension *= 1.0 - p["tension_decay"][:, :, None]
    budget = np.where(can_mine, p["mining_budget_share"] * p["lunar_share"] * state.civil_usd_bn, 0)
    budget = np.minimum(budget, state.mission_fund_usd_bn)
    spent = np.zeros((runs, n))

    # Sites: actors take turns in an order that rotates with the year (no one always first).
    order = np.roll(np.arange(n), -(state.year % n))
    for i in order:
        current = mining.site_of[:, i]
        exhausted = (current >= 0) & (mining.remaining_kg[rows, np.maximum(current, 0)] <= _EPS)
        needs = can_mine[:, i] & ((current < 0) | exhausted) & (budget[:, i] > 0)
        if not needs.any():
            continue
        reachable = (~sites.far_side[None, :] | reach_far[:, i : i + 1]) & (
            mining.remaining_kg > _EPS
        )
        # Contested: the richest reachable site is held exclusively by a rival.
        richest = np.argmax(np.where(reachable, mining.remaining_kg, -1.0), axis=1)
        owner = mining.holder[rows, richest]
        exclusive_rival = (
            (owner >= 0)
            & ~mining.joint[rows, richest]
            & (setting.rivalry[i][np.maximum(owner, 0)] > 0)
            & (owner != i)
        )
        bump = np.where(needs & exclusive_rival, p["contested_site_tension"][:, 0], 0.0)
        mining.tension[rows, i, np.maximum(owner, 0)] += bump
        mining.tension[rows, np.maximum(owner, 0), i] += bump

        # Join a partner's joint base if sharing; otherwise claim the richest free site.
        partner_sites = np.where(
            partners[:, i, :] & sharing & sharing[:, i : i + 1], mining.site_of, -1
        )
        joinable = (partner_sites >= 0) & mining.joint[rows[:, None], np.maximum(partner_sites, 0)]
        joinable &= mining.remaining_kg[rows[:, None], np.maximum(partner_sites, 0)] > _EPS
        has_join = joinable.any(axis=1) & needs & sharing[:, i]
        join_site = partner_sites[rows, np.argmax(joinable, axis=1)]

        free = reachable & (mining.holder < 0)
        has_free = free.any(axis=1)
        free_site = np.argmax(np.where(free, mining.remaining_kg, -1.0), axis=1)
        claim = needs & ~has_join & has_free

        setup_share = np.where(has_join | sharing[:, i], p["joint_base_cost_share"][:, 0], 1.0)
        setup = p["site_setup_usd_bn"][:, 0] * setup_share
        affordable = budget[:, i] >= setup
        join_now = has_join & affordable
        claim_now = claim & affordable
        mining.site_of[:, i] = np.where(join_now, join_site, mining.site_of[:, i])
        mining.site_of[:, i] = np.where(claim_now, free_site, mining.site_of[:, i])
        mining.holder[rows, free_site] = np.where(claim_now, i, mining.holder[rows, free_site])
        mining.joint[rows, free_site] |= claim_now & sharing[:, i]
        cost = np.where(join_now | claim_now, setup, 0.0)
        spent[:, i] += cost
        budget[:, i] -= cost
        # Miners stay idle (not relocated) while their actor has no site.
        mining.site_of[:, i] = np.where(
            exhausted & ~(join_now | claim_now), -1, mining.site_of[:, i]
        )

    # Miners: retire, then buy and land new ones with what is left of the budget.
    mining.miners *= 1.0 - 1.0 / p["miner_lifetime_years"]
    unit_cost = (
        p["miner_hardware_usd_bn"]
        + p["miner_mass_t"] * 1000.0 * landing_cost_usd_per_kg(mining.landed_mass_kg, p) / 1e9
    )
    working = mining.site_of >= 0
    new = np.where(working, budget / unit_cost, 0.0)
    mining.miners += new
    mining.landed_mass_kg += new * p["miner_mass_t"] * 1000.0
    spent += new * unit_cost
    state.mission_fund_usd_bn = state.mission_fund_usd_bn - spent
    mining.spent_usd_bn = spent

    # Extraction, capped by what each site holds.
    site = np.maximum(mining.site_of, 0)
    grade = sites.mean_ppb[site]
    capacity = np.where(
        working,
        mining.miners * p["miner_output_kg_at_20ppb"] * p["extraction_efficiency"] * grade / 20.0,
        0.0,
    )
    onehot = (site[:, :, None] == np.arange(sites.he3_kg.size)[None, None, :]) & working[:, :, None]
    demand = np.einsum("rn,rns->rs", capacity, onehot.astype(np.float64))
    taken = np.minimum(demand, mining.remaining_kg)
    scale = np.where(demand > 0, taken / np.where(demand > 0, demand, 1.0), 0.0)
    mined = capacity * scale[rows[:, None], site]
    mining.remaining_kg = np.maximum(mining.remaining_kg - taken, 0.0)
    mining.mined_kg = mined
    mining.stock_on_moon_kg += mined
    mining.delivered_kg = np.where(delivers, mining.stock_on_moon_kg, 0.0)
    mining.stock_on_moon_kg -= mining.delivered_kg
