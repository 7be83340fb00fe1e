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

from moondust.engine.ladder import DOMAINS
from moondust.engine.params import RunParameters
from moondust.engine.state import BoolArray, FloatArray, Setting, State

_FUSION = DOMAINS.index("fusion")
_MAX_RD_SHARE = 0.95
_CAPABILITY_FLOOR = 0.1


def _power(base: FloatArray, exponent: FloatArray) -> FloatArray:
    """``base ** exponent`` with a per-run exponent (R, 1); a square root when it is ½ everywhere
    (the default λ), which is several times faster and exact."""
    if np.all(exponent == 0.5):
        return np.sqrt(base)
    return np.asarray(base ** exponent[:, :, None])


def aj_effort_ratio(beta: FloatArray | float, cost_convexity: FloatArray | float) -> FloatArray:
    """d'Aspremont–Jacquemin cartel over non-cooperative R&D effort, x^C / x^N.

    Examples
    --------
    >>> round(float(aj_effort_ratio(0.0, 45.0)), 3)   # 0.91 / 1.86 in mechanisms.md §2a
    0.489
    >>> float(aj_effort_ratio(0.5, 45.0))
    1.0
    """
    beta = np.asarray(beta, dtype=np.float64)
    g = np.asarray(cost_convexity, dtype=np.float64)
    return np.asarray(
        (1 + beta) / (2 - beta) * (g - (2 - beta) * (1 + beta)) / (g - (1 + beta) ** 2),
        dtype=np.float64,
    )


def spillovers(
    openness: FloatArray,
    setting: Setting,
    p: RunParameters,
    bonus: FloatArray | None = None,
) -> FloatArray:
    """β_ij for every run, shape (R, N, N), zero on the diagonal and between sanctioned pairs.

    ``bonus`` (R, N, N) is added before clipping to [0, 1] (M4: joint crews raise spillovers).
    """
    # 1 within a bloc, the discount across (the same numbers as 1·[same] + discount·[other]).
    bloc = np.where(setting.same_bloc[None], 1.0, p["cross_bloc_discount"][:, :, None])
    barred = setting.sanction | np.eye(setting.n_actors, dtype=bool)
    beta = (p["spillover_max"] * openness)[:, :, None] * openness[:, None, :]
    beta *= bloc
    if bonus is not None:
        beta += bonus
        np.clip(beta, 0.0, 1.0, out=beta)
    beta[:, barred] = 0.0
    return beta


def coordination_partners(coordinate: FloatArray, setting: Setting) -> BoolArray:
    """Pairs that coordinate R&D: same bloc, not sanctioned, both choose to coordinate (R, N, N)."""
    willing = coordinate > 0.5
    pairs = setting.same_bloc & ~setting.sanction & ~np.eye(setting.n_actors, dtype=bool)
    return np.asarray(willing[:, :, None] & willing[:, None, :] & pairs[None], dtype=bool)


def rd_share(
    beta: FloatArray, partners: BoolArray, p: RunParameters
) -> tuple[FloatArray, FloatArray]:
    """Share of the lunar programme spent on R&D, and the AJ ratio applied (both (R, N))."""
    count = partners.sum(axis=2)
    mean_beta = np.where(partners, beta, 0.0).sum(axis=2) / np.maximum(count, 1)
    ratio = np.where(count > 0, aj_effort_ratio(mean_beta, p["aj_cost_convexity"]), 1.0)
    return np.minimum(p["rd_fraction"] * ratio, _MAX_RD_SHARE), ratio


def domain_weights(
    capability: FloatArray, targets: NDArray[np.int64], setting: Setting, p: RunParameters
) -> FloatArray:
    """How each actor splits its R&D over domains: by the shortfall for its current targets.

    ``targets`` is (R, N, tracks) of milestone indices (−1: none). A fixed share goes to fusion.
    """
    thresholds = np.concatenate([setting.ladder.thresholds, np.zeros((1, len(DOMAINS)))])
    # The largest threshold over the tracks' targets (index −1 reads the zero row); a running
    # maximum over the few tracks is several times faster than max(axis=2) of the gathered array.
    needed = thresholds[targets[..., 0]]
    for track in range(1, targets.shape[2]):
        np.maximum(needed, thresholds[targets[..., track]], out=needed)
    deficit = np.maximum(needed - capability, 0.0)
    deficit[..., _FUSION] = 0.0
    total = deficit.sum(axis=2, keepdims=True)
    even = np.full_like(deficit, 1.0 / (len(DOMAINS) - 1))
    even[..., _FUSION] = 0.0
    weights = np.where(total > 0, deficit / np.where(total > 0, total, 1.0), even)
    fusion = p["fusion_rd_fraction"][:, :, None]
    weights = weights * (1.0 - fusion)
    weights[..., _FUSION] = fusion[..., 0]
    return weights


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
    """
    openness = state.levers["openness"]
    beta = spillovers(openness, setting, p, spillover_bonus)
    partners = coordination_partners(state.levers["coordinate"], setting)
    share, _ = rd_share(beta, partners, p)
    programme = p["lunar_share"] * state.civil_usd_bn
    research = programme * share
    state.lunar_rd_usd_bn = research
    state.mission_fund_usd_bn = state.mission_fund_usd_bn + (programme - research)

    by_domain = research[:, :, None] * domain_weights(state.capability, targets, setting, p)
    effective = by_domain + np.einsum("rij,rjk->rik", beta, by_domain)
    capability = np.maximum(state.capability, _CAPABILITY_FLOOR)
    growth = (
        p["idea_productivity"][:, :, None]
        * _power(effective, p["research_elasticity"])
        * _power(capability, p["knowledge_elasticity"])
    )

    # Nelson–Phelps catch-up toward each domain's leader, as far as the leader is visible.
    leader = np.argmax(state.capability, axis=1)  # (R, K)
    frontier = np.take_along_axis(state.capability, leader[:, None, :], axis=1)  # (R, 1, K)
    visible = np.take_along_axis(beta, np.broadcast_to(leader[:, None, :], growth.shape), axis=2)
    visible = np.maximum(visible, p["public_visibility"][:, :, None])
    absorptive = research / (research + p["absorptive_half_usd_bn"]) * (1.0 + state.learning)
    gap = np.maximum(visible * frontier - state.capability, 0.0)
    growth += p["catch_up_rate"][:, :, None] * absorptive[:, :, None] * gap
    state.capability = state.capability + growth
    return beta, partners
