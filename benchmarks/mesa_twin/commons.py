"""What the programmes share: the orbital shells (M7), the crewed stations (M4), lunar sites (M5).

These are plain Python objects owned by the model, not agents: they do not decide anything.
Each follows docs/model.md for one run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from benchmarks.mesa_twin.inputs import SiteSpec, StationSpec
from moondust.engine import debris

if TYPE_CHECKING:
    from benchmarks.mesa_twin.agents import SpaceProgramme

SUBSTEPS_PER_YEAR = debris.SUBSTEPS_PER_YEAR
EPS = 1e-9


class OrbitalShell:
    """LEO in eight shells of active satellites S, derelicts D and debris N (docs/model.md, M7).

    The engine's model (:mod:`moondust.engine.debris`): its constants (shell volumes, drag, NASA
    breakup counts) and each year's traffic come from the same functions; the monthly sub-steps
    are plain Python loops here, where the engine compiles them.

    Parameters
    ----------
    p
        This run's parameters.
    start
        The first simulated year (its populations: 2007 for a start in 2007 or before, else 2025).
    """

    def __init__(self, p: dict[str, float], start: int) -> None:
        self.params = {name: np.full((1, 1), float(value)) for name, value in p.items()}
        self.p = p
        state = debris.start(self.params, 1, start)
        self.active = [float(x) for x in state.active_by_shell[0]]
        self.derelict = [float(x) for x in state.derelict_by_shell[0]]
        self.debris_by_shell = [float(x) for x in state.debris_by_shell[0]]
        self.debris_start = sum(self.debris_by_shell)
        orbits, b = state.orbits, state.breakups
        self.volume = [float(x) for x in orbits.volume_km3[0]]
        self.drag_d = [float(x) for x in orbits.drag_derelict[0]]
        self.drag_n = [float(x) for x in orbits.drag_debris[0]]
        self.rate = [float(x) for x in b.rate[0]]
        self.fragments = [float(x) for x in b.fragments[0]]
        self.loss_target = [float(x) for x in b.loss_target[0]]
        self.loss_projectile = [float(x) for x in b.loss_projectile[0]]
        self.disabled = [float(x) for x in b.disabled[0]]
        self.disabling = float(b.disabling[0])
        self.explosion_fragments = float(b.explosion_fragments[0])

    @property
    def debris(self) -> float:
        """Debris ≥ 10 cm in LEO."""
        return sum(self.debris_by_shell)

    def advance_year(self, year: int, launch_scale: float, asat_fragments: float) -> None:
        """One year in monthly sub-steps: the pulse, then traffic, explosions, collisions, drag."""
        t = debris.traffic(
            year, self.params, 1, np.array([launch_scale]), np.array([asat_fragments])
        )
        launches = [float(x) for x in t.launches[0]]
        s, d, n = self.active, self.derelict, self.debris_by_shell
        shells = len(s)
        for k in range(shells):
            n[k] += max(float(t.pulse[0, k]), 0.0)
        h = 1.0 / SUBSTEPS_PER_YEAR
        retired_share = -math.expm1(-float(t.retire_rate[0]) * h)
        disposal, explosions = float(t.disposal[0]), float(t.explosions[0])
        solar = float(t.solar[0])
        kept_d = [math.exp(-rate * solar * h) for rate in self.drag_d]
        kept_n = [math.exp(-rate * solar * h) for rate in self.drag_n]
        pairs = debris.PAIRS
        for _ in range(SUBSTEPS_PER_YEAR):
            for k in range(shells):
                retired = s[k] * retired_share
                s[k] += max(launches[k], 0.0) * h - retired
                d[k] += (1.0 - disposal) * retired
            intact = sum(d)
            if intact > 0.0:
                for k in range(shells):
                    blown = min(explosions * h * d[k] / intact, d[k])
                    d[k] -= blown
                    n[k] += blown * self.explosion_fragments
            for k in range(shells):
                pops = (s[k], d[k], n[k])
                per_volume = h / self.volume[k]
                demand = [0.0, 0.0, 0.0]
                events = []
                for q, (i, j) in enumerate(pairs):
                    e = self.rate[q] * pops[i] * pops[j] * per_volume
                    events.append(e)
                    demand[i] += e * (self.loss_target[q] + self.disabled[q])
                    demand[j] += e * self.loss_projectile[q]
                hit = self.disabling * pops[0] * pops[2] * per_volume
                demand[0] += hit
                scale = 1.0
                for x, want in zip(pops, demand, strict=True):
                    if want > x:
                        scale = min(scale, x / want)
                made = sum(e * f for e, f in zip(events, self.fragments, strict=True)) * scale
                disabled = hit + sum(e * f for e, f in zip(events, self.disabled, strict=True))
                s[k] = max(pops[0] - scale * demand[0], 0.0)
                d[k] = max(pops[1] - scale * demand[1], 0.0) + scale * disabled
                n[k] = max(pops[2] - scale * demand[2], 0.0) + made
            out_d = [d[k] * (1.0 - kept_d[k]) for k in range(shells)]
            out_n = [n[k] * (1.0 - kept_n[k]) for k in range(shells)]
            for k in range(shells):
                d[k] -= out_d[k]
                n[k] -= out_n[k]
                if k + 1 < shells:
                    d[k] += out_d[k + 1]
                    n[k] += out_n[k + 1]

    def loss_multiplier(self) -> float:
        """Factor on every mission's success chance: 1 at or below the starting debris level."""
        excess = max(self.debris / self.debris_start - 1.0, 0.0)
        return math.exp(-self.p["debris_loss_sensitivity"] * excess)


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
