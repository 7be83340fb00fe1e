"""Lunar history to the end of 2025: milestones demonstrated and landing heritage.

``data/world/history.csv`` lists every demonstration of each milestone by each actor, one row per
mission and year (pre-2007 Apollo/Luna/Hiten/SMART-1 rows come from ``capabilities_2007.csv`` and
carry their status; later rows from ``lunar_missions.csv``), so the world knows both the first and
the latest demonstration up to any year (:func:`achieved_matrix`).

Partial landings (SLIM 2024, IM-1 2024, IM-2 2025: the lander reached the surface and operated but
tipped over or ended early) follow one rule everywhere: each is a demonstration of
``soft_landing`` in ``history.csv``, and counts as half a success and half a failure in the landing
heritage (:meth:`Heritage.effective_successes`, the engine's ``successes0``/``failures0``).

``data/world/heritage.csv`` counts landing attempts and outcomes 2013–2025 for a Beta-Bernoulli
success prior; :func:`count_landings` recounts them from
``data/theory/lunar_landing_attempts_2013_2025.csv`` so the two cannot drift (a test checks it).
Private missions count for the state they fly from or are funded by (Intuitive Machines and
Firefly: USA; ispace: Japan; SpaceIL: Israel).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from moondust.errors import InputFileError
from moondust.world._tables import check_unique, read_rows
from moondust.world.blocs import actor_of_state
from moondust.world.ids import ACTOR_IDS, BASE_YEAR, MILESTONES, PROVENANCE

#: Country spellings in the theory file that differ from ``actor_states.csv``.
_COUNTRY_ALIASES = {"USA": "United States"}


@dataclass(frozen=True)
class Achievement:
    """One row of ``history.csv``: one demonstration of a milestone by an actor."""

    actor: str
    milestone: str
    year: int
    mission: str
    source: str
    status: str


@cache
def achievements() -> tuple[Achievement, ...]:
    """Every row of ``history.csv``.

    Raises
    ------
    InputFileError
        On an unknown actor or milestone, a repeated actor/milestone pair, a year after the base
        year, or a status outside the allowed set.

    Examples
    --------
    >>> us = [a.year for a in achievements() if (a.actor, a.milestone) == ("USA", "orbiter")]
    >>> us
    [1966, 2009, 2011, 2013, 2022]
    """
    columns = ("actor", "milestone", "year", "mission", "source", "status")
    rows = read_rows("world", "history.csv", columns)
    check_unique(rows, ("actor", "milestone", "mission"))
    return tuple(
        Achievement(
            actor=row.choice("actor", ACTOR_IDS),
            milestone=row.choice("milestone", MILESTONES),
            year=row.integer("year", low=1957, high=BASE_YEAR),
            mission=row.text("mission"),
            source=row.text("source"),
            status=row.choice("status", PROVENANCE),
        )
        for row in rows
    )


def achieved_matrix(as_of: int = BASE_YEAR) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Milestones demonstrated by the end of ``as_of``, with the first and latest year of each.

    Returns
    -------
    achieved : numpy.ndarray
        Bool, shape (actors, milestones).
    first_year, last_year : numpy.ndarray
        Float, shape (actors, milestones): the first and the latest demonstration up to
        ``as_of``; NaN where none.

    Examples
    --------
    >>> achieved, first, last = achieved_matrix(2016)
    >>> int(first[0, 0]), int(last[0, 0])  # US orbiters: Lunar Orbiter 1 (1966), LADEE (2013)
    (1966, 2013)
    """
    shape = (len(ACTOR_IDS), len(MILESTONES))
    first_year, last_year = np.full(shape, np.nan), np.full(shape, np.nan)
    for item in achievements():
        if item.year > as_of:
            continue
        at = ACTOR_IDS.index(item.actor), MILESTONES.index(item.milestone)
        first_year[at] = np.fmin(first_year[at], item.year)
        last_year[at] = np.fmax(last_year[at], item.year)
    return ~np.isnan(first_year), first_year, last_year


@dataclass(frozen=True)
class Heritage:
    """Landing attempts and outcomes of one actor (2013–2025)."""

    actor: str
    attempts: int
    successes: int
    partials: int
    failures: int

    def effective_successes(self, partial_weight: float = 0.5) -> float:
        """Full successes plus ``partial_weight`` per partial success."""
        return self.successes + partial_weight * self.partials


