"""The station catalogue: ``data/engine/stations.csv`` read and validated into
:class:`StationSpec` rows (actor ids, not indices).

What the stations are (hosts, treaty quotas, bloc partners, opening and closing years) is a fact
about the world, so it lives in the world layer, where the report can read it too; how crews fly
on them year by year is the engine's (:mod:`moondust.engine.stations`, whose docstring explains
the columns' meaning in the model).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from moondust.errors import InputFileError
from moondust.parameters import STATUSES
from moondust.world._tables import Row, check_unique, read_rows
from moondust.world.ids import ACTOR_IDS, MILESTONES

KINDS: tuple[str, ...] = ("leo", "lunar")
"""Station kinds: in low Earth orbit or on the lunar surface."""

PARTNER_BLOCS: tuple[str, ...] = ("artemis", "ilrs")
"""Blocs whose members can be a station's bloc partners."""

COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "kind",
    "host",
    "partners",
    "partner_bloc",
    "successor_of",
    "open_year",
    "close_year",
    "milestone",
    "seats_per_year",
    "trainees",
    "annual_cost_usd_bn",
    "source",
    "status",
)
"""Columns ``data/engine/stations.csv`` must have (it also carries ranges and notes)."""


@dataclass(frozen=True)
class StationSpec:
    """One station as written in ``data/engine/stations.csv`` (actor ids, not indices).

    Attributes
    ----------
    id, name, kind
        Identifier, display name, ``"leo"`` or ``"lunar"``.
    host
        Actor id of the host.
    quotas
        Treaty partners and their seat shares ``q`` (share of ``seats_per_year``).
    partner_bloc
        ``"artemis"``, ``"ilrs"`` or ``None``: the host's bloc partners share the bloc pool.
    successor_of
        Id of the station whose candidates keep their training here, or ``None``.
    open_year, close_year
        First and last year the station can fly crews (``-inf``/``inf`` when unbounded).
    milestone
        Milestone the host must hold before the station opens, or ``None``.
    seats_per_year
        Seats ``C`` flown per year.
    trainees
        Nationalities already in the pipeline and the year they entered it.
    annual_cost_usd_bn
        Running cost per year, shared by seats flown
        (:func:`moondust.engine.stations.running_costs`).
    source, status
        Provenance of the row.
    """

    id: str
    name: str
    kind: str
    host: str
    seats_per_year: int
    quotas: tuple[tuple[str, float], ...] = ()
    partner_bloc: str | None = None
    successor_of: str | None = None
    open_year: float = -math.inf
    close_year: float = math.inf
    milestone: str | None = None
    trainees: tuple[tuple[str, int], ...] = ()
    annual_cost_usd_bn: float = 0.0
    source: str = ""
    status: str = "assumption"


def _pairs(row: Row, field: str, number: type) -> tuple[tuple[str, float | int], ...]:
    text = row.text(field, required=False)
    pairs: list[tuple[str, float | int]] = []
    for item in filter(None, (part.strip() for part in text.split(";"))):
        actor, sep, value = item.partition(":")
        actor = actor.strip()
        if not sep or actor not in ACTOR_IDS:
            raise InputFileError(
                f"{row.file}: row {row.line}, field '{field}': expected ACTOR:VALUE items "
                f"separated by ';' with ACTOR one of {', '.join(ACTOR_IDS)}, got {item!r}"
            )
        try:
            pairs.append((actor, number(value)))
        except ValueError:
            raise InputFileError(
                f"{row.file}: row {row.line}, field '{field}': {item!r} has no valid number"
            ) from None
    return tuple(pairs)


def _parse(row: Row) -> StationSpec:
    host = row.choice("host", ACTOR_IDS)
    quotas = tuple((a, float(q)) for a, q in _pairs(row, "partners", float))
    if any(a == host for a, _ in quotas) or any(not 0 < q < 1 for _, q in quotas):
        raise InputFileError(
            f"{row.file}: row {row.line}, field 'partners': partners exclude the host and "
            "have shares in (0, 1)"
        )
    bloc = row.text("partner_bloc", required=False) or None
    if bloc is not None and bloc not in PARTNER_BLOCS:
        raise InputFileError(
            f"{row.file}: row {row.line}, field 'partner_bloc': expected empty or one of "
            f"{', '.join(PARTNER_BLOCS)}, got {bloc!r}"
        )
    milestone = row.text("milestone", required=False) or None
    if milestone is not None and milestone not in MILESTONES:
        raise InputFileError(
            f"{row.file}: row {row.line}, field 'milestone': expected empty or one of "
            f"{', '.join(MILESTONES)}, got {milestone!r}"
        )
    opens = row.optional_number("open_year", low=1950, high=2200)
    closes = row.optional_number("close_year", low=1950, high=2200)
    if opens is not None and closes is not None and closes < opens:
        raise InputFileError(f"{row.file}: row {row.line}: close_year is before open_year")
    return StationSpec(
        id=row.text("id"),
        name=row.text("name"),
        kind=row.choice("kind", KINDS),
        host=host,
        seats_per_year=row.integer("seats_per_year", low=1, high=100),
        quotas=quotas,
        partner_bloc=bloc,
        successor_of=row.text("successor_of", required=False) or None,
        open_year=-math.inf if opens is None else opens,
        close_year=math.inf if closes is None else closes,
        milestone=milestone,
        trainees=tuple((a, int(y)) for a, y in _pairs(row, "trainees", int)),
        annual_cost_usd_bn=row.number("annual_cost_usd_bn", low=0.0),
        source=row.text("source"),
        status=row.choice("status", STATUSES),
    )


@cache
def station_specs() -> tuple[StationSpec, ...]:
    """The packaged stations (``data/engine/stations.csv``), validated.

    Raises
    ------
    moondust.errors.InputFileError
        On a malformed row, a repeated id or an unknown ``successor_of``.
    """
    rows = read_rows("engine", "stations.csv", COLUMNS)
    check_unique(rows, ["id"])
    specs = tuple(_parse(row) for row in rows)
    ids = {spec.id for spec in specs}
    for row, spec in zip(rows, specs, strict=True):
        if spec.successor_of is not None and spec.successor_of not in ids - {spec.id}:
            raise InputFileError(
                f"{row.file}: row {row.line}, field 'successor_of': unknown station "
                f"{spec.successor_of!r}"
            )
    return specs


def markdown_table() -> str:
    """The stations table as pasted into ``docs/model.md`` (a test can keep them in step)."""

    def year(value: float) -> str:
        return "—" if not math.isfinite(value) else f"{value:g}"

    lines = [
        "| station | host | treaty partners (seat share) | bloc partners | opens | closes "
        "| needs | seats/yr | status |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for spec in station_specs():
        quotas = ", ".join(f"{a} {q:g}" for a, q in spec.quotas) or "—"
        lines.append(
            f"| `{spec.id}` | {spec.host} | {quotas} | {spec.partner_bloc or '—'} "
            f"| {year(spec.open_year)} | {year(spec.close_year)} | {spec.milestone or '—'} "
            f"| {spec.seats_per_year} | {spec.status} |"
        )
    return "\n".join(lines)
