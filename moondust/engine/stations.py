"""M4. Stations and crews (docs/model.md, M4).

Stations come from ``data/engine/stations.csv``: the ISS (treaty partners, deorbit ~2030),
Tiangong (six seats a year), their successors (a US commercial station, Russia's ROS) and the lunar
bases (ILRS, Artemis Base Camp), which open once their host holds the ``surface_outpost``
milestone. A station *s* with host *h* flies ``C_s`` seats a year, allocated in this order:

1. **Treaty quotas** (ISS partners): partner *j* is entitled to ``q_sj C_s`` seats a year and flies
   the whole part of its running entitlement, ``P_sj = ⌊e_sj + q_sj C_s⌋`` with carry
   ``e_sj ← e_sj + q_sj C_s − P_sj`` in [0, 1). Loading checks ``Σ_j q_sj C_s + #partners ≤ C_s``
   so the quotas never exceed capacity.
2. **Bloc partners** (lunar bases, the US commercial station): a pool of
   ``B_s = ⌊b_s + φ (C_s − Σ_j P_sj)⌋`` seats for the host's bloc partners.
3. **Guests**: a pool of ``G_s = ⌊g_s + o_h (C_s − Σ_j P_sj − B_s^flown)⌋`` seats, with ``o_h`` the
   host's ``station_openness`` lever.
4. The host flies every remaining seat: ``H_s = C_s − Σ_j P_sj − B_s^flown − G_s^flown ≥ 0``.

The pool credits ``b_s, g_s`` keep only the fraction below one seat; offered seats no qualified
candidate takes go back to the host and are not banked. Pool seats go one at a time to the
qualified candidate first in a rotating order: bloc-mates of the host before others (guest pool
only), then fewest seats flown on this station so far, then ``(j + year) mod N``; each nationality
flies at most ``n_max`` pooled seats per station-year. A candidate sanctioned with anyone already
aboard that year (host, treaty partner or an earlier pick) is skipped, so sanctioned pairs never
fly together (the Wolf Amendment keeps US crews off Chinese stations and Chinese crews off US
ones); the one exception is treaty partners of the same station (the ISS partners fly together
under the 1998 Intergovernmental Agreement despite the 2022 sanctions on Russia).

**Training pipeline** (basic plus assigned-crew training, 1.5–3 years with language: a labelled
assumption, docs/model.md M4). An actor enters the pipeline of station *s* in the first year the
station is open to it — it is a treaty partner, or it is not sanctioned with the host or a treaty
partner, its ``openness`` lever is at least ``o_min``, and it is a bloc partner (φ > 0) or the
host's ``station_openness`` is positive. Its training ``τ_sj`` then counts the years the station
stays open to it; it flies only once ``τ_sj ≥ T_c``. Training pauses while the station is not open
to it and is lost when the station closes; a successor station (``successor_of``) takes over the
training its predecessor's candidates had. Once qualified, a nationality stays qualified (its corps
keeps astronauts in assigned-crew training).

**Crew links** (a hypothesis with no published calibration; docs/model.md M4). Each foreign seat
flown on a station of host *h* by nationality *j* adds one to the symmetric stock

    L_hj(t) = (1 − δ_L) L_hj(t − 1) + F_hj(t) + F_jh(t),

with its start year's steady state ``L⁰_hj = q_hj C / δ_L`` (the ISS partners' quotas). What the
links do, a spillover bonus and a rivalry relief, is :mod:`moondust.engine.crew`.

The yearly work is done by compiled kernels (:mod:`moondust.engine.jit`) that loop over runs,
stations, actors and the seats of one station-year; loading the table
(:mod:`moondust.engine.station_table`) stays in NumPy. There are no random draws: the allocation is
a deterministic function of the state, so run *i* is the same alone or in any batch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

import numba
import numpy as np

from moondust.engine.jit import kernel
from moondust.engine.params import RunParameters, columns
from moondust.engine.state import BoolArray, FloatArray, Setting, State
from moondust.engine.station_table import IntArray, StationCatalogue, StationTable, load_stations
from moondust.world.stations import StationSpec, markdown_table, station_specs

NOT_IN_TRAINING = -1.0
"""Value of :attr:`StationState.training` for a nationality with no candidate in the pipeline."""

_EPS = 1e-9

_F = TypeVar("_F", bound=Callable[..., Any])


def _inlined(function: _F) -> _F:
    """A compiled helper of :func:`_advance_stations`, inlined into it by Numba (not called).

    It takes arrays, never the named tuples: a call per station costs more than its work, and
    tuples passed even to inlined helpers made the step four times slower (measured).
    """
    return numba.njit(cache=True, nogil=True, inline="always")(function)  # type: ignore[return-value]


@dataclass
class StationState:
    """Stations and crews for R runs, S stations and N actors.

    Attributes
    ----------
    open
        Station flies crews this year (R, S).
    seats_flown
        Seats flown this year by nationality (R, S, N); each station's row sums to its seats
        when open and to 0 when not.
    seats_total
        Seats flown since the start on every station, own and foreign (R, N).
    foreign_flights_total
        Seats flown since the start on stations hosted by another actor (R, N).
    flown_ever
        Has flown a crew member to a modelled station since the start (R, N).
    training
        Years the nationality's candidates have trained for the station, −1 if none in the
        pipeline (R, S, N); qualified from ``crew_training_years`` on.
    crew_link
        Symmetric stock of recent host–guest seats ``L`` (R, N, N), zero diagonal.
    crew_link0
        Start-year steady state ``L⁰`` of the treaty quotas (R, N, N): the contact already
        present in 2025, which the bonus and the relief do not count again.
    seats_by_station
        Seats flown since the start per station and nationality (R, S, N).
    opened_year
        Year each station first flew crews, NaN if never (R, S).
    closed
        Past its close year (R, S); a closed station never reopens.
    quota_credit
        Treaty entitlement carried to next year, in [0, 1) (R, S, N).
    bloc_credit, guest_credit
        Pool credit carried to next year, in [0, 1) (R, S).
    """

    open: BoolArray
    seats_flown: IntArray
    seats_total: IntArray
    foreign_flights_total: IntArray
    flown_ever: BoolArray
    training: FloatArray
    crew_link: FloatArray
    crew_link0: FloatArray
    seats_by_station: IntArray
    opened_year: FloatArray
    closed: BoolArray
    quota_credit: FloatArray
    bloc_credit: FloatArray
    guest_credit: FloatArray


def _scheduled(table: StationTable, year: int) -> BoolArray:
    return np.asarray((table.open_year <= year) & (year <= table.close_year))


def _host_holds(table: StationTable, achieved: BoolArray, s: int) -> BoolArray:
    """Whether the host of station s holds its required milestone, per run (R,)."""
    m = int(table.milestone[s])
    if m < 0:
        return np.ones(achieved.shape[0], dtype=bool)
    return np.asarray(achieved[:, table.host[s], m], dtype=bool)


def table_of(setting: Setting) -> StationTable:
    """The setting's station table (:attr:`Setting.stations`)."""
    if setting.stations is None:
        raise ValueError("the setting has no station table (build it with build_setting)")
    return setting.stations


