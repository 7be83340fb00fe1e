"""Artemis Accords and ILRS membership, derived from ``data/world/blocs.csv`` (not a copy).

Rules (docs/world.md, "Blocs"):

* A state is a member of a bloc from the date in the ``joined`` column. Partial dates count from the
  first day of the month (``2023-09 (day unconfirmed)``); ``unconfirmed (by 2025-04-29)`` counts
  from that date; an ``(announced)`` signature (Latvia, not in NASA's count) does not count, and
  organisations (APSCO, AUASS) are not states.
* A named actor made of one state (``data/world/actor_states.csv``) is in a bloc when that state is.
* Europe (``EUR``: the EU-27 plus the ESA members UK, Norway and Switzerland) is in a bloc when all
  of its *major* members are: France, Germany, Italy and the UK, the four largest European
  institutional space budgets. All four had signed the Artemis Accords by 2023-09-14 (Germany
  last); none is an ILRS partner.
* ``ROW_ARTEMIS`` is Artemis and ``ROW_ILRS`` is ILRS by definition; ``ROW_OTHER`` is in neither.
  A rest-of-world state in both blocs (Thailand, Senegal) is counted in the aggregate of the bloc
  it joined first (ILRS for both), so the aggregates do not overlap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache

import numpy as np

from moondust.errors import InputFileError
from moondust.world._tables import read_rows
from moondust.world.ids import ACTOR_IDS, AGGREGATE_IDS, BLOCS


class BlocClass(StrEnum):
    """Which blocs an actor belongs to, and who can be first to a milestone.

    A ``StrEnum``: each member *is* its string (``BlocClass.ILRS == "ilrs"``), so tables, scenario
    keys and outcome expressions keep their plain-string values. ``TIE`` (actors of different bloc
    classes first in the same year) and ``NOBODY`` (no actor reaches it by the end year) describe a
    race's winner, never an actor; ``"none"`` is the one spelling of nobody.
    """

    ARTEMIS = "artemis"
    ILRS = "ilrs"
    BOTH = "both"
    NEITHER = "neither"
    TIE = "tie"
    NOBODY = "none"


BLOC_CLASSES: tuple[str, ...] = tuple(
    str(c) for c in (BlocClass.ARTEMIS, BlocClass.ILRS, BlocClass.BOTH, BlocClass.NEITHER)
)
"""The bloc classes an actor can be in (plain strings, in display order): how policies and lever
grids address a group, and the bloc coordinate of a run's dataset."""


def bloc_class_of(artemis: bool, ilrs: bool) -> BlocClass:
    """An actor's bloc class from its Artemis and ILRS membership.

    Parameters
    ----------
    artemis, ilrs
        Whether the actor is in the Artemis Accords, in the ILRS.

    Returns
    -------
    BlocClass
        ``BOTH``, ``ARTEMIS``, ``ILRS`` or ``NEITHER``.
    """
    if artemis and ilrs:
        return BlocClass.BOTH
    return BlocClass.ARTEMIS if artemis else BlocClass.ILRS if ilrs else BlocClass.NEITHER


#: Membership is evaluated at the end of the base year unless a date is given.
END_OF_BASE_YEAR = date(2025, 12, 31)

_FULL = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2}) \(day unconfirmed\)$")
_BY = re.compile(r"^unconfirmed \(by (\d{4})-(\d{2})-(\d{2})\)$")
_ANNOUNCED = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) \(announced\)$")


@dataclass(frozen=True)
class BlocEntry:
    """One row of ``blocs.csv``: a state's (or organisation's) accession to a bloc."""

    state: str
    bloc: str
    joined: date | None
    date_status: str
    is_state: bool
    source: str

    def member_on(self, when: date) -> bool:
        """Whether this entry makes its state a member on ``when``."""
        return self.is_state and self.joined is not None and self.joined <= when


