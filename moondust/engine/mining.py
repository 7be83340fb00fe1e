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
  year's output, and the stock, goes to Earth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from moondust.engine.jit import kernel
from moondust.engine.params import RunParameters, per_run
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


@kernel
def _mining_year(  # type: ignore[no-untyped-def]
    year,
    far_side,
    mean_ppb,
    achieved,
    can_mine_index,
    reach_far_index,
    delivered_index,
    civil_usd_bn,
    mission_fund,
    shared_sites,
    partners,
    rivalry,
    remaining_kg,
    holder,
    joint,
    site_of,
    tension,
    miners,
    landed_mass_kg,
    mined_kg,
    delivered_kg,
    stock_on_moon_kg,
    spent,
    tension_decay,
    budget_share,
    lunar_share,
    contested_tension,
    joint_cost_share,
    setup_usd_bn,
    miner_lifetime,
    miner_hardware,
    miner_mass_t,
    learning_rate,
    cost_0,
    output_at_20ppb,
    efficiency,
):
    """One year of M5 for every run, in place; ``mission_fund`` loses what is ``spent``."""
    runs, n = site_of.shape
    sites = remaining_kg.shape[1]
    budget = np.empty(n)
    demand = np.empty(sites)
    # Each run's richest reachable site without (0) and with (1) far-side reach, −2 until needed:
    # sites hold the same He-3 all through the turns, so one scan serves every actor that looks.
    richest_reachable = np.empty(2, dtype=np.int64)
    for r in range(runs):
        # A pass of its own over the run's (N, N) block, which the compiler vectorises.
        kept_tension = 1.0 - tension_decay[r]
        for i in range(n):
            for j in range(n):
                tension[r, i, j] *= kept_tension
        for i in range(n):
            budget[i] = 0.0
            if achieved[r, i, can_mine_index]:
                budget[i] = budget_share[r] * lunar_share[r] * civil_usd_bn[r, i]
            if mission_fund[r, i] < budget[i]:
                budget[i] = mission_fund[r, i]
            spent[r, i] = 0.0

        # Sites: actors take turns in an order that rotates with the year (no one always first):
        # actor (turn + year) mod N, counted on without a division per turn.
        richest_reachable[:] = -2
        i = year % n - 1
        for _ in range(n):
            i = i + 1 if i + 1 < n else 0
            current = site_of[r, i]
            exhausted = current >= 0 and remaining_kg[r, current] <= _EPS
            needs = achieved[r, i, can_mine_index] and (current < 0 or exhausted) and budget[i] > 0
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
                if budget[i] >= setup:
                    join_site = -1
                    if sharing:
                        for j in range(n):
                            site = site_of[r, j]
                            if (
                                partners[r, i, j]
                                and shared_sites[r, j] > 0.5
                                and site >= 0
                                and joint[r, site]
                                and remaining_kg[r, site] > _EPS
                            ):
                                join_site = site
                                break
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
                    budget[i] -= setup
            # Miners stay idle (not relocated) while their actor has no site.
            if exhausted and not opened:
                site_of[r, i] = -1

        # Miners: retire, then buy and land new ones with what is left of the budget.
        reference_kg = miner_mass_t[r] * 1000.0
        exponent = _learning_exponent(learning_rate[r])
        for i in range(n):
            miners[r, i] *= 1.0 - 1.0 / miner_lifetime[r]
            if site_of[r, i] >= 0:  # only actors with a site buy miners
                landing = _unit_landing_cost(
                    landed_mass_kg[r, i], reference_kg, exponent, cost_0[r]
                )
                unit_cost = miner_hardware[r] + miner_mass_t[r] * 1000.0 * landing / 1e9
                new = budget[i] / unit_cost
                miners[r, i] += new
                landed_mass_kg[r, i] += new * miner_mass_t[r] * 1000.0
                spent[r, i] += new * unit_cost
            mission_fund[r, i] -= spent[r, i]

        # Extraction, capped by what each site holds (output scaled down when capacity exceeds
        # what is left); each actor keeps its own miners' output.
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
        for s in range(sites):
            remaining_kg[r, s] = max(remaining_kg[r, s] - min(demand[s], remaining_kg[r, s]), 0.0)

        # Delivery: the stock on the Moon goes to Earth once the actor holds he3_delivered.
        for i in range(n):
            stock_on_moon_kg[r, i] += mined_kg[r, i]
            delivered_kg[r, i] = 0.0
            if achieved[r, i, delivered_index]:
                delivered_kg[r, i] = stock_on_moon_kg[r, i]
            stock_on_moon_kg[r, i] -= delivered_kg[r, i]


def step(state: State, setting: Setting, p: RunParameters) -> None:
    """:func:`advance` with this year's coordination partners (``state.now.partners``)."""
    milestone_index = {name: i for i, name in enumerate(setting.ladder.ids)}
    advance(state, setting, p, milestone_index, state.now.partners)


def advance(
    state: State,
    setting: Setting,
    p: RunParameters,
    milestone_index: dict[str, int],
    partners: BoolArray,
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

    Notes
    -----
    Contract: a site never yields more He-3 than it holds; mining spending comes out of the
    mission fund and never exceeds it.
    """
    mining: MiningState = state.mining
    sites = load_sites(p)
    runs = state.military_share.shape[0]

    def column(name: str) -> FloatArray:
        return per_run(p[name], runs)

    # Update the fund and the spending in place, as the other mechanisms do, rather than copy the
    # fund into a fresh (R, N) array and allocate another for the spending every year.
    fund = writable(state.mission_fund_usd_bn, np.float64)
    spent = writable(mining.spent_usd_bn, np.float64)
    _mining_year(
        int(state.year),
        sites.far_side,
        sites.mean_ppb,
        state.achieved,
        milestone_index["commercial_mining"],
        milestone_index["far_side_landing"],
        milestone_index["he3_delivered"],
        np.ascontiguousarray(state.civil_usd_bn, dtype=np.float64),
        fund,
        np.ascontiguousarray(state.levers["shared_sites"], dtype=np.float64),
        np.ascontiguousarray(partners, dtype=np.bool_),
        np.ascontiguousarray(setting.rivalry, dtype=np.float64),
        mining.remaining_kg,
        mining.holder,
        mining.joint,
        mining.site_of,
        mining.tension,
        mining.miners,
        mining.landed_mass_kg,
        mining.mined_kg,
        mining.delivered_kg,
        mining.stock_on_moon_kg,
        spent,
        column("tension_decay"),
        column("mining_budget_share"),
        column("lunar_share"),
        column("contested_site_tension"),
        column("joint_base_cost_share"),
        column("site_setup_usd_bn"),
        column("miner_lifetime_years"),
        column("miner_hardware_usd_bn"),
        column("miner_mass_t"),
        column("launch_learning_rate"),
        column("surface_delivery_usd_per_kg"),
        column("miner_output_kg_at_20ppb"),
        column("extraction_efficiency"),
    )
    state.mission_fund_usd_bn = fund
    mining.spent_usd_bn = spent