def initial(setting: Setting, p: RunParameters, runs: int) -> StationState:
    """The stations at the start year: open ones, qualified treaty partners, early trainees.

    Stations whose schedule covers the start year (and whose host holds the required milestone
    in ``setting.achieved0``) are open. Their treaty partners start qualified; a table's trainees
    (Pakistan on Tiangong since 2025) start with the years trained so far. The crew link starts at
    the treaty quotas' steady state ``L⁰ = q C / δ_L``.
    """
    table = table_of(setting)
    size, n = table.size, setting.n_actors
    year = setting.start
    achieved0 = np.broadcast_to(setting.achieved0, (runs, *setting.achieved0.shape))
    is_open = np.zeros((runs, size), dtype=bool)
    for s in range(size):
        is_open[:, s] = _scheduled(table, year)[s] & _host_holds(table, achieved0, s)
    qualified = np.broadcast_to(p["crew_training_years"][:, :, None], (runs, size, n))
    trained = np.where(
        table.trainee_since <= year, year - np.nan_to_num(table.trainee_since), NOT_IN_TRAINING
    )
    training = np.where(table.treaty[None], qualified, trained[None])
    training = np.where(is_open[:, :, None], training, NOT_IN_TRAINING)

    link0 = np.zeros((runs, n, n))
    expected = np.where(is_open[:, :, None], table.quota * table.seats[:, None], 0.0)
    for s in range(size):
        link0[:, table.host[s], :] += expected[:, s, :]
    link0 = (link0 + link0.transpose(0, 2, 1)) / p["crew_link_decay"][:, :, None]

    opened = np.where(np.isfinite(table.open_year), table.open_year, float(year))
    return StationState(
        open=is_open,
        seats_flown=np.zeros((runs, size, n), dtype=np.int64),
        seats_total=np.zeros((runs, n), dtype=np.int64),
        foreign_flights_total=np.zeros((runs, n), dtype=np.int64),
        flown_ever=np.zeros((runs, n), dtype=bool),
        training=np.ascontiguousarray(training, dtype=np.float64),
        crew_link=link0.copy(),
        crew_link0=link0,
        seats_by_station=np.zeros((runs, size, n), dtype=np.int64),
        opened_year=np.where(is_open, opened[None], np.nan),
        closed=np.broadcast_to(year > table.close_year, (runs, size)).copy(),
        quota_credit=np.zeros((runs, size, n)),
        bloc_credit=np.zeros((runs, size)),
        guest_credit=np.zeros((runs, size)),
    )


