"""M7. The orbital commons: one-shell source-sink debris model (docs/model.md, M7).

Low Earth orbit is one aggregated shell holding three species: active satellites S, derelict intact
satellites D and debris N (objects ≥ 10 cm). They follow the MOCAT-3 source-sink equations (MIT
ARCLab MOCAT-3 propagation script; D'Ambrosio, Lifson & Linares 2022, arXiv:2206.05345) with the
altitude drag flux of a one-shell model written as a residence time τ (drag out of the shell,
nothing drags in from above):

    Ṡ = λ − S/Δt − (δ + α)(φ_SN N + φ_SD D) S − α_a φ_SS S²
    Ḋ = (1 − P) S/Δt + δ (φ_SD D + φ_SN N) S − φ_DN N D − φ_DD D² − D/τ_D
    Ṅ = α K_SN φ_SN N S + α K_SD φ_SD D S + K_DN φ_DN N D + K_DD φ_DD D² + α_a K_SS φ_SS S²
        + K_NN φ_NN N² + B − N/τ_N

    φ_ij = π (r_i + r_j)² v / V_shell                      (collision rate per pair of objects)
    K_ij = 0.1 L_c^−1.71 (m_i + m_j)^0.75                 (catastrophic: S–S, S–D, D–D)
    K_ij = 0.1 L_c^−1.71 (min(m_i, m_j) v²[km/s])^0.75    (damaging: any collision with debris)

with launches λ = λ₂₀₂₅ · launch_scale, mission lifetime Δt, post-mission disposal success P,
collision-avoidance failure α, share of active–active encounters not avoided α_a, ratio δ of
disabling to lethal collisions, impact velocity v, shell volume V_shell between ``shell_floor_km``
and ``shell_ceiling_km``, and NASA standard breakup fragment counts above L_c = 0.1 m. Following the
script, collisions involving debris are damaging (non-catastrophic) and same-species collisions
carry no factor ½.

The one-shell MOCAT form has no explosions, rocket bodies or mission-related objects, yet ESA counts
about 40,000 debris objects ≥ 10 cm in 2025. A background source B = B₂₀₂₅ · launch_scale (upper
stage explosions, mission-related objects: both scale with launch activity) stands for them. B₂₀₂₅
is calibrated per run so that Ṅ = g₂₀₂₅ (``debris_growth_2025``) at the 2025 populations and launch
rate: B₂₀₂₅ = max(N₂₀₂₅/τ_N + g₂₀₂₅ − collision fragments₂₀₂₅, 0).

Destructive ASAT tests add their fragments as a pulse to N at the start of the year. The equations
are integrated with monthly sub-steps of an exponential Euler scheme: each population's gains G and
per-object loss rate L are frozen over a sub-step h and

    x ← x e^(−L h) + G (1 − e^(−L h)) / L,

which is exact for pure decay, keeps every population ≥ 0 for any step, and is first order.

Debris is a commons: every actor's mission success probability is multiplied by

    m = exp(−h_L · max(N / N₂₀₂₅ − 1, 0)),

which is 1 at the 2025 debris level and falls as debris grows (an assumption: a lunar mission
crosses LEO in hours, so the physical risk is small; h_L's range includes 0).

2025 populations come from ``data/world/debris_counts.csv`` (ESA Space Environment Report 2025):
S₂₀₂₅ = ~11,000 active payloads (headline), D₂₀₂₅ = payloads in orbit (13,672, 2024) − S₂₀₂₅ and
N₂₀₂₅ = MASTER objects ≥ 10 cm (54,000, Aug 2024) − payloads in orbit (derived).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, fields
from functools import cache

import numpy as np

from moondust.datafiles import read_csv
from moondust.engine.jit import kernel
from moondust.engine.params import RunParameters, per_run
from moondust.engine.state import FloatArray, Setting, State

SUBSTEPS_PER_YEAR = 12
"""Sub-steps of the integrator in a simulated year (monthly)."""

RUNAWAY_CEILING = 1e8
"""Most debris objects ≥ 10 cm the shell can hold in the model (about 2,500 × the 2025 level). A
numerical guard, not a physical claim: the N² source term makes the equations blow up in finite
time at extreme corners of the parameter ranges; a run at the ceiling has lost LEO
(docs/model.md, M7)."""


EARTH_RADIUS_KM = 6378.1
"""Earth's equatorial radius used by the MOCAT-3 script for shell volumes (km)."""