def _parse_joined(text: str, where: str) -> tuple[date | None, str]:
    for pattern, status in ((_FULL, "sourced"), (_BY, "unconfirmed")):
        match = pattern.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            return date(year, month, day), status
    match = _MONTH.match(text)
    if match:
        return date(int(match.group(1)), int(match.group(2)), 1), "unconfirmed"
    if _ANNOUNCED.match(text):
        return None, "unconfirmed"
    raise InputFileError(
        f"{where}, field 'joined': expected YYYY-MM-DD, 'YYYY-MM (day unconfirmed)', "
        f"'unconfirmed (by YYYY-MM-DD)' or 'YYYY-MM-DD (announced)', got {text!r}"
    )


@cache
def bloc_entries() -> tuple[BlocEntry, ...]:
    """Every accession in ``data/world/blocs.csv``, parsed.

    Raises
    ------
    InputFileError
        If a row has an unknown bloc or an unreadable date.

    Examples
    --------
    >>> next(e for e in bloc_entries() if e.state == "Pakistan").bloc
    'ilrs'
    """
    entries = []
    for row in read_rows("world", "blocs.csv", ("state", "bloc", "joined", "source", "notes")):
        where = f"{row.file}: row {row.line}"
        joined, status = _parse_joined(row.text("joined"), where)
        entries.append(
            BlocEntry(
                state=row.text("state"),
                bloc=row.choice("bloc", BLOCS),
                joined=joined,
                date_status=status,
                is_state="international organisation" not in row.text("notes", required=False),
                source=row.text("source"),
            )
        )
    return tuple(entries)


@dataclass(frozen=True)
class StateMapping:
    """Which named actor a state belongs to (``data/world/actor_states.csv``)."""

    actor: str
    major: bool


@cache
def state_actors() -> dict[str, StateMapping]:
    """States that make up the named actors; every other state falls into an aggregate.

    Raises
    ------
    InputFileError
        If a row names an unknown or aggregate actor, or a named actor has no major state.
    """
    rows = read_rows("world", "actor_states.csv", ("state", "actor", "major", "basis", "status"))
    named = tuple(a for a in ACTOR_IDS if a not in AGGREGATE_IDS)
    mapping: dict[str, StateMapping] = {}
    for row in rows:
        state = row.text("state")
        if state in mapping:
            raise InputFileError(f"{row.file}: row {row.line}: state {state!r} listed twice")
        mapping[state] = StateMapping(row.choice("actor", named), row.flag("major"))
    for actor in named:
        if not any(m.actor == actor and m.major for m in mapping.values()):
            raise InputFileError(f"world/actor_states.csv: actor {actor} has no major state")
    return dict(mapping)


def members(bloc: str, as_of: date = END_OF_BASE_YEAR) -> tuple[str, ...]:
    """States (not organisations) that belong to ``bloc`` on ``as_of``, in accession order.

    Examples
    --------
    >>> "Oman" in members("artemis"), "Oman" in members("artemis", date(2026, 2, 1))
    (False, True)
    """
    if bloc not in BLOCS:
        raise KeyError(f"unknown bloc {bloc!r}; expected one of {', '.join(BLOCS)}")
    seen: dict[str, None] = {}
    for entry in bloc_entries():
        if entry.bloc == bloc and entry.member_on(as_of):
            seen.setdefault(entry.state)
    return tuple(seen)


def state_blocs(state: str, as_of: date = END_OF_BASE_YEAR) -> frozenset[str]:
    """The blocs ``state`` belongs to on ``as_of`` (empty for states in neither)."""
    return frozenset(e.bloc for e in bloc_entries() if e.state == state and e.member_on(as_of))


def _first_joined(state: str, as_of: date) -> str:
    dated = [
        (e.joined, e.bloc)
        for e in bloc_entries()
        if e.state == state and e.member_on(as_of) and e.joined is not None
    ]
    return min(dated)[1]


