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

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from moondust.engine.jit import broadcast_flat, kernel
from moondust.engine.ladder import DOMAINS
from moondust.engine.params import RunParameters, columns, per_run
from moondust.engine.state import BoolArray, FloatArray, IntArray, Setting, State, writable

_FUSION = DOMAINS.index("fusion")
_MAX_RD_SHARE = 0.95
_CAPABILITY_FLOOR = 0.1
_EVEN_WEIGHT = 1.0 / (len(DOMAINS) - 1)
"""Each non-fusion domain's share of R&D when an actor has no shortfall to close."""


class SpilloverInputs(NamedTuple):
    """What the spillovers β_ij of R runs of N actors are made of (:func:`spillovers`)."""

    openness: FloatArray
    """(R, N) the ``openness`` lever o_i."""
    same_bloc: BoolArray
    """(N, N) whether i and j are in the same bloc (the setting's)."""
    sanction: BoolArray
    """(N, N) whether i sanctions j (the setting's): no spillover."""
    bonus: FloatArray
    """(R, N, N) addition to β before clipping (M4: joint crews); zeros when ``has_bonus`` is
    False, so that kernels read it unconditionally (a conditional read stops the compiler from
    running the loop over pairs in SIMD lanes)."""
    has_bonus: bool
    """Whether ``bonus`` is added (and β clipped to [0, 1])."""
    spillover_max: FloatArray
    """(R,) β_max."""
    cross_bloc_discount: FloatArray
    """(R,) β_x, the factor on spillovers across blocs."""


class TechnologyParameters(NamedTuple):
    """The per-run parameters of funding and growth besides the spillovers', each (R,) float64
    (:func:`~moondust.engine.params.per_run` of the parameter of the same name)."""

    lunar_share: FloatArray
    rd_fraction: FloatArray
    aj_cost_convexity: FloatArray
    fusion_rd_fraction: FloatArray
    idea_productivity: FloatArray
    research_elasticity: FloatArray
    knowledge_elasticity: FloatArray
    public_visibility: FloatArray
    absorptive_half_usd_bn: FloatArray
    catch_up_rate: FloatArray

    @classmethod
    def of(cls, p: RunParameters, runs: int) -> TechnologyParameters:
        """The columns of ``p`` for ``runs`` runs."""
        return columns(cls, p, runs)


class FundingInputs(NamedTuple):
    """The year's inputs to funding and growth besides the spillovers' (read only)."""

    coordinate: FloatArray
    """(R, N) the ``coordinate`` lever (> ½: coordinates R&D with bloc partners)."""
    civil_usd_bn: FloatArray
    """(R, N) civil budget."""
    learning: FloatArray
    """(R, N) learning, raising absorptive capacity."""
    targets: IntArray
    """(R, N, tracks) milestone index each actor works toward per track (−1: none)."""
    thresholds: FloatArray
    """(milestones, K) the ladder's capability thresholds."""


class FundingArrays(NamedTuple):
    """What funding and growth write: ``partners`` and ``lunar_rd_usd_bn`` are outputs,
    ``mission_fund_usd_bn`` and ``capability`` state arrays updated in place."""

    partners: BoolArray
    """(R, N, N) coordination partners (:func:`coordination_partners`)."""
    lunar_rd_usd_bn: FloatArray
    """(R, N) R&D spent this year."""
    mission_fund_usd_bn: FloatArray
    """(R, N) the mission fund, to which the rest of the lunar programme is added."""
    capability: FloatArray
    """(R, N, K) the capability stocks A_ik."""


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
def _run_spillovers(r, inputs, linked, beta):  # type: ignore[no-untyped-def]
    """Run ``r``'s β_ij of :class:`SpilloverInputs` ``inputs`` into ``beta`` (N, N); ``linked``
    from :func:`_pair_masks`. Simple loops over j, each of which the compiler can run in SIMD
    lanes."""
    openness = inputs.openness
    n = openness.shape[1]
    for i in range(n):
        scaled_i = inputs.spillover_max[r] * openness[r, i]
        for j in range(n):
            beta[i, j] = _pair_spillover(
                scaled_i,
                openness[r, j],
                linked[i, j],
                inputs.same_bloc[i, j],
                inputs.cross_bloc_discount[r],
                inputs.bonus[r, i, j],
                inputs.has_bonus,
            )


@kernel
def _fill_spillovers(inputs, beta):  # type: ignore[no-untyped-def]
    """β_ij of :class:`SpilloverInputs` ``inputs`` into ``beta`` (R, N, N)."""
    linked, _ = _pair_masks(inputs.same_bloc, inputs.sanction)
    for r in range(inputs.openness.shape[0]):
        _run_spillovers(r, inputs, linked, beta[r])


def _spillover_inputs(
    openness: FloatArray, setting: Setting, p: RunParameters, bonus: FloatArray | None
) -> SpilloverInputs:
    """The :class:`SpilloverInputs` of ``openness`` (R, N), the setting and ``p``, with ``bonus``
    (R, N, N) or None."""
    openness = np.ascontiguousarray(openness, dtype=np.float64)
    runs, n = openness.shape
    has_bonus, extra = _bonus_argument(bonus, (runs, n, n))
    return SpilloverInputs(
        openness=openness,
        same_bloc=np.ascontiguousarray(setting.same_bloc, dtype=np.bool_),
        sanction=np.ascontiguousarray(setting.sanction, dtype=np.bool_),
        bonus=extra,
        has_bonus=has_bonus,
        spillover_max=per_run(p["spillover_max"], runs),
        cross_bloc_discount=per_run(p["cross_bloc_discount"], runs),
    )