SECONDS_PER_YEAR = 365.25 * 24 * 3600
"""Julian year, as in the MOCAT-3 script (v in m/yr = v_imp · 1000 · 24 · 3600 · 365.25)."""

CHARACTERISTIC_LENGTH_M = 0.1
"""L_c: the smallest fragment counted (10 cm), as in the MOCAT-3 script and ESA's ≥10 cm counts."""

_NASA_BREAKUP_SCALE = 0.1 * CHARACTERISTIC_LENGTH_M**-1.71
"""0.1 L_c^−1.71 of the NASA standard breakup model (Johnson et al. 2001; MOCAT-3 script)."""


@dataclass
class DebrisState:
    """The orbital populations of every run, each array shape (R,).

    Attributes
    ----------
    active
        Active satellites S.
    derelict
        Derelict intact satellites D.
    debris
        Debris N: objects ≥ 10 cm other than payloads.
    debris_2025
        Debris in 2025, the reference of :func:`loss_multiplier`.
    asat_fragments_total
        Fragments added by destructive ASAT tests so far.
    background_per_yr
        B₂₀₂₅: background debris source at 2025 launch activity (objects/yr), calibrated by
        :func:`initial`.
    """

    active: FloatArray
    derelict: FloatArray
    debris: FloatArray
    debris_2025: FloatArray
    asat_fragments_total: FloatArray
    background_per_yr: FloatArray


@dataclass(frozen=True)
class Coefficients:
    """Collision rates φ (per pair of objects per year) and fragments K per collision, (R,)."""

    phi_ss: FloatArray
    phi_sd: FloatArray
    phi_sn: FloatArray
    phi_dd: FloatArray
    phi_dn: FloatArray
    phi_nn: FloatArray
    k_ss: FloatArray
    k_sd: FloatArray
    k_sn: FloatArray
    k_dd: FloatArray
    k_dn: FloatArray
    k_nn: FloatArray


def _parse_count(text: str) -> float:
    return float(str(text).replace(",", "").lstrip("~><=").strip())


@cache
def counts_2025() -> tuple[float, float, float]:
    """(active S, derelict D, debris N) at the start, from ``data/world/debris_counts.csv``.

    Examples
    --------
    >>> counts_2025()
    (11000.0, 2672.0, 40328.0)
    """
    table = read_csv("world", "debris_counts.csv")

    def value(year: int, metric: str) -> float:
        rows = table[(table["year"] == year) & (table["metric"] == metric)]
        if len(rows) != 1:
            raise RuntimeError(f"debris_counts.csv: no single row for {year} {metric!r}")
        return _parse_count(rows["value"].iloc[0])

    active = value(2025, "active payloads (headline)")
    payloads = value(2024, "payloads in orbit")
    at_least_10cm = value(2024, "MASTER objects >10 cm (Aug 2024)")
    return active, payloads - active, at_least_10cm - payloads


def shell_volume_km3(p: RunParameters) -> FloatArray:
    """V_shell = 4/3 π ((R⊕ + h_top)³ − (R⊕ + h_bottom)³) in km³, (R,)."""
    top = EARTH_RADIUS_KM + p["shell_ceiling_km"][:, 0]
    bottom = EARTH_RADIUS_KM + p["shell_floor_km"][:, 0]
    return np.asarray(4.0 / 3.0 * np.pi * (top**3 - bottom**3), dtype=np.float64)


_COLLISION_PARAMETERS = (
    "impact_velocity_km_s",
    "shell_floor_km",
    "shell_ceiling_km",
    "satellite_diameter_m",
    "debris_diameter_m",
    "satellite_mass_kg",
    "debris_mass_kg",
)
"""The parameters :func:`coefficients` depends on (and the only ones it may read)."""


