"""Pairwise relations not implied by bloc membership (``data/world/relations.csv``).

Two kinds: ``rivalry`` (an intensity in [0, 1] with a low–high range; every intensity is a labelled
assumption, the pairs follow the strategic-rivalry literature) and ``sanction`` (a standing legal
or political bar on cooperation, e.g. the Wolf Amendment between the USA and China). Both matrices
are symmetric with a zero (false) diagonal.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from moondust.errors import InputFileError
from moondust.world._tables import Row, read_rows
from moondust.world.ids import ACTOR_IDS, BASE_YEAR, PROVENANCE

KINDS: tuple[str, ...] = ("rivalry", "sanction")


@dataclass(frozen=True)
class Relation:
    """One row of ``relations.csv``."""

    actor_a: str
    actor_b: str
    kind: str
    intensity: float | None
    low: float | None
    high: float | None
    since: int | None
    source: str
    status: str


def _parse(row: Row) -> Relation:
    a, b = row.choice("actor_a", ACTOR_IDS), row.choice("actor_b", ACTOR_IDS)
    if a == b:
        raise InputFileError(f"{row.file}: row {row.line}: a relation needs two different actors")
    kind = row.choice("kind", KINDS)
    since = None
    if row.text("since", required=False):
        since = row.integer("since", low=1945, high=BASE_YEAR)
    if kind == "rivalry":
        intensity = row.number("intensity", low=0.0, high=1.0)
        low = row.number("low", low=0.0, high=1.0)
        high = row.number("high", low=0.0, high=1.0)
        if not low <= intensity <= high:
            raise InputFileError(
                f"{row.file}: row {row.line} ({a}-{b}): expected low <= intensity <= high"
            )
        numbers: tuple[float | None, float | None, float | None] = (intensity, low, high)
    else:
        if any(row.text(f, required=False) for f in ("intensity", "low", "high")):
            raise InputFileError(
                f"{row.file}: row {row.line} ({a}-{b}): a sanction has no intensity; "
                "leave intensity, low and high empty"
            )
        if since is None:
            raise InputFileError(
                f"{row.file}: row {row.line}, field 'since': expected the year a sanction began"
            )
        numbers = (None, None, None)
    status = row.choice("status", PROVENANCE)
    return Relation(a, b, kind, *numbers, since, row.text("source"), status)


@cache
def relation_records() -> tuple[Relation, ...]:
    """Every row of ``relations.csv``.

    Raises
    ------
    InputFileError
        On an unknown actor or kind, a pair listed twice for one kind (in either order), or a
        malformed intensity.

    Examples
    --------
    >>> [(r.actor_a, r.actor_b, r.since) for r in relation_records() if r.kind == "sanction"][0]
    ('USA', 'CHN', 2011)
    """
    columns = ("actor_a", "actor_b", "kind", "intensity", "low", "high", "since", "source")
    rows = read_rows("world", "relations.csv", (*columns, "status"))
    parsed: list[Relation] = []
    seen: dict[tuple[str, frozenset[str]], int] = {}
    for row in rows:
        relation = _parse(row)
        key = (relation.kind, frozenset((relation.actor_a, relation.actor_b)))
        if key in seen:
            raise InputFileError(
                f"{row.file}: row {row.line}: {relation.kind} {relation.actor_a}-"
                f"{relation.actor_b} already given at row {seen[key]}"
            )
        seen[key] = row.line
        parsed.append(relation)
    return tuple(parsed)


def rivalry_matrices() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rivalry intensity and its low and high bounds, each symmetric (actors, actors)."""
    n = len(ACTOR_IDS)
    value, low, high = np.zeros((n, n)), np.zeros((n, n)), np.zeros((n, n))
    for r in relation_records():
        if r.kind != "rivalry":
            continue
        i, j = ACTOR_IDS.index(r.actor_a), ACTOR_IDS.index(r.actor_b)
        for matrix, number in ((value, r.intensity), (low, r.low), (high, r.high)):
            matrix[i, j] = matrix[j, i] = number
    return value, low, high


def sanction_matrix(as_of: int = BASE_YEAR) -> np.ndarray:
    """Bool (actors, actors), symmetric: true where a sanction in force by ``as_of`` bars
    cooperation."""
    return sanction_years() <= as_of


def sanction_years() -> np.ndarray:
    """Float (actors, actors), symmetric: the year each sanction began (``inf`` where none)."""
    n = len(ACTOR_IDS)
    result = np.full((n, n), np.inf)
    for r in relation_records():
        if r.kind == "sanction" and r.since is not None:
            i, j = ACTOR_IDS.index(r.actor_a), ACTOR_IDS.index(r.actor_b)
            result[i, j] = result[j, i] = r.since
    return result