def _stations(state: State) -> StationState:
    stations = state.stations
    if not isinstance(stations, StationState):
        raise TypeError("state.stations is not a StationState; set it with stations.initial()")
    return stations


class StationInputs(NamedTuple):
    """This year's inputs to the stations from the rest of the state (R runs, N actors).

    Attributes
    ----------
    year
        The simulated year.
    achieved
        Milestones held (R, N, M), bool: a lunar base opens once its host holds its milestone.
    station_openness
        The hosts' ``station_openness`` lever (R, N), float64; clipped to [0, 1] where read.
    openness
        Each actor's ``openness`` lever (R, N), float64: at least ``o_min`` to train abroad.
    """

    year: int
    achieved: BoolArray
    station_openness: FloatArray
    openness: FloatArray


class StationParameters(NamedTuple):
    """The stations' parameters, each a per-run column (R,) float64 (:func:`per_run`)."""

    guest_openness_min: FloatArray
    crew_training_years: FloatArray
    guest_seats_max: FloatArray
    bloc_partner_share: FloatArray
    crew_link_decay: FloatArray


class StationArrays(NamedTuple):
    """The arrays of a :class:`StationState` the kernels update in place (same names, shapes).

    ``open`` (R, S), ``seats_flown`` (R, S, N), ``seats_total`` (R, N), ``foreign_flights_total``
    (R, N), ``flown_ever`` (R, N), ``training`` (R, S, N), ``crew_link`` (R, N, N),
    ``seats_by_station`` (R, S, N), ``opened_year`` (R, S), ``closed`` (R, S), ``quota_credit``
    (R, S, N), ``bloc_credit`` (R, S) and ``guest_credit`` (R, S).
    """

    open: BoolArray
    seats_flown: IntArray
    seats_total: IntArray
    foreign_flights_total: IntArray
    flown_ever: BoolArray
    training: FloatArray
    crew_link: FloatArray
    seats_by_station: IntArray
    opened_year: FloatArray
    closed: BoolArray
    quota_credit: FloatArray
    bloc_credit: FloatArray
    guest_credit: FloatArray


class _Workspace(NamedTuple):
    """Scratch arrays of one call of :func:`_advance_stations` (S stations, N actors, H hosts).

    Fixed for the call: ``rotation`` (N,) ``(j + year) mod N``; ``has_bloc`` (S,) the station has
    bloc partners; ``hosts`` (H,) the actors hosting a station; ``predecessor`` (S,) some station
    succeeds it. Per run: ``before`` (S, N) the predecessors' training before this year; ``willing``
    (N,) ``openness ≥ o_min``; ``flights`` (N, N) foreign seats ``F`` by host (rows) and
    nationality. Per station: ``conflict`` (N,) sanctioned with someone aboard,
    ``pooled`` (N,) pooled seats given, ``priority`` and ``guest_priority`` (N,) the pools' orders,
    ``bloc_candidates`` and ``guest_candidates`` (N,) actor indices, ``pool`` (N,) seats flown.
    """

    rotation: FloatArray
    has_bloc: BoolArray
    hosts: IntArray
    predecessor: BoolArray
    before: FloatArray
    willing: BoolArray
    flights: FloatArray
    conflict: BoolArray
    pooled: IntArray
    priority: FloatArray
    guest_priority: FloatArray
    bloc_candidates: IntArray
    guest_candidates: IntArray
    pool: IntArray


