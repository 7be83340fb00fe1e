"""M1. Budgets, guns and butter (docs/model.md, M1).

Each actor's space envelope grows with its economy; the military share of that envelope follows an
n-actor Richardson model (Richardson 1960), written on shares so that actors of very different size
can react to each other:

    x_i(t+1) = clip( x_i + k_i Σ_j w_ij x_j − a_i x_i + g_i + T_i , 0, x_max )

with reaction k (lever ``reaction``), restraint a (lever ``restraint``), rivalry weights w_ij,
grievance g_i calibrated so that 2025's shares are a steady state under status-quo coefficients, and
T_i the threat felt from rivals' milestones (:mod:`moondust.engine.reactions`). Military spending
above its 2025-share path comes out of the civil budget in proportion ``crowd_out`` (Skaperdas
1992: 1 is pure guns versus butter, 0 separate purses). Optionally the economy grows more slowly
with a higher military share: ``g_Y,i = g_i − θ (x_i − x̄)``. Growth follows the IMF projections to
2030 and then converges to a long-run rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy.special import ndtri

from moondust.engine.jit import kernel
from moondust.engine.params import RunParameters, columns, per_run
from moondust.engine.random import Stream, draw
from moondust.engine.state import FloatArray, Setting, State, pairwise_sum
from moondust.world.policies import StatusQuo


def richardson_update(
    share: FloatArray,
    reaction: FloatArray,
    restraint: FloatArray,
    grievance: FloatArray,
    rivalry: FloatArray,
    share_max: FloatArray | float,
) -> FloatArray:
    """One year of the bounded n-actor Richardson model on military shares.

    Parameters
    ----------
    share
        Military shares x, shape (R, N).
    reaction, restraint, grievance
        k_i, a_i, g_i, shape (R, N) (or broadcastable).
    rivalry
        w_ij, shape (N, N) or (R, N, N).
    share_max
        Upper bound on x.

    Returns
    -------
    numpy.ndarray
        Next year's shares, clipped to [0, share_max].

    Examples
    --------
    Two rivals with ab > kl settle at x* = (b g + h k) / (ab − kl):

    >>> import numpy as np
    >>> w = np.array([[0.0, 1.0], [1.0, 0.0]])
    >>> x = np.zeros((1, 2))
    >>> for _ in range(500):
    ...     x = richardson_update(x, np.array([[0.1, 0.1]]), np.array([[0.3, 0.3]]),
    ...                           np.array([[0.02, 0.02]]), w, 1.0)
    >>> bool(np.allclose(x, (0.3 * 0.02 + 0.02 * 0.1) / (0.3 * 0.3 - 0.1 * 0.1)))
    True
    """
    shape = np.broadcast_shapes(np.shape(share), np.shape(reaction), np.shape(grievance))
    runs = shape[0]
    weights = np.asarray(rivalry, dtype=np.float64)
    if weights.ndim == 2:
        weights = np.broadcast_to(weights, (runs, *weights.shape))

    def full(values: FloatArray | float) -> FloatArray:
        return np.ascontiguousarray(np.broadcast_to(values, shape), dtype=np.float64)

    updated = full(share).copy()
    _richardson(updated, full(reaction), full(restraint), full(grievance), weights, full(share_max))
    return updated


@kernel
def _richardson(share, reaction, restraint, grievance, rivalry, share_max):  # type: ignore[no-untyped-def]
    """In place: ``x ← clip(x + k Σ_j w_ij x_j − a x + g, 0, x_max)``, rivalry (R, N, N)."""
    runs, n = share.shape
    previous = np.empty(n)
    for r in range(runs):
        _richardson_run(
            share[r], reaction[r], restraint[r], grievance[r], rivalry[r], share_max[r], previous
        )


@kernel
def _richardson_run(share, reaction, restraint, grievance, rivalry, share_max, previous):  # type: ignore[no-untyped-def]
    """:func:`_richardson` for one run's (N,) rows; ``previous`` is (N,) scratch, overwritten."""
    n = share.size
    for i in range(n):
        previous[i] = share[i]
    for i in range(n):
        pressure = 0.0
        for j in range(n):
            pressure += rivalry[i, j] * previous[j]
        updated = previous[i] + reaction[i] * pressure - restraint[i] * previous[i]
        updated += grievance[i]
        share[i] = min(max(updated, 0.0), share_max[i])


PROJECTION_HORIZON = 2030
"""Last year of the IMF growth projections the actors' growth rates come from."""


