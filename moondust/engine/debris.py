"""M7. The orbital commons: a multi-shell source-sink debris model (docs/model.md, M7).

Low Earth orbit (200–2,000 km) is cut into eight altitude shells k
(``data/world/debris_shells.csv``), each holding three species: active satellites S_k, derelict
intact objects D_k and debris N_k (objects ≥ 10 cm), as in the MOCAT source-sink models
(D'Ambrosio, Lifson & Linares 2022, arXiv:2206.05345; MIT ARCLab MOCAT-SSEM and pyssem). A year
is twelve monthly sub-steps of four operators, each of which keeps every population ≥ 0 and never
creates mass:

* **Traffic.** Launches λ_k enter S_k; actives retire at 1/Δt, a share P (post-mission disposal)
  is removed and 1 − P becomes derelict in place.
* **Explosions.** E events a year (ESA: 12.5 fragmentations a year over two decades) strike
  derelicts, spread over shells in proportion to D_k; each turns one derelict into
  min(6 S L_c^−1.6, m_S/m_N) fragments (NASA standard breakup model, Johnson et al. 2001).
* **Collisions.** For each pair of species (i, j) in shell k the collisions per year are

      C_ij = γ_ij σ_ij v n_i n_j / V_k   (i ≠ j),     C_ii = ½ γ_ii σ_ii v n_i² / V_k

  (σ_ij = π (r_i + r_j)², so each unordered pair of objects is counted once), with γ the share
  of encounters not avoided (α_a for active–active, α for active–other, 1 otherwise). Each
  collision follows the NASA standard breakup model (Johnson, Krisko, Liou & Anz-Meador 2001,
  Adv. Space Res. 28(9):1377–1384, doi:10.1016/S0273-1177(01)00423-9; Krisko 2011, NASA ODQN
  15(4)): it is catastrophic when the projectile's kinetic energy per target mass
  ½ m_p v² / m_t ≥ 40 J/g — tested for every pair — and then makes
  N = 0.1 (m_t + m_p)^0.75 L_c^−1.71 fragments ≥ L_c and destroys both objects; otherwise
  N = 0.1 (m_p v²)^0.75 L_c^−1.71 (v in km/s), the projectile is destroyed and the target
  survives damaged (an active one becomes derelict). Mass is conserved: N m_N ≤ m_t + m_p (the
  count is capped), and a damaged target gives up the ejecta's mass beyond the projectile's as a
  fraction of an object. δ (MOCAT's disabling ratio) non-lethal hits by debris < 10 cm per
  lethal one turn actives into derelicts.
* **Drag.** Derelicts and debris sink to the shell below at 1/T_k and re-enter from the lowest,
  where T_k = ∫ dh / (ρ(h) F(t) β √(μ a)) is the time to fall through the shell (King-Hele's
  circular-orbit decay da/dt = −ρ β √(μ a)), β = C_d A/m with C_d = 2.2 and A = π d²/4,
  ρ(h) the static exponential atmosphere of Vallado (2013, *Fundamentals of Astrodynamics and
  Applications*, 4th ed., Table 8-4) and F(t) = exp(A_s cos 2π φ(t)) / I₀(A_s) a solar-cycle
  factor with mean one, φ the phase between the recorded solar maxima (2001.9, 2014.3, 2024.8;
  then every 11 years) and A_s = ln(17)/2 from the ×17 swing of JB2008 density at 500 km
  between the 2025 maximum and the 2031 minimum (Bowman et al. 2008, AIAA 2008-6438, profiles
  as shipped with MOCAT-SSEM). Active satellites keep station.

Fragments of destructive ASAT tests (``state.now.asat_fragments``) arrive as a pulse in the shell
of ``asat_altitude_km`` at the start of the year. Recorded fragmentations (FY-1C 2007, Burnt Frost
2008, Iridium 33–Cosmos 2251 2009, Shakti 2019, Kosmos-1408 2021; ``fragmentation_events.csv``)
arrive in their shells in their years when those years are simulated (the hindcast).

Launches: up to 2025 the record (``satellites_launched.csv``, Starlink to its shell, the rest by
the shares of ``debris_shells.csv``); after it, the constellations of ``constellations.csv`` grow
linearly to ``constellation_realisation`` × their planned size by their plan year and are
replenished at 1/Δt, and other launches (``launch_rate_2025``) scale with government space
spending relative to the start year — government spending drives government launches only.

Debris is a commons: every actor's mission success probability is multiplied by

    m = exp(−h_L · max(N / N₂₀₂₅ − 1, 0)),

a labelled assumption (a lunar mission crosses LEO in hours, so the physical risk is small; h_L's
range includes 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

import numpy as np

from moondust.datafiles import read_csv
from moondust.engine.jit import kernel
from moondust.engine.params import RunParameters, per_run
from moondust.engine.state import FloatArray, Setting, State

SUBSTEPS_PER_YEAR = 12
"""Sub-steps of the integrator in a simulated year (monthly)."""

EARTH_RADIUS_KM = 6378.1
"""Earth's equatorial radius (km), as in the MOCAT scripts."""