@kernel
def _workspace(year, table):  # type: ignore[no-untyped-def]
    """The scratch of one call, with the tables fixed for it filled in."""
    size, n = table.bloc.shape
    rotation = np.empty(n)
    for j in range(n):
        rotation[j] = float((j + year) % n)
    has_bloc = np.zeros(size, dtype=np.bool_)
    for s in range(size):
        for j in range(n):
            has_bloc[s] = has_bloc[s] or table.bloc[s, j]
    # Only hosts fly guests, so only their rows of ``flights`` are ever written.
    hosting = np.zeros(n, dtype=np.bool_)
    for s in range(size):
        hosting[table.host[s]] = True
    predecessor = np.zeros(size, dtype=np.bool_)
    for s in range(size):
        if table.successor_of[s] >= 0:
            predecessor[table.successor_of[s]] = True
    return _Workspace(
        rotation,
        has_bloc,
        np.flatnonzero(hosting),
        predecessor,
        np.empty((size, n)),
        np.zeros(n, dtype=np.bool_),
        np.zeros((n, n)),
        np.zeros(n, dtype=np.bool_),
        np.zeros(n, dtype=np.int64),
        np.empty(n),
        np.empty(n),
        np.empty(n, dtype=np.int64),
        np.empty(n, dtype=np.int64),
        np.zeros(n, dtype=np.int64),
    )


@_inlined
def _begin_run(  # type: ignore[no-untyped-def]
    r, willing_min, openness, training, willing, predecessor, before, hosts, flights
):
    """Run r's start: who is willing to train abroad, the predecessors' training, no F yet."""
    size, n = before.shape
    for j in range(n):
        willing[j] = openness[r, j] >= willing_min
    # a successor takes over the training its predecessor had before this year
    for s in range(size):
        if predecessor[s]:
            for j in range(n):
                before[s, j] = training[r, s, j]
    for h in hosts:
        for j in range(n):
            flights[h, j] = 0.0


@_inlined
def _lapse(r, s, training, quota_credit, seats_flown, bloc_credit, guest_credit):  # type: ignore[no-untyped-def]
    """Station s does not fly in run r: nothing flies, nobody trains, credits lapse.

    What the general path gives a station that is not open, without running it.
    """
    bloc_credit[r, s] = 0.0
    guest_credit[r, s] = 0.0
    for j in range(training.shape[2]):
        training[r, s, j] = NOT_IN_TRAINING
        quota_credit[r, s, j] = 0.0
        seats_flown[r, s, j] = 0


@_inlined
def _give_seats(offer, candidates, order, cap, sanction, conflict, count, pool):  # type: ignore[no-untyped-def]
    """Give a pool's ``offer`` seats one at a time; returns the seats given.

    Each goes to the first eligible candidate: the lowest ``order`` among ``candidates`` (actor
    indices, increasing) not in ``conflict`` with anyone aboard and under the per-nationality
    ``cap`` (ties: the lowest index, as ``argmin``). Updates ``conflict``, ``count``, ``pool``.
    """
    n = conflict.shape[0]
    given = 0
    while given < offer:
        best = -1
        lowest = np.inf
        for c in range(candidates.shape[0]):
            j = candidates[c]
            if not conflict[j] and count[j] < cap and order[j] < lowest:
                lowest = order[j]
                best = j
        if best < 0:
            break  # nobody left to take a seat; the rest go back to the host
        for k in range(n):
            conflict[k] = conflict[k] or sanction[best, k]
        # Priorities are fixed for the year and candidates only drop out, so the first stays
        # first while it may take seats: give them without scanning again.
        while True:
            pool[best] += 1
            count[best] += 1
            given += 1
            if given == offer or count[best] >= cap or conflict[best]:
                break
    return given


@_inlined
def _record_seats(  # type: ignore[no-untyped-def]
    r, s, h, pool, seats_flown, seats_by_station, seats_total, flown_ever, foreign, flights
):
    """Station s's seats ``pool`` (host h) flown in run r: the records, and F by host."""
    for j in range(pool.shape[0]):
        flown = pool[j]
        seats_flown[r, s, j] = flown
        seats_by_station[r, s, j] += flown
        seats_total[r, j] += flown
        if flown > 0:
            flown_ever[r, j] = True
        if j != h:
            foreign[r, j] += flown
            flights[h, j] += flown


@_inlined
def _crew_links(r, decay, crew_link, hosts, flights):  # type: ignore[no-untyped-def]
    """Crew links of run r: L ← (1 − δ_L) L + F + Fᵀ, summed in that order.

    F is zero outside the hosts' rows, so Fᵀ is zero outside their columns: add only there.
    """
    n = crew_link.shape[1]
    keep = 1.0 - decay
    for i in range(n):
        for j in range(n):
            crew_link[r, i, j] = keep * crew_link[r, i, j]
    for h in hosts:
        for j in range(n):
            crew_link[r, h, j] += flights[h, j]
    for h in hosts:
        for i in range(n):
            crew_link[r, i, h] += flights[h, i]


