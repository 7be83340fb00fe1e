"""M7. Conflict: counterspace stocks, incidents between rivals, ASAT tests (docs/model.md, M7).

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

Draws are counter-based (:func:`moondust.engine.random.draw`, stream ``CONFLICT``, actor i and
index 4 j + slot for the pair i < j), so run k is identical alone or in any batch.

:class:`ConflictParameters` types the parameters of both M7 modules (this one and
:mod:`moondust.engine.debris`), table ``data/parameters/conflict.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from moondust.datafiles import read_csv
from moondust.engine.jit import kernel
from moondust.engine.params import RunParameters, once_per_block, per_run
from moondust.engine.random import Stream, draw
from moondust.engine.state import BoolArray, FloatArray, Setting, State
from moondust.engine_parameters import ConflictParameters

IntArray = NDArray[np.int64]

_SLOTS = 4
"""Draws per pair and year: occurrence, attacker, kind, fragments."""

_STREAM = int(Stream.CONFLICT)


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
    rival_pairs: tuple[IntArray, IntArray] | None = None
    """The pairs (i, j) that may clash, :func:`rival_pairs` of the setting's rivalry: crew links
    only lower rivalry weights, so no other pair ever becomes rivals."""


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


def initial(setting: Setting, p: RunParameters, runs: int) -> ConflictState:
    """Steady-state stocks K_i = M_i(2025) / δ_K and no incidents.

    Parameters
    ----------
    setting
        The scenario's fixed inputs (2025 military space spending ``military0_usd_bn``).
    p
        Run parameters (table ``conflict``), each (R, 1).
    runs
        Number of runs R.
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
        rival_pairs=rival_pairs(setting.rivalry),
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


@kernel
def _hazard(base, weight, stock_i, stock_j, reference, elasticity, gain, strain):  # type: ignore[no-untyped-def]
    """h_ij = h_0 · w̄_ij · (√(K_i K_j) / K_ref)^ε · (1 + γ_T T̄_ij), zero when w̄_ij ≤ 0."""
    if not weight > 0.0:
        return 0.0
    ratio = np.sqrt(max(stock_i, 0.0) * max(stock_j, 0.0)) / reference
    # pow(x, 1) is x exactly, and pow is most of a pair's cost: skip it at the default ε = 1.
    scale = ratio if elasticity == 1.0 else ratio**elasticity
    return base * weight * scale * (1.0 + gain * max(strain, 0.0))


class HazardInputs(NamedTuple):
    """What the pair hazards h_ij read of the state.

    Attributes
    ----------
    counterspace_usd_bn
        Counterspace stocks K, (R, N) float64.
    rivalry
        Rivalry weights w_ij, (R, N, N) float64 (possibly a read-only broadcast view).
    tension
        Tension T_ij, (R, N, N) float64 (possibly a read-only broadcast view).
    """

    counterspace_usd_bn: FloatArray
    rivalry: FloatArray
    tension: FloatArray


class HazardParameters(NamedTuple):
    """The parameters of the pair hazard h_ij (table ``conflict``), each (R,) float64.

    Attributes
    ----------
    incident_hazard
        Base hazard h_0.
    stock_reference_usd_bn
        Reference stock K_ref = M_ref / δ_K.
    stock_elasticity
        Elasticity ε of the hazard in the stocks.
    tension_gain
        Gain γ_T of tension.
    """

    incident_hazard: FloatArray
    stock_reference_usd_bn: FloatArray
    stock_elasticity: FloatArray
    tension_gain: FloatArray


@once_per_block
def hazard_parameters(p: RunParameters, runs: int) -> HazardParameters:
    """The :class:`HazardParameters` of ``runs`` runs from the run parameters."""
    return HazardParameters(
        incident_hazard=per_run(p["incident_hazard"], runs),
        stock_reference_usd_bn=per_run(p["counterspace_reference_usd_bn"], runs)
        / per_run(p["counterspace_depreciation"], runs),
        stock_elasticity=per_run(p["stock_elasticity"], runs),
        tension_gain=per_run(p["tension_gain"], runs),
    )