def coefficients(p: RunParameters) -> Coefficients:
    """MOCAT-3 collision rates φ_ij = π (r_i + r_j)² v / V and NASA breakup fragments K_ij.

    Examples
    --------
    With the MOCAT-3 masses, a satellite–derelict collision makes about 500 fragments ≥ 10 cm and
    any collision with debris about 116:

    >>> from moondust.engine.params import table_defaults
    >>> c = coefficients(table_defaults("conflict", 1))
    >>> round(float(c.k_sd[0])), round(float(c.k_sn[0]))
    (498, 116)
    """
    # Only _COLLISION_PARAMETERS are visible here, so the cache of _collision_table, keyed on
    # their values, cannot miss a dependency.
    p = RunParameters({name: p[name] for name in _COLLISION_PARAMETERS})
    speed_km_s = p["impact_velocity_km_s"][:, 0]
    speed_km_yr = speed_km_s * SECONDS_PER_YEAR
    volume = shell_volume_km3(p)
    r_s = p["satellite_diameter_m"][:, 0] / 2000.0  # km
    r_n = p["debris_diameter_m"][:, 0] / 2000.0
    m_s = p["satellite_mass_kg"][:, 0]
    m_n = p["debris_mass_kg"][:, 0]

    def phi(r_a: FloatArray, r_b: FloatArray) -> FloatArray:
        return np.asarray(np.pi * (r_a + r_b) ** 2 * speed_km_yr / volume, dtype=np.float64)

    catastrophic = _NASA_BREAKUP_SCALE * (2.0 * m_s) ** 0.75
    damaging = _NASA_BREAKUP_SCALE * (np.minimum(m_s, m_n) * speed_km_s**2) ** 0.75
    damaging_nn = _NASA_BREAKUP_SCALE * (m_n * speed_km_s**2) ** 0.75
    return Coefficients(
        phi_ss=phi(r_s, r_s),
        phi_sd=phi(r_s, r_s),
        phi_sn=phi(r_s, r_n),
        phi_dd=phi(r_s, r_s),
        phi_dn=phi(r_s, r_n),
        phi_nn=phi(r_n, r_n),
        k_ss=catastrophic,
        k_sd=catastrophic,
        k_sn=damaging,
        k_dd=catastrophic,
        k_dn=damaging,
        k_nn=damaging_nn,
    )


# Rows of the (12, R) coefficient table the kernels read: the fields of Coefficients, in order.
_PHI_SS, _PHI_SD, _PHI_SN, _PHI_DD, _PHI_DN, _PHI_NN = range(6)
_K_SS, _K_SD, _K_SN, _K_DD, _K_DN, _K_NN = range(6, 12)


def _coefficient_table(c: Coefficients, runs: int) -> FloatArray:
    """``c`` as one (12, R) array, rows in the order of the fields of :class:`Coefficients`."""
    return np.stack([per_run(getattr(c, f.name), runs) for f in fields(c)])


_TABLES_KEPT = 8
"""Coefficient tables :func:`_collision_table` keeps (one per distinct block of parameters)."""

_tables: dict[bytes, FloatArray] = {}
_tables_lock = threading.Lock()


def _collision_table(p: RunParameters, runs: int) -> FloatArray:
    """:func:`coefficients` of ``p`` as a read-only (12, R) table, once per distinct values.

    The parameters are constant over a simulation, but the table used to be rebuilt every year.
    The cache key is the bytes of every parameter the table depends on, so it cannot go stale.
    """
    key = b"".join(per_run(p[name], runs).tobytes() for name in _COLLISION_PARAMETERS)
    table = _tables.get(key)
    if table is None:
        table = _coefficient_table(coefficients(p), runs)
        table.setflags(write=False)
        with _tables_lock:
            if len(_tables) >= _TABLES_KEPT:
                del _tables[next(iter(_tables))]  # the oldest
            _tables[key] = table
    return table


@kernel
def _fragments_made(c, r, alpha, alpha_a, s, d, n):  # type: ignore[no-untyped-def]
    """Debris created by collisions per year at populations (S, D, N) in run r."""
    return (
        alpha * c[_K_SN, r] * c[_PHI_SN, r] * n * s
        + alpha * c[_K_SD, r] * c[_PHI_SD, r] * d * s
        + c[_K_DN, r] * c[_PHI_DN, r] * n * d
        + c[_K_DD, r] * c[_PHI_DD, r] * d * d
        + alpha_a * c[_K_SS, r] * c[_PHI_SS, r] * s * s
        + c[_K_NN, r] * c[_PHI_NN, r] * n * n
    )


@kernel
def _fragments_of_runs(c, alpha, alpha_a, s, d, n, out):  # type: ignore[no-untyped-def]
    for r in range(out.size):
        out[r] = _fragments_made(c, r, alpha[r], alpha_a[r], s[r], d[r], n[r])