MU_EARTH_M3_S2 = 3.986004418e14
"""Earth's gravitational parameter (m³/s²)."""

SECONDS_PER_YEAR = 365.25 * 24 * 3600
"""Julian year (s)."""

CHARACTERISTIC_LENGTH_M = 0.1
"""L_c: the smallest fragment counted (10 cm), as in ESA's ≥ 10 cm counts."""

CATASTROPHIC_J_PER_G = 40.0
"""Energy-to-target-mass ratio above which a collision is catastrophic (Johnson et al. 2001)."""

DRAG_COEFFICIENT = 2.2
"""C_d of every object (MOCAT-SSEM, pyssem)."""

SOLAR_MAXIMA = (2001.9, 2014.3, 2024.8)
"""Recorded maxima of solar cycles 23–25 (NOAA SWPC / SIDC smoothed sunspot number); later
maxima every :data:`SOLAR_PERIOD_YEARS`."""

SOLAR_PERIOD_YEARS = 11.0

_BREAKUP_SCALE = 0.1 * CHARACTERISTIC_LENGTH_M**-1.71
_EXPLOSION_SCALE = 6.0 * CHARACTERISTIC_LENGTH_M**-1.6

# Vallado (2013) Table 8-4, from 200 km up: base altitude (km), density (kg/m³), scale height (km).
_ATMOSPHERE = np.array(
    [
        (200.0, 2.789e-10, 37.105),
        (250.0, 7.248e-11, 45.546),
        (300.0, 2.418e-11, 53.628),
        (350.0, 9.518e-12, 53.298),
        (400.0, 3.725e-12, 58.515),
        (450.0, 1.585e-12, 60.828),
        (500.0, 6.967e-13, 63.822),
        (600.0, 1.454e-13, 71.835),
        (700.0, 3.614e-14, 88.667),
        (800.0, 1.170e-14, 124.64),
        (900.0, 5.245e-15, 181.05),
        (1000.0, 3.019e-15, 268.00),
    ]
)

# Species and the six unordered pairs (i, j) of the collision kernel, i the heavier.
ACTIVE, DERELICT, DEBRIS = 0, 1, 2
PAIRS = ((0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2))
"""SS, SD, SN, DD, DN, NN."""


def density(altitude_km: FloatArray) -> FloatArray:
    """Static exponential atmosphere (Vallado 2013, Table 8-4) in kg/m³.

    Examples
    --------
    >>> float(density(np.array([400.0]))[0])
    3.725e-12
    """
    h = np.asarray(altitude_km, dtype=np.float64)
    row = np.clip(np.searchsorted(_ATMOSPHERE[:, 0], h, side="right") - 1, 0, None)
    base, rho0, scale = _ATMOSPHERE[row, 0], _ATMOSPHERE[row, 1], _ATMOSPHERE[row, 2]
    return np.asarray(rho0 * np.exp(-(h - base) / scale), dtype=np.float64)


def solar_factor(year: float, amplitude: FloatArray) -> FloatArray:
    """F(t) = exp(A cos 2πφ) / I₀(A): the solar cycle's density factor at mid-``year`` (mean 1)."""
    t = float(year) + 0.5
    maxima = list(SOLAR_MAXIMA)
    while maxima[-1] <= t:
        maxima.append(maxima[-1] + SOLAR_PERIOD_YEARS)
    while maxima[0] > t:
        maxima.insert(0, maxima[0] - SOLAR_PERIOD_YEARS)
    i = int(np.searchsorted(maxima, t, side="right")) - 1
    phase = (t - maxima[i]) / (maxima[i + 1] - maxima[i])
    a = np.asarray(amplitude, dtype=np.float64)
    return np.asarray(np.exp(a * np.cos(2.0 * np.pi * phase)) / np.i0(a), dtype=np.float64)


# ---------------------------------------------------------------------------------------------
# Data: shells, initial populations, traffic and events of the record


@cache
def shell_table() -> tuple[FloatArray, dict[str, FloatArray]]:
    """Shell edges (K + 1,) in km and the shares of each population and of launches by shell."""
    table = read_csv("world", "debris_shells.csv").sort_values("shell")
    edges = np.append(table["floor_km"].to_numpy(float), table["ceiling_km"].iloc[-1])
    shares = {
        name: table[name].to_numpy(float) / table[name].sum()
        for name in table.columns
        if name.endswith(("_2025", "_2007")) or name == "other_launches"
    }
    return edges, shares


SHELLS = 8
"""Number of altitude shells K."""


def _parse_count(text: str) -> float:
    return float(str(text).replace(",", "").lstrip("~><=").strip())