def trend_growth(projected: FloatArray, year: int, p: RunParameters) -> FloatArray:
    """Real growth in ``year``: the IMF projection to 2030, then converging to the long-run rate.

    ``g(t) = g_LR + (g_IMF − g_LR) · exp(−(t − 2030) / τ_g)`` after 2030.
    """
    fade = _growth_fade(year, p)
    return np.asarray(p["long_run_growth"] + (projected - p["long_run_growth"]) * fade)


def _growth_fade(year: int, p: RunParameters) -> FloatArray:
    """``exp(−(t − 2030) / τ_g)`` after 2030 (1 before), per run: the weight of the IMF projection
    in :func:`trend_growth`."""
    years_after = max(0, year - PROJECTION_HORIZON)
    return np.asarray(np.exp(-years_after / p["growth_convergence_years"]))


def calibrate_grievance(
    setting: Setting, reaction: FloatArray | float, restraint: FloatArray | float
) -> FloatArray:
    """Grievance g that makes the 2025 shares a fixed point of :func:`richardson_update`."""
    x0 = setting.military_share0
    return np.asarray(
        restraint * x0 - reaction * pairwise_sum(x0[None, :], setting.rivalry)[0], dtype=np.float64
    )


@dataclass
class BudgetState:
    """The budget mechanism's own state (``state.budget``)."""

    grievance: FloatArray
    """Grievance g_i (R, N), fixed at :func:`initial`."""


def initial(setting: Setting, p: RunParameters, runs: int) -> BudgetState:
    """Grievance calibrated so that 2025's shares are a steady state under the status quo's
    reaction and restraint (:func:`calibrate_grievance`)."""
    status_quo = StatusQuo().values
    grievance = calibrate_grievance(setting, status_quo["reaction"], status_quo["restraint"])
    return BudgetState(
        grievance=np.broadcast_to(grievance, (runs, setting.n_actors)).copy(),
    )


class BudgetStart(NamedTuple):
    """What M1 takes from the setting: each actor's start year and growth projection, each (N,)."""

    projected_growth: FloatArray
    """The IMF growth projection g_IMF, a year⁻¹ fraction."""
    civil0_usd_bn: FloatArray
    """Civil space budget in the start year."""
    military0_usd_bn: FloatArray
    """Military space budget in the start year."""
    military_share0: FloatArray
    """Military share x₀ of the start year's envelope."""


class BudgetParameters(NamedTuple):
    """M1's per-run parameters, each (R,) float64 (:func:`~moondust.engine.params.per_run`),
    named as in the parameter table."""

    long_run_growth: FloatArray
    growth_drag: FloatArray
    budget_noise: FloatArray
    military_share_max: FloatArray
    crowd_out: FloatArray


class BudgetInputs(NamedTuple):
    """What the year brings to M1."""

    growth_fade: FloatArray
    """(R,) weight of the IMF projection in the growth rate (:func:`_growth_fade`)."""
    normal: FloatArray
    """(R, N) standard-normal budget shocks."""
    reaction: FloatArray
    """(R, N) lever k_i."""
    restraint: FloatArray
    """(R, N) lever a_i."""
    grievance: FloatArray
    """(R, N) grievance g_i (:class:`BudgetState`)."""
    threat: FloatArray
    """(R, N) threat T_i felt from rivals' milestones."""
    rivalry: FloatArray
    """(R, N, N) this year's rivalry weights w_ij."""
    civil_surge: FloatArray
    """(R, N) civil budget surge, a fraction."""


class BudgetArrays(NamedTuple):
    """The core state's M1 arrays, each (R, N), advanced in place."""

    gdp_index: FloatArray
    envelope_usd_bn: FloatArray
    military_share: FloatArray
    military_usd_bn: FloatArray
    civil_usd_bn: FloatArray
    cumulative_military_usd_bn: FloatArray
    cumulative_civil_usd_bn: FloatArray


