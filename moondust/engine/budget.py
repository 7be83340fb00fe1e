"""M1. Budgets, guns and butter (DESIGN §3 M1; mechanisms.md §1).

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

import numpy as np
from scipy.special import ndtri

from moondust.engine.params import RunParameters
from moondust.engine.random import Stream, uniform
from moondust.engine.state import FloatArray, Setting, State, pairwise_sum


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
    pressure = pairwise_sum(share, rivalry)
    updated = share + reaction * pressure - restraint * share + grievance
    return np.clip(updated, 0.0, share_max)


PROJECTION_HORIZON = 2030
"""Last year of the IMF growth projections the actors' growth rates come from."""


def trend_growth(projected: FloatArray, year: int, p: RunParameters) -> FloatArray:
    """Real growth in ``year``: the IMF projection to 2030, then converging to the long-run rate.

    ``g(t) = g_LR + (g_IMF − g_LR) · exp(−(t − 2030) / τ_g)`` after 2030.
    """
    years_after = max(0, year - PROJECTION_HORIZON)
    fade = np.exp(-years_after / p["growth_convergence_years"])
    return np.asarray(p["long_run_growth"] + (projected - p["long_run_growth"]) * fade)


def calibrate_grievance(
    setting: Setting, reaction: FloatArray | float, restraint: FloatArray | float
) -> FloatArray:
    """Grievance g that makes the 2025 shares a fixed point of :func:`richardson_update`."""
    x0 = setting.military_share0
    return np.asarray(
        restraint * x0 - reaction * pairwise_sum(x0[None, :], setting.rivalry)[0], dtype=np.float64
    )


def step(
    state: State, setting: Setting, p: RunParameters, rivalry: FloatArray | None = None
) -> None:
    """Grow the economy, update the military share and split the envelope into civil and military.

    ``rivalry`` is this year's rivalry weights, (N, N) or (R, N, N) (default: the setting's).

    Updates ``gdp_index``, ``envelope_usd_bn``, ``military_share``, ``military_usd_bn``,
    ``civil_usd_bn`` and the cumulative spending. Civil and military spending are never negative
    and their sum never exceeds the envelope plus the surge.
    """
    share = state.military_share
    growth = trend_growth(setting.gdp_growth, state.year, p)
    envelope_weight = state.envelope_usd_bn / state.envelope_usd_bn.sum(axis=1, keepdims=True)
    mean_share = (share * envelope_weight).sum(axis=1, keepdims=True)
    state.gdp_index *= 1.0 + growth - p["growth_drag"] * (share - mean_share)

    u = uniform(
        state.seed,
        state.run_index,
        state.year,
        Stream.BUDGET_SHOCK,
        np.arange(setting.n_actors),
    )
    sigma = p["budget_noise"]
    shock = np.exp(sigma * ndtri(np.clip(u, 1e-12, 1 - 1e-12)) - 0.5 * sigma**2)
    envelope = (setting.civil0_usd_bn + setting.military0_usd_bn) * state.gdp_index * shock
    state.envelope_usd_bn = envelope

    share = richardson_update(
        share,
        state.levers["reaction"],
        state.levers["restraint"],
        state.grievance + state.threat,
        setting.rivalry if rivalry is None else rivalry,
        np.maximum(p["military_share_max"], setting.military_share0),
    )
    state.military_share = share
    military = share * envelope
    above_path = military - setting.military_share0 * envelope
    civil = (1.0 - setting.military_share0) * envelope * (1.0 + state.civil_surge)
    civil = np.maximum(civil - p["crowd_out"] * above_path, 0.0)
    state.military_usd_bn = military
    state.civil_usd_bn = civil
    state.cumulative_military_usd_bn = state.cumulative_military_usd_bn + military
    state.cumulative_civil_usd_bn = state.cumulative_civil_usd_bn + civil
