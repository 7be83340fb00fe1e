"""Bounds on what a user may ask for, and the checks that enforce them (docs/reliability).

Every input is refused with one clear :class:`~moondust.errors.MoondustError` when it is outside
what the model can compute: too many runs, seeds past the 64-bit counters, scenario files too big
or too deeply nested to parse safely, and results that overflowed. The numbers live here so the
command line, the scenario parser and the explorer share them.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from moondust.errors import InputFileError, MoondustError

if TYPE_CHECKING:  # a type only: limits sits below every layer and imports none of them
    import xarray as xr

MAX_RUNS = 10_000_000
"""Most Monte Carlo runs in one call (a batch's arrays grow with it; 10 M is hours of work)."""

MAX_SEED = 2**63 - 1
"""Largest seed and largest global run index: the engine's counters are signed 64-bit integers."""

SCENARIO_MAX_BYTES = 1_000_000
"""Largest scenario file read (the built-in ones are under 2 kB)."""

TOML_MAX_DEPTH = 32
"""Deepest nesting of tables and arrays in a scenario file (a scenario needs 4)."""

NAME_MAX_CHARS = 200
"""Longest scenario name (it names output directories)."""

DESCRIPTION_MAX_CHARS = 10_000
"""Longest scenario description."""

MESSAGE_MAX_CHARS = 1_000
"""Longest error message printed: longer ones are cut (a list shows its first items)."""

LISTED_ITEMS = 5
"""How many items of a list an error message shows before "… and N more"."""

RESOLUTION_MIN_DEG = 0.1
"""Finest Moon grid (1800 × 3600 cells; 0.01° would need about 5 GiB)."""

RESOLUTION_MAX_DEG = 90.0
"""Coarsest Moon grid (2 × 4 cells; a cell must divide the 90° of a hemisphere)."""


def brief(items: Iterable[Any], shown: int = LISTED_ITEMS) -> str:
    """A list for an error message: its first ``shown`` items and how many more there are.

    Examples
    --------
    >>> brief(["A", "B"])
    "['A', 'B']"
    >>> brief(range(8), shown=3)
    '[0, 1, 2, … and 5 more]'
    """
    values = list(items)
    head = ", ".join(repr(value) for value in values[:shown])
    more = len(values) - shown
    return f"[{head}, … and {more} more]" if more > 0 else f"[{head}]"


def cap_message(text: str, limit: int = MESSAGE_MAX_CHARS) -> str:
    """One line of at most ``limit`` characters (an error quoting a huge input stays readable)."""
    line = " ".join(text.split())
    return line if len(line) <= limit else f"{line[: limit - 30]} … ({len(line):,} characters)"


def check_runs(runs: int, seed: int, first_run: int = 0) -> None:
    """Refuse a run count above :data:`MAX_RUNS` or a seed or run index past :data:`MAX_SEED`.

    Raises
    ------
    MoondustError
        Naming the value and its bound.
    """
    if not 1 <= runs <= MAX_RUNS:
        raise MoondustError(f"runs: expected 1 to {MAX_RUNS:,} (got {runs})")
    if not 0 <= seed <= MAX_SEED:
        raise MoondustError(f"seed: expected 0 to 2^63 − 1 (got {seed})")
    if not 0 <= first_run <= MAX_SEED - (runs - 1):
        raise MoondustError(
            f"first run: expected 0 to 2^63 − {runs} so that the last of {runs:,} run indices "
            f"stays below 2^63 (got {first_run})"
        )


def json_safe(data: Any) -> Any:
    """``data`` with every NaN or infinite float replaced by ``None`` (JSON ``null``).

    JSON has no NaN or infinity; ``null`` marks a value that is not a number (a milestone never
    reached, a median over no runs). NumPy scalars become Python numbers.

    Examples
    --------
    >>> json_safe({"a": [1.0, float("nan")], "b": float("inf")})
    {'a': [1.0, None], 'b': None}
    """
    if isinstance(data, Mapping):
        return {key: json_safe(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [json_safe(value) for value in data]
    if hasattr(data, "item") and getattr(data, "ndim", None) == 0:  # a NumPy scalar
        data = data.item()
    if isinstance(data, float) and not math.isfinite(data):
        return None
    return data


def parse_toml(text: str, source: str) -> dict[str, Any]:
    """Parse a scenario file's text with bounded size and nesting.

    Raises
    ------
    InputFileError
        If the text is longer than :data:`SCENARIO_MAX_BYTES`, nests deeper than
        :data:`TOML_MAX_DEPTH`, is not TOML, or holds an integer too long to convert.
    """
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > SCENARIO_MAX_BYTES:
        raise InputFileError(
            f"{source}: the file has {size:,} bytes; a scenario file may have at most "
            f"{SCENARIO_MAX_BYTES:,}"
        )
    depth = _bracket_depth(text)
    if depth > TOML_MAX_DEPTH:
        raise InputFileError(
            f"{source}: arrays and inline tables nest {depth} deep; at most {TOML_MAX_DEPTH}"
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputFileError(f"{source}: not valid TOML: {exc}") from None
    except RecursionError:  # a nesting the bracket count missed (it is a bound, not a parser)
        raise InputFileError(f"{source}: nested too deeply (at most {TOML_MAX_DEPTH})") from None
    except ValueError as exc:  # Python's int-str limit: integers over 4,300 digits
        raise InputFileError(f"{source}: not a usable number: {cap_message(str(exc))}") from None
    if _table_depth(data) > TOML_MAX_DEPTH:
        raise InputFileError(f"{source}: tables nest deeper than {TOML_MAX_DEPTH}")
    return data


def _bracket_depth(text: str) -> int:
    """An upper bound of the nesting of ``[`` and ``{`` (strings included, so never too low).

    Counting every bracket, also inside strings and comments, overestimates only for files that
    put many brackets in text; it guarantees tomllib's recursion stays shallow.
    """
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(depth - 1, 0)
    return deepest


def _table_depth(value: Any) -> int:
    """Nesting of dicts and lists in parsed data (dotted keys such as ``a.b.c`` nest tables)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > TOML_MAX_DEPTH:
            break
        children = item.values() if isinstance(item, Mapping) else item
        if isinstance(item, Mapping | list):
            stack.extend((child, depth + 1) for child in children)
    return deepest


def check_outputs(dataset: xr.Dataset) -> None:
    """Refuse a batch's outputs (a :class:`~moondust.results.Results` dataset) with an infinite or
    NaN value where the model promises a number.

    ``milestone_year`` is NaN for a milestone not reached; every other output must be finite.
    Validation keeps inputs where the model computes; this is the safety net for combinations
    of extreme values that overflow all the same.

    Raises
    ------
    MoondustError
        Naming the first output that overflowed.
    """
    import numpy as np

    for name, variable in dataset.data_vars.items():
        values = variable.values
        if values.dtype.kind != "f" or name == "milestone_year":
            continue
        # max and min propagate NaN and show ±inf, without a temporary array the size of the data
        if values.size and not (np.isfinite(values.max()) and np.isfinite(values.min())):
            raise MoondustError(
                f"the model overflowed: {name} is not finite for these inputs; bring extreme "
                "parameter or budget values closer to their ranges (moondust params engine)"
            )
    years = dataset["milestone_year"].values
    if np.isinf(years).any():
        raise MoondustError("the model overflowed: a milestone year is infinite")
