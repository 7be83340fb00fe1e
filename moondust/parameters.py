"""Cited model parameters: one table per model part, one typed object per table.

Every parameter's default, plausible range, unit, source and status (sourced / secondary / derived /
unconfirmed / assumption) lives in a packaged CSV, ``moondust/data/parameters/<table>.csv``. A
:class:`ParameterSet` subclass declares the same names as typed pydantic fields whose defaults come
from that CSV, so code, data and ``docs/model.md`` cannot drift apart (a test checks all three).

The *range* is what a sensitivity analysis should sweep; it is not a validity bound. Validity bounds
(a thickness must be positive) are declared on the fields; a side a field leaves open is capped at
:data:`UNBOUNDED_CAP_FACTOR` times the range's largest magnitude, so extreme values cannot overflow
the model (:meth:`ParameterSet.validity`). NaN and infinity are never accepted.
"""

from __future__ import annotations

import csv
import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar, Self, cast

import annotated_types
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from moondust.datafiles import data_path
from moondust.errors import ParameterError

STATUSES = ("sourced", "secondary", "derived", "unconfirmed", "assumption")

UNBOUNDED_CAP_FACTOR = 100.0
"""A parameter with no declared upper (lower) validity bound may be at most this many times the
largest magnitude of its plausible range (at least 1) above (below) zero; one declared positive
(> 0) must be at least the smallest positive end of its range (or default) divided by it. Every
parameter at these caps, the others at their defaults, was checked to give finite results to
2300 (tests/world/test_scenario_fuzz.py)."""


@dataclass(frozen=True)
class ValidityBounds:
    """The values a parameter may take: ``low``..``high``, each end open or closed."""

    low: float
    high: float
    low_open: bool = False
    high_open: bool = False

    def contains(self, value: float) -> bool:
        """Whether ``value`` is a finite number inside the bounds."""
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return bool(above and below)

    def __str__(self) -> str:
        left, right = "(" if self.low_open else "[", ")" if self.high_open else "]"
        return f"{left}{self.low:g}, {self.high:g}{right}"


@dataclass(frozen=True)
class ParameterSpec:
    """One row of a parameter table."""

    name: str
    symbol: str
    default: float
    low: float
    high: float
    unit: str
    description: str
    source: str
    status: str

    @property
    def range_text(self) -> str:
        """``low–high``, or ``fixed`` for constants."""
        return "fixed" if self.low == self.high else f"{self.low:g}–{self.high:g}"


@cache
def load_specs(table: str) -> dict[str, ParameterSpec]:
    """Read ``data/parameters/<table>.csv`` into specs keyed by name."""
    specs: dict[str, ParameterSpec] = {}
    with data_path("parameters", f"{table}.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            spec = ParameterSpec(
                name=row["name"],
                symbol=row["symbol"],
                default=float(row["default"]),
                low=float(row["low"]),
                high=float(row["high"]),
                unit=row["unit"],
                description=row["description"],
                source=row["source"],
                status=row["status"],
            )
            if spec.status not in STATUSES:
                raise ValueError(f"{table}.csv: {spec.name}: unknown status {spec.status!r}")
            specs[spec.name] = spec
    return specs


def spec_field(table: str, name: str, **constraints: Any) -> Any:
    """A pydantic ``Field`` whose default and description come from the parameter table."""
    spec = load_specs(table)[name]
    return Field(
        default=spec.default, description=f"{spec.description} [{spec.unit}]", **constraints
    )


def parse_assignments(assignments: Iterable[str]) -> dict[str, str]:
    """Parse ``name=value`` strings (as given to ``--param``) into a dict.

    Raises
    ------
    ParameterError
        If an item has no ``=`` or an empty name.
    """
    parsed: dict[str, str] = {}
    for item in assignments:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ParameterError(
                f"--param {item!r}: expected NAME=VALUE, e.g. he3_tio2_coefficient=0.6"
            )
        parsed[name.strip()] = value.strip()
    return parsed


