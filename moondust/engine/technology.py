"""M2. Technology, spillovers and R&D coordination (DESIGN §3 M2; mechanisms.md §2).

Capability stocks A_ik (k: launch, landing, surface, return, crew, fusion) grow by idea production
(Jones 1995) with spillovers (Jaffe 1986; d'Aspremont & Jacquemin 1988) and Nelson–Phelps catch-up:

    ΔA_ik = δ (R_ik + Σ_j β_ij R_jk)^λ A_ik^φ + c · abs_i · max(v_i,lead · A_lead,k − A_ik, 0)

where A_lead,k is the leader's stock in domain k and v_i,lead = max(β_i,lead, public visibility).

β_ij = β_max · o_i · o_j · (1 if same bloc else β_x) · (0 if sanctioned), with o the openness
levers. Absorptive capacity abs_i = R_i / (R_i + R_½) · (1 + learning_i) (Cohen & Levinthal 1989).

**R&D coordination.** Actors that coordinate R&D with bloc partners (lever ``coordinate``) choose
R&D as a cartel. In d'Aspremont & Jacquemin's duopoly the cartel's effort relative to the
non-cooperative effort is

    x^C / x^N = (1 + β)/(2 − β) · (G − (2 − β)(1 + β)) / (G − (1 + β)²),    G = 4.5 b γ,

which exceeds 1 exactly when β > 1/2. The engine scales a coordinating actor's R&D share by this
ratio at the mean spillover with its partners, so coordination raises R&D only with high spillovers.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from moondust.engine.jit import broadcast_flat, kernel
from moondust.engine.ladder import DOMAINS
from moondust.engine.params import RunParameters, per_run
from moondust.engine.state import BoolArray, FloatArray, Setting, State

_FUSION = DOMAINS.index("fusion")
_MAX_RD_SHARE = 0.95
_CAPABILITY_FLOOR = 0.1
_EVEN_WEIGHT = 1.0 / (len(DOMAINS) - 1)
"""Each non-fusion domain's share of R&D when an actor has no shortfall to close."""


@kernel
def _aj_ratio(beta: float, convexity: float) -> float:
    """x^C / x^N for one spillover and cost convexity (the formula of :func:`aj_effort_ratio`)."""
    return (
        (1 + beta)
        / (2 - beta)
        * (convexity - (2 - beta) * (1 + beta))
        / (convexity - (1 + beta) ** 2)
    )


@kernel
def _aj_ratios(beta, convexity, out):  # type: ignore[no-untyped-def]
    for k in range(out.size):
        out[k] = _aj_ratio(beta[k], convexity[k])


def aj_effort_ratio(beta: FloatArray | float, cost_convexity: FloatArray | float) -> FloatArray:
    """d'Aspremont–Jacquemin cartel over non-cooperative R&D effort, x^C / x^N.

    Examples
    --------
    >>> round(float(aj_effort_ratio(0.0, 45.0)), 3)   # 0.91 / 1.86 in mechanisms.md §2a
    0.489
    >>> float(aj_effort_ratio(0.5, 45.0))
    1.0
    """
    shape, (beta_flat, convexity_flat) = broadcast_flat(np.float64, beta, cost_convexity)
    ratio = np.empty(beta_flat.size)
    _aj_ratios(beta_flat, convexity_flat, ratio)
    return ratio.reshape(shape)


def _updatable(values: FloatArray) -> FloatArray:
    """``values`` itself when a kernel can update it in place, else a contiguous copy."""
    flags = values.flags
    if values.dtype == np.float64 and flags.c_contiguous and flags.writeable:
        return values
    return np.array(values, dtype=np.float64, order="C")


@kernel
def _fill_spillovers(openness, same_bloc, sanction, beta_max, discount, bonus, has_bonus, beta):  # type: ignore[no-untyped-def]
    """β_ij into ``beta`` (R, N, N); ``bonus`` is read only when ``has_bonus``."""
    runs, n = openness.shape
    for r in range(runs):
        for i in range(n):
            for j in range(n):
                if i == j or sanction[i, j]:
                    beta[r, i, j] = 0.0
                    continue
                b = beta_max[r] * openness[r, i] * openness[r, j]
                # 1 within a bloc, the discount across.
                b *= 1.0 if same_bloc[i, j] else discount[r]
                if has_bonus:
                    b += bonus[r, i, j]
                    b = min(max(b, 0.0), 1.0)
                beta[r, i, j] = b