def _count(year: int, metric: str) -> float:
    table = read_csv("world", "debris_counts.csv")
    rows = table[(table["year"] == year) & (table["metric"] == metric)]
    if len(rows) != 1:
        raise RuntimeError(f"debris_counts.csv: no single row for {year} {metric!r}")
    return _parse_count(rows["value"].iloc[0])


@cache
def counts_2025() -> tuple[float, float, float]:
    """(active S, derelict D, debris N) at the start, from ``data/world/debris_counts.csv``.

    Examples
    --------
    >>> counts_2025()
    (11000.0, 2672.0, 40328.0)
    """
    active = _count(2025, "active payloads (headline)")
    payloads = _count(2024, "payloads in orbit")
    at_least_10cm = _count(2024, "MASTER objects >10 cm (Aug 2024)")
    return active, payloads - active, at_least_10cm - payloads


@cache
def counts_2007() -> tuple[float, float, float]:
    """(S, D, N) in LEO on 1 January 2007 (derived, ``debris_counts.csv``).

    Catalogued LEO objects (6,823) scaled to ≥ 10 cm by the 2024 ratio of MASTER objects ≥ 10 cm to
    tracked objects (54,000 / 39,246); active and intact shares as recorded in the table.

    Examples
    --------
    >>> [round(x) for x in counts_2007()]
    [450, 2000, 6938]
    """
    catalogued = _count(2007, "catalogued objects in LEO (1 Jan)")
    ratio = _count(2024, "MASTER objects >10 cm (Aug 2024)") / _count(
        2024, "tracked objects in orbit"
    )
    active = _count(2007, "active payloads in LEO (1 Jan)")
    intact = _count(2007, "derelict payloads and rocket bodies in LEO (1 Jan)")
    return active, intact, catalogued * ratio - active - intact


@cache
def _launch_record() -> dict[int, tuple[float, float]]:
    table = read_csv("world", "satellites_launched.csv")
    years = table["year"].to_numpy(int)
    values = table[["satellites", "starlink"]].to_numpy(float)
    return {int(y): (float(v[0]), float(v[1])) for y, v in zip(years, values, strict=True)}


@cache
def _events() -> tuple[tuple[int, float, float], ...]:
    table = read_csv("world", "fragmentation_events.csv")
    years = table["year"].to_numpy(int)
    values = table[["altitude_km", "fragments"]].to_numpy(float)
    return tuple((int(y), float(v[0]), float(v[1])) for y, v in zip(years, values, strict=True))


@cache
def _constellations() -> tuple[tuple[float, float, float, float], ...]:
    """(altitude km, planned, plan year, deployed 2025) of each constellation."""
    table = read_csv("world", "constellations.csv")
    values = table[["altitude_km", "planned", "plan_year", "deployed_2025"]].to_numpy(float)
    return tuple((float(v[0]), float(v[1]), float(v[2]), float(v[3])) for v in values)


def shell_of(altitude_km: float) -> int:
    """Index of the shell holding ``altitude_km`` (clipped to the grid)."""
    edges, _ = shell_table()
    return int(np.clip(np.searchsorted(edges, altitude_km, side="right") - 1, 0, SHELLS - 1))


# ---------------------------------------------------------------------------------------------
# Constants of a run: orbits and breakups


class Orbits(NamedTuple):
    """Per-run shell constants, each (R, K)."""

    volume_km3: FloatArray
    drag_derelict: FloatArray
    """1/T_k of a derelict at mean solar activity (1/yr)."""
    drag_debris: FloatArray
    """1/T_k of a debris object at mean solar activity (1/yr)."""


class Breakups(NamedTuple):
    """Per-run collision and breakup constants; the pair axis follows :data:`PAIRS`."""

    rate: FloatArray
    """γ_ij σ_ij v (× ½ for i = j), km³/yr, (R, 6): collisions/yr = rate n_i n_j / V."""
    fragments: FloatArray
    """Fragments ≥ L_c per collision, capped so their mass ≤ the colliding mass, (R, 6)."""
    loss_target: FloatArray
    """Objects of species i destroyed per collision (1, or a mass share if non-catastrophic)."""
    loss_projectile: FloatArray
    """Objects of species j destroyed per collision, (R, 6)."""
    disabled: FloatArray
    """Active targets that survive damaged (become derelicts) per collision, (R, 6)."""
    disabling: FloatArray
    """Non-lethal hits by debris < 10 cm per S–N encounter rate σ v / V (δ), (R,)."""
    explosion_fragments: FloatArray
    """Fragments ≥ L_c of one explosion of a derelict, (R,)."""