@kernel
def _advance_stations(inputs, parameters, table, arrays):  # type: ignore[no-untyped-def]
    """One year of every station in every run: schedule, training, seat allocation, records.

    Mirrors :func:`step` (which documents the rules); every state array is updated in place.
    The named tuples are unpacked into locals once, here, and the helpers (inlined) take arrays:
    written as helpers taking the tuples, the per-station steps ran four to ten times slower
    (measured; Numba counted references to the tuples' arrays at every step).
    """
    year = inputs.year
    achieved = inputs.achieved
    station_openness_lever = inputs.station_openness
    openness = inputs.openness
    guest_openness_min = parameters.guest_openness_min
    training_years = parameters.crew_training_years
    guest_seats_max = parameters.guest_seats_max
    bloc_partner_share = parameters.bloc_partner_share
    crew_link_decay = parameters.crew_link_decay
    host = table.host
    capacity = table.seats
    open_year = table.open_year
    close_year = table.close_year
    milestone = table.milestone
    successor_of = table.successor_of
    quota = table.quota
    treaty = table.treaty
    bloc = table.bloc
    eligible = table.eligible
    bloc_mate = table.bloc_mate
    sanction = table.sanction
    is_open = arrays.open
    seats_flown = arrays.seats_flown
    seats_total = arrays.seats_total
    foreign_flights_total = arrays.foreign_flights_total
    flown_ever = arrays.flown_ever
    training = arrays.training
    crew_link = arrays.crew_link
    seats_by_station = arrays.seats_by_station
    opened_year = arrays.opened_year
    closed = arrays.closed
    quota_credit = arrays.quota_credit
    bloc_credit = arrays.bloc_credit
    guest_credit = arrays.guest_credit
    runs, size, n = seats_flown.shape
    eps = _EPS
    big = float(n) * (float(n) + 1.0) * 1e6
    work = _workspace(year, table)
    before = work.before
    willing = work.willing
    conflict = work.conflict
    count = work.pooled
    priority = work.priority
    guest_priority = work.guest_priority
    bloc_candidates = work.bloc_candidates
    guest_candidates = work.guest_candidates
    pool = work.pool
    rotation = work.rotation
    has_bloc = work.has_bloc
    hosts = work.hosts
    flights = work.flights
    predecessor = work.predecessor
    for r in range(runs):
        willing_min = guest_openness_min[r]
        needed = training_years[r] - eps
        cap = max(np.floor(guest_seats_max[r] + eps), 1.0)
        phi = min(max(bloc_partner_share[r], 0.0), 1.0)
        _begin_run(r, willing_min, openness, training, willing, predecessor, before, hosts, flights)

        for s in range(size):
            h = host[s]
            seats_s = capacity[s]
            was_opened = not np.isnan(opened_year[r, s])
            if year > close_year[s]:
                closed[r, s] = True
            holds = milestone[s] < 0 or achieved[r, h, milestone[s]]
            now_open = (
                open_year[s] <= year
                and year <= close_year[s]
                and not closed[r, s]
                and (holds or was_opened)
            )
            is_open[r, s] = now_open
            if not now_open:
                _lapse(r, s, training, quota_credit, seats_flown, bloc_credit, guest_credit)
                continue
            if not was_opened:
                opened_year[r, s] = float(year)

            # Training pipeline: who the station is open to, years trained, who is qualified;
            # the treaty quotas; and the qualified candidates of the two pools, by actor index.
            station_openness = min(max(station_openness_lever[r, h], 0.0), 1.0)
            guests_on = station_openness > 0
            pred = successor_of[s]
            quota_total = 0
            bloc_number = 0
            guest_number = 0
            for j in range(n):
                is_treaty = treaty[s, j]
                pooled = willing[j] and ((bloc[s, j] and phi > 0) or guests_on)
                open_to = eligible[s, j] and (is_treaty or pooled)
                trained = training[r, s, j]
                if open_to:
                    if trained >= 0:
                        trained = trained + 1.0
                    elif pred >= 0:
                        trained = max(before[pred, j], 0.0)
                    else:
                        trained = 0.0
                training[r, s, j] = trained
                qualified = open_to and trained >= needed

                # 1. Treaty quotas with a carried fractional entitlement.
                taken = 0
                carry = 0.0
                if is_treaty:
                    entitled = quota_credit[r, s, j] + quota[s, j] * seats_s
                    whole = np.floor(entitled + eps)
                    if qualified:
                        taken = int(whole)
                    carry = entitled - whole
                quota_credit[r, s, j] = carry if carry > 0.0 else 0.0
                pool[j] = taken
                quota_total += taken
                count[j] = 0
                conflict[j] = sanction[h, j]
                if qualified:
                    priority[j] = float(seats_by_station[r, s, j]) * n + rotation[j]
                    if bloc[s, j]:
                        bloc_candidates[bloc_number] = j
                        bloc_number += 1
                    if guests_on and not is_treaty:
                        # the host's bloc-mates first
                        tier = 0.0 if bloc_mate[s, j] else big
                        guest_priority[j] = tier + priority[j]
                        guest_candidates[guest_number] = j
                        guest_number += 1
            remaining = seats_s - quota_total

            # 2. Bloc partners' pool, then 3. the guests' pool (from the host's station_openness
            # lever). Each offers the whole part of its credit, one seat at a time
            # (:func:`_give_seats`).
            for guests in range(2):
                if guests:
                    credit = guest_credit[r, s] + station_openness * remaining
                    candidates = guest_candidates
                    number = guest_number
                    order = guest_priority
                else:
                    credit = bloc_credit[r, s] + (phi if has_bloc[s] else 0.0) * remaining
                    candidates = bloc_candidates
                    number = bloc_number
                    order = priority
                offer = int(np.floor(credit + eps))
                if guests:
                    guest_credit[r, s] = max(credit - offer, 0.0)
                else:
                    bloc_credit[r, s] = max(credit - offer, 0.0)
                given = _give_seats(
                    offer, candidates[:number], order, cap, sanction, conflict, count, pool
                )
                remaining -= given

            # 4. The host flies the rest (the host is never a candidate: pool[h] is 0), and the
            # totals; F, the foreign seats by host, goes into the crew links below.
            foreign = 0
            for j in range(n):
                foreign += pool[j]
            pool[h] = seats_s - foreign
            _record_seats(
                r,
                s,
                h,
                pool,
                seats_flown,
                seats_by_station,
                seats_total,
                flown_ever,
                foreign_flights_total,
                flights,
            )

        _crew_links(r, crew_link_decay[r], crew_link, hosts, flights)