def spillovers(
    openness: FloatArray,
    setting: Setting,
    p: RunParameters,
    bonus: FloatArray | None = None,
) -> FloatArray:
    """β_ij for every run, shape (R, N, N), zero on the diagonal and between sanctioned pairs.

    ``bonus`` (R, N, N) is added before clipping to [0, 1] (M4: joint crews raise spillovers).
    """
    openness = np.ascontiguousarray(openness, dtype=np.float64)
    runs, n = openness.shape
    beta = np.empty((runs, n, n))
    has_bonus = bonus is not None
    extra = np.zeros((1, 1, 1))  # never read: a placeholder of the right type
    if bonus is not None:
        extra = np.ascontiguousarray(np.broadcast_to(bonus, beta.shape), dtype=np.float64)
    _fill_spillovers(
        openness,
        np.ascontiguousarray(setting.same_bloc, dtype=np.bool_),
        np.ascontiguousarray(setting.sanction, dtype=np.bool_),
        per_run(p["spillover_max"], runs),
        per_run(p["cross_bloc_discount"], runs),
        extra,
        has_bonus,
        beta,
    )
    return beta


@kernel
def _fill_partners(coordinate, same_bloc, sanction, partners):  # type: ignore[no-untyped-def]
    """Coordinating pairs into ``partners`` (R, N, N)."""
    runs, n = coordinate.shape
    for r in range(runs):
        for i in range(n):
            for j in range(n):
                partners[r, i, j] = (
                    i != j
                    and same_bloc[i, j]
                    and not sanction[i, j]
                    and coordinate[r, i] > 0.5
                    and coordinate[r, j] > 0.5
                )


def coordination_partners(coordinate: FloatArray, setting: Setting) -> BoolArray:
    """Pairs that coordinate R&D: same bloc, not sanctioned, both choose to coordinate (R, N, N)."""
    coordinate = np.ascontiguousarray(coordinate, dtype=np.float64)
    runs, n = coordinate.shape
    partners = np.empty((runs, n, n), dtype=np.bool_)
    _fill_partners(
        coordinate,
        np.ascontiguousarray(setting.same_bloc, dtype=np.bool_),
        np.ascontiguousarray(setting.sanction, dtype=np.bool_),
        partners,
    )
    return partners


@kernel
def _rd_share(beta_row, partner_row, rd_fraction, convexity):  # type: ignore[no-untyped-def]
    """Share of one actor's lunar programme spent on R&D: ``rd_fraction`` scaled by the AJ ratio
    at the mean spillover with its coordination partners (unscaled without partners)."""
    count = 0
    total = 0.0
    for j in range(partner_row.size):
        if partner_row[j]:
            count += 1
            total += beta_row[j]
    ratio = _aj_ratio(total / count, convexity) if count > 0 else 1.0
    return min(rd_fraction * ratio, _MAX_RD_SHARE)


@kernel
def _domain_weights(capability, targets, thresholds, fusion_fraction, weights):  # type: ignore[no-untyped-def]
    """How one actor splits its R&D over domains, into ``weights`` (K,): by the shortfall for its
    current targets (milestone indices per track, −1: none); a fixed share goes to fusion."""
    total = 0.0
    for k in range(weights.size):
        needed = 0.0  # thresholds are non-negative: the same as a track without a target
        for t in range(targets.size):
            if targets[t] >= 0:
                needed = max(needed, thresholds[targets[t], k])
        deficit = 0.0 if k == _FUSION else max(needed - capability[k], 0.0)
        weights[k] = deficit
        total += deficit
    for k in range(weights.size):
        if k == _FUSION:
            weights[k] = fusion_fraction
        elif total > 0:
            weights[k] = weights[k] / total * (1.0 - fusion_fraction)
        else:
            weights[k] = _EVEN_WEIGHT * (1.0 - fusion_fraction)


@kernel
def _power(base, exponent):  # type: ignore[no-untyped-def]
    """``base ** exponent``; a square root when the exponent is ½ (the default λ): exact, faster."""
    return np.sqrt(base) if exponent == 0.5 else base**exponent


