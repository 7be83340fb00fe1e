"""M3. Missions and milestones (docs/model.md, M3).

Each year an actor picks, on each programme track, its next milestone
(:mod:`moondust.engine.targets`). It attempts it when its capabilities reach the milestone's
thresholds, its mission fund covers the cost, and an announced date (if any) is at most a year
away.

Success is Beta-Bernoulli on heritage (Guikema & Paté-Cornell 2005): with prior mean p₀ and
strength n₀ (a₀ = p₀n₀, b₀ = (1 − p₀)n₀), own successes s and failures f, and partners' heritage
added with discount τ,

    p_h = (a₀ + s + τ Σ_j o_j s_j) / (n₀ + s + f + τ Σ_j o_j (s_j + f_j)),
    p   = p_h + (1 − p_h)(1 − exp(−κ · margin)),

where margin is the smallest relative excess of capability over the thresholds. Partners are the
actors it coordinates R&D with (:func:`moondust.engine.technology.coordination_partners`). Orbital
debris multiplies p by the loss multiplier of :mod:`moondust.engine.debris`, and an attempt by an
actor a rival interferes with this year (:mod:`moondust.engine.conflict`) fails.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from moondust.engine import debris
from moondust.engine.jit import kernel
from moondust.engine.params import RunParameters, once_per_block, per_run
from moondust.engine.random import Stream, draw
from moondust.engine.state import BoolArray, FloatArray, Setting, State, writable

_SCHEDULE_SLACK = 1
_MISSION_SUCCESS = int(Stream.MISSION_SUCCESS)


class MissionParameters(NamedTuple):
    """The heritage parameters (table ``engine``), each (R,) float64 (:func:`per_run`).

    Attributes
    ----------
    heritage_transfer
        Discount τ on partners' heritage.
    heritage_prior_strength
        Prior strength n₀ (pseudo-attempts).
    heritage_prior_mean
        Prior mean p₀ of the success probability.
    margin_gain
        Gain κ of the capability margin.
    """

    heritage_transfer: FloatArray
    heritage_prior_strength: FloatArray
    heritage_prior_mean: FloatArray
    margin_gain: FloatArray


@once_per_block
def mission_parameters(p: RunParameters, runs: int) -> MissionParameters:
    """The :class:`MissionParameters` of ``runs`` runs from the run parameters."""
    return MissionParameters(
        heritage_transfer=per_run(p["heritage_transfer"], runs),
        heritage_prior_strength=per_run(p["heritage_prior_strength"], runs),
        heritage_prior_mean=per_run(p["heritage_prior_mean"], runs),
        margin_gain=per_run(p["margin_gain"], runs),
    )


class Heritage(NamedTuple):
    """Who learns from whom: own and partners' mission records, contiguous.

    Attributes
    ----------
    successes
        Successful attempts so far, (R, N) float64 (updated in place by the attempts).
    failures
        Failed attempts so far, (R, N) float64 (updated in place by the attempts).
    partners
        Coordination partners this year, (R, N, N) bool: ``partners[r, i, j]`` if i learns from j.
    openness
        Lever ``openness``, (R, N) float64: the weight of an actor's heritage to its partners.
    """

    successes: FloatArray
    failures: FloatArray
    partners: BoolArray
    openness: FloatArray


class MissionLadder(NamedTuple):
    """The setting's milestone tables, contiguous.

    Attributes
    ----------
    thresholds
        Capability thresholds, (M, D) float64 (0 where a domain is not required).
    cost_usd_bn
        Cost of an attempt, (M,) float64.
    roadmap_year
        Announced year of each actor's milestones, (N, M) float64 (NaN where none).
    """

    thresholds: FloatArray
    cost_usd_bn: FloatArray
    roadmap_year: FloatArray


class Attempts(NamedTuple):
    """This year's inputs to the attempts, contiguous.

    Attributes
    ----------
    targets
        Each actor's next milestone per track, (R, N, T) int64 (−1: none).
    capability
        Capabilities, (R, N, D) float64.
    loss
        Debris loss multiplier of the success probability, (R,) float64.
    sabotaged
        Actors a rival interferes with this year, (R, N) bool: their attempts fail.
    """

    targets: NDArray[np.int64]
    capability: FloatArray
    loss: FloatArray
    sabotaged: BoolArray


class MissionRecord(NamedTuple):
    """What the attempts update in place (besides the :class:`Heritage` counts).

    Attributes
    ----------
    mission_fund_usd_bn
        Mission fund, (R, N) float64: each attempt pays its cost.
    achieved
        Milestones achieved, (R, N, M) bool.
    achieved_year
        Year each milestone was achieved, (R, N, M) float64 (NaN: never).
    attempted
        First milestone attempted this year, (R, N) int64 (−1: none).
    new_milestones
        Milestones achieved this year, (R, N) int64.
    """

    mission_fund_usd_bn: FloatArray
    achieved: BoolArray
    achieved_year: FloatArray
    attempted: NDArray[np.int64]
    new_milestones: NDArray[np.int64]


@kernel
def _heritage_chance(  # type: ignore[no-untyped-def]
    successes, failures, partner_successes, partner_failures, margin, tau, n0, prior_mean, kappa
):
    """Beta-Bernoulli success probability on own and partners' heritage, raised by margin."""
    a0 = prior_mean * n0
    wins = a0 + successes + tau * partner_successes
    trials = n0 + successes + failures + tau * (partner_successes + partner_failures)
    heritage = wins / trials
    return heritage + (1.0 - heritage) * (1.0 - np.exp(-kappa * margin))