def breakup(
    m_target: FloatArray, m_projectile: FloatArray, v_km_s: FloatArray, m_fragment: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """NASA standard breakup of one collision: (fragments ≥ L_c, catastrophic, target objects
    destroyed, projectile objects destroyed).

    Examples
    --------
    Two 223 kg satellites at 10 km/s: catastrophic, 0.1 · 446^0.75 · 0.1^−1.71 ≈ 498 fragments;
    two 0.64 kg debris objects: 6.3 by the formula, capped at 2 by their mass:

    >>> n, cat, _, _ = breakup(np.array([223.0, 0.64]), np.array([223.0, 0.64]), 10.0, 0.64)
    >>> [round(float(x), 1) for x in n], [bool(c) for c in cat]
    ([497.7, 2.0], [True, True])
    """
    m_t = np.maximum(np.asarray(m_target, dtype=np.float64), np.asarray(m_projectile))
    m_p = np.minimum(np.asarray(m_target, dtype=np.float64), np.asarray(m_projectile))
    v = np.asarray(v_km_s, dtype=np.float64)
    energy_j_per_g = 0.5 * m_p * (v * 1e3) ** 2 / (m_t * 1e3)
    catastrophic = energy_j_per_g >= CATASTROPHIC_J_PER_G
    mass = np.where(catastrophic, m_t + m_p, m_p * v**2)
    count = np.minimum(_BREAKUP_SCALE * mass**0.75, (m_t + m_p) / m_fragment)
    lost_target = np.where(catastrophic, 1.0, np.clip((count * m_fragment - m_p) / m_t, 0.0, 1.0))
    return (
        np.asarray(count, dtype=np.float64),
        np.asarray(catastrophic),
        np.asarray(lost_target, dtype=np.float64),
        np.ones_like(np.asarray(count, dtype=np.float64)),
    )


def breakups(p: RunParameters, runs: int) -> Breakups:
    """:class:`Breakups` of every run from its parameters."""

    def col(name: str) -> FloatArray:
        return per_run(p[name], runs)

    v = col("impact_velocity_km_s")
    mass = (col("satellite_mass_kg"), col("satellite_mass_kg"), col("debris_mass_kg"))
    r_s, r_n = col("satellite_diameter_m") / 2000.0, col("debris_diameter_m") / 2000.0
    radius = (r_s, r_s, r_n)
    alpha, alpha_a = col("collision_avoidance_failure"), col("active_collision_fraction")
    m_n = mass[DEBRIS]
    columns: dict[str, list[FloatArray]] = {
        k: [] for k in ("rate", "fragments", "loss_target", "loss_projectile", "disabled")
    }
    for i, j in PAIRS:
        gamma = alpha_a if (i, j) == (0, 0) else alpha if i == ACTIVE else np.ones(runs)
        same = 0.5 if i == j else 1.0
        sigma = np.pi * (radius[i] + radius[j]) ** 2
        columns["rate"].append(same * gamma * sigma * v * SECONDS_PER_YEAR)
        count, catastrophic, lost_t, lost_p = breakup(mass[i], mass[j], v, m_n)
        columns["fragments"].append(count)
        columns["loss_target"].append(lost_t)
        columns["loss_projectile"].append(lost_p)
        survives = (1.0 - lost_t) if i == ACTIVE and j != ACTIVE else np.zeros(runs)
        columns["disabled"].append(np.where(catastrophic, 0.0, survives))
    rate_sn = np.pi * (radius[ACTIVE] + radius[DEBRIS]) ** 2 * v * SECONDS_PER_YEAR
    explosion = np.minimum(_EXPLOSION_SCALE * col("explosion_scale"), mass[DERELICT] / m_n)
    return Breakups(
        **{k: np.ascontiguousarray(np.stack(v_, axis=1)) for k, v_ in columns.items()},
        disabling=np.ascontiguousarray(col("disabling_ratio") * rate_sn),
        explosion_fragments=np.ascontiguousarray(explosion),
    )


def _fall_time_years(bottom: FloatArray, top: FloatArray, beta: FloatArray) -> FloatArray:
    """T = ∫ dh / (ρ(h) β √(μ a)) through each shell, (R, K), by the midpoint rule on 400 steps.

    β factors out of the integral, which is computed once per distinct shell grid.
    """
    grids, inverse = np.unique(np.concatenate([bottom, top], axis=1), axis=0, return_inverse=True)
    shells = bottom.shape[1]
    low, high = grids[:, :shells], grids[:, shells:]
    steps = 400
    u = (np.arange(steps) + 0.5) / steps
    h = low[..., None] + (high - low)[..., None] * u  # (G, K, steps)
    speed = density(h) * np.sqrt(MU_EARTH_M3_S2 * (EARTH_RADIUS_KM + h) * 1e3)  # m/s at β = 1
    km_per_year = speed * SECONDS_PER_YEAR / 1e3
    integral = ((high - low)[..., None] / steps / km_per_year).sum(axis=-1)  # (G, K)
    return np.asarray(integral[inverse.reshape(-1)] / beta[:, None])


def orbits(p: RunParameters, runs: int) -> Orbits:
    """:class:`Orbits` of every run: the shell grid of ``debris_shells.csv`` stretched to
    [``shell_floor_km``, ``shell_ceiling_km``] (the grid itself at the defaults)."""
    edges, _ = shell_table()
    floor, ceiling = per_run(p["shell_floor_km"], runs), per_run(p["shell_ceiling_km"], runs)
    unit = (edges - edges[0]) / (edges[-1] - edges[0])
    grid = floor[:, None] + (ceiling - floor)[:, None] * unit[None, :]  # (R, K + 1)
    bottom, top = grid[:, :-1], grid[:, 1:]
    volume = 4.0 / 3.0 * np.pi * ((EARTH_RADIUS_KM + top) ** 3 - (EARTH_RADIUS_KM + bottom) ** 3)

    def beta(diameter: str, mass: str) -> FloatArray:
        area = np.pi * per_run(p[diameter], runs) ** 2 / 4.0
        return np.asarray(DRAG_COEFFICIENT * area / per_run(p[mass], runs))

    return Orbits(
        volume_km3=np.ascontiguousarray(volume),
        drag_derelict=np.ascontiguousarray(
            1.0 / _fall_time_years(bottom, top, beta("satellite_diameter_m", "satellite_mass_kg"))
        ),
        drag_debris=np.ascontiguousarray(
            1.0 / _fall_time_years(bottom, top, beta("debris_diameter_m", "debris_mass_kg"))
        ),
    )


# ---------------------------------------------------------------------------------------------
# State


@dataclass
class DebrisState:
    """The orbital populations of every run by shell, (R, K), and the run's constants."""

    active_by_shell: FloatArray
    derelict_by_shell: FloatArray
    debris_by_shell: FloatArray
    debris_2025: FloatArray
    """Debris at the start (R,), the reference of :func:`loss_multiplier`."""
    asat_fragments_total: FloatArray
    """Fragments added by destructive ASAT tests so far (R,)."""
    constants: dict[str, FloatArray]
    """The run's :class:`Orbits` and :class:`Breakups` arrays by field name (a dict, so that a
    run's slice of the state is a slice of every array)."""

    @property
    def orbits(self) -> Orbits:
        """The run's shell constants."""
        return Orbits(*(self.constants[name] for name in Orbits._fields))

    @property
    def breakups(self) -> Breakups:
        """The run's collision and breakup constants."""
        return Breakups(*(self.constants[name] for name in Breakups._fields))

    @property
    def active(self) -> FloatArray:
        """Active satellites in LEO (R,)."""
        return np.asarray(self.active_by_shell.sum(axis=1))

    @property
    def derelict(self) -> FloatArray:
        """Derelict intact objects in LEO (R,)."""
        return np.asarray(self.derelict_by_shell.sum(axis=1))

    @property
    def debris(self) -> FloatArray:
        """Debris ≥ 10 cm in LEO (R,)."""
        return np.asarray(self.debris_by_shell.sum(axis=1))

    def mass_kg(self, p: RunParameters) -> FloatArray:
        """Mass of every object counted, (R,)."""
        runs = self.active_by_shell.shape[0]
        intact = (self.active_by_shell + self.derelict_by_shell).sum(axis=1)
        return np.asarray(
            intact * per_run(p["satellite_mass_kg"], runs)
            + self.debris_by_shell.sum(axis=1) * per_run(p["debris_mass_kg"], runs)
        )


def initial(setting: Setting, p: RunParameters, runs: int) -> DebrisState:
    """:func:`start` at the setting's start year."""
    return start(p, runs, setting.start)


def start(p: RunParameters, runs: int, year: int = 2025) -> DebrisState:
    """Populations on 1 January of ``year``: the 2007 ones (:func:`counts_2007`) for a start in
    2007 or before, else the 2025 ones (:func:`counts_2025`), spread over the shells by the
    shares of ``debris_shells.csv``."""
    _, shares = shell_table()
    tag = "2007" if year <= 2007 else "2025"
    s0, d0, n0 = counts_2007() if tag == "2007" else counts_2025()

    def spread(total: float, name: str) -> FloatArray:
        return np.ascontiguousarray(
            np.broadcast_to(total * shares[f"{name}_{tag}"], (runs, SHELLS))
        )

    n = spread(n0, "debris").copy()
    return DebrisState(
        active_by_shell=spread(s0, "active").copy(),
        derelict_by_shell=spread(d0, "intact").copy(),
        debris_by_shell=n,
        debris_2025=n.sum(axis=1),
        asat_fragments_total=np.zeros(runs),
        constants=constants(orbits(p, runs), breakups(p, runs)),
    )


def constants(run_orbits: Orbits, run_breakups: Breakups) -> dict[str, FloatArray]:
    """:attr:`DebrisState.constants` of the given orbits and breakups."""
    return {**run_orbits._asdict(), **run_breakups._asdict()}


# ---------------------------------------------------------------------------------------------
# Traffic


def launches(
    year: int, p: RunParameters, runs: int, government_scale: FloatArray | None = None
) -> FloatArray:
    """Satellites launched into each shell in ``year``, (R, K).

    Up to the last recorded year, the record (``satellites_launched.csv``: Starlink to 550 km,
    the rest by the ``other_launches`` shares). After it, constellations grow linearly from
    their 2025 size to ``constellation_realisation`` × planned by their plan year and are
    replenished at 1/Δt; other launches are ``launch_rate_2025`` × ``government_scale``.
    """
    _, shares = shell_table()
    out = np.zeros((runs, SHELLS))
    record = _launch_record()
    if year in record:
        total, starlink = record[year]
        out += (total - starlink) * shares["other_launches"]
        out[:, shell_of(550.0)] += starlink
        return out
    scale = np.ones(runs) if government_scale is None else per_run(government_scale, runs)
    out += (per_run(p["launch_rate_2025"], runs) * np.maximum(scale, 0.0))[:, None] * shares[
        "other_launches"
    ]
    realised = per_run(p["constellation_realisation"], runs)
    lifetime = per_run(p["mission_lifetime_years"], runs)
    last = max(record)
    for altitude, planned, plan_year, deployed in _constellations():

        def size(
            t: float, planned: float = planned, deployed: float = deployed, due: float = plan_year
        ) -> FloatArray:
            progress = min(max((t - last) / max(due - last, 1.0), 0.0), 1.0)
            return np.asarray(deployed + (realised * planned - deployed) * progress)

        now, before = size(year), size(year - 1)
        out[:, shell_of(altitude)] += np.maximum(now - before, 0.0) + before / lifetime
    return out


def events(year: int, runs: int) -> FloatArray:
    """Fragments of the recorded fragmentation events of ``year`` by shell, (R, K)."""
    out = np.zeros((runs, SHELLS))
    for event_year, altitude, fragments in _events():
        if event_year == year:
            out[:, shell_of(altitude)] += fragments
    return out


# ---------------------------------------------------------------------------------------------
# The year


class Populations(NamedTuple):
    """The kernel's view of the state, each (R, K), updated in place."""

    active: FloatArray
    derelict: FloatArray
    debris: FloatArray


class Traffic(NamedTuple):
    """This year's inputs of every run."""

    launches: FloatArray
    """Satellites launched per year into each shell (R, K)."""
    pulse: FloatArray
    """Fragments added to each shell at the start of the year (R, K)."""
    retire_rate: FloatArray
    """1/Δt (R,)."""
    disposal: FloatArray
    """Post-mission disposal success P (R,)."""
    explosions: FloatArray
    """Explosions per year (R,)."""
    solar: FloatArray
    """Solar-cycle density factor F this year (R,)."""


@kernel
def _collide(x, r, k, b, per_volume):  # type: ignore[no-untyped-def]
    """One sub-step of collisions in shell k of run r (in place), scaled down together when they
    would destroy more objects than the shell holds; creates no mass."""
    s = x.active[r, k]
    d = x.derelict[r, k]
    n = x.debris[r, k]
    e_ss = b.rate[r, 0] * s * s * per_volume
    e_sd = b.rate[r, 1] * s * d * per_volume
    e_sn = b.rate[r, 2] * s * n * per_volume
    e_dd = b.rate[r, 3] * d * d * per_volume
    e_dn = b.rate[r, 4] * d * n * per_volume
    e_nn = b.rate[r, 5] * n * n * per_volume
    hit = b.disabling[r] * s * n * per_volume
    lost = b.loss_target
    gone = b.loss_projectile
    off = b.disabled
    # pairs (S,S) (S,D) (S,N) (D,D) (D,N) (N,N): target species first
    demand_s = (
        e_ss * (lost[r, 0] + off[r, 0] + gone[r, 0])
        + e_sd * (lost[r, 1] + off[r, 1])
        + e_sn * (lost[r, 2] + off[r, 2])
        + hit
    )
    demand_d = e_sd * gone[r, 1] + e_dd * (lost[r, 3] + off[r, 3] + gone[r, 3])
    demand_d += e_dn * (lost[r, 4] + off[r, 4])
    demand_n = e_sn * gone[r, 2] + e_dn * gone[r, 4] + e_nn * (lost[r, 5] + off[r, 5] + gone[r, 5])
    scale = 1.0
    if demand_s > s:
        scale = min(scale, s / demand_s)
    if demand_d > d:
        scale = min(scale, d / demand_d)
    if demand_n > n:
        scale = min(scale, n / demand_n)
    f = b.fragments
    made = (
        e_ss * f[r, 0]
        + e_sd * f[r, 1]
        + e_sn * f[r, 2]
        + e_dd * f[r, 3]
        + e_dn * f[r, 4]
        + e_nn * f[r, 5]
    )
    disabled = hit + e_ss * off[r, 0] + e_sd * off[r, 1] + e_sn * off[r, 2]
    x.active[r, k] = max(s - scale * demand_s, 0.0)
    x.derelict[r, k] = max(d - scale * demand_d, 0.0) + scale * disabled
    x.debris[r, k] = max(n - scale * demand_n, 0.0) + scale * made


@kernel
def _advance_year(x, orbits, b, traffic):  # type: ignore[no-untyped-def]
    """One year of every run in place: the pulse, then monthly traffic, explosions, collisions
    and drag. Each operator keeps populations ≥ 0 and creates no mass."""
    h = 1.0 / SUBSTEPS_PER_YEAR
    runs, shells = x.active.shape
    kept_d = np.empty(shells)
    kept_n = np.empty(shells)
    out_d = np.empty(shells)
    out_n = np.empty(shells)
    for r in range(runs):
        for k in range(shells):
            x.debris[r, k] += max(traffic.pulse[r, k], 0.0)
            # drag is constant over the year: the share of each shell kept per sub-step
            kept_d[k] = np.exp(-orbits.drag_derelict[r, k] * traffic.solar[r] * h)
            kept_n[k] = np.exp(-orbits.drag_debris[r, k] * traffic.solar[r] * h)
        retired_share = -np.expm1(-traffic.retire_rate[r] * h)
        for _ in range(SUBSTEPS_PER_YEAR):
            # traffic
            for k in range(shells):
                retired = x.active[r, k] * retired_share
                x.active[r, k] += max(traffic.launches[r, k], 0.0) * h - retired
                x.derelict[r, k] += (1.0 - traffic.disposal[r]) * retired
            # explosions, spread over shells in proportion to derelicts
            intact = 0.0
            for k in range(shells):
                intact += x.derelict[r, k]
            if intact > 0.0:
                for k in range(shells):
                    blown = min(
                        traffic.explosions[r] * h * x.derelict[r, k] / intact, x.derelict[r, k]
                    )
                    x.derelict[r, k] -= blown
                    x.debris[r, k] += blown * b.explosion_fragments[r]
            # collisions
            for k in range(shells):
                _collide(x, r, k, b, h / orbits.volume_km3[r, k])
            # drag: derelicts and debris sink a shell; from the lowest they re-enter
            for k in range(shells):
                out_d[k] = x.derelict[r, k] * (1.0 - kept_d[k])
                out_n[k] = x.debris[r, k] * (1.0 - kept_n[k])
            for k in range(shells):
                x.derelict[r, k] -= out_d[k]
                x.debris[r, k] -= out_n[k]
                if k + 1 < shells:
                    x.derelict[r, k] += out_d[k + 1]
                    x.debris[r, k] += out_n[k + 1]


def traffic(
    year: int,
    p: RunParameters,
    runs: int,
    government_scale: FloatArray | None = None,
    asat_fragments: FloatArray | None = None,
) -> Traffic:
    """This year's :class:`Traffic`: :func:`launches`, the recorded events of the year plus
    ``asat_fragments`` (R,) in the shell of ``asat_altitude_km``, and the solar factor."""
    pulse = events(year, runs)
    if asat_fragments is not None:
        edges, _ = shell_table()
        altitude = per_run(p["asat_altitude_km"], runs)
        shell = np.clip(np.searchsorted(edges, altitude, side="right") - 1, 0, SHELLS - 1)
        pulse[np.arange(runs), shell] += np.maximum(per_run(asat_fragments, runs), 0.0)
    return Traffic(
        launches=np.ascontiguousarray(launches(year, p, runs, government_scale)),
        pulse=np.ascontiguousarray(pulse),
        retire_rate=np.ascontiguousarray(1.0 / per_run(p["mission_lifetime_years"], runs)),
        disposal=per_run(p["disposal_success"], runs),
        explosions=per_run(p["explosions_per_year"], runs),
        solar=np.ascontiguousarray(solar_factor(year, per_run(p["solar_cycle_amplitude"], runs))),
    )


def run_year(debris_state: DebrisState, year_traffic: Traffic) -> None:
    """Advance the populations by one year in place.

    Contract: every population stays finite and ≥ 0 for finite non-negative inputs, and
    collisions and explosions never add mass (:meth:`DebrisState.mass_kg` changes by launches,
    disposal and re-entries only).
    """
    x = Populations(
        debris_state.active_by_shell, debris_state.derelict_by_shell, debris_state.debris_by_shell
    )
    _advance_year(x, debris_state.orbits, debris_state.breakups, year_traffic)
    debris_state.asat_fragments_total = debris_state.asat_fragments_total + year_traffic.pulse.sum(
        axis=1
    )


def advance(
    debris_state: DebrisState,
    p: RunParameters,
    launch_scale: FloatArray,
    asat_fragments: FloatArray,
    year: int = 2026,
) -> None:
    """:func:`run_year` of ``year`` with government launches scaled by ``launch_scale`` (R,) and
    ``asat_fragments`` (R,) from this year's destructive ASAT tests."""
    runs = debris_state.active_by_shell.shape[0]
    run_year(debris_state, traffic(year, p, runs, launch_scale, asat_fragments))


def step(state: State, setting: Setting, p: RunParameters) -> None:
    """Advance ``state.debris`` by one year: government launches scaled by total space spending
    relative to the start year, the constellations' path, this year's ASAT fragments
    (``state.now.asat_fragments``) and the recorded events of the year."""
    spending_start = float((setting.civil0_usd_bn + setting.military0_usd_bn).sum())
    # Summed row by row in C order so that run i is the same alone and in a batch.
    spending = np.ascontiguousarray(state.civil_usd_bn + state.military_usd_bn)
    scale = spending.sum(axis=1) / spending_start
    runs = state.runs
    fragments = state.now.asat_fragments if state.now.asat_fragments.size else np.zeros(runs)
    advance(state.debris, p, scale, fragments, state.year)


def loss_multiplier(debris_state: DebrisState, p: RunParameters) -> FloatArray:
    """Factor in (0, 1] on every actor's mission success probability, shape (R, 1).

    ``m = exp(−h_L · max(N / N₂₀₂₅ − 1, 0))``: exactly 1 at (or below) the starting debris level.

    Examples
    --------
    >>> from moondust.engine.params import table_defaults
    >>> p = table_defaults("conflict", 1)
    >>> state = start(p, 1)
    >>> float(loss_multiplier(state, p)[0, 0])
    1.0
    >>> state.debris_by_shell *= 2
    >>> bool(loss_multiplier(state, p)[0, 0] < 1.0)
    True
    """
    excess = np.maximum(debris_state.debris / debris_state.debris_2025 - 1.0, 0.0)
    sensitivity = p["debris_loss_sensitivity"][:, 0]
    return np.asarray(np.exp(-sensitivity * excess), dtype=np.float64).reshape(-1, 1)


# ---------------------------------------------------------------------------------------------
# Hindcast

HINDCAST_START = 2007
HINDCAST_END = 2025


def hindcast_parameters(runs: int, seed: int) -> RunParameters:
    """The debris parameters drawn uniformly over their documented ranges (the rest at defaults)."""
    from moondust.parameters import load_specs

    rng = np.random.default_rng(seed)
    p = RunParameters()
    for name, spec in load_specs("conflict").items():
        p[name] = rng.uniform(spec.low, spec.high, size=(runs, 1))
    return p


def hindcast_totals(p: RunParameters, runs: int) -> dict[int, FloatArray]:
    """Objects ≥ 10 cm in LEO (S + D + N) on 1 January of 2007 … 2026, driven by recorded traffic
    and events alone, (R,) per year."""
    state = start(p, runs, HINDCAST_START)
    totals = {HINDCAST_START: state.active + state.derelict + state.debris}
    for year in range(HINDCAST_START, HINDCAST_END + 1):
        run_year(state, traffic(year, p, runs))
        totals[year + 1] = state.active + state.derelict + state.debris
    return totals


def debris_hindcast(runs: int = 200, seed: int = 20) -> list[dict[str, float | int | str]]:
    """The debris hindcast 2007→2025 against every recorded count of objects ≥ 10 cm.

    Rows ``{"year", "metric", "observed", "model_q05", "model_q50", "model_q95"}``, the model
    taken at mid-year (the mean of 1 January of the year and of the next) over ``runs`` draws of
    the debris parameters across their ranges. The model counts LEO only, the recorded counts
    every orbit (docs/validation.md, "Debris hindcast").
    """
    totals = hindcast_totals(hindcast_parameters(runs, seed), runs)
    table = read_csv("world", "debris_counts.csv")
    rows: list[dict[str, float | int | str]] = []
    for year_text, metric, value in zip(
        table["year"], table["metric"], table["value"], strict=True
    ):
        metric = str(metric)
        if not str(year_text).isdigit() or ">10 cm" not in metric:
            continue
        year = int(str(year_text))
        if not HINDCAST_START <= year <= HINDCAST_END:
            continue
        model = 0.5 * (totals[year] + totals[year + 1])
        q05, q50, q95 = np.quantile(model, [0.05, 0.5, 0.95])
        rows.append(
            {
                "year": year,
                "metric": metric,
                "observed": _parse_count(str(value)),
                "model_q05": float(q05),
                "model_q50": float(q50),
                "model_q95": float(q95),
            }
        )
    return rows


__all__ = [
    "Breakups",
    "DebrisState",
    "Orbits",
    "advance",
    "breakup",
    "breakups",
    "counts_2007",
    "counts_2025",
    "debris_hindcast",
    "density",
    "initial",
    "launches",
    "loss_multiplier",
    "orbits",
    "run_year",
    "solar_factor",
    "start",
    "step",
    "traffic",
]
