"""Reading the packaged world tables with field-level validation.

Every reader returns plain Python values; a malformed file raises
:class:`moondust.errors.InputFileError` naming the file, the row (as numbered in a spreadsheet:
the header is row 1), the field and what was expected.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from moondust.datafiles import data_path
from moondust.errors import InputFileError


@dataclass(frozen=True)
class Row:
    """One CSV row with typed accessors that raise :class:`InputFileError` on bad values."""

    file: str
    line: int
    values: dict[str, str]

    def _fail(self, field: str, expected: str) -> InputFileError:
        got = self.values.get(field, "")
        return InputFileError(
            f"{self.file}: row {self.line}, field '{field}': expected {expected}, got {got!r}"
        )

    def text(self, field: str, *, required: bool = True) -> str:
        """The stripped text of ``field`` (non-empty unless ``required`` is false)."""
        value = self.values.get(field, "").strip()
        if required and not value:
            raise self._fail(field, "a non-empty value")
        return value

    def choice(self, field: str, allowed: Iterable[str]) -> str:
        """``field``, which must be one of ``allowed``."""
        options = tuple(allowed)
        value = self.text(field)
        if value not in options:
            raise self._fail(field, "one of " + ", ".join(options))
        return value

    def number(self, field: str, *, low: float | None = None, high: float | None = None) -> float:
        """``field`` as a finite float, optionally within ``[low, high]``."""
        raw = self.text(field)
        try:
            value = float(raw)
        except ValueError:
            raise self._fail(field, "a number") from None
        if not math.isfinite(value):
            raise self._fail(field, "a finite number")
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"[{'-inf' if low is None else low:g}, {'inf' if high is None else high:g}]"
            raise self._fail(field, f"a number in {bounds}")
        return value

    def optional_number(
        self, field: str, *, low: float | None = None, high: float | None = None
    ) -> float | None:
        """``field`` as a float, or ``None`` when the cell is empty."""
        if not self.text(field, required=False):
            return None
        return self.number(field, low=low, high=high)

    def integer(self, field: str, *, low: int | None = None, high: int | None = None) -> int:
        """``field`` as an integer, optionally within ``[low, high]``."""
        raw = self.text(field)
        try:
            value = int(raw)
        except ValueError:
            raise self._fail(field, "an integer") from None
        if (low is not None and value < low) or (high is not None and value > high):
            raise self._fail(field, f"an integer in [{low}, {high}]")
        return value

    def flag(self, field: str) -> bool:
        """``field`` as a 0/1 flag."""
        return bool(self.integer(field, low=0, high=1))


def table_path(folder: str, name: str) -> Path:
    """Path of a packaged table (tests may monkeypatch this to point elsewhere)."""
    return data_path(folder, name)


def read_rows(folder: str, name: str, required: Sequence[str]) -> list[Row]:
    """Rows of ``data/<folder>/<name>``, checking that every ``required`` column is present.

    Raises
    ------
    InputFileError
        If the file cannot be read, is empty, or lacks a required column.
    """
    label = f"{folder}/{name}"
    try:
        path = table_path(folder, name)
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [field for field in required if field not in header]
            if missing:
                raise InputFileError(
                    f"{label}: missing column(s) {', '.join(missing)}; "
                    f"expected {', '.join(required)}"
                )
            rows = [
                Row(label, number, {k: (v or "") for k, v in raw.items() if k is not None})
                for number, raw in enumerate(reader, start=2)
            ]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputFileError(f"{label}: cannot be read ({exc})") from None
    if not rows:
        raise InputFileError(f"{label}: no data rows")
    return rows


def check_unique(rows: Sequence[Row], key: Sequence[str]) -> None:
    """Raise :class:`InputFileError` if two rows share the same ``key`` fields."""
    seen: dict[tuple[str, ...], int] = {}
    for row in rows:
        value = tuple(row.text(field) for field in key)
        if value in seen:
            raise InputFileError(
                f"{row.file}: row {row.line} repeats {'/'.join(key)} {'/'.join(value)} "
                f"(first at row {seen[value]})"
            )
        seen[value] = row.line