@kernel
def _run_pair_hazard(r, i, j, inputs, params):  # type: ignore[no-untyped-def]
    """h_ij of run ``r`` from the (R, N, N) weights and tension, symmetrised; zero for non-rivals
    without reading their tension (most pairs: it would be a cache miss)."""
    rivalry = inputs.rivalry
    weight = 0.5 * (rivalry[r, i, j] + rivalry[r, j, i])
    if not weight > 0.0:
        return 0.0
    stock = inputs.counterspace_usd_bn
    tension = inputs.tension
    return _hazard(
        params.incident_hazard[r],
        weight,
        stock[r, i],
        stock[r, j],
        params.stock_reference_usd_bn[r],
        params.stock_elasticity[r],
        params.tension_gain[r],
        0.5 * (tension[r, i, j] + tension[r, j, i]),
    )


@kernel
def _pair_hazards(inputs, params, out):  # type: ignore[no-untyped-def]
    """Every h_ij into ``out`` (R, N, N), zero on the diagonal."""
    runs, n = inputs.counterspace_usd_bn.shape
    for r in range(runs):
        for i in range(n):
            for j in range(n):
                out[r, i, j] = 0.0
                if i != j:
                    out[r, i, j] = _run_pair_hazard(r, i, j, inputs, params)


def _per_run_matrix(values: FloatArray, runs: int, n: int) -> FloatArray:
    """An (N, N) or (R, N, N) input as (R, N, N) (a read-only view when broadcast)."""
    full = np.asarray(values, dtype=np.float64)
    return full if full.shape == (runs, n, n) else np.broadcast_to(full, (runs, n, n))


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
    stock = np.asarray(stock, dtype=np.float64)
    runs, n = stock.shape
    out = np.empty((runs, n, n))
    inputs = HazardInputs(
        counterspace_usd_bn=stock,
        rivalry=_per_run_matrix(rivalry, runs, n),
        tension=_per_run_matrix(tension, runs, n),
    )
    _pair_hazards(inputs, hazard_parameters(p, runs), out)
    return out


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


class RivalPairs(NamedTuple):
    """Candidate pairs (i, j), i < j, in the order of :func:`rival_pairs`.

    Attributes
    ----------
    first
        Actor i of each pair, (P,) int64.
    second
        Actor j of each pair, (P,) int64.
    """

    first: IntArray
    second: IntArray


class IncidentRules(NamedTuple):
    """What an incident becomes.

    Attributes
    ----------
    asat_allowed
        Lever ``asat_allowed``, (R, N) float64: an actor tests ASATs only where it is > 0.5.
    interference_share
        Probability q_I that an incident is interference, (R,) float64.
    log_fewest_fragments
        log of the fewest tracked fragments of a historical test (a float).
    log_most_fragments
        log of the most tracked fragments of a historical test (a float).
    """

    asat_allowed: FloatArray
    interference_share: FloatArray
    log_fewest_fragments: float
    log_most_fragments: float


class IncidentRecord(NamedTuple):
    """What the incidents update in place: the :class:`ConflictState` arrays and the fragments.

    Attributes
    ----------
    interference
        Actors sabotaged this year, (R, N) bool.
    incidents
        Incidents suffered this year, (R, N) int64.
    incidents_total
        Incidents suffered so far, (R, N) int64.
    asat_tests_total
        ASAT tests conducted so far, (R, N) int64.
    fragments
        Fragments ≥ 10 cm of this year's ASAT tests, (R,) float64 (overwritten).
    """

    interference: BoolArray
    incidents: IntArray
    incidents_total: IntArray
    asat_tests_total: IntArray
    fragments: FloatArray