def collision_fragments(
    c: Coefficients, p: RunParameters, s: FloatArray, d: FloatArray, n: FloatArray
) -> FloatArray:
    """Debris created by collisions per year at populations (S, D, N), (R,).

    Parameters
    ----------
    c
        Collision rates and fragments per collision (:func:`coefficients`).
    p
        Run parameters (table ``conflict``), each (R, 1).
    s, d, n
        Active satellites, derelicts and debris, (R,).
    """
    shape = np.broadcast_shapes(np.shape(s), np.shape(d), np.shape(n), c.phi_ss.shape)
    runs = shape[0] if shape else 1
    out = np.empty(runs)
    _fragments_of_runs(
        _coefficient_table(c, runs),
        per_run(p["collision_avoidance_failure"], runs),
        per_run(p["active_collision_fraction"], runs),
        per_run(s, runs),
        per_run(d, runs),
        per_run(n, runs),
        out,
    )
    return out


def initial(setting: Setting, p: RunParameters, runs: int) -> DebrisState:
    """:func:`start` (the populations are the world's, whatever the setting)."""
    return start(p, runs)


def start(p: RunParameters, runs: int) -> DebrisState:
    """The 2025 populations and the background source that gives Ṅ = g₂₀₂₅ in 2025.

    Parameters
    ----------
    p
        Run parameters (table ``conflict``), each (R, 1).
    runs
        Number of runs R.

    Returns
    -------
    DebrisState
        Populations from :func:`counts_2025`, no ASAT fragments yet.
    """
    s0, d0, n0 = counts_2025()
    s = np.full(runs, s0)
    d = np.full(runs, d0)
    n = np.full(runs, n0)
    made = collision_fragments(coefficients(p), p, s, d, n)
    background = np.maximum(
        n / p["debris_residence_years"][:, 0] + p["debris_growth_2025"][:, 0] - made, 0.0
    )
    return DebrisState(
        active=s,
        derelict=d,
        debris=n,
        debris_2025=n.copy(),
        asat_fragments_total=np.zeros(runs),
        background_per_yr=np.broadcast_to(background, (runs,)).astype(np.float64, copy=True),
    )


@kernel
def _advance(x, gain, loss_rate, h):  # type: ignore[no-untyped-def]
    """x e^(−L h) + G (1 − e^(−L h)) / L, for L > 0."""
    return _advance_by(x, gain, loss_rate, np.exp(-loss_rate * h), -np.expm1(-loss_rate * h))


@kernel
def _advance_by(x, gain, loss_rate, kept, made):  # type: ignore[no-untyped-def]
    """:func:`_advance` given its factors ``kept`` = e^(−L h) and ``made`` = 1 − e^(−L h)."""
    return x * kept + gain * made / loss_rate


@kernel
def _advance_year(  # type: ignore[no-untyped-def]
    active,
    derelict,
    debris,
    asat_fragments_total,
    background_per_yr,
    launch_scale,
    asat_fragments,
    c,
    launch_rate,
    lifetime,
    disposal,
    alpha,
    alpha_a,
    disabling,
    tau_d,
    tau_n,
):
    """One year of every run's populations in place: the pulse, then the monthly sub-steps, with
    debris held at or below :data:`RUNAWAY_CEILING`."""
    h = 1.0 / SUBSTEPS_PER_YEAR
    for r in range(active.size):
        scale = max(launch_scale[r], 0.0)
        pulse = max(asat_fragments[r], 0.0)
        launches = launch_rate[r] * scale
        background = background_per_yr[r] * scale
        s = active[r]
        d = derelict[r]
        n = min(debris[r] + pulse, RUNAWAY_CEILING)
        # Debris decays at the constant rate 1/τ_N: its factors are the same every sub-step.
        n_loss = 1.0 / tau_n[r]
        n_kept = np.exp(-n_loss * h)
        n_made = -np.expm1(-n_loss * h)
        for _ in range(SUBSTEPS_PER_YEAR):
            hits = c[_PHI_SN, r] * n + c[_PHI_SD, r] * d
            s_loss = (
                1.0 / lifetime[r]
                + (disabling[r] + alpha[r]) * hits
                + alpha_a[r] * c[_PHI_SS, r] * s
            )
            d_gain = (1.0 - disposal[r]) * s / lifetime[r] + disabling[r] * hits * s
            d_loss = 1.0 / tau_d[r] + c[_PHI_DN, r] * n + c[_PHI_DD, r] * d
            n_gain = _fragments_made(c, r, alpha[r], alpha_a[r], s, d, n) + background
            s, d, n = (
                _advance(s, launches, s_loss, h),
                _advance(d, d_gain, d_loss, h),
                min(_advance_by(n, n_gain, n_loss, n_kept, n_made), RUNAWAY_CEILING),
            )
        active[r] = s
        derelict[r] = d
        debris[r] = n
        asat_fragments_total[r] += pulse


