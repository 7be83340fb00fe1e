"""M3. Missions and milestones (DESIGN §3 M3; mechanisms.md §5).

Each year an actor picks, on each programme track (robotic, crewed, He-3, fusion), its next
milestone: the first in ladder order whose prerequisites it holds, preferring one its roadmap
schedules within two years. It attempts it when its capabilities reach the milestone's thresholds,
its mission fund covers the cost, and an announced date (if any) is at most a year away.

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

import numpy as np
from numpy.typing import NDArray

from moondust.engine import debris
from moondust.engine.ladder import TRACKS
from moondust.engine.params import RunParameters
from moondust.engine.random import Stream, uniform
from moondust.engine.state import BoolArray, FloatArray, Setting, State

_ROADMAP_LOOKAHEAD = 2
_SCHEDULE_SLACK = 1


def eligible(achieved: BoolArray, setting: Setting) -> BoolArray:
    """Milestones not yet held whose prerequisites are all held, (R, N, M)."""
    ok = ~achieved
    for m, needs in enumerate(setting.ladder.prerequisites):
        for prerequisite in np.flatnonzero(needs):
            ok[..., m] &= achieved[..., prerequisite]
    return ok


def choose_targets(
    state: State, setting: Setting, p: RunParameters | None = None
) -> NDArray[np.int64]:
    """The milestone each actor works toward on each track, (R, N, tracks); −1 for none.

    With ``fusion_enabled`` = 0 in ``p`` nobody works toward the fusion milestones.
    """
    ladder = setting.ladder
    ok = eligible(state.achieved, setting)
    order = np.arange(ladder.size, dtype=np.float64)
    soon = setting.roadmap_year <= state.year + _ROADMAP_LOOKAHEAD  # NaN compares False
    score = order[None, None, :] - ladder.size * soon[None]
    score = np.where(ok, score, np.inf)
    targets = np.full((*state.achieved.shape[:2], len(TRACKS)), -1, dtype=np.int64)
    for track in range(len(TRACKS)):
        columns = np.flatnonzero(ladder.track == track)
        track_score = score[..., columns]
        best = np.argmin(track_score, axis=2)
        found = np.isfinite(np.take_along_axis(track_score, best[..., None], axis=2)[..., 0])
        targets[..., track] = np.where(found, columns[best], -1)
    if p is not None:
        fusion_off = p["fusion_enabled"] < 0.5  # (R, 1)
        targets[..., TRACKS.index("fusion")] = np.where(
            fusion_off, -1, targets[..., TRACKS.index("fusion")]
        )
    return targets


def heritage_success(
    successes: FloatArray,
    failures: FloatArray,
    partner_successes: FloatArray,
    partner_failures: FloatArray,
    margin: FloatArray,
    p: RunParameters,
    runs: NDArray[np.int64] | slice = slice(None),
) -> FloatArray:
    """Beta-Bernoulli success probability on own and partners' heritage, raised by margin.

    Works on any array shape; ``runs`` selects the parameter rows (per run) that go with it.
    """
    tau = p["heritage_transfer"][runs, 0]
    n0 = p["heritage_prior_strength"][runs, 0]
    a0 = p["heritage_prior_mean"][runs, 0] * n0
    if isinstance(runs, slice):  # full (R, N) arrays: parameters broadcast per run
        tau, n0, a0 = tau[:, None], n0[:, None], a0[:, None]
    wins = a0 + successes + tau * partner_successes
    trials = n0 + successes + failures + tau * (partner_successes + partner_failures)
    heritage = wins / trials
    kappa = p["margin_gain"][runs, 0]
    if isinstance(runs, slice):
        kappa = kappa[:, None]
    return heritage + (1.0 - heritage) * (1.0 - np.exp(-kappa * margin))


def success_probability(
    state: State,
    setting: Setting,
    p: RunParameters,
    partners: BoolArray,
    margin: FloatArray,
) -> FloatArray:
    """Probability that an attempt succeeds, (R, N), from heritage and capability margin."""
    weight = np.where(partners, state.levers["openness"][:, None, :], 0.0)
    partner_s = np.einsum("rij,rj->ri", weight, state.successes)
    partner_f = np.einsum("rij,rj->ri", weight, state.failures)
    return heritage_success(state.successes, state.failures, partner_s, partner_f, margin, p)


def step(
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
    rows = np.arange(runs)[:, None]
    cols = np.arange(n)[None, :]
    state.new_milestones = np.zeros((runs, n), dtype=np.int64)
    state.attempted = np.full((runs, n), -1, dtype=np.int64)
    year = float(state.year)
    # M7: orbital debris lowers every actor's odds; a rival's interference makes attempts fail.
    loss = (
        debris.loss_multiplier(state.debris, p) if state.debris is not None else np.ones((runs, 1))
    )
    openness = state.levers["openness"]
    sabotaged = (
        state.conflict.interference if state.conflict is not None else np.zeros((runs, n), bool)
    )
    for track in range(len(TRACKS)):
        target = targets[..., track]
        has = target >= 0
        safe = np.where(has, target, 0)
        thresholds = ladder.thresholds[safe]  # (R, N, K)
        required = thresholds > 0
        ratio = np.where(required, state.capability / np.where(required, thresholds, 1.0), np.inf)
        worst = ratio[..., 0]
        for k in range(1, ratio.shape[2]):  # faster than min(axis=2) over six domains
            worst = np.minimum(worst, ratio[..., k])
        ready = has & (worst >= 1.0)
        cost = ladder.cost_usd_bn[safe]
        planned = setting.roadmap_year[cols, safe]
        on_schedule = np.isnan(planned) | (year >= planned - _SCHEDULE_SLACK)
        attempt = ready & on_schedule & (state.mission_fund_usd_bn >= cost)
        state.mission_fund_usd_bn = state.mission_fund_usd_bn - np.where(attempt, cost, 0.0)

        state.attempted = np.where(attempt & (state.attempted < 0), target, state.attempted)
        if not attempt.any():
            continue
        # Only the attempts need a success probability: work on that subset.
        r_at, i_at = np.nonzero(attempt)
        margin = np.where(np.isfinite(worst), np.maximum(worst - 1.0, 0.0), 0.0)[r_at, i_at]
        weight = np.where(partners[r_at, i_at], openness[r_at], 0.0)  # (A, N)
        partner_s = np.einsum("aj,aj->a", weight, state.successes[r_at])
        partner_f = np.einsum("aj,aj->a", weight, state.failures[r_at])
        chance = heritage_success(
            state.successes[r_at, i_at],
            state.failures[r_at, i_at],
            partner_s,
            partner_f,
            margin,
            p,
            runs=r_at,
        )
        chance = np.where(sabotaged[r_at, i_at], 0.0, chance * loss[r_at, 0])
        draw = uniform(
            state.seed, state.run_index[r_at, 0], state.year, Stream.MISSION_SUCCESS, i_at, track
        )
        won = draw < chance
        success = np.zeros((runs, n), dtype=bool)
        success[r_at, i_at] = won
        state.successes = state.successes + success
        state.failures = state.failures + (attempt & ~success)
        state.achieved[rows, cols, safe] |= success
        state.achieved_year[rows, cols, safe] = np.where(
            success, year, state.achieved_year[rows, cols, safe]
        )
        state.new_milestones += success
