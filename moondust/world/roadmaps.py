"""Announced lunar plans (``data/world/roadmaps.csv``; as announced by 2007:
``roadmaps_2007.csv``, with the year each plan was announced).

Each row maps an announced mission to the ladder milestone it would demonstrate, with the
earliest and latest announced year. Rows may repeat a milestone an actor already holds (Artemis II
repeats Apollo 8's crewed flight; Chang'e 7 lands another rover); the engine decides what a repeat
means. Only plans found in the project's reference sheets or in stored press pages are listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from moondust.errors import InputFileError
from moondust.world._tables import read_rows
from moondust.world.ids import ACTOR_IDS, BASE_YEAR, MILESTONES, PROVENANCE, start_table


@dataclass(frozen=True)
class Plan:
    """One announced mission and the milestone it targets."""

    actor: str
    milestone: str
    planned_year: int
    planned_year_late: int
    mission: str
    source: str
    status: str
    announced_year: int | None = None


@cache
def plans(start: int = BASE_YEAR) -> tuple[Plan, ...]:
    """Every row of ``roadmaps.csv`` (the plans as announced at the end of ``start``: for another
    start year, the rows of ``roadmaps_<start>.csv`` announced by then).

    Raises
    ------
    InputFileError
        On an unknown actor or milestone, a year before the base year or after 2100, a late year
        before the planned year, or a status outside the allowed set.

    Examples
    --------
    >>> [p.mission for p in plans() if p.actor == "CHN" and p.milestone == "crewed_landing"]
    ['Mengzhou + Lanyue crewed landing']
    """
    columns = (
        "actor",
        "milestone",
        "planned_year",
        "planned_year_late",
        "mission",
        "source",
        "status",
    )
    result = []
    name = start_table("roadmaps.csv", start)
    extra = () if start == BASE_YEAR else ("announced_year",)
    for row in read_rows("world", name, (*columns, *extra)):
        announced = row.integer("announced_year", low=1957, high=start) if extra else None
        early = row.integer("planned_year", low=start, high=2100)
        late = row.integer("planned_year_late", low=start, high=2100)
        if late < early:
            raise InputFileError(
                f"{row.file}: row {row.line}: planned_year_late ({late}) before planned_year "
                f"({early})"
            )
        result.append(
            Plan(
                actor=row.choice("actor", ACTOR_IDS),
                milestone=row.choice("milestone", MILESTONES),
                planned_year=early,
                planned_year_late=late,
                mission=row.text("mission"),
                source=row.text("source"),
                status=row.choice("status", PROVENANCE),
                announced_year=announced,
            )
        )
    return tuple(result)


def roadmap_matrix(start: int = BASE_YEAR) -> tuple[np.ndarray, np.ndarray]:
    """Earliest announced year per actor and milestone, and that plan's latest announced year.

    Where several missions target the same milestone (Artemis III and IV) the earliest plan
    wins.

    Returns
    -------
    planned : numpy.ndarray
        Float, shape (actors, milestones); NaN where nothing is announced.
    planned_late : numpy.ndarray
        The latest announced year of the same plan (NaN where none).
    """
    planned = np.full((len(ACTOR_IDS), len(MILESTONES)), np.nan)
    late = np.full_like(planned, np.nan)
    for plan in plans(start):
        i, k = ACTOR_IDS.index(plan.actor), MILESTONES.index(plan.milestone)
        if np.isnan(planned[i, k]) or plan.planned_year < planned[i, k]:
            planned[i, k] = plan.planned_year
            late[i, k] = plan.planned_year_late
    return planned, late
