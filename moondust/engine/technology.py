"""M2. Technology, spillovers and R&D coordination (docs/model.md, M2).

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
from moondust.engine.state import BoolArray, FloatArray, Setting, State, writable

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
    >>> round(float(aj_effort_ratio(0.0, 45.0)), 3)   # 0.91 / 1.86 (d'Aspremont & Jacquemin 1988)
    0.489
    >>> float(aj_effort_ratio(0.5, 45.0))
    1.0
    """
    shape, (beta_flat, convexity_flat) = broadcast_flat(np.float64, beta, cost_convexity)
    ratio = np.empty(beta_flat.size)
    _aj_ratios(beta_flat, convexity_flat, ratio)
    return ratio.reshape(shape)


@kernel
def _pair_masks(same_bloc, sanction):  # type: ignore[no-untyped-def]
    """The setting's pairs, the same in every run: ``linked`` (i ≠ j and not sanctioned: a
    spillover) and, among them, the ``bloc_partner`` pairs (same bloc: may coordinate R&D)."""
    n = same_bloc.shape[0]
    linked = np.empty((n, n), dtype=np.bool_)
    bloc_partner = np.empty((n, n), dtype=np.bool_)
    for i in range(n):
        for j in range(n):
            linked[i, j] = i != j and not sanction[i, j]
            bloc_partner[i, j] = linked[i, j] and same_bloc[i, j]
    return linked, bloc_partner


@kernel
def _pair_spillover(scaled_i, openness_j, linked, same_bloc, discount, bonus, has_bonus):  # type: ignore[no-untyped-def]
    """β_ij of one ordered pair; zero unless ``linked`` (i ≠ j and not sanctioned). ``scaled_i`` is
    β_max · o_i (hoisted out of the loop over j: the same product as β_max · o_i · o_j evaluated
    left to right). Branch-free, so that a loop over pairs runs in SIMD lanes."""
    b = scaled_i * openness_j
    # 1 within a bloc, the discount across.
    b *= 1.0 if same_bloc else discount
    # Selects rather than branches (a branch would make the compiler read the bonus under a mask).
    with_bonus = min(max(b + bonus, 0.0), 1.0)
    b = with_bonus if has_bonus else b
    return b if linked else 0.0


@kernel
def _run_spillovers(r, openness, linked, same_bloc, beta_max, discount, bonus, has_bonus, beta):  # type: ignore[no-untyped-def]
    """Run ``r``'s β_ij into ``beta`` (N, N); ``linked`` from :func:`_pair_masks`. Simple loops
    over j, each of which the compiler can run in SIMD lanes."""
    n = openness.shape[1]
    for i in range(n):
        scaled_i = beta_max[r] * openness[r, i]
        for j in range(n):
            beta[i, j] = _pair_spillover(
                scaled_i,
                openness[r, j],
                linked[i, j],
                same_bloc[i, j],
                discount[r],
                bonus[r, i, j],
                has_bonus,
            )


@kernel
def _fill_spillovers(openness, same_bloc, sanction, beta_max, discount, bonus, has_bonus, beta):  # type: ignore[no-untyped-def]
    """β_ij into ``beta`` (R, N, N); ``bonus`` is added only when ``has_bonus``."""
    linked, _ = _pair_masks(same_bloc, sanction)
    for r in range(openness.shape[0]):
        _run_spillovers(
            r, openness, linked, same_bloc, beta_max, discount, bonus, has_bonus, beta[r]
        )


def _bonus_argument(bonus: FloatArray | None, shape: tuple[int, ...]) -> tuple[bool, FloatArray]:
    """Whether there is a spillover bonus, and the (R, N, N) array a kernel reads: zeros when there
    is none, so that kernels read it unconditionally (a conditional read stops the compiler from
    running the loop over pairs in SIMD lanes)."""
    if bonus is None:
        return False, np.zeros(shape)
    return True, np.ascontiguousarray(np.broadcast_to(bonus, shape), dtype=np.float64)


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
    has_bonus, extra = _bonus_argument(bonus, beta.shape)
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
def _coordinates(coordinate):  # type: ignore[no-untyped-def]
    """Whether an actor's ``coordinate`` lever says it coordinates R&D with bloc partners."""
    return coordinate > 0.5


