"""The 18 actors' 2025 budgets, growth and capabilities (``data/world/actors.csv``).

Each number carries a low–high range, a source and a provenance status (sourced / secondary /
derived / unconfirmed / assumption). The three rest-of-world aggregates are the world government
space total minus the 15 named actors, split by bloc with the shares in
``data/world/aggregates.csv``; :func:`derive_aggregates` reproduces their rows from the named
actors so the file cannot drift (a test checks it). docs/world.md shows the arithmetic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from moondust.errors import InputFileError
from moondust.world._tables import Row, check_unique, read_rows
from moondust.world.ids import ACTOR_IDS, AGGREGATE_IDS, PROVENANCE

ACTOR_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "kind",
    "civil_usd_bn",
    "civil_low",
    "civil_high",
    "civil_source",
    "civil_status",
    "military_usd_bn",
    "military_low",
    "military_high",
    "military_source",
    "military_status",
    "gdp_growth_pct",
    "gdp_growth_low",
    "gdp_growth_high",
    "gdp_growth_source",
    "gdp_growth_status",
    "has_launcher",
    "crewed_capable",
    "capability_source",
    "notes",
)


@dataclass(frozen=True)
class Estimate:
    """A number with its plausible range and provenance."""

    value: float
    low: float
    high: float
    source: str
    status: str


@dataclass(frozen=True)
class ActorRecord:
    """One row of ``actors.csv``."""

    id: str
    name: str
    kind: str
    civil: Estimate
    military: Estimate
    gdp_growth_pct: Estimate
    has_launcher: bool
    crewed_capable: bool
    capability_source: str
    notes: str

    @property
    def total_usd_bn(self) -> float:
        """Civil plus military space budget."""
        return self.civil.value + self.military.value


def _estimate(row: Row, value: str, prefix: str, *, low_bound: float, positive: bool) -> Estimate:
    number = row.number(value, low=low_bound)
    if positive and number <= 0:
        raise InputFileError(
            f"{row.file}: row {row.line}, field '{value}': expected a positive number, "
            f"got {row.text(value)!r}"
        )
    low = row.number(f"{prefix}_low", low=low_bound)
    high = row.number(f"{prefix}_high", low=low_bound)
    if not low <= number <= high:
        raise InputFileError(
            f"{row.file}: row {row.line} ({row.text('id')}): expected {prefix}_low <= {value} "
            f"<= {prefix}_high, got {low:g} <= {number:g} <= {high:g}"
        )
    return Estimate(
        number, low, high, row.text(f"{prefix}_source"), row.choice(f"{prefix}_status", PROVENANCE)
    )


def _parse_actor(row: Row) -> ActorRecord:
    actor_id = row.choice("id", ACTOR_IDS)
    kind = row.choice("kind", ("state", "aggregate"))
    expected_kind = "aggregate" if actor_id in AGGREGATE_IDS else "state"
    if kind != expected_kind:
        raise InputFileError(
            f"{row.file}: row {row.line}, field 'kind': expected {expected_kind!r} for "
            f"{actor_id}, got {kind!r}"
        )
    return ActorRecord(
        id=actor_id,
        name=row.text("name"),
        kind=kind,
        civil=_estimate(row, "civil_usd_bn", "civil", low_bound=0.0, positive=True),
        military=_estimate(row, "military_usd_bn", "military", low_bound=0.0, positive=True),
        gdp_growth_pct=_estimate(
            row, "gdp_growth_pct", "gdp_growth", low_bound=-20.0, positive=False
        ),
        has_launcher=row.flag("has_launcher"),
        crewed_capable=row.flag("crewed_capable"),
        capability_source=row.text("capability_source"),
        notes=row.text("notes", required=False),
    )


@cache
def actor_records(name: str = "actors.csv") -> tuple[ActorRecord, ...]:
    """The 18 rows of ``actors.csv`` (or another start year's ``actors_<year>.csv``) in
    :data:`~moondust.world.ACTOR_IDS` order.

    Raises
    ------
    InputFileError
        If a column is missing, a value is malformed or out of its range, an id is unknown or
        repeated, or an actor is missing.

    Examples
    --------
    >>> usa = actor_records()[0]
    >>> usa.id, usa.civil.status
    ('USA', 'sourced')
    """
    rows = read_rows("world", name, ACTOR_COLUMNS)
    check_unique(rows, ("id",))
    records = {record.id: record for record in (_parse_actor(row) for row in rows)}
    missing = [actor for actor in ACTOR_IDS if actor not in records]
    if missing:
        raise InputFileError(f"world/{name}: missing actor(s) {', '.join(missing)}")
    return tuple(records[actor] for actor in ACTOR_IDS)


@cache
def world_total() -> Estimate:
    """World government space spending (civil + defence) anchoring the rest-of-world residual.

    Raises
    ------
    InputFileError
        If ``world_total.csv`` is malformed.
    """
    columns = ("name", "value", "low", "high", "unit", "year", "source", "status")
    rows = read_rows("world", "world_total.csv", columns)
    row = rows[0]
    value = row.number("value", low=0.0)
    low, high = row.number("low", low=0.0), row.number("high", low=0.0)
    if not low <= value <= high:
        raise InputFileError(f"{row.file}: row {row.line}: expected low <= value <= high")
    return Estimate(value, low, high, row.text("source"), row.choice("status", PROVENANCE))


@dataclass(frozen=True)
class AggregateShares:
    """How an aggregate's slice of the rest-of-world residual is set (``aggregates.csv``)."""

    id: str
    bloc_share: Estimate
    civil_share: Estimate


@cache
def aggregate_shares() -> dict[str, AggregateShares]:
    """Bloc and civil shares of the three rest-of-world aggregates.

    Raises
    ------
    InputFileError
        If a share is outside [0, 1], its range does not contain it, an aggregate is missing,
        or the bloc shares do not add up to 1.
    """
    columns = (
        "id",
        "bloc_share",
        "bloc_share_low",
        "bloc_share_high",
        "civil_share",
        "civil_share_low",
        "civil_share_high",
        "source",
        "status",
    )
    rows = read_rows("world", "aggregates.csv", columns)
    check_unique(rows, ("id",))
    shares: dict[str, AggregateShares] = {}
    for row in rows:
        aggregate = row.choice("id", AGGREGATE_IDS)
        status = row.choice("status", PROVENANCE)
        source = row.text("source")
        parts = []
        for name in ("bloc_share", "civil_share"):
            value = row.number(name, low=0.0, high=1.0)
            low = row.number(f"{name}_low", low=0.0, high=1.0)
            high = row.number(f"{name}_high", low=0.0, high=1.0)
            if not low <= value <= high:
                raise InputFileError(
                    f"{row.file}: row {row.line}: expected {name}_low <= {name} <= {name}_high"
                )
            parts.append(Estimate(value, low, high, source, status))
        shares[aggregate] = AggregateShares(aggregate, parts[0], parts[1])
    missing = [a for a in AGGREGATE_IDS if a not in shares]
    if missing:
        raise InputFileError(f"world/aggregates.csv: missing aggregate(s) {', '.join(missing)}")
    total = sum(s.bloc_share.value for s in shares.values())
    if abs(total - 1.0) > 1e-9:
        raise InputFileError(f"world/aggregates.csv: bloc_share must add up to 1, got {total:g}")
    return {aggregate: shares[aggregate] for aggregate in AGGREGATE_IDS}


@dataclass(frozen=True)
class AggregateBudget:
    """Civil and military budgets of one aggregate, as derived from the residual."""

    civil: tuple[float, float, float]
    military: tuple[float, float, float]


def derive_aggregates(
    records: Sequence[ActorRecord] | None = None,
    total: Estimate | None = None,
    shares: dict[str, AggregateShares] | None = None,
) -> dict[str, AggregateBudget]:
    """The aggregates' (value, low, high) budgets from the named actors and the world total.

    With ``R = W - Σ named (civil + military)`` (``R_low``/``R_high`` from the world total's
    range), an aggregate with bloc share ``s`` and civil share ``c`` gets civil ``R·s·c`` and
    military ``R·s·(1 - c)``; lows combine the low residual with low shares, highs the high ones.
    Values are rounded to 4 decimals, as stored in ``actors.csv``.

    Raises
    ------
    InputFileError
        If the named actors alone exceed the low world total (no residual left).

    Examples
    --------
    >>> budget = derive_aggregates()["ROW_ARTEMIS"]
    >>> round(budget.civil[0] + budget.military[0], 2)
    2.15
    """
    records = actor_records() if records is None else records
    total = world_total() if total is None else total
    shares = aggregate_shares() if shares is None else shares
    named = sum(r.total_usd_bn for r in records if r.id not in AGGREGATE_IDS)
    residual = (total.value - named, total.low - named, total.high - named)
    if residual[1] <= 0:
        raise InputFileError(
            f"world/actors.csv: named actors spend {named:.3f} USD bn, more than the low world "
            f"total {total.low:g}; the rest-of-world residual would be negative"
        )
    result = {}
    for aggregate, share in shares.items():
        s, c = share.bloc_share, share.civil_share
        civil = (
            residual[0] * s.value * c.value,
            residual[1] * s.low * c.low,
            residual[2] * s.high * c.high,
        )
        military = (
            residual[0] * s.value * (1 - c.value),
            residual[1] * s.low * (1 - c.high),
            residual[2] * s.high * (1 - c.low),
        )
        result[aggregate] = AggregateBudget(_rounded(civil), _rounded(military))
    return result


def _rounded(triple: tuple[float, float, float]) -> tuple[float, float, float]:
    return (round(triple[0], 4), round(triple[1], 4), round(triple[2], 4))


def markdown_table() -> str:
    """The actors' 2025 numbers as the Markdown table pasted into ``docs/world.md``.

    Examples
    --------
    >>> markdown_table().splitlines()[2].startswith("| USA | United States | 24.875 (24.438–25.7)")
    True
    """

    def cell(estimate: Estimate) -> str:
        return f"{estimate.value:g} ({estimate.low:g}–{estimate.high:g}) | {estimate.status}"

    lines = [
        "| id | actor | civil, USD bn (range) | status | military, USD bn (range) | status "
        "| GDP growth, %/yr (range) | status | launcher | crew |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in actor_records():
        lines.append(
            f"| {r.id} | {r.name} | {cell(r.civil)} | {cell(r.military)} "
            f"| {cell(r.gdp_growth_pct)} | {'yes' if r.has_launcher else 'no'} "
            f"| {'yes' if r.crewed_capable else 'no'} |"
        )
    return "\n".join(lines)