@kernel
def _draw_incidents(seed, year, run_index, pairs, inputs, params, rules, record):  # type: ignore[no-untyped-def]
    """This year's incidents of the candidate ``pairs`` (i, j), i < j, in that order (that of
    :func:`rival_pairs`), in place."""
    stock = inputs.counterspace_usd_bn
    fragments = record.fragments
    log_fewest = rules.log_fewest_fragments
    log_most = rules.log_most_fragments
    runs, n = stock.shape
    for r in range(runs):
        fragments[r] = 0.0
    # Pair by pair, each over all runs: a fixed stride through the (R, N, N) weights that the CPU
    # prefetches, where run by run every pair would be a cache miss. Each run still adds its
    # pairs' fragments in pair order.
    for pair in range(pairs.first.size):
        i = pairs.first[pair]
        j = pairs.second[pair]
        for r in range(runs):
            run = run_index[r, 0]
            hazard = _run_pair_hazard(r, i, j, inputs, params)
            # Zero hazard (not rivals in this run) never clashes, whatever the draw: skip drawing.
            # Draws are keyed, so skipping leaves every other pair's numbers unchanged.
            if not hazard > 0.0:
                continue
            slot = _SLOTS * j
            if not draw(seed, run, year, _STREAM, i, slot) < -np.expm1(-hazard):
                continue
            total = stock[r, i] + stock[r, j]
            share_i = stock[r, i] / total if total > 0 else 0.5
            if draw(seed, run, year, _STREAM, i, slot + 1) < share_i:
                attacker, target = i, j
            else:
                attacker, target = j, i
            if draw(seed, run, year, _STREAM, i, slot + 2) < rules.interference_share[r]:
                record.interference[r, target] = True
                record.incidents[r, target] += 1
            elif rules.asat_allowed[r, attacker] > 0.5:
                record.incidents[r, target] += 1
                record.asat_tests_total[r, attacker] += 1
                u = draw(seed, run, year, _STREAM, i, slot + 3)
                fragments[r] += np.exp(log_fewest + (log_most - log_fewest) * u)
    for r in range(runs):
        for i in range(n):
            record.incidents_total[r, i] += record.incidents[r, i]


def step(state: State, setting: Setting, p: RunParameters) -> None:
    """:func:`advance` with this year's rivalry (``state.now.rivalry``) and the tension over
    lunar sites (``state.mining.tension``); the ASAT fragments go to ``state.now.asat_fragments``.
    """
    state.now.asat_fragments = advance(
        state, setting, p, state.now.rivalry, state.mining.tension, _conflict_of(state).rival_pairs
    )


def advance(
    state: State,
    setting: Setting,
    p: RunParameters,
    rivalry: FloatArray,
    tension: FloatArray,
    pairs: tuple[IntArray, IntArray] | None = None,
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
    pairs
        The pairs that may be rivals, as :func:`rival_pairs` gives them (default:
        ``rival_pairs(rivalry)``). A superset is fine; a pair left out never clashes. Passing
        them saves a pass over ``rivalry`` every year when they are known in advance.

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
    # This year's flags are new arrays: last year's stay as they were for anyone holding them.
    conflict.interference = np.zeros((runs, n), dtype=bool)
    conflict.incidents = np.zeros((runs, n), dtype=np.int64)
    fragments = np.empty(runs)
    low, high = asat_fragment_range()
    _draw_incidents(
        int(state.seed),
        int(state.year),
        state.run_index,
        # Only pairs that are rivals in some run can clash: most pairs are not, and reading all
        # their weights pair by pair (half of them down a column) is slow.
        RivalPairs(*(rival_pairs(rivalry) if pairs is None else pairs)),
        HazardInputs(
            counterspace_usd_bn=conflict.counterspace_usd_bn,
            rivalry=_per_run_matrix(rivalry, runs, n),
            tension=_per_run_matrix(tension, runs, n),
        ),
        hazard_parameters(p, runs),
        IncidentRules(
            asat_allowed=np.ascontiguousarray(state.levers["asat_allowed"], dtype=np.float64),
            interference_share=per_run(p["interference_share"], runs),
            log_fewest_fragments=float(np.log(low)),
            log_most_fragments=float(np.log(high)),
        ),
        IncidentRecord(
            interference=conflict.interference,
            incidents=conflict.incidents,
            incidents_total=conflict.incidents_total,
            asat_tests_total=conflict.asat_tests_total,
            fragments=fragments,
        ),
    )
    return fragments


__all__ = [
    "ConflictParameters",
    "ConflictState",
    "accumulate",
    "advance",
    "asat_fragment_range",
    "initial",
    "pair_hazard",
    "rival_pairs",
    "step",
]