@kernel
def _success_probabilities(heritage, margin, params, out):  # type: ignore[no-untyped-def]
    """Every actor's success probability into ``out`` (R, N), at the (R, N) ``margin``."""
    successes = heritage.successes
    failures = heritage.failures
    partners = heritage.partners
    openness = heritage.openness
    runs, n = successes.shape
    for r in range(runs):
        for i in range(n):
            # Partners' heritage, each weighted by that partner's openness.
            partner_s = 0.0
            partner_f = 0.0
            for j in range(n):
                if partners[r, i, j]:
                    partner_s += openness[r, j] * successes[r, j]
                    partner_f += openness[r, j] * failures[r, j]
            out[r, i] = _heritage_chance(
                successes[r, i],
                failures[r, i],
                partner_s,
                partner_f,
                margin[r, i],
                params.heritage_transfer[r],
                params.heritage_prior_strength[r],
                params.heritage_prior_mean[r],
                params.margin_gain[r],
            )


def success_probability(
    state: State,
    setting: Setting,
    p: RunParameters,
    partners: BoolArray,
    margin: FloatArray,
) -> FloatArray:
    """Probability that an attempt succeeds, (R, N), from heritage and capability margin."""
    successes = np.ascontiguousarray(state.successes, dtype=np.float64)
    out = np.empty_like(successes)
    runs = successes.shape[0]
    heritage = Heritage(
        successes=successes,
        failures=np.ascontiguousarray(state.failures, dtype=np.float64),
        partners=np.ascontiguousarray(partners, dtype=np.bool_),
        openness=np.ascontiguousarray(state.levers["openness"], dtype=np.float64),
    )
    margin = np.ascontiguousarray(np.broadcast_to(margin, successes.shape), dtype=np.float64)
    _success_probabilities(heritage, margin, mission_parameters(p, runs), out)
    return out


@kernel
def _attempt_missions(seed, run_index, year, ladder, attempts, heritage, params, record):  # type: ignore[no-untyped-def]
    """All tracks of one year, in track order, for every run and actor (updates ``heritage``'s
    counts and ``record`` in place).

    Within a track every attempt is judged on the heritage held before that track, so the
    outcomes of a track are applied only after all its draws.
    """
    targets = attempts.targets
    capability = attempts.capability
    thresholds = ladder.thresholds
    cost = ladder.cost_usd_bn
    roadmap_year = ladder.roadmap_year
    successes = heritage.successes
    failures = heritage.failures
    partners = heritage.partners
    openness = heritage.openness
    fund = record.mission_fund_usd_bn
    runs, n, tracks = targets.shape
    domains = thresholds.shape[1]
    calendar = float(year)
    # A track's attempts (actor, outcome), applied once all its draws are made: a handful per
    # run-year, so the second pass runs over them alone rather than over every actor.
    attempters = np.empty(n, dtype=np.int64)
    won = np.empty(n, dtype=np.bool_)
    for r in range(runs):
        run = run_index[r]
        for t in range(tracks):
            count = 0
            for i in range(n):
                m = targets[r, i, t]
                if m < 0:
                    continue
                # The cheap conditions first: funded (which rules out most) and on schedule (no
                # date is NaN, and NaN compares False).
                if not fund[r, i] >= cost[m]:
                    continue
                if calendar < roadmap_year[i, m] - _SCHEDULE_SLACK:
                    continue
                # Ready: the smallest capability/threshold ratio over the required domains is at
                # least 1 (NaN is not). Once below 1 it cannot come back, so stop there.
                worst = np.inf
                for k in range(domains):
                    level = thresholds[m, k]
                    if level > 0:
                        ratio = capability[r, i, k] / level
                        if not ratio >= worst:  # the smaller, or NaN
                            worst = ratio
                        if not worst >= 1.0:
                            break
                if not worst >= 1.0:
                    continue
                fund[r, i] -= cost[m]
                if record.attempted[r, i] < 0:
                    record.attempted[r, i] = m
                margin = max(worst - 1.0, 0.0) if np.isfinite(worst) else 0.0
                # Written out, not a shared helper: calls passing arrays cost reference counting.
                partner_s = 0.0
                partner_f = 0.0
                for j in range(n):
                    if partners[r, i, j]:
                        partner_s += openness[r, j] * successes[r, j]
                        partner_f += openness[r, j] * failures[r, j]
                chance = _heritage_chance(
                    successes[r, i],
                    failures[r, i],
                    partner_s,
                    partner_f,
                    margin,
                    params.heritage_transfer[r],
                    params.heritage_prior_strength[r],
                    params.heritage_prior_mean[r],
                    params.margin_gain[r],
                )
                chance = 0.0 if attempts.sabotaged[r, i] else chance * attempts.loss[r]
                attempters[count] = i
                won[count] = draw(seed, run, year, _MISSION_SUCCESS, i, t) < chance
                count += 1
            for a in range(count):
                i = attempters[a]
                if won[a]:
                    m = targets[r, i, t]
                    successes[r, i] += 1.0
                    record.achieved[r, i, m] = True
                    record.achieved_year[r, i, m] = calendar
                    record.new_milestones[r, i] += 1
                else:
                    failures[r, i] += 1.0