def actor_of_state(state: str, as_of: date = END_OF_BASE_YEAR) -> str:
    """The actor id that ``state`` is counted in.

    Examples
    --------
    >>> actor_of_state("Germany"), actor_of_state("Egypt"), actor_of_state("Mexico")
    ('EUR', 'ROW_ILRS', 'ROW_ARTEMIS')
    >>> actor_of_state("Thailand"), actor_of_state("Iran")
    ('ROW_ILRS', 'ROW_OTHER')
    """
    mapping = state_actors()
    if state in mapping:
        return mapping[state].actor
    blocs = state_blocs(state, as_of)
    if not blocs:
        return "ROW_OTHER"
    bloc = next(iter(blocs)) if len(blocs) == 1 else _first_joined(state, as_of)
    return "ROW_ARTEMIS" if bloc == "artemis" else "ROW_ILRS"


def aggregate_members(as_of: date = END_OF_BASE_YEAR) -> dict[str, tuple[str, ...]]:
    """Bloc states counted in ``ROW_ARTEMIS`` and ``ROW_ILRS`` on ``as_of``.

    ``ROW_OTHER`` holds every state in neither bloc (not listed in ``blocs.csv``), so its entry is
    empty.
    """
    groups: dict[str, list[str]] = {aggregate: [] for aggregate in AGGREGATE_IDS}
    for bloc in BLOCS:
        for state in members(bloc, as_of):
            actor = actor_of_state(state, as_of)
            if actor in groups and state not in groups[actor]:
                groups[actor].append(state)
    return {aggregate: tuple(states) for aggregate, states in groups.items()}


def dual_members(as_of: date = END_OF_BASE_YEAR) -> tuple[str, ...]:
    """States that belong to both blocs on ``as_of``.

    Examples
    --------
    >>> dual_members()
    ('Thailand', 'Senegal')
    """
    ilrs = set(members("ilrs", as_of))
    return tuple(state for state in members("artemis", as_of) if state in ilrs)


def actor_blocs(as_of: date = END_OF_BASE_YEAR) -> tuple[np.ndarray, np.ndarray]:
    """Artemis and ILRS membership of the 18 actors on ``as_of`` (bool arrays in actor order).

    Examples
    --------
    >>> artemis, ilrs = actor_blocs()
    >>> [a for a, flag in zip(ACTOR_IDS, artemis) if not flag]
    ['CHN', 'RUS', 'PAK', 'TUR', 'ROW_ILRS', 'ROW_OTHER']
    >>> [a for a, flag in zip(ACTOR_IDS, ilrs) if flag]
    ['CHN', 'RUS', 'PAK', 'ROW_ILRS']
    """
    mapping = state_actors()
    result = {bloc: np.zeros(len(ACTOR_IDS), dtype=bool) for bloc in BLOCS}
    for i, actor in enumerate(ACTOR_IDS):
        if actor in AGGREGATE_IDS:  # a bloc's aggregate exists once the bloc has a member
            result["artemis"][i] = actor == "ROW_ARTEMIS" and bool(members("artemis", as_of))
            result["ilrs"][i] = actor == "ROW_ILRS" and bool(members("ilrs", as_of))
            continue
        majors = [state for state, m in mapping.items() if m.actor == actor and m.major]
        for bloc in BLOCS:
            result[bloc][i] = all(bloc in state_blocs(state, as_of) for state in majors)
    return result["artemis"], result["ilrs"]


def bloc_join_years(
    first: int = 1957, last: int = END_OF_BASE_YEAR.year
) -> tuple[np.ndarray, np.ndarray]:
    """The year (at its end) each actor is first counted in Artemis and in ILRS, float in actor
    order; ``inf`` for an actor not in the bloc by the end of ``last``.

    Examples
    --------
    >>> artemis, ilrs = bloc_join_years(2007)
    >>> int(artemis[0]), int(artemis[3]), int(ilrs[1])  # USA, Europe (Germany 2023), China
    (2020, 2023, 2021)
    """
    artemis_year = np.full(len(ACTOR_IDS), np.inf)
    ilrs_year = np.full(len(ACTOR_IDS), np.inf)
    for year in range(last, first - 1, -1):
        artemis, ilrs = actor_blocs(date(year, 12, 31))
        artemis_year[artemis] = year
        ilrs_year[ilrs] = year
    return artemis_year, ilrs_year