@cache
def heritage() -> tuple[Heritage, ...]:
    """The rows of ``heritage.csv`` in actor order.

    Raises
    ------
    InputFileError
        If an actor is missing or repeated, a count is negative, or the outcomes do not add up to
        the attempts.

    Examples
    --------
    >>> china = heritage()[1]
    >>> china.actor, china.attempts, china.successes
    ('CHN', 4, 4)
    """
    columns = (
        "actor",
        "landing_attempts",
        "landing_successes",
        "landing_partials",
        "landing_failures",
        "source",
        "status",
    )
    rows = read_rows("world", "heritage.csv", columns)
    check_unique(rows, ("actor",))
    records: dict[str, Heritage] = {}
    for row in rows:
        row.choice("status", PROVENANCE)
        row.text("source")
        item = Heritage(
            actor=row.choice("actor", ACTOR_IDS),
            attempts=row.integer("landing_attempts", low=0),
            successes=row.integer("landing_successes", low=0),
            partials=row.integer("landing_partials", low=0),
            failures=row.integer("landing_failures", low=0),
        )
        if item.successes + item.partials + item.failures != item.attempts:
            raise InputFileError(
                f"{row.file}: row {row.line} ({item.actor}): successes + partials + failures "
                f"must equal landing_attempts"
            )
        records[item.actor] = item
    missing = [actor for actor in ACTOR_IDS if actor not in records]
    if missing:
        raise InputFileError(f"world/heritage.csv: missing actor(s) {', '.join(missing)}")
    return tuple(records[actor] for actor in ACTOR_IDS)


@dataclass(frozen=True)
class LandingAttempt:
    """One row of the theory file ``lunar_landing_attempts_2013_2025.csv``."""

    mission: str
    year: int
    actor: str
    sector: str
    attempt_no_by_org: int
    outcome: str


@cache
def landing_attempts() -> tuple[LandingAttempt, ...]:
    """Landing attempts 2013–2025 with the actor each counts for.

    Raises
    ------
    InputFileError
        On a malformed date, attempt number or outcome.
    """
    columns = ("mission", "date", "country", "sector", "attempt_no_by_org", "outcome")
    rows = read_rows("theory", "lunar_landing_attempts_2013_2025.csv", columns)
    attempts = []
    for row in rows:
        date_text = row.text("date")
        if len(date_text) < 4 or not date_text[:4].isdigit():
            raise InputFileError(
                f"{row.file}: row {row.line}, field 'date': expected YYYY-MM-DD, got {date_text!r}"
            )
        country = row.text("country")
        attempts.append(
            LandingAttempt(
                mission=row.text("mission"),
                year=int(date_text[:4]),
                actor=actor_of_state(_COUNTRY_ALIASES.get(country, country)),
                sector=row.choice("sector", ("government", "private")),
                attempt_no_by_org=row.integer("attempt_no_by_org", low=1),
                outcome=row.choice("outcome", ("success", "partial", "failure")),
            )
        )
    return tuple(attempts)


def count_landings(
    attempts: tuple[LandingAttempt, ...] | None = None, as_of: int = BASE_YEAR
) -> tuple[Heritage, ...]:
    """Heritage recounted from the landing attempts up to the end of ``as_of`` (what
    ``heritage.csv`` must agree with for the base year)."""
    attempts = landing_attempts() if attempts is None else attempts
    attempts = tuple(a for a in attempts if a.year <= as_of)
    result = []
    for actor in ACTOR_IDS:
        outcomes = [a.outcome for a in attempts if a.actor == actor]
        result.append(
            Heritage(
                actor,
                len(outcomes),
                outcomes.count("success"),
                outcomes.count("partial"),
                outcomes.count("failure"),
            )
        )
    return tuple(result)


@dataclass(frozen=True)
class AttemptTally:
    """Pooled outcomes of a set of landing attempts."""

    attempts: int
    successes: int
    partials: int

    def rate(self, partial_weight: float = 0.0) -> float:
        """Success rate, counting each partial as ``partial_weight`` of a success."""
        return (self.successes + partial_weight * self.partials) / self.attempts

    def laplace(self) -> float:
        """Laplace's rule (s + 1) / (n + 2), counting full successes only."""
        return (self.successes + 1) / (self.attempts + 2)


def first_attempt_tally(since: int = 2019, until: int = BASE_YEAR) -> AttemptTally:
    """Pooled outcome of each organisation's first landing attempt in ``[since, until]``.

    The default reproduces the 2019–25 record in ``lunar_landing_attempts_2013_2025.csv``: 7 first
    attempts, 1 full success (Blue Ghost M1), 2 partial (SLIM, IM-1), i.e. about 1 in 7.

    Examples
    --------
    >>> tally = first_attempt_tally()
    >>> tally.attempts, tally.successes, tally.partials, round(tally.rate(), 3)
    (7, 1, 2, 0.143)
    """
    firsts = [
        a for a in landing_attempts() if a.attempt_no_by_org == 1 and since <= a.year <= until
    ]
    outcomes = [a.outcome for a in firsts]
    return AttemptTally(len(firsts), outcomes.count("success"), outcomes.count("partial"))
