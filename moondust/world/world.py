"""The world at the end of a start year (2025 by default) as NumPy arrays in actor order:
:func:`load_world`."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from functools import cache

import numpy as np

from moondust.world.actors import actor_records
from moondust.world.blocs import actor_blocs, bloc_join_years
from moondust.world.history import achieved_matrix, count_landings, heritage
from moondust.world.ids import (
    ACTOR_IDS,
    BASE_YEAR,
    MILESTONES,
    actor_index,
    check_start_year,
    milestone_index,
    start_table,
)
from moondust.world.relations import rivalry_matrices, sanction_matrix, sanction_years
from moondust.world.roadmaps import roadmap_matrix


@dataclass(frozen=True, eq=False)
class World:
    """Actors, budgets, history, plans, blocs and relations at the end of :attr:`start`.

    Every array is read-only and ordered by :attr:`ids` (= :data:`~moondust.world.ACTOR_IDS`)
    on the actor axes and by :attr:`milestones` (= :data:`~moondust.world.MILESTONES`) on the
    milestone axis; ``.copy()`` one to modify it. Budgets are USD bn per year; ``*_low`` and
    ``*_high`` are the plausible ranges of ``data/world/actors.csv``.

    Attributes
    ----------
    start : int
        The year whose end the world describes (2025 unless loaded for another start year).
    ids, names : tuple of str
        Actor ids and display names.
    milestones : tuple of str
        The milestone ladder.
    is_aggregate : numpy.ndarray
        Bool (actors,): the three rest-of-world aggregates.
    civil_usd_bn, civil_low, civil_high : numpy.ndarray
        Civil government space budget, 2025 (actors,).
    military_usd_bn, military_low, military_high : numpy.ndarray
        Military / defence space budget, 2025 (actors,).
    gdp_growth, gdp_growth_low, gdp_growth_high : numpy.ndarray
        Real GDP growth, fraction per year (actors,).
    has_launcher, crewed_capable : numpy.ndarray
        Bool (actors,): own orbital launcher / own crewed launch in 2025.
    achieved : numpy.ndarray
        Bool (actors, milestones): achieved by the end of the start year.
    first_year, last_year : numpy.ndarray
        Float (actors, milestones): year first achieved and year of the latest demonstration up
        to the start year (``history.csv`` keeps every demonstration), NaN if none.
    landing_attempts, landing_successes, landing_partials : numpy.ndarray
        Int (actors,): lunar landing attempts 2013 to the start year, full successes and partial
        successes (a partial landing counts as half a success: :meth:`landing_effective_successes`).
    roadmap_year, roadmap_year_late : numpy.ndarray
        Float (actors, milestones): earliest announced year of a mission that would reach the
        milestone, and the latest announced year of that plan; NaN if none announced.
    artemis, ilrs : numpy.ndarray
        Bool (actors,): bloc membership at the end of the start year.
    artemis_year, ilrs_year : numpy.ndarray
        Float (actors,): the year each actor is first counted in the bloc (``inf``: not by 2025);
        dated events the engine applies in their years.
    rivalry, rivalry_low, rivalry_high : numpy.ndarray
        Float (actors, actors): symmetric rivalry intensity in [0, 1], zero diagonal.
    sanction : numpy.ndarray
        Bool (actors, actors): symmetric; a sanction in force at the end of the start year bars
        cooperation (e.g. Wolf Amendment, 2011).
    sanction_year : numpy.ndarray
        Float (actors, actors): symmetric; the year each sanction began (``inf``: none).

    Examples
    --------
    >>> world = load_world()
    >>> world.civil_usd_bn.shape, world.achieved.shape, world.rivalry.shape
    ((18,), (18, 16), (18, 18))
    >>> int(world.first_year[world.index("CHN"), world.milestone_index("far_side_sample_return")])
    2024
    """

    start: int
    ids: tuple[str, ...]
    names: tuple[str, ...]
    milestones: tuple[str, ...]
    is_aggregate: np.ndarray
    civil_usd_bn: np.ndarray
    civil_low: np.ndarray
    civil_high: np.ndarray
    military_usd_bn: np.ndarray
    military_low: np.ndarray
    military_high: np.ndarray
    gdp_growth: np.ndarray
    gdp_growth_low: np.ndarray
    gdp_growth_high: np.ndarray
    has_launcher: np.ndarray
    crewed_capable: np.ndarray
    achieved: np.ndarray
    first_year: np.ndarray
    last_year: np.ndarray
    landing_attempts: np.ndarray
    landing_successes: np.ndarray
    landing_partials: np.ndarray
    roadmap_year: np.ndarray
    roadmap_year_late: np.ndarray
    artemis: np.ndarray
    ilrs: np.ndarray
    artemis_year: np.ndarray
    ilrs_year: np.ndarray
    rivalry: np.ndarray
    rivalry_low: np.ndarray
    rivalry_high: np.ndarray
    sanction: np.ndarray
    sanction_year: np.ndarray

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, np.ndarray):
                value.flags.writeable = False

    @property
    def n_actors(self) -> int:
        """Number of actors (18)."""
        return len(self.ids)

    def index(self, actor_id: str) -> int:
        """Position of ``actor_id`` on the actor axes.

        Raises
        ------
        KeyError
            If the id is unknown.
        """
        return actor_index(actor_id)

    def milestone_index(self, milestone: str) -> int:
        """Position of ``milestone`` on the milestone axis.

        Raises
        ------
        KeyError
            If the milestone is unknown.
        """
        return milestone_index(milestone)

    def total_usd_bn(self) -> np.ndarray:
        """Civil plus military budget per actor (a new, writable array)."""
        return self.civil_usd_bn + self.military_usd_bn

    def landing_effective_successes(self, partial_weight: float = 0.5) -> np.ndarray:
        """Full successes plus ``partial_weight`` per partial landing (a new array).

        Counting partials as half reproduces the public tally of docs/world.md;
        use 0 for a strict count.
        """
        return self.landing_successes + partial_weight * self.landing_partials


@cache
def load_world(start: int = BASE_YEAR) -> World:
    """Read the packaged world tables into a :class:`World` (cached; arrays are read-only).

    Parameters
    ----------
    start
        The year whose end the world describes, one of
        :data:`~moondust.world.ids.START_YEARS`: budgets, growth and capabilities from
        ``actors.csv`` (2025) or ``actors_<start>.csv``, announced plans from ``roadmaps.csv``
        or ``roadmaps_<start>.csv``, and the history, landing heritage, blocs and sanctions of
        the dated tables up to the end of ``start``.

    Raises
    ------
    ValueError
        For a start year without data.
    moondust.errors.InputFileError
        If a packaged table is malformed (the message names the file, row and field).

    Examples
    --------
    >>> world = load_world()
    >>> bool(world.artemis[world.index("USA")]), bool(world.ilrs[world.index("PAK")])
    (True, True)
    >>> old = load_world(2007)
    >>> bool(old.artemis.any()), bool(old.achieved[old.index("CHN"), 1]), old.civil_usd_bn[0]
    (False, False, np.float64(16.247))
    """
    check_start_year(start)
    records = actor_records(start_table("actors.csv", start))

    def column(get: str) -> np.ndarray:
        part, attr = get.split(".")
        return np.array([getattr(getattr(r, part), attr) for r in records], dtype=float)

    achieved, first_year, last_year = achieved_matrix(start)
    roadmap, roadmap_late = roadmap_matrix(start)
    artemis, ilrs = actor_blocs(date(start, 12, 31))
    artemis_year, ilrs_year = bloc_join_years(start)
    rivalry, rivalry_low, rivalry_high = rivalry_matrices()
    legacy = heritage() if start == BASE_YEAR else count_landings(as_of=start)
    return World(
        start=start,
        ids=ACTOR_IDS,
        names=tuple(r.name for r in records),
        milestones=MILESTONES,
        is_aggregate=np.array([r.kind == "aggregate" for r in records]),
        civil_usd_bn=column("civil.value"),
        civil_low=column("civil.low"),
        civil_high=column("civil.high"),
        military_usd_bn=column("military.value"),
        military_low=column("military.low"),
        military_high=column("military.high"),
        gdp_growth=column("gdp_growth_pct.value") / 100.0,
        gdp_growth_low=column("gdp_growth_pct.low") / 100.0,
        gdp_growth_high=column("gdp_growth_pct.high") / 100.0,
        has_launcher=np.array([r.has_launcher for r in records]),
        crewed_capable=np.array([r.crewed_capable for r in records]),
        achieved=achieved,
        first_year=first_year,
        last_year=last_year,
        landing_attempts=np.array([h.attempts for h in legacy], dtype=np.int64),
        landing_successes=np.array([h.successes for h in legacy], dtype=np.int64),
        landing_partials=np.array([h.partials for h in legacy], dtype=np.int64),
        roadmap_year=roadmap,
        roadmap_year_late=roadmap_late,
        artemis=artemis,
        ilrs=ilrs,
        artemis_year=artemis_year,
        ilrs_year=ilrs_year,
        rivalry=rivalry,
        rivalry_low=rivalry_low,
        rivalry_high=rivalry_high,
        sanction=sanction_matrix(start),
        sanction_year=sanction_years(),
    )


def clear_caches() -> None:
    """Forget every cached world table (after editing a data file in a running session)."""
    from moondust.world import actors, blocs, history, relations, roadmaps

    load_world.cache_clear()
    for cached in (
        actors.actor_records,
        actors.world_total,
        actors.aggregate_shares,
        blocs.bloc_entries,
        blocs.state_actors,
        history.achievements,
        history.heritage,
        history.landing_attempts,
        roadmaps.plans,
        relations.relation_records,
    ):
        cached.cache_clear()
