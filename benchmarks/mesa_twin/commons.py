"""What the programmes share: the orbital shell (M7), the crewed stations (M4), lunar sites (M5).

These are plain Python objects owned by the model, not agents: they do not decide anything.
Each follows docs/model.md for one run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from benchmarks.mesa_twin.inputs import SiteSpec, StationSpec

if TYPE_CHECKING:
    from benchmarks.mesa_twin.agents import SpaceProgramme

EARTH_RADIUS_KM = 6378.1
SECONDS_PER_YEAR = 365.25 * 24 * 3600
SUBSTEPS_PER_YEAR = 12
NASA_BREAKUP_SCALE = 0.1 * 0.1**-1.71
"""0.1 L_c^−1.71 with L_c = 10 cm (NASA standard breakup model)."""
EPS = 1e-9


class OrbitalShell:
    """One LEO shell of active satellites S, derelicts D and debris N (MOCAT-3 source-sink).

    Parameters
    ----------
    p
        This run's parameters.
    populations
        (S, D, N) in 2025.
    """

    def __init__(self, p: dict[str, float], populations: tuple[float, float, float]) -> None:
        self.p = p
        speed = p["impact_velocity_km_s"]
        top = EARTH_RADIUS_KM + p["shell_ceiling_km"]
        bottom = EARTH_RADIUS_KM + p["shell_floor_km"]
        volume = 4.0 / 3.0 * math.pi * (top**3 - bottom**3)
        r_s = p["satellite_diameter_m"] / 2000.0
        r_n = p["debris_diameter_m"] / 2000.0

        def rate(r_a: float, r_b: float) -> float:
            return math.pi * (r_a + r_b) ** 2 * speed * SECONDS_PER_YEAR / volume

        self.phi_intact = rate(r_s, r_s)  # S–S, S–D, D–D
        self.phi_mixed = rate(r_s, r_n)  # S–N, D–N
        self.phi_nn = rate(r_n, r_n)
        m_s, m_n = p["satellite_mass_kg"], p["debris_mass_kg"]
        self.k_catastrophic = NASA_BREAKUP_SCALE * (2.0 * m_s) ** 0.75
        self.k_damaging = NASA_BREAKUP_SCALE * (min(m_s, m_n) * speed**2) ** 0.75
        self.k_nn = NASA_BREAKUP_SCALE * (m_n * speed**2) ** 0.75
        self.active, self.derelict, self.debris = populations
        self.debris_2025 = self.debris
        made = self.collision_fragments(self.active, self.derelict, self.debris)
        self.background = max(
            self.debris / p["debris_residence_years"] + p["debris_growth_2025"] - made, 0.0
        )

    def collision_fragments(self, s: float, d: float, n: float) -> float:
        """Debris made by collisions per year at populations (S, D, N)."""
        alpha = self.p["collision_avoidance_failure"]
        alpha_a = self.p["active_collision_fraction"]
        return (
            alpha * self.k_damaging * self.phi_mixed * n * s
            + alpha * self.k_catastrophic * self.phi_intact * d * s
            + self.k_damaging * self.phi_mixed * n * d
            + self.k_catastrophic * self.phi_intact * d * d
            + alpha_a * self.k_catastrophic * self.phi_intact * s * s
            + self.k_nn * self.phi_nn * n * n
        )

    def advance_year(self, launch_scale: float, asat_fragments: float) -> None:
        """One year in monthly exponential-Euler sub-steps; ASAT fragments arrive first."""
        p = self.p
        scale = max(launch_scale, 0.0)
        launches = p["launch_rate_2025"] * scale
        background = self.background * scale
        lifetime = p["mission_lifetime_years"]
        disabling = p["disabling_ratio"]
        alpha = p["collision_avoidance_failure"]
        alpha_a = p["active_collision_fraction"]
        s, d = self.active, self.derelict
        n = self.debris + max(asat_fragments, 0.0)
        h = 1.0 / SUBSTEPS_PER_YEAR
        for _ in range(SUBSTEPS_PER_YEAR):
            hits = self.phi_mixed * n + self.phi_intact * d
            s_loss = 1.0 / lifetime + (disabling + alpha) * hits + alpha_a * self.phi_intact * s
            d_gain = (1.0 - p["disposal_success"]) * s / lifetime + disabling * hits * s
            d_loss = 1.0 / p["derelict_residence_years"] + self.phi_mixed * n + self.phi_intact * d
            n_gain = self.collision_fragments(s, d, n) + background
            n_loss = 1.0 / p["debris_residence_years"]
            s, d, n = (
                _advance(s, launches, s_loss, h),
                _advance(d, d_gain, d_loss, h),
                _advance(n, n_gain, n_loss, h),
            )
        self.active, self.derelict, self.debris = s, d, n

    def loss_multiplier(self) -> float:
        """Factor on every mission's success chance: 1 at or below the 2025 debris level."""
        excess = max(self.debris / self.debris_2025 - 1.0, 0.0)
        return math.exp(-self.p["debris_loss_sensitivity"] * excess)


def _advance(x: float, gain: float, loss_rate: float, h: float) -> float:
    decay = math.exp(-loss_rate * h)
    return x * decay + gain * (-math.expm1(-loss_rate * h)) / loss_rate


class Site:
    """A lunar He-3 deposit: what is left, who opened it, whether it is a joint base."""

    def __init__(self, spec: SiteSpec) -> None:
        self.remaining_kg = spec.he3_kg
        self.mean_ppb = spec.mean_ppb
        self.far_side = spec.far_side
        self.holder = -1
        self.joint = False


