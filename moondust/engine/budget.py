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

import numpy as np
from scipy.special import ndtri

from moondust.engine.jit import kernel
from moondust.engine.params import RunParameters, per_run
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
        np.broadcast_to(setting.gdp_growth, (n,)),
        per_run(p["long_run_growth"], runs),
        per_run(_growth_fade(state.year, p), runs),
        setting.civil0_usd_bn,
        setting.military0_usd_bn,
        setting.military_share0,
        p["growth_drag"][:, 0],
        p["budget_noise"][:, 0],
        p["military_share_max"][:, 0],
        p["crowd_out"][:, 0],
        normal,
        state.levers["reaction"],
        state.levers["restraint"],
        state.budget.grievance,
        state.threat,
        rivalry,
        state.civil_surge,
        state.gdp_index,
        state.envelope_usd_bn,
        state.military_share,
        state.military_usd_bn,
        state.civil_usd_bn,
        state.cumulative_military_usd_bn,
        state.cumulative_civil_usd_bn,
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
def _advance_budget(  # type: ignore[no-untyped-def]
    projected_growth,
    long_run_growth,
    growth_fade,
    civil0,
    military0,
    share0,
    growth_drag,
    budget_noise,
    share_max,
    crowd_out,
    normal,
    reaction,
    restraint,
    grievance,
    threat,
    rivalry,
    civil_surge,
    gdp_index,
    envelope,
    share,
    military,
    civil,
    cumulative_military,
    cumulative_civil,
):
    """One year of M1 in place on the (R, N) arrays from ``gdp_index`` on (see :func:`step`);
    the growth is :func:`trend_growth`'s, from its (N,) projection and per-run long-run rate and
    fade, and the Richardson pull is ``grievance + threat``."""
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
        sigma = budget_noise[r]
        for i in range(n):
            projected = projected_growth[i]
            growth = long_run_growth[r] + (projected - long_run_growth[r]) * growth_fade[r]
            gdp_index[r, i] *= 1.0 + growth - growth_drag[r] * (share[r, i] - mean_share)
            shock = np.exp(sigma * normal[r, i] - 0.5 * sigma**2)
            envelope[r, i] = (civil0[i] + military0[i]) * gdp_index[r, i] * shock
            bound[i] = max(share_max[r], share0[i])
            pull[i] = grievance[r, i] + threat[r, i]
        _richardson_run(share[r], reaction[r], restraint[r], pull, rivalry[r], bound, previous)
        for i in range(n):
            military[r, i] = share[r, i] * envelope[r, i]
            above_path = military[r, i] - share0[i] * envelope[r, i]
            wanted = (1.0 - share0[i]) * envelope[r, i] * (1.0 + civil_surge[r, i])
            civil[r, i] = max(wanted - crowd_out[r] * above_path, 0.0)
            cumulative_military[r, i] += military[r, i]
            cumulative_civil[r, i] += civil[r, i]
