"""M4. What the crew links do (docs/model.md, M4).

:mod:`moondust.engine.stations` flies the crews and keeps the symmetric stock ``L_hj`` of recent
host–guest seats, with its start year's steady state ``L⁰_hj = q_hj C / δ_L`` (the ISS partners'
quotas, already reflected in the 2025 rivalries and spillovers). Only the contact beyond it acts:

    Δβ_hj = Δβ_max (1 − exp(−g_β max(L_hj − L⁰_hj, 0)))                  (spillover bonus)
    m_hj  = 1 − ρ_max (1 − exp(−g_w max(L_hj − L⁰_hj, 0)))   in [0, 1]    (rivalry relief)

``g_w = 0`` (inside its range) switches the rivalry channel off. The engine asks for both each
year in one compiled pass (:func:`crew_effects`); the two one-effect functions are its parts, for
tests and analyses.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from moondust.engine.jit import kernel
from moondust.engine.params import RunParameters, columns
from moondust.engine.state import BoolArray, FloatArray, Setting, State
from moondust.engine.stations import StationState


class CrewLinks(NamedTuple):
    """What the crew effects are computed from, contiguous float64 (bool for ``sanction``)."""

    crew_link: FloatArray
    """(R, N, N) stock L of recent host–guest seats."""
    crew_link0: FloatArray
    """(R, N, N) its start year's steady state L⁰."""
    sanction: BoolArray
    """(N, N) pairs that get no spillover bonus."""
    rivalry: FloatArray
    """(N, N) rivalry weights without relief (ones for the relief alone)."""


class CrewParameters(NamedTuple):
    """The crew effects' per-run parameters, each (R,) float64 (:func:`per_run`), named as in the
    parameter table; the kernel clips them."""

    crew_spillover_cap: FloatArray
    """Δβ_max."""
    crew_spillover_gain: FloatArray
    """g_β."""
    rivalry_relief_max: FloatArray
    """ρ_max."""
    rivalry_relief_gain: FloatArray
    """g_w."""

    @classmethod
    def of(cls, p: RunParameters, runs: int) -> CrewParameters:
        """The columns of ``p`` as (R,) arrays."""
        return columns(cls, p, runs)


class CrewEffects(NamedTuple):
    """The kernel's outputs, each (R, N, N), or :data:`_NO_RUNS` to skip it."""

    spillover_bonus: FloatArray
    """Δβ added to the spillover between host and guest."""
    rivalry: FloatArray
    """Rivalry weights times the relief."""


@kernel
def _crew_effects(links, p, out):  # type: ignore[no-untyped-def]
    """The crew links' two effects from ``ΔL = max(L − L⁰, 0)`` (R, N, N), in place on ``out``
    (:class:`CrewEffects`) from ``links`` (:class:`CrewLinks`) and ``p`` (:class:`CrewParameters`).

    ``bonus ← max(cap, 0) (1 − e^{−g_β ΔL})``, 0 where ``sanction``; ``weighted ← weight ×
    clip(1 − clip(most, 0, 1) (1 − e^{−max(g_w, 0) ΔL}), 0, 1)``. Either output may have 0 runs,
    to skip it. The per-run parameters are clipped here, as comparisons that keep NaN as NumPy's
    clip does: NumPy calls in the caller cost more than this kernel at 100 runs.
    """
    link = links.crew_link
    bonus = out.spillover_bonus
    weighted = out.rivalry
    runs, n, _ = link.shape
    pairs = n * n
    with_bonus = bonus.shape[0] > 0
    with_relief = weighted.shape[0] > 0
    # One flat loop over the N² pairs of a run: nested loops over i and j run slower here.
    link_flat = link.reshape(runs, pairs)
    link0_flat = links.crew_link0.reshape(runs, pairs)
    sanction_flat = links.sanction.reshape(pairs)
    weight_flat = links.rivalry.reshape(pairs)
    bonus_flat = bonus.reshape(bonus.shape[0], pairs)
    weighted_flat = weighted.reshape(weighted.shape[0], pairs)
    for r in range(runs):
        cap = p.crew_spillover_cap[r]
        if cap < 0.0:
            cap = 0.0
        gain_b = p.crew_spillover_gain[r] if with_bonus else 0.0
        most = p.rivalry_relief_max[r]
        if most < 0.0:
            most = 0.0
        elif most > 1.0:
            most = 1.0
        gain_w = p.rivalry_relief_gain[r] if with_relief else 0.0
        if gain_w < 0.0:
            gain_w = 0.0
        # Most pairs have no excess contact: no bonus, the weight as it is (× 1 exactly). Write
        # those values in a branch-free pass, then overwrite the few pairs with an excess.
        if with_bonus:
            for k in range(pairs):
                bonus_flat[r, k] = 0.0
        if with_relief:
            for k in range(pairs):
                weighted_flat[r, k] = weight_flat[k]
        for k in range(pairs):
            excess = link_flat[r, k] - link0_flat[r, k]
            if excess > 0.0:
                if gain_b != 0.0 and not sanction_flat[k]:
                    bonus_flat[r, k] = cap * (1.0 - np.exp(-gain_b * excess))
                if gain_w != 0.0:
                    relief = 1.0 - most * (1.0 - np.exp(-gain_w * excess))
                    # the clip to [0, 1] as comparisons: numba's min/max are slow here
                    if relief < 0.0:
                        relief = 0.0
                    elif relief > 1.0:
                        relief = 1.0
                    weighted_flat[r, k] = weight_flat[k] * relief


