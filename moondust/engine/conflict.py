"""M7. Conflict: counterspace stocks, incidents between rivals, ASAT tests (DESIGN §3 M7).

Each actor's counterspace stock K_i (USD bn) accumulates its military space spending M_i and
depreciates (perpetual inventory):

    K_i(t) = (1 − δ_K) K_i(t−1) + M_i(t),        K_i(2025) = M_i(2025) / δ_K  (steady state)

so that under constant spending K_i(t) = M/δ_K + (K_i(0) − M/δ_K)(1 − δ_K)^t.

Every pair of rivals (rivalry weight w_ij > 0) has an incident in a year with probability
1 − exp(−h_ij), with a hazard rising with both stocks and with tension:

    h_ij = h_0 · w̄_ij · ( √(K_i K_j) / K_ref )^ε · (1 + γ_T T̄_ij),      K_ref = M_ref / δ_K

where w̄ and T̄ are the symmetrised rivalry weights and tension (e.g. contested lunar sites).
Writing K_ref through δ_K makes the steady-state hazard independent of the depreciation rate. h_0 is
calibrated so that the baseline world of 2025 (every actor allowing ASAT tests, as the status-quo
policy does) expects the historical rate of destructive ASAT tests: four in 2007–2025
(``data/world/asat_tests.csv``).

The attacker is i with probability K_i / (K_i + K_j). With probability q_I the incident is
interference: the target's mission attempts this year fail. Otherwise it is a destructive ASAT test,
conducted only if the attacker's lever ``asat_allowed`` > 0.5 (else the incident does not happen);
its fragments ≥ 10 cm are drawn log-uniformly between the smallest and the largest tracked counts of
the historical tests in ``asat_tests.csv`` (101 for Mission Shakti 2019, 3,037 for Fengyun-1C 2007)
and handed to :mod:`moondust.engine.debris` as a pulse. An ASAT test counts as an incident suffered
by the target: it is aimed at a rival's space assets, even when the satellite destroyed is the
attacker's own, as in every historical test.

Draws are counter-based (:func:`moondust.engine.random.uniform`, stream ``CONFLICT``, actor i and
index 4 j + slot for the pair i < j), so run k is identical alone or in any batch.

:class:`ConflictParameters` types the parameters of both M7 modules (this one and
:mod:`moondust.engine.debris`), table ``data/parameters/conflict.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray

from moondust.datafiles import read_csv
from moondust.engine.params import ConflictParameters, RunParameters
from moondust.engine.random import Stream, uniform
from moondust.engine.state import BoolArray, FloatArray, Setting, State

IntArray = NDArray[np.int64]

_SLOTS = 4
"""Draws per pair and year: occurrence, attacker, kind, fragments."""


@dataclass
class ConflictState:
    """Counterspace stocks and this year's incidents, arrays of shape (R, N).

    Attributes
    ----------
    counterspace_usd_bn
        Counterspace stock K_i (USD bn).
    interference
        Actors whose mission attempts this year are sabotaged (they fail).
    incidents
        Incidents suffered this year (interference or an ASAT test by a rival).
    incidents_total
        Incidents suffered so far.
    asat_tests_total
        Destructive ASAT tests conducted so far.
    """

    counterspace_usd_bn: FloatArray
    interference: BoolArray
    incidents: IntArray
    incidents_total: IntArray
    asat_tests_total: IntArray


@cache
def asat_fragment_range() -> tuple[float, float]:
    """(fewest, most) tracked fragments of a historical destructive ASAT test (asat_tests.csv).

    Examples
    --------
    >>> asat_fragment_range()
    (101.0, 3037.0)
    """
    tracked = read_csv("world", "asat_tests.csv")["tracked_n"].astype(float)
    return float(tracked.min()), float(tracked.max())


def initial(setting: Setting, runs: int, p: RunParameters) -> ConflictState:
    """Steady-state stocks K_i = M_i(2025) / δ_K and no incidents.

    Parameters
    ----------
    setting
        The scenario's fixed inputs (2025 military space spending ``military0_usd_bn``).
    runs
        Number of runs R.
    p
        Run parameters (table ``conflict``), each (R, 1).
    """
    n = setting.n_actors
    stock = setting.military0_usd_bn[None, :] / p["counterspace_depreciation"]
    zeros = np.zeros((runs, n), dtype=np.int64)
    return ConflictState(
        counterspace_usd_bn=np.broadcast_to(stock, (runs, n)).astype(np.float64, copy=True),
        interference=np.zeros((runs, n), dtype=bool),
        incidents=zeros.copy(),
        incidents_total=zeros.copy(),
        asat_tests_total=zeros.copy(),
    )


def accumulate(stock: FloatArray, spending: FloatArray, p: RunParameters) -> FloatArray:
    """One year of the perpetual inventory K ← (1 − δ_K) K + M, (R, N).

    Examples
    --------
    >>> import numpy as np
    >>> p = {"counterspace_depreciation": np.array([[0.1]])}
    >>> accumulate(np.array([[0.0]]), np.array([[1.0]]), p)
    array([[1.]])
    """
    return np.asarray((1.0 - p["counterspace_depreciation"]) * stock + spending, dtype=np.float64)


def _symmetric(values: FloatArray, runs: int, n: int) -> FloatArray:
    """(R, N, N) array ½(x + xᵀ) from an (N, N) or (R, N, N) input."""
    full = np.broadcast_to(np.asarray(values, dtype=np.float64), (runs, n, n))
    return np.asarray(0.5 * (full + full.transpose(0, 2, 1)), dtype=np.float64)


def pair_hazard(
    stock: FloatArray, rivalry: FloatArray, tension: FloatArray, p: RunParameters
) -> FloatArray:
    """Incident hazard h_ij of every pair, (R, N, N): symmetric, zero between non-rivals.

    Parameters
    ----------
    stock
        Counterspace stocks K, (R, N).
    rivalry
        Rivalry weights w_ij ≥ 0, (N, N) or (R, N, N).
    tension
        Tension T_ij ≥ 0, (N, N) or (R, N, N).
    p
        Run parameters (table ``conflict``), each (R, 1).

    Examples
    --------
    >>> import numpy as np
    >>> from moondust.engine.params import table_defaults
    >>> p = table_defaults("conflict", 1)
    >>> w = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    >>> h = pair_hazard(np.full((1, 3), 100.0), w, np.zeros((3, 3)), p)
    >>> bool(h[0, 0, 1] > 0), float(h[0, 0, 2]), float(h[0, 0, 0])
    (True, 0.0, 0.0)
    """
    runs, n = stock.shape
    weight = _symmetric(rivalry, runs, n)
    strain = _symmetric(tension, runs, n)
    reference = p["counterspace_reference_usd_bn"] / p["counterspace_depreciation"]  # (R, 1)
    k = np.maximum(stock, 0.0)
    mean_stock = np.sqrt(k[:, :, None] * k[:, None, :])
    scale = (mean_stock / reference[:, :, None]) ** p["stock_elasticity"][:, :, None]
    hazard = (
        p["incident_hazard"][:, :, None]
        * weight
        * scale
        * (1.0 + p["tension_gain"][:, :, None] * np.maximum(strain, 0.0))
    )
    hazard = np.where(weight > 0.0, hazard, 0.0)
    hazard[:, np.arange(n), np.arange(n)] = 0.0
    return np.asarray(hazard, dtype=np.float64)


def _pair_values(values: FloatArray, first: IntArray, second: IntArray) -> FloatArray:
    """½(x_ij + x_ji) for the pairs (i, j) = (first, second), (R, P) or (1, P)."""
    full = np.asarray(values, dtype=np.float64)
    if full.ndim == 2:
        return np.asarray(0.5 * (full[first, second] + full[second, first]))[None, :]
    return np.asarray(0.5 * (full[:, first, second] + full[:, second, first]))


def _hazard_of_pairs(
    stock: FloatArray,
    rivalry: FloatArray,
    tension: FloatArray,
    p: RunParameters,
    first: IntArray,
    second: IntArray,
) -> FloatArray:
    """:func:`pair_hazard` evaluated only on the given pairs, (R, P): the same arithmetic,
    without building the (R, N, N) matrices."""
    weight = _pair_values(rivalry, first, second)
    strain = _pair_values(tension, first, second)
    reference = p["counterspace_reference_usd_bn"] / p["counterspace_depreciation"]
    k = np.maximum(stock, 0.0)
    mean_stock = np.sqrt(k[:, first] * k[:, second])
    scale = (mean_stock / reference) ** p["stock_elasticity"]
    hazard = (
        p["incident_hazard"] * weight * scale * (1.0 + p["tension_gain"] * np.maximum(strain, 0.0))
    )
    return np.asarray(np.where(weight > 0.0, hazard, 0.0), dtype=np.float64)


def rival_pairs(rivalry: FloatArray) -> tuple[IntArray, IntArray]:
    """Index arrays (i, j), i < j, of pairs that are rivals in any run."""
    weight = np.asarray(rivalry, dtype=np.float64)
    if weight.ndim == 3:
        weight = weight.max(axis=0)
    n = weight.shape[-1]
    i, j = np.triu_indices(n, k=1)
    keep = (weight[i, j] > 0.0) | (weight[j, i] > 0.0)
    return i[keep].astype(np.int64), j[keep].astype(np.int64)


def _conflict_of(state: State) -> ConflictState:
    found = getattr(state, "conflict", None)
    if not isinstance(found, ConflictState):
        raise TypeError("state.conflict must hold a ConflictState (see conflict.initial)")
    return found


def step(
    state: State,
    setting: Setting,
    p: RunParameters,
    rivalry: FloatArray,
    tension: FloatArray,
) -> FloatArray:
    """Accumulate counterspace stocks, draw this year's incidents, return ASAT fragments.

    Parameters
    ----------
    state
        The engine state; ``state.conflict`` (a :class:`ConflictState`) is updated in place.
        Reads ``military_usd_bn`` (this year's spending) and the lever ``asat_allowed``.
    setting
        The scenario's fixed inputs.
    p
        Run parameters (table ``conflict``), each (R, 1).
    rivalry
        Rivalry weights w_ij ≥ 0, (N, N) or (R, N, N); pairs with zero weight never clash.
    tension
        Tension T_ij ≥ 0 between actors, (N, N) or (R, N, N) (e.g. contested lunar sites).

    Returns
    -------
    numpy.ndarray
        Fragments ≥ 10 cm from this year's destructive ASAT tests, per run (R,).

    Notes
    -----
    Contract: at most one incident per rival pair and year; interference only ever hits a rival
    of the attacker; no ASAT test by an actor whose ``asat_allowed`` ≤ 0.5; ``interference`` and
    ``incidents`` describe this year only, the totals accumulate.
    """
    conflict = _conflict_of(state)
    runs, n = state.military_usd_bn.shape
    conflict.counterspace_usd_bn = accumulate(
        conflict.counterspace_usd_bn, state.military_usd_bn, p
    )
    stock = conflict.counterspace_usd_bn
    conflict.interference = np.zeros((runs, n), dtype=bool)
    conflict.incidents = np.zeros((runs, n), dtype=np.int64)
    fragments = np.zeros(runs)

    first, second = rival_pairs(rivalry)
    if first.size == 0:
        return fragments
    hazard = _hazard_of_pairs(stock, rivalry, tension, p, first, second)  # (R, P)

    def draw(slot: int) -> FloatArray:
        return uniform(
            state.seed,
            state.run_index,
            state.year,
            Stream.CONFLICT,
            first[None, :],
            _SLOTS * second[None, :] + slot,
        )

    occurs = draw(0) < -np.expm1(-hazard)
    k_first, k_second = stock[:, first], stock[:, second]
    total = k_first + k_second
    share_first = np.divide(k_first, total, out=np.full_like(total, 0.5), where=total > 0)
    first_attacks = draw(1) < share_first
    attacker = np.where(first_attacks, first[None, :], second[None, :])
    target = np.where(first_attacks, second[None, :], first[None, :])
    interferes = draw(2) < p["interference_share"]
    allowed = np.take_along_axis(state.levers["asat_allowed"], attacker, axis=1) > 0.5
    tests = occurs & ~interferes & allowed
    sabotage = occurs & interferes
    low, high = asat_fragment_range()
    pieces = np.exp(np.log(low) + (np.log(high) - np.log(low)) * draw(3))

    actors = np.arange(n)
    hits_target = target[:, :, None] == actors  # (R, P, N)
    by_attacker = attacker[:, :, None] == actors
    suffered = ((tests | sabotage)[:, :, None] & hits_target).sum(axis=1)
    conflict.incidents = suffered.astype(np.int64)
    conflict.incidents_total = conflict.incidents_total + conflict.incidents
    conflict.interference = (sabotage[:, :, None] & hits_target).any(axis=1)
    conflict.asat_tests_total = conflict.asat_tests_total + (
        (tests[:, :, None] & by_attacker).sum(axis=1).astype(np.int64)
    )
    for pair in range(first.size):  # fixed summation order: identical in any batch
        fragments = fragments + np.where(tests[:, pair], pieces[:, pair], 0.0)
    return fragments


__all__ = [
    "ConflictParameters",
    "ConflictState",
    "accumulate",
    "asat_fragment_range",
    "initial",
    "pair_hazard",
    "rival_pairs",
    "step",
]