@kernel
def _fund_and_grow(  # type: ignore[no-untyped-def]
    beta,
    partners,
    civil,
    learning,
    targets,
    thresholds,
    lunar_share,
    rd_fraction,
    convexity,
    fusion_fraction,
    idea_productivity,
    research_elasticity,
    knowledge_elasticity,
    public_visibility,
    absorptive_half,
    catch_up_rate,
    research,
    mission_fund,
    capability,
):
    """Split each programme into R&D and the mission fund and grow the capability stocks.

    Writes ``research`` (R, N) and updates ``mission_fund`` (R, N) and ``capability`` (R, N, K) in
    place. Within a run every read of the stocks (shortfalls, leaders) happens before any write.
    """
    runs, n, domains = capability.shape
    by_domain = np.empty((n, domains))  # one run's R&D per actor and domain
    leader = np.empty(domains, dtype=np.int64)
    frontier = np.empty(domains)
    for r in range(runs):
        for i in range(n):
            programme = lunar_share[r] * civil[r, i]
            spent = programme * _rd_share(beta[r, i], partners[r, i], rd_fraction[r], convexity[r])
            research[r, i] = spent
            mission_fund[r, i] = mission_fund[r, i] + (programme - spent)
            _domain_weights(
                capability[r, i], targets[r, i], thresholds, fusion_fraction[r], by_domain[i]
            )
            for k in range(domains):
                by_domain[i, k] = spent * by_domain[i, k]
        # Each domain's leader (the first on ties) and its stock, before anyone grows.
        for k in range(domains):
            best = 0
            for i in range(1, n):
                if capability[r, i, k] > capability[r, best, k]:
                    best = i
            leader[k] = best
            frontier[k] = capability[r, best, k]
        for i in range(n):
            absorptive = (
                research[r, i] / (research[r, i] + absorptive_half[r]) * (1.0 + learning[r, i])
            )
            for k in range(domains):
                # Idea production on own plus spilled-over R&D (Jones 1995; Jaffe 1986).
                effective = 0.0
                for j in range(n):
                    effective += beta[r, i, j] * by_domain[j, k]
                effective = by_domain[i, k] + effective
                own = capability[r, i, k]
                growth = (
                    idea_productivity[r]
                    * _power(effective, research_elasticity[r])
                    * _power(max(own, _CAPABILITY_FLOOR), knowledge_elasticity[r])
                )
                # Nelson–Phelps catch-up toward the leader, as far as the leader is visible.
                visible = max(beta[r, i, leader[k]], public_visibility[r])
                gap = max(visible * frontier[k] - own, 0.0)
                growth += catch_up_rate[r] * absorptive * gap
                capability[r, i, k] = own + growth


def step(
    state: State,
    setting: Setting,
    p: RunParameters,
    targets: NDArray[np.int64],
    spillover_bonus: FloatArray | None = None,
) -> tuple[FloatArray, BoolArray]:
    """Fund R&D and the mission fund; grow capabilities. Returns (β, coordination partners).

    Contract: the lunar programme is ``lunar_share × civil``; R&D plus the addition to the mission
    fund equals it exactly (spending never exceeds the budget).

    Parameters
    ----------
    state
        Reads the levers ``openness`` and ``coordinate``, ``civil_usd_bn`` and ``learning``; sets
        ``lunar_rd_usd_bn`` and updates ``mission_fund_usd_bn`` and ``capability``.
    setting
        Blocs, sanctions and the ladder's thresholds.
    p
        Per-run parameters (R, 1).
    targets
        (R, N, tracks) milestone indices each actor works toward (−1: none).
    spillover_bonus
        (R, N, N) addition to β from joint crews (M4), or None.

    Returns
    -------
    tuple of ndarray
        β (R, N, N) and the coordination partners (R, N, N, bool).
    """
    beta = spillovers(state.levers["openness"], setting, p, spillover_bonus)
    partners = coordination_partners(state.levers["coordinate"], setting)
    runs, n = beta.shape[:2]
    research = np.empty((runs, n))
    mission_fund = _updatable(state.mission_fund_usd_bn)
    capability = _updatable(state.capability)
    _fund_and_grow(
        beta,
        partners,
        np.ascontiguousarray(state.civil_usd_bn, dtype=np.float64),
        np.ascontiguousarray(state.learning, dtype=np.float64),
        np.ascontiguousarray(targets, dtype=np.int64),
        np.ascontiguousarray(setting.ladder.thresholds, dtype=np.float64),
        per_run(p["lunar_share"], runs),
        per_run(p["rd_fraction"], runs),
        per_run(p["aj_cost_convexity"], runs),
        per_run(p["fusion_rd_fraction"], runs),
        per_run(p["idea_productivity"], runs),
        per_run(p["research_elasticity"], runs),
        per_run(p["knowledge_elasticity"], runs),
        per_run(p["public_visibility"], runs),
        per_run(p["absorptive_half_usd_bn"], runs),
        per_run(p["catch_up_rate"], runs),
        research,
        mission_fund,
        capability,
    )
    state.lunar_rd_usd_bn = research
    state.mission_fund_usd_bn = mission_fund
    state.capability = capability
    return beta, partners
