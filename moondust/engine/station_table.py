"""The station catalogue mapped onto a setting's actors (M4, docs/model.md).

:mod:`moondust.world.stations` reads ``data/engine/stations.csv`` into :class:`StationSpec` rows
(actor ids); :func:`load_stations` maps them onto a :class:`Setting`'s actor indices, with the
treaty, bloc and eligibility masks that :mod:`moondust.engine.stations` flies crews by. Loading
stays in NumPy; the rules themselves are documented in :mod:`moondust.engine.stations`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from moondust.engine.state import BoolArray, FloatArray, Setting
from moondust.errors import InputFileError
from moondust.world.stations import StationSpec, station_specs

IntArray = NDArray[np.int64]

_EPS = 1e-9
"""Tolerance of the capacity check on the treaty quotas."""


class StationCatalogue(NamedTuple):
    """The arrays of a :class:`StationTable` the compiled kernels read (S stations, N actors).

    Attributes
    ----------
    host, seats, milestone, successor_of
        Host actor, seats a year ``C_s``, required milestone (−1: none) and predecessor station
        (−1: none), each (S,) int64.
    open_year, close_year
        First and last operating year (S,) float64.
    quota
        Treaty seat shares ``q_sj`` (S, N) float64.
    treaty, bloc, eligible, bloc_mate
        Treaty partners, bloc partners, may fly as a foreigner, same bloc as the host: (S, N) bool.
    sanction
        The sanction matrix (N, N) bool.
    """

    host: IntArray
    seats: IntArray
    open_year: FloatArray
    close_year: FloatArray
    milestone: IntArray
    successor_of: IntArray
    quota: FloatArray
    treaty: BoolArray
    bloc: BoolArray
    eligible: BoolArray
    bloc_mate: BoolArray
    sanction: BoolArray


@dataclass(frozen=True, eq=False)
class StationTable:
    """The stations mapped onto a :class:`Setting`'s actors (S stations, N actors).

    Attributes
    ----------
    ids, names, kind
        Station ids, names and kinds, in table order.
    host
        Host actor index (S,).
    quota
        Treaty seat shares ``q_sj`` (S, N); zero for non-partners.
    treaty
        Treaty partners (S, N): fly their quota whatever the sanctions between them.
    bloc
        Bloc partners (S, N): the host's bloc members that may fly with it (not host, not
        treaty partners, not sanctioned with the host or a treaty partner).
    eligible
        May ever fly on the station as a foreigner (S, N): treaty partners, and every other
        non-host actor not sanctioned with the host or a treaty partner.
    bloc_mate
        Same bloc as the host (S, N): first in the guest pool's order.
    open_year, close_year
        First and last operating year (S,); ``-inf``/``inf`` when unbounded.
    milestone
        Index in the ladder of the milestone the host needs, −1 for none (S,).
    seats
        Seats per year ``C_s`` (S,).
    successor_of
        Index of the predecessor station whose training carries over, −1 for none (S,).
    trainee_since
        Year each nationality entered the pipeline before the start, NaN if not (S, N).
    annual_cost_usd_bn
        Running cost per year (S,).
    sanction
        The setting's sanction matrix (N, N).
    """

    ids: tuple[str, ...]
    names: tuple[str, ...]
    kind: tuple[str, ...]
    host: IntArray
    quota: FloatArray
    treaty: BoolArray
    bloc: BoolArray
    eligible: BoolArray
    bloc_mate: BoolArray
    open_year: FloatArray
    close_year: FloatArray
    milestone: IntArray
    seats: IntArray
    successor_of: IntArray
    trainee_since: FloatArray
    annual_cost_usd_bn: FloatArray
    sanction: BoolArray

    @property
    def size(self) -> int:
        """Number of stations S."""
        return len(self.ids)

    @property
    def partners(self) -> BoolArray:
        """Treaty or bloc partners (S, N)."""
        return np.asarray(self.treaty | self.bloc)

    def index(self, station_id: str) -> int:
        """Position of a station id in the table."""
        return self.ids.index(station_id)

    def catalogue(self) -> StationCatalogue:
        """The table's arrays as the kernels take them (:class:`StationCatalogue`)."""
        return StationCatalogue(
            host=self.host,
            seats=self.seats,
            open_year=self.open_year,
            close_year=self.close_year,
            milestone=self.milestone,
            successor_of=self.successor_of,
            quota=self.quota,
            treaty=self.treaty,
            bloc=self.bloc,
            eligible=self.eligible,
            bloc_mate=self.bloc_mate,
            sanction=self.sanction,
        )