class ParameterSet(BaseModel):
    """Base class of typed, frozen parameter objects backed by a parameter table."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", validate_default=True, allow_inf_nan=False
    )
    table: ClassVar[str]
    extra_tables: ClassVar[tuple[str, ...]] = ()
    """Further tables whose parameters this set also declares (one mechanism per table)."""

    @classmethod
    @cache
    def validity(cls, name: str) -> ValidityBounds:
        """The validity bounds of a parameter: declared on its field, else the cap.

        Examples
        --------
        >>> from moondust.engine_parameters import EngineParameters as Engine
        >>> str(Engine.validity("lunar_share")), str(Engine.validity("margin_gain"))
        ('[0, 1]', '[0, 300]')
        """
        spec = cls.specs()[name]
        cap = UNBOUNDED_CAP_FACTOR * max(abs(spec.low), abs(spec.high), 1.0)
        low, high, low_open, high_open = -cap, cap, False, False
        for rule in cls.model_fields[name].metadata:
            if isinstance(rule, annotated_types.Gt) and rule.gt == 0:  # a divisor: not too small
                ends = [abs(v) for v in (spec.low, spec.high, spec.default) if v != 0] or [1.0]
                low, low_open = min(ends) / UNBOUNDED_CAP_FACTOR, False
            elif isinstance(rule, annotated_types.Gt):
                low, low_open = cast(float, rule.gt), True
            elif isinstance(rule, annotated_types.Ge):
                low, low_open = cast(float, rule.ge), False
            elif isinstance(rule, annotated_types.Lt):
                high, high_open = cast(float, rule.lt), True
            elif isinstance(rule, annotated_types.Le):
                high, high_open = cast(float, rule.le), False
        return ValidityBounds(float(low), float(high), low_open, high_open)

    @field_validator("*")
    @classmethod
    def _within_validity(cls, value: float, info: ValidationInfo) -> float:
        # the declared bounds were checked already; this adds the caps of open sides
        name = info.field_name
        if name is not None and name in cls.model_fields:
            bounds = cls.validity(name)
            if not bounds.contains(value):
                raise ValueError(
                    f"must lie in {bounds}, its validity bounds (docs/model.md, Parameters)"
                )
        return value

    @classmethod
    def specs(cls) -> dict[str, ParameterSpec]:
        """The table rows (default, range, unit, source, status) for this set's fields."""
        merged: dict[str, ParameterSpec] = {}
        for name in (cls.table, *cls.extra_tables):
            merged.update(load_specs(name))
        return merged

    def with_overrides(self, overrides: Mapping[str, object]) -> Self:
        """A copy with some parameters changed; values may be numbers or numeric strings.

        Raises
        ------
        ParameterError
            On an unknown name (with the closest known names) or an unacceptable value.
        """
        known = list(type(self).model_fields)
        for name in overrides:
            if name not in known:
                close = difflib.get_close_matches(name, known, n=3)
                hint = f"; did you mean {', '.join(close)}?" if close else ""
                raise ParameterError(
                    f"unknown {self.table} parameter {name!r}{hint} "
                    f"(see `moondust params {self.table}` or docs/model.md)"
                )
        merged = {**self.model_dump(), **overrides}
        try:
            return type(self).model_validate(merged)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"])
            raise ParameterError(
                f"parameter {field}={merged.get(field)!r}: "
                f"{first['msg'].removeprefix('Value error, ').lower()}"
            ) from None


# A key of the bibliography (docs/references.md) in a source, e.g. ``[fa2007]``.
_REFERENCE_KEY = re.compile(r"\[([a-z][a-z0-9-]*[a-z0-9])\]")


def link_references(text: str) -> str:
    """Turn the bibliography keys in ``text`` into links to ``references.md``.

    >>> link_references("Fa & Jin 2007 [fa2007]")
    'Fa & Jin 2007 [fa2007](references.md#fa2007)'
    """
    return _REFERENCE_KEY.sub(r"[\1](references.md#\1)", text)


def markdown_table(table: str) -> str:
    """The Markdown table of a parameter table, as pasted into ``docs/model.md``.

    Bibliography keys in the sources become links to ``docs/references.md``.
    """
    lines = [
        "| name | symbol | default | range | unit | meaning | source | status |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for spec in load_specs(table).values():
        lines.append(
            f"| `{spec.name}` | {spec.symbol} | {spec.default:g} | {spec.range_text} "
            f"| {spec.unit} | {spec.description} | {link_references(spec.source)} | {spec.status} |"
        )
    return "\n".join(lines)