def _bonus_argument(bonus: FloatArray | None, shape: tuple[int, ...]) -> tuple[bool, FloatArray]:
    """Whether there is a spillover bonus, and the (R, N, N) array a kernel reads: zeros when there
    is none (:attr:`SpilloverInputs.bonus`)."""
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
    inputs = _spillover_inputs(openness, setting, p, bonus)
    runs, n = inputs.openness.shape
    beta = np.empty((runs, n, n))
    _fill_spillovers(inputs, beta)
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
def _domain_weights(run, inputs, capability, fusion_fraction, milestones, weights):  # type: ignore[no-untyped-def]
    """How each actor of run ``run`` splits its R&D over domains, into ``weights`` (N, K): by the
    shortfall of ``capability`` (R, N, K) for its current targets (``inputs``, a
    :class:`FundingInputs`: milestone indices per track, −1: none, and the ladder's thresholds); a
    fixed share goes to fusion. ``milestones`` is scratch of one int per track.

    One call per run, not per actor: a call with this many arrays costs more than the work of
    one actor.
    """
    targets = inputs.targets
    thresholds = inputs.thresholds
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
def _fund_and_grow(spill, inputs, p, out):  # type: ignore[no-untyped-def]
    """Spillovers, coordination, the split of each programme into R&D and the mission fund, and
    the growth of the capability stocks, in one pass per run.

    ``spill`` is a :class:`SpilloverInputs`, ``inputs`` a :class:`FundingInputs`, ``p`` the
    :class:`TechnologyParameters` and ``out`` the :class:`FundingArrays`: fills ``partners`` as
    :func:`coordination_partners` does, writes ``lunar_rd_usd_bn`` and updates
    ``mission_fund_usd_bn`` and ``capability`` in place. Each run's β (as :func:`spillovers` gives
    it) lives in per-run scratch, used while still in cache: no (R, N, N) array of it is written or
    read again. Within a run every read of the stocks (shortfalls, leaders) happens before any
    write.
    """
    coordinate = inputs.coordinate
    partners = out.partners
    research = out.lunar_rd_usd_bn
    mission_fund = out.mission_fund_usd_bn
    capability = out.capability
    runs, n, domains = capability.shape
    by_domain = np.empty((n, domains))  # one run's R&D per actor and domain
    beta = np.empty((n, n))  # one run's β_ij
    beta_by_source = np.empty((n, n))  # one run's β transposed: [j, i] = β_ij
    spilled = np.empty((domains, n))  # one run's Σ_j β_ij R_jk, [k, i]
    leader = np.empty(domains, dtype=np.int64)
    frontier = np.empty(domains)
    linked, bloc_partner = _pair_masks(spill.same_bloc, spill.sanction)
    partner_by_source = np.ascontiguousarray(bloc_partner.T)  # [j, i]: j may coordinate with i
    coordinating = np.empty(n, dtype=np.bool_)
    partner_count = np.empty(n, dtype=np.int64)
    partner_beta_sum = np.empty(n)
    milestones = np.empty(inputs.targets.shape[2], dtype=np.int64)
    for r in range(runs):
        for j in range(n):
            coordinating[j] = _coordinates(coordinate[r, j])
        _run_spillovers(r, spill, linked, beta)
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
        _domain_weights(r, inputs, capability, p.fusion_rd_fraction[r], milestones, by_domain)
        for i in range(n):
            programme = p.lunar_share[r] * inputs.civil_usd_bn[r, i]
            spent = programme * _rd_share(
                partner_count[i], partner_beta_sum[i], p.rd_fraction[r], p.aj_cost_convexity[r]
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
                research[r, i]
                / (research[r, i] + p.absorptive_half_usd_bn[r])
                * (1.0 + inputs.learning[r, i])
            )
            for k in range(domains):
                # Idea production on own plus spilled-over R&D (Jones 1995; Jaffe 1986).
                effective = by_domain[i, k] + spilled[k, i]
                own = capability[r, i, k]
                growth = (
                    p.idea_productivity[r]
                    * _power(effective, p.research_elasticity[r])
                    * _power(max(own, _CAPABILITY_FLOOR), p.knowledge_elasticity[r])
                )
                # Nelson–Phelps catch-up toward the leader, as far as the leader is visible.
                visible = max(beta[i, leader[k]], p.public_visibility[r])
                gap = max(visible * frontier[k] - own, 0.0)
                growth += p.catch_up_rate[r] * absorptive * gap
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
    spill = _spillover_inputs(state.levers["openness"], setting, p, spillover_bonus)
    runs, n = spill.openness.shape
    inputs = FundingInputs(
        coordinate=np.ascontiguousarray(state.levers["coordinate"], dtype=np.float64),
        civil_usd_bn=np.ascontiguousarray(state.civil_usd_bn, dtype=np.float64),
        learning=np.ascontiguousarray(state.learning, dtype=np.float64),
        targets=np.ascontiguousarray(targets, dtype=np.int64),
        thresholds=np.ascontiguousarray(setting.ladder.thresholds, dtype=np.float64),
    )
    out = FundingArrays(
        partners=np.empty((runs, n, n), dtype=np.bool_),
        lunar_rd_usd_bn=np.empty((runs, n)),
        mission_fund_usd_bn=writable(state.mission_fund_usd_bn, np.float64),
        capability=writable(state.capability, np.float64),
    )
    _fund_and_grow(spill, inputs, TechnologyParameters.of(p, runs), out)
    state.lunar_rd_usd_bn = out.lunar_rd_usd_bn
    state.mission_fund_usd_bn = out.mission_fund_usd_bn
    state.capability = out.capability
    return out.partners