class Station:
    """A crewed station: schedule, training pipelines, treaty quotas and seat pools (M4).

    Parameters
    ----------
    spec
        The station's row of ``data/engine/stations.csv``, mapped onto the actors.
    start
        The first simulated year.
    host_holds
        Whether the host holds the station's required milestone at the start.
    p
        This run's parameters.
    """

    def __init__(self, spec: StationSpec, start: int, host_holds: bool, p: dict[str, float]):
        self.spec = spec
        n = len(spec.quota)
        self.is_open = spec.open_year <= start <= spec.close_year and host_holds
        self.closed = start > spec.close_year
        opened = spec.open_year if math.isfinite(spec.open_year) else float(start)
        self.opened_year: float | None = opened if self.is_open else None
        self.training = [-1.0] * n
        if self.is_open:
            for j in range(n):
                if spec.treaty[j]:
                    self.training[j] = p["crew_training_years"]
                elif spec.trainee_since[j] <= start:  # NaN compares False
                    self.training[j] = start - spec.trainee_since[j]
        self.quota_credit = [0.0] * n
        self.bloc_credit = 0.0
        self.guest_credit = 0.0
        self.seats_by_nationality = [0] * n

    def fly(
        self,
        year: int,
        programmes: Sequence[SpaceProgramme],
        training_before: list[list[float]],
        p: dict[str, float],
        sanction: Sequence[Sequence[bool]],
    ) -> list[int]:
        """Open or close, advance training, and allocate this year's seats by nationality."""
        spec = self.spec
        n = len(programmes)
        host = programmes[spec.host]
        was_opened = self.opened_year is not None
        if year > spec.close_year:
            self.closed = True
        host_holds = spec.milestone < 0 or host.holds(spec.milestone)
        scheduled = spec.open_year <= year <= spec.close_year
        self.is_open = scheduled and not self.closed and (host_holds or was_opened)
        seats = [0] * n
        if not self.is_open:
            self.training = [-1.0] * n
            self.quota_credit = [0.0] * n
            self.bloc_credit = self.guest_credit = 0.0
            return seats
        if not was_opened:
            self.opened_year = float(year)

        # Training pipeline: who the station is open to, years trained, who is qualified.
        phi = min(max(p["bloc_partner_share"], 0.0), 1.0)
        station_openness = min(max(host.levers["station_openness"], 0.0), 1.0)
        guests_on = station_openness > 0
        qualified = [False] * n
        for j, programme in enumerate(programmes):
            willing = programme.levers["openness"] >= p["guest_openness_min"]
            pooled = willing and ((spec.bloc[j] and phi > 0) or guests_on)
            if not (spec.eligible[j] and (spec.treaty[j] or pooled)):
                continue
            if self.training[j] >= 0:
                self.training[j] += 1.0
            elif spec.successor_of >= 0:
                self.training[j] = max(training_before[spec.successor_of][j], 0.0)
            else:
                self.training[j] = 0.0
            qualified[j] = self.training[j] >= p["crew_training_years"] - EPS

        # 1. Treaty quotas with a carried fractional entitlement.
        for j in range(n):
            if spec.treaty[j]:
                entitled = self.quota_credit[j] + spec.quota[j] * spec.seats
                whole = math.floor(entitled + EPS)
                if qualified[j]:
                    seats[j] = whole
                self.quota_credit[j] = max(entitled - whole, 0.0)
        remaining = spec.seats - sum(seats)

        # 2. Bloc partners' pool, then 3. the guests' pool, one seat at a time in rotation.
        count = [0] * n
        aboard_conflict = list(sanction[spec.host])
        cap = max(math.floor(p["guest_seats_max"] + EPS), 1)
        priority = [self.seats_by_nationality[j] * n + (j + year) % n for j in range(n)]
        share = phi if any(spec.bloc) else 0.0
        credit = self.bloc_credit + share * remaining
        offer = math.floor(credit + EPS)
        self.bloc_credit = max(credit - offer, 0.0)
        candidates = [qualified[j] and spec.bloc[j] for j in range(n)]
        given = self._pick(candidates, offer, priority, count, aboard_conflict, cap, sanction)
        remaining -= given
        for j in range(n):
            seats[j] += count[j]

        credit = self.guest_credit + station_openness * remaining
        offer = math.floor(credit + EPS)
        self.guest_credit = max(credit - offer, 0.0)
        big = n * (n + 1) * 1e6
        guest_priority = [(0.0 if spec.bloc_mate[j] else big) + priority[j] for j in range(n)]
        candidates = [qualified[j] and not spec.treaty[j] and guests_on for j in range(n)]
        before = list(count)
        self._pick(candidates, offer, guest_priority, count, aboard_conflict, cap, sanction)
        for j in range(n):
            seats[j] += count[j] - before[j]

        # 4. The host flies the rest.
        seats[spec.host] = spec.seats - sum(seats)
        for j in range(n):
            self.seats_by_nationality[j] += seats[j]
        return seats

    @staticmethod
    def _pick(
        candidates: list[bool],
        offer: int,
        priority: list[float],
        count: list[int],
        conflict: list[bool],
        cap: int,
        sanction: Sequence[Sequence[bool]],
    ) -> int:
        """Give up to ``offer`` seats one at a time to the first eligible candidate; return how
        many were given (``count`` and ``conflict`` are updated in place)."""
        given = 0
        for _ in range(offer):
            best, best_priority = -1, math.inf
            for j, candidate in enumerate(candidates):
                if candidate and not conflict[j] and count[j] < cap and priority[j] < best_priority:
                    best, best_priority = j, priority[j]
            if best < 0:
                break
            count[best] += 1
            given += 1
            for k, sanctioned in enumerate(sanction[best]):
                if sanctioned:
                    conflict[k] = True
        return given