def load_stations(setting: Setting, specs: Sequence[StationSpec] | None = None) -> StationTable:
    """Map the stations (default: the packaged table) onto the setting's actors.

    A station whose host is not one of the setting's actors is left out, and so are partners and
    trainees that are not.

    Parameters
    ----------
    setting
        The scenario's fixed inputs (actor ids, blocs, sanctions, ladder).
    specs
        Stations to use instead of ``data/engine/stations.csv`` (tests, what-if tables).

    Raises
    ------
    moondust.errors.InputFileError
        If a station's treaty quotas could exceed its seats (``Σ q C + #partners > C``), or an id
        or successor is repeated or unknown.

    Examples
    --------
    >>> from moondust.engine.simulate import build_setting
    >>> from moondust.world.scenario import load_scenario
    >>> table = load_stations(build_setting(load_scenario("baseline")))
    >>> table.ids[:2], int(table.seats[table.index("tiangong")])
    (('iss', 'tiangong'), 6)
    """
    specs = station_specs() if specs is None else tuple(specs)
    actors = setting.actor_ids
    n = len(actors)
    kept = [spec for spec in specs if spec.host in actors]
    ids = tuple(spec.id for spec in kept)
    if len(set(ids)) != len(ids):
        raise InputFileError(f"stations: repeated station id in {ids}")
    size = len(kept)
    host = np.array([actors.index(spec.host) for spec in kept], dtype=np.int64)
    quota = np.zeros((size, n))
    trainee_since = np.full((size, n), np.nan)
    for s, spec in enumerate(kept):
        for actor, share in spec.quotas:
            if actor in actors:
                quota[s, actors.index(actor)] = share
        for actor, year in spec.trainees:
            if actor in actors:
                trainee_since[s, actors.index(actor)] = year
        partners = int((quota[s] > 0).sum())
        if quota[s].sum() * spec.seats_per_year + partners > spec.seats_per_year + _EPS:
            raise InputFileError(
                f"stations: {spec.id}: treaty quotas {quota[s].sum():.3f} of "
                f"{spec.seats_per_year} seats with {partners} partners could exceed capacity"
            )
    treaty = quota > 0
    sanction = np.asarray(setting.sanction, dtype=bool)
    foreign = np.ones((size, n), dtype=bool)
    foreign[np.arange(size), host] = False
    # a non-partner may not fly with someone it is sanctioned with who is always aboard
    blocked = sanction[host] | (np.einsum("sj,jk->sk", treaty.astype(np.float64), sanction) > 0)
    eligible = foreign & (treaty | ~blocked)
    members = {"artemis": np.asarray(setting.artemis), "ilrs": np.asarray(setting.ilrs)}
    bloc = np.zeros((size, n), dtype=bool)
    for s, spec in enumerate(kept):
        if spec.partner_bloc is not None:
            bloc[s] = members[spec.partner_bloc] & eligible[s] & ~treaty[s]
    trainee_since = np.where(eligible, trainee_since, np.nan)
    successor = np.array(
        [ids.index(spec.successor_of) if spec.successor_of in ids else -1 for spec in kept],
        dtype=np.int64,
    )
    milestone = np.array(
        [setting.ladder.index(spec.milestone) if spec.milestone else -1 for spec in kept],
        dtype=np.int64,
    )
    return StationTable(
        ids=ids,
        names=tuple(spec.name for spec in kept),
        kind=tuple(spec.kind for spec in kept),
        host=host,
        quota=quota,
        treaty=treaty,
        bloc=bloc,
        eligible=eligible,
        bloc_mate=np.asarray(setting.same_bloc, dtype=bool)[host] & foreign,
        open_year=np.array([spec.open_year for spec in kept], dtype=np.float64),
        close_year=np.array([spec.close_year for spec in kept], dtype=np.float64),
        milestone=milestone,
        seats=np.array([spec.seats_per_year for spec in kept], dtype=np.int64),
        successor_of=successor,
        trainee_since=trainee_since,
        annual_cost_usd_bn=np.array([spec.annual_cost_usd_bn for spec in kept]),
        sanction=sanction,
    )


__all__ = ["IntArray", "StationCatalogue", "StationTable", "load_stations"]