@kernel
def _fill_partners(coordinate, same_bloc, sanction, partners):  # type: ignore[no-untyped-def]
    """Coordinating pairs into ``partners`` (R, N, N)."""
    runs, n = coordinate.shape
    _, bloc_partner = _pair_masks(same_bloc, sanction)
    for r in range(runs):
        for i in range(n):
            for j in range(n):
                partners[r, i, j] = (
                    bloc_partner[i, j]
                    and _coordinates(coordinate[r, i])
                    and _coordinates(coordinate[r, j])
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
def _rd_share(partner_count, partner_beta_sum, rd_fraction, convexity):  # type: ignore[no-untyped-def]
    """Share of one actor's lunar programme spent on R&D: ``rd_fraction`` scaled by the AJ ratio
    at the mean spillover with its coordination partners (their count and β sum; unscaled
    without partners)."""
    ratio = _aj_ratio(partner_beta_sum / partner_count, convexity) if partner_count > 0 else 1.0
    return min(rd_fraction * ratio, _MAX_RD_SHARE)


@kernel
def _domain_weights(capability, targets, thresholds, fusion_fraction, run, milestones, weights):  # type: ignore[no-untyped-def]
    """How each actor of run ``run`` splits its R&D over domains, into ``weights`` (N, K): by the
    shortfall for its current targets (milestone indices per track, −1: none); a fixed share goes
    to fusion. ``milestones`` is scratch of one int per track.

    One call per run, not per actor: a call with this many arrays costs more than the work of
    one actor.
    """
    for actor in range(weights.shape[0]):
        chosen = 0  # the actor's milestones in track order, without the tracks that have none
        for t in range(targets.shape[2]):
            if targets[run, actor, t] >= 0:
                milestones[chosen] = targets[run, actor, t]
                chosen += 1
        total = 0.0
        for k in range(weights.shape[1]):
            # Thresholds are non-negative: a track without a target is the same as a threshold 0.
            needed = 0.0
            for m in range(chosen):
                needed = max(needed, thresholds[milestones[m], k])
            deficit = 0.0 if k == _FUSION else max(needed - capability[run, actor, k], 0.0)
            weights[actor, k] = deficit
            total += deficit
        for k in range(weights.shape[1]):
            if k == _FUSION:
                weights[actor, k] = fusion_fraction
            elif total > 0:
                weights[actor, k] = weights[actor, k] / total * (1.0 - fusion_fraction)
            else:
                weights[actor, k] = _EVEN_WEIGHT * (1.0 - fusion_fraction)


@kernel
def _power(base, exponent):  # type: ignore[no-untyped-def]
    """``base ** exponent``; a square root when the exponent is ½ (the default λ): exact, faster."""
    return np.sqrt(base) if exponent == 0.5 else base**exponent


@kernel
def _fund_and_grow(  # type: ignore[no-untyped-def]
    openness,
    coordinate,
    same_bloc,
    sanction,
    beta_max,
    discount,
    bonus,
    has_bonus,
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
    partners,
    research,
    mission_fund,
    capability,
):
    """Spillovers, coordination, the split of each programme into R&D and the mission fund, and
    the growth of the capability stocks, in one pass per run.

    Fills ``partners`` (R, N, N) as :func:`coordination_partners` does, writes ``research``
    (R, N) and updates ``mission_fund`` (R, N) and ``capability`` (R, N, K) in place. Each run's
    β (as :func:`spillovers` gives it; ``bonus`` is added only when ``has_bonus``) lives in per-run
    scratch, used while still in cache: no (R, N, N) array of it is written or read again.
    Within a run every read of the stocks (shortfalls, leaders) happens before any write.
    """
    runs, n, domains = capability.shape
    by_domain = np.empty((n, domains))  # one run's R&D per actor and domain
    beta = np.empty((n, n))  # one run's β_ij
    beta_by_source = np.empty((n, n))  # one run's β transposed: [j, i] = β_ij
    spilled = np.empty((domains, n))  # one run's Σ_j β_ij R_jk, [k, i]
    leader = np.empty(domains, dtype=np.int64)
    frontier = np.empty(domains)
    linked, bloc_partner = _pair_masks(same_bloc, sanction)
    partner_by_source = np.ascontiguousarray(bloc_partner.T)  # [j, i]: j may coordinate with i
    coordinating = np.empty(n, dtype=np.bool_)
    partner_count = np.empty(n, dtype=np.int64)
    partner_beta_sum = np.empty(n)
    milestones = np.empty(targets.shape[2], dtype=np.int64)
    for r in range(runs):
        for j in range(n):
            coordinating[j] = _coordinates(coordinate[r, j])
        _run_spillovers(r, openness, linked, same_bloc, beta_max, discount, bonus, has_bonus, beta)
        for i in range(n):
            for j in range(n):
                beta_by_source[j, i] = beta[i, j]
            for j in range(n):
                partners[r, i, j] = coordinating[i] & bloc_partner[i, j] & coordinating[j]
        # Each actor's coordination partners: their count and β sum, summed over j in order for
        # each i, with the loop over i innermost (SIMD lanes). A non-partner adds exactly nothing.
        partner_count[:] = 0
        partner_beta_sum[:] = 0.0
        for j in range(n):
            if coordinating[j]:
                for i in range(n):
                    pair = coordinating[i] & partner_by_source[j, i]
                    partner_count[i] += 1 if pair else 0
                    partner_beta_sum[i] += beta_by_source[j, i] if pair else 0.0
        _domain_weights(
            capability, targets, thresholds, fusion_fraction[r], r, milestones, by_domain
        )
        for i in range(n):
            programme = lunar_share[r] * civil[r, i]
            spent = programme * _rd_share(
                partner_count[i], partner_beta_sum[i], rd_fraction[r], convexity[r]
            )
            research[r, i] = spent
            mission_fund[r, i] = mission_fund[r, i] + (programme - spent)
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
        # Spilled-over R&D Σ_j β_ij R_jk, summed over j in order for each (i, k), with the loop over
        # recipients i innermost: contiguous and independent sums, so it runs in SIMD lanes. Zero
        # R&D (domains without a shortfall) adds exactly nothing to any sum: skipped.
        spilled[:] = 0.0
        for j in range(n):
            for k in range(domains):
                source = by_domain[j, k]
                if source != 0.0:
                    for i in range(n):
                        spilled[k, i] += beta_by_source[j, i] * source
        for i in range(n):
            absorptive = (
                research[r, i] / (research[r, i] + absorptive_half[r]) * (1.0 + learning[r, i])
            )
            for k in range(domains):
                # Idea production on own plus spilled-over R&D (Jones 1995; Jaffe 1986).
                effective = by_domain[i, k] + spilled[k, i]
                own = capability[r, i, k]
                growth = (
                    idea_productivity[r]
                    * _power(effective, research_elasticity[r])
                    * _power(max(own, _CAPABILITY_FLOOR), knowledge_elasticity[r])
                )
                # Nelson–Phelps catch-up toward the leader, as far as the leader is visible.
                visible = max(beta[i, leader[k]], public_visibility[r])
                gap = max(visible * frontier[k] - own, 0.0)
                growth += catch_up_rate[r] * absorptive * gap
                capability[r, i, k] = own + growth


def initial(setting: Setting, p: RunParameters, runs: int) -> None:
    """No state of its own: capabilities and funds are the core state's."""
    return None


def step(state: State, setting: Setting, p: RunParameters) -> None:
    """:func:`fund_and_grow` toward this year's targets (``state.now.targets``) with the crew
    links' spillover bonus (``state.now.spillover_bonus``); the coordination partners go to
    ``state.now.partners``."""
    state.now.partners = fund_and_grow(
        state, setting, p, state.now.targets, state.now.spillover_bonus
    )


def fund_and_grow(
    state: State,
    setting: Setting,
    p: RunParameters,
    targets: NDArray[np.int64],
    spillover_bonus: FloatArray | None = None,
) -> BoolArray:
    """Fund R&D and the mission fund; grow capabilities. Returns the coordination partners.

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
    numpy.ndarray
        The coordination partners (R, N, N, bool), as :func:`coordination_partners` gives them.
        The spillovers β used are those of :func:`spillovers` with the same ``spillover_bonus``.
    """
    openness = np.ascontiguousarray(state.levers["openness"], dtype=np.float64)
    runs, n = openness.shape
    partners = np.empty((runs, n, n), dtype=np.bool_)
    research = np.empty((runs, n))
    mission_fund = writable(state.mission_fund_usd_bn, np.float64)
    capability = writable(state.capability, np.float64)
    has_bonus, bonus = _bonus_argument(spillover_bonus, partners.shape)
    _fund_and_grow(
        openness,
        np.ascontiguousarray(state.levers["coordinate"], dtype=np.float64),
        np.ascontiguousarray(setting.same_bloc, dtype=np.bool_),
        np.ascontiguousarray(setting.sanction, dtype=np.bool_),
        per_run(p["spillover_max"], runs),
        per_run(p["cross_bloc_discount"], runs),
        bonus,
        has_bonus,
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
        partners,
        research,
        mission_fund,
        capability,
    )
    state.lunar_rd_usd_bn = research
    state.mission_fund_usd_bn = mission_fund
    state.capability = capability
    return partners