def step(state: State, setting: Setting, p: RunParameters) -> None:
    """:func:`advance` ``state.debris`` by one year, with launches scaled by total space spending
    relative to the start year and this year's ASAT fragments (``state.now.asat_fragments``)."""
    spending_start = float((setting.civil0_usd_bn + setting.military0_usd_bn).sum())
    # Summed row by row in C order: NumPy sums a row of a C-contiguous array the same way whatever
    # the number of rows, but an (R, N) array in Fortran order (as the state's spending arrays
    # are) column by column, so run i would differ in the last bit alone and in a batch.
    spending = np.ascontiguousarray(state.civil_usd_bn + state.military_usd_bn)
    launch_scale = spending.sum(axis=1) / spending_start
    advance(state.debris, p, launch_scale, state.now.asat_fragments)


def advance(
    debris_state: DebrisState,
    p: RunParameters,
    launch_scale: FloatArray,
    asat_fragments: FloatArray,
) -> None:
    """Advance the populations by one year (in place).

    Parameters
    ----------
    debris_state
        Populations of every run; updated in place.
    p
        Run parameters (table ``conflict``), each (R, 1).
    launch_scale
        Launch activity relative to 2025, (R,) ≥ 0 (the engine passes total space spending relative
        to 2025). Scales launches λ and the background debris source B.
    asat_fragments
        Fragments ≥ 10 cm from this year's destructive ASAT tests, (R,) ≥ 0, added to N at the start
        of the year.

    Notes
    -----
    Contract: ``active``, ``derelict`` and ``debris`` stay finite and ≥ 0 for finite non-negative
    inputs; ``launch_scale = 0`` with ``impact_velocity_km_s = 0`` (no collisions) gives pure
    exponential decay with the residence times (S with Δt, N with τ_N).
    """
    runs = debris_state.active.size

    def column(name: str) -> FloatArray:
        return per_run(p[name], runs)

    # New arrays each year (as the state's fields always were), filled by the kernel.
    active = np.array(debris_state.active, dtype=np.float64).reshape(-1)
    derelict = np.array(debris_state.derelict, dtype=np.float64).reshape(-1)
    debris = np.array(debris_state.debris, dtype=np.float64).reshape(-1)
    fragments_total = np.array(debris_state.asat_fragments_total, dtype=np.float64).reshape(-1)
    _advance_year(
        active,
        derelict,
        debris,
        fragments_total,
        per_run(debris_state.background_per_yr, runs),
        per_run(launch_scale, runs),
        per_run(asat_fragments, runs),
        _collision_table(p, runs),
        column("launch_rate_2025"),
        column("mission_lifetime_years"),
        column("disposal_success"),
        column("collision_avoidance_failure"),
        column("active_collision_fraction"),
        column("disabling_ratio"),
        column("derelict_residence_years"),
        column("debris_residence_years"),
    )
    debris_state.active = active
    debris_state.derelict = derelict
    debris_state.debris = debris
    debris_state.asat_fragments_total = fragments_total


def loss_multiplier(debris_state: DebrisState, p: RunParameters) -> FloatArray:
    """Factor in (0, 1] on every actor's mission success probability, shape (R, 1).

    ``m = exp(−h_L · max(N / N₂₀₂₅ − 1, 0))``: exactly 1 at (or below) the 2025 debris level.

    Examples
    --------
    >>> import numpy as np
    >>> from moondust.engine.params import table_defaults
    >>> p = table_defaults("conflict", 1)
    >>> state = start(p, 1)
    >>> float(loss_multiplier(state, p)[0, 0])
    1.0
    >>> state.debris = 2 * state.debris_2025
    >>> bool(loss_multiplier(state, p)[0, 0] < 1.0)
    True
    """
    excess = np.maximum(debris_state.debris / debris_state.debris_2025 - 1.0, 0.0)
    sensitivity = p["debris_loss_sensitivity"][:, 0]
    return np.asarray(np.exp(-sensitivity * excess), dtype=np.float64).reshape(-1, 1)


__all__ = [
    "Coefficients",
    "DebrisState",
    "advance",
    "coefficients",
    "collision_fragments",
    "counts_2025",
    "initial",
    "loss_multiplier",
    "shell_volume_km3",
    "start",
    "step",
]
