"""Fixed identifiers: the 18 actors and the 16-step milestone ladder, in array order.

Every array in :class:`moondust.world.World` follows these orders: axis 0 (and axis 1 of pairwise
matrices) is :data:`ACTOR_IDS`, the milestone axis is :data:`MILESTONES`.
"""

from __future__ import annotations

from moondust.parameters import STATUSES

#: The 15 named actors followed by the three rest-of-world aggregates (split by bloc).
ACTOR_IDS: tuple[str, ...] = (
    "USA",
    "CHN",
    "RUS",
    "EUR",
    "JPN",
    "IND",
    "KOR",
    "ARE",
    "ISR",
    "PAK",
    "BRA",
    "CAN",
    "AUS",
    "SAU",
    "TUR",
    "ROW_ARTEMIS",
    "ROW_ILRS",
    "ROW_OTHER",
)

#: The rest-of-world aggregates, in :data:`ACTOR_IDS` order.
AGGREGATE_IDS: tuple[str, ...] = ("ROW_ARTEMIS", "ROW_ILRS", "ROW_OTHER")

#: The milestone ladder (docs/model.md, M3), in order.
MILESTONES: tuple[str, ...] = (
    "orbiter",
    "soft_landing",
    "rover",
    "sample_return",
    "far_side_landing",
    "far_side_sample_return",
    "crewed_flyby",
    "crewed_landing",
    "surface_outpost",
    "he3_prospecting",
    "he3_extraction_demo",
    "he3_pilot_plant",
    "commercial_mining",
    "he3_delivered",
    "fusion_demo",
    "fusion_power",
)

#: The two lunar blocs.
BLOCS: tuple[str, ...] = ("artemis", "ilrs")

#: Allowed provenance labels (shared with the parameter tables).
PROVENANCE: tuple[str, ...] = STATUSES

#: The year whose end the packaged world describes.
BASE_YEAR = 2025

#: Start years with a packaged world (``load_world(start)``): the end of each year is described
#: by its own actor table (``actors.csv`` for 2025, ``actors_<year>.csv`` otherwise) and its own
#: announced plans (``roadmaps.csv``, ``roadmaps_<year>.csv``); history, blocs and sanctions are
#: cut at the year from the dated tables.
START_YEARS: tuple[int, ...] = (2007, BASE_YEAR)


def check_start_year(start: int) -> int:
    """``start`` if a packaged world describes it.

    Raises
    ------
    ValueError
        For a year without data (the message lists the years with data).
    """
    if start not in START_YEARS:
        years = ", ".join(str(y) for y in START_YEARS)
        raise ValueError(
            f"no packaged world for start year {start}: the data describe the end of {years}"
        )
    return start


def start_table(name: str, start: int) -> str:
    """The file name of a per-start-year table: ``name`` for the base year, else
    ``<stem>_<start>.csv`` (e.g. ``actors_2007.csv``)."""
    check_start_year(start)
    return name if start == BASE_YEAR else name.replace(".csv", f"_{start}.csv")


def actor_index(actor_id: str) -> int:
    """Position of ``actor_id`` in :data:`ACTOR_IDS`.

    Raises
    ------
    KeyError
        If the id is not one of the 18 actors.

    Examples
    --------
    >>> actor_index("CHN")
    1
    """
    try:
        return ACTOR_IDS.index(actor_id)
    except ValueError:
        known = ", ".join(ACTOR_IDS)
        raise KeyError(f"unknown actor {actor_id!r}; expected one of {known}") from None


def milestone_index(milestone: str) -> int:
    """Position of ``milestone`` in :data:`MILESTONES`.

    Raises
    ------
    KeyError
        If the name is not a milestone.

    Examples
    --------
    >>> milestone_index("crewed_landing")
    7
    """
    try:
        return MILESTONES.index(milestone)
    except ValueError:
        raise KeyError(
            f"unknown milestone {milestone!r}; expected one of {', '.join(MILESTONES)}"
        ) from None