def step(state: State, setting: Setting, p: RunParameters) -> None:
    """Open and close stations, advance the training pipelines, fly this year's crews.

    Reads ``state.year``, ``state.achieved`` and the levers ``station_openness`` and
    ``openness``; updates ``state.stations`` (a :class:`StationState`) in place.

    Contract: every open station flies exactly its seats, none when not open; pooled seats go only
    to candidates trained at least ``crew_training_years`` on the station; no two nationalities
    sanctioned with each other fly on one station in one year unless both are its treaty
    partners; a host whose ``station_openness`` is 0 flies no guests (only treaty and bloc
    partners).
    """
    st = _stations(state)
    table = table_of(setting)
    runs = state.runs
    inputs = StationInputs(
        year=int(state.year),
        achieved=state.achieved,
        station_openness=np.ascontiguousarray(state.levers["station_openness"], dtype=np.float64),
        openness=np.ascontiguousarray(state.levers["openness"], dtype=np.float64),
    )
    parameters = columns(StationParameters, p, runs)
    arrays = StationArrays(*(getattr(st, name) for name in StationArrays._fields))
    _advance_stations(inputs, parameters, table.catalogue(), arrays)


def running_costs(stations: StationState, table: StationTable) -> FloatArray:
    """Each actor's share of this year's station running costs, USD bn (R, N).

    An open station's ``annual_cost_usd_bn`` is shared in proportion to the seats each
    nationality flew on it this year (host, partners and guests alike; an assumption in the
    spirit of the ISS agreements, where partners pay for what they use).
    """
    flown = stations.seats_flown.astype(np.float64)
    total = flown.sum(axis=2, keepdims=True)
    share = np.divide(flown, total, out=np.zeros_like(flown), where=total > 0)
    return np.asarray(np.einsum("rsn,s->rn", share, table.annual_cost_usd_bn), dtype=np.float64)


__all__ = [
    "NOT_IN_TRAINING",
    "StationArrays",
    "StationCatalogue",
    "StationInputs",
    "StationParameters",
    "StationSpec",
    "StationState",
    "StationTable",
    "initial",
    "load_stations",
    "markdown_table",
    "running_costs",
    "station_specs",
    "step",
    "table_of",
]