_NO_RUNS = np.empty((0, 0, 0))
"""An output :func:`_crew_effects` skips."""


def _run_crew_effects(
    stations: StationState,
    p: RunParameters,
    sanction: BoolArray | None,
    weight: FloatArray | None,
    bonus: FloatArray,
    weighted: FloatArray,
) -> None:
    """Fill ``bonus`` and ``weighted`` (either may be :data:`_NO_RUNS`) from the crew links."""
    runs, n = stations.crew_link.shape[:2]
    mask = np.zeros((n, n), dtype=bool) if sanction is None else np.asarray(sanction, dtype=bool)
    _crew_effects(
        CrewLinks(
            crew_link=np.ascontiguousarray(stations.crew_link),
            crew_link0=np.ascontiguousarray(stations.crew_link0),
            sanction=np.ascontiguousarray(mask),
            rivalry=(
                np.ones((n, n))
                if weight is None
                else np.ascontiguousarray(weight, dtype=np.float64)
            ),
        ),
        CrewParameters.of(p, runs),
        CrewEffects(spillover_bonus=bonus, rivalry=weighted),
    )


def spillover_bonus(
    stations: StationState, p: RunParameters, sanction: BoolArray | None = None
) -> FloatArray:
    """Addition to the spillover β between host and guest, ``Δβ_max (1 − e^{−g_β ΔL})`` (R, N, N).

    Symmetric, zero on the diagonal, in ``[0, Δβ_max]``. Pass ``sanction`` to zero sanctioned
    pairs (the ISS partners USA and Russia, for instance), as :func:`technology.spillovers` does
    for β itself.
    """
    bonus = np.empty_like(stations.crew_link)
    _run_crew_effects(stations, p, sanction, None, bonus, _NO_RUNS)
    return bonus


def rivalry_relief(stations: StationState, p: RunParameters) -> FloatArray:
    """Multiplier on rivalry weights, ``1 − ρ_max (1 − e^{−g_w ΔL})`` in [0, 1] (R, N, N).

    Exactly 1 (no relief) where no flights beyond the 2025 level link a pair or when the gain
    ``rivalry_relief_gain`` is 0.
    """
    relief = np.empty_like(stations.crew_link)
    _run_crew_effects(stations, p, None, None, _NO_RUNS, relief)
    return relief


def crew_effects(
    stations: StationState, p: RunParameters, rivalry: FloatArray, sanction: BoolArray
) -> tuple[FloatArray, FloatArray]:
    """This year's rivalry weights and spillover bonus from the crew links, in one pass.

    Parameters
    ----------
    stations
        The crew links.
    p
        The runs' parameters.
    rivalry
        Rivalry weights without relief (N, N).
    sanction
        Sanction matrix (N, N): no bonus for sanctioned pairs.

    Returns
    -------
    tuple of ndarray
        ``rivalry * rivalry_relief(stations, p)`` and ``spillover_bonus(stations, p, sanction)``,
        each (R, N, N) and equal to them bit for bit.
    """
    weighted = np.empty_like(stations.crew_link)
    bonus = np.empty_like(stations.crew_link)
    _run_crew_effects(stations, p, sanction, rivalry, bonus, weighted)
    return weighted, bonus


def initial(setting: Setting, p: RunParameters, runs: int) -> None:
    """No state of its own: the links are kept by :mod:`moondust.engine.stations`."""
    return None


def step(state: State, setting: Setting, p: RunParameters) -> None:
    """This year's rivalry weights and spillover bonus into ``state.now`` (:func:`crew_effects`).

    Recent joint crews may soften rivalries (a hypothesis; the gain's range includes 0) and raise
    spillovers. Links only lower rivalry weights (relief ≤ 1), so every pair of rivals this year
    is a pair of rivals in the setting.
    """
    state.now.rivalry, state.now.spillover_bonus = crew_effects(
        state.stations, p, setting.rivalry, setting.sanction
    )


__all__ = ["crew_effects", "initial", "rivalry_relief", "spillover_bonus", "step"]