def step(state: State, setting: Setting, p: RunParameters) -> None:
    """Grow the economy, update the military share and split the envelope into civil and military.

    Reads this year's rivalry weights ``state.now.rivalry`` ((N, N) or (R, N, N)) and the levers
    ``reaction`` and ``restraint``.

    Updates ``gdp_index``, ``envelope_usd_bn``, ``military_share``, ``military_usd_bn``,
    ``civil_usd_bn`` and the cumulative spending. Civil and military spending are never negative;
    military is ``x E`` and civil ``max((1 − x₀) E (1 + surge) − crowd_out (x − x₀) E, 0)``, so
    their sum exceeds the envelope plus the surge only by the arms spending above the 2025-share
    path that crowd-out does not take from civil budgets (``(1 − crowd_out)(x − x₀) E``).
    """
    runs, n = state.military_share.shape
    u = np.empty((runs, n))
    _shock_uniforms(int(state.seed), int(state.year), state.run_index.reshape(-1), u)
    normal = ndtri(u)
    rivalry = state.now.rivalry
    if rivalry.ndim == 2:
        rivalry = np.broadcast_to(rivalry, (runs, n, n))
    _advance_budget(
        BudgetStart(
            projected_growth=np.broadcast_to(setting.gdp_growth, (n,)),
            civil0_usd_bn=setting.civil0_usd_bn,
            military0_usd_bn=setting.military0_usd_bn,
            military_share0=setting.military_share0,
        ),
        columns(BudgetParameters, p, runs),
        BudgetInputs(
            growth_fade=per_run(_growth_fade(state.year, p), runs),
            normal=normal,
            reaction=state.levers["reaction"],
            restraint=state.levers["restraint"],
            grievance=state.budget.grievance,
            threat=state.threat,
            rivalry=rivalry,
            civil_surge=state.civil_surge,
        ),
        BudgetArrays(
            gdp_index=state.gdp_index,
            envelope_usd_bn=state.envelope_usd_bn,
            military_share=state.military_share,
            military_usd_bn=state.military_usd_bn,
            civil_usd_bn=state.civil_usd_bn,
            cumulative_military_usd_bn=state.cumulative_military_usd_bn,
            cumulative_civil_usd_bn=state.cumulative_civil_usd_bn,
        ),
    )


_SHOCK_STREAM = int(Stream.BUDGET_SHOCK)


@kernel
def _shock_uniforms(seed, year, run_index, out):  # type: ignore[no-untyped-def]
    """Each actor's budget-shock uniform into ``out`` (R, N), clipped to [1e-12, 1 − 1e-12] so its
    normal quantile is finite: ``uniform(seed, run, year, BUDGET_SHOCK, np.arange(N))`` without
    building its (R, N) key arrays."""
    runs, n = out.shape
    for r in range(runs):
        for i in range(n):
            u = draw(seed, run_index[r], year, _SHOCK_STREAM, i, 0)
            out[r, i] = min(max(u, 1e-12), 1 - 1e-12)


@kernel
def _advance_budget(start, p, year, out):  # type: ignore[no-untyped-def]
    """One year of M1 in place on ``out`` (:class:`BudgetArrays`; see :func:`step`) from
    ``start`` (:class:`BudgetStart`), ``p`` (:class:`BudgetParameters`) and ``year``
    (:class:`BudgetInputs`); the growth is :func:`trend_growth`'s, from its (N,) projection and
    per-run long-run rate and fade, and the Richardson pull is ``grievance + threat``."""
    share = out.military_share
    envelope = out.envelope_usd_bn
    runs, n = share.shape
    # Per-call scratch, reused by every run (an allocation per run cost more than its arithmetic).
    bound = np.empty(n)
    pull = np.empty(n)
    previous = np.empty(n)
    for r in range(runs):
        total_envelope = 0.0
        for i in range(n):
            total_envelope += envelope[r, i]
        mean_share = 0.0
        for i in range(n):
            mean_share += share[r, i] * (envelope[r, i] / total_envelope)
        sigma = p.budget_noise[r]
        for i in range(n):
            projected = start.projected_growth[i]
            long_run = p.long_run_growth[r]
            growth = long_run + (projected - long_run) * year.growth_fade[r]
            out.gdp_index[r, i] *= 1.0 + growth - p.growth_drag[r] * (share[r, i] - mean_share)
            shock = np.exp(sigma * year.normal[r, i] - 0.5 * sigma**2)
            envelope[r, i] = (
                (start.civil0_usd_bn[i] + start.military0_usd_bn[i]) * out.gdp_index[r, i] * shock
            )
            bound[i] = max(p.military_share_max[r], start.military_share0[i])
            pull[i] = year.grievance[r, i] + year.threat[r, i]
        _richardson_run(
            share[r], year.reaction[r], year.restraint[r], pull, year.rivalry[r], bound, previous
        )
        for i in range(n):
            share0 = start.military_share0[i]
            military = share[r, i] * envelope[r, i]
            out.military_usd_bn[r, i] = military
            above_path = military - share0 * envelope[r, i]
            wanted = (1.0 - share0) * envelope[r, i] * (1.0 + year.civil_surge[r, i])
            civil = max(wanted - p.crowd_out[r] * above_path, 0.0)
            out.civil_usd_bn[r, i] = civil
            out.cumulative_military_usd_bn[r, i] += military
            out.cumulative_civil_usd_bn[r, i] += civil