def initial(setting: Setting, p: RunParameters, runs: int) -> None:
    """No state of its own: heritage and milestones are the core state's."""
    return None


def step(state: State, setting: Setting, p: RunParameters) -> None:
    """:func:`attempt` this year's targets (``state.now.targets``) with this year's coordination
    partners (``state.now.partners``)."""
    attempt(state, setting, p, state.now.targets, state.now.partners)


def attempt(
    state: State,
    setting: Setting,
    p: RunParameters,
    targets: NDArray[np.int64],
    partners: BoolArray,
) -> None:
    """Attempt the ready, funded, scheduled targets; record successes, failures and heritage.

    Contract: the mission fund never goes negative; a milestone is achieved at most once, and only
    after its prerequisites.
    """
    ladder = setting.ladder
    runs, n = state.military_share.shape
    state.new_milestones = np.zeros((runs, n), dtype=np.int64)
    state.attempted = np.full((runs, n), -1, dtype=np.int64)
    # M7: orbital debris lowers every actor's odds; a rival's interference makes attempts fail.
    if state.debris is not None:
        loss = np.ascontiguousarray(debris.loss_multiplier(state.debris, p)[:, 0])
    else:
        loss = np.ones(runs)
    if state.conflict is not None:
        sabotaged = np.ascontiguousarray(state.conflict.interference, dtype=np.bool_)
    else:
        sabotaged = np.zeros((runs, n), dtype=np.bool_)
    state.mission_fund_usd_bn = writable(state.mission_fund_usd_bn, np.float64)
    state.successes = writable(state.successes, np.float64)
    state.failures = writable(state.failures, np.float64)
    state.achieved = writable(state.achieved, np.bool_)
    state.achieved_year = writable(state.achieved_year, np.float64)
    _attempt_missions(
        int(state.seed),
        np.ascontiguousarray(state.run_index[:, 0], dtype=np.int64),
        int(state.year),
        MissionLadder(
            thresholds=np.ascontiguousarray(ladder.thresholds, dtype=np.float64),
            cost_usd_bn=np.ascontiguousarray(ladder.cost_usd_bn, dtype=np.float64),
            roadmap_year=np.ascontiguousarray(setting.roadmap_year, dtype=np.float64),
        ),
        Attempts(
            targets=np.ascontiguousarray(targets, dtype=np.int64),
            capability=np.ascontiguousarray(state.capability, dtype=np.float64),
            loss=loss,
            sabotaged=sabotaged,
        ),
        Heritage(
            successes=state.successes,
            failures=state.failures,
            partners=np.ascontiguousarray(partners, dtype=np.bool_),
            openness=np.ascontiguousarray(state.levers["openness"], dtype=np.float64),
        ),
        mission_parameters(p, runs),
        MissionRecord(
            mission_fund_usd_bn=state.mission_fund_usd_bn,
            achieved=state.achieved,
            achieved_year=state.achieved_year,
            attempted=state.attempted,
            new_milestones=state.new_milestones,
        ),
    )
