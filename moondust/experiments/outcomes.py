"""Per-run scalar outcomes with names (EMA Workbench style) and a small, safe expression language.

A sweep is analysed through *outcomes*: one scalar per run, derived from the run's dataset. Each
has a name that ``--outcome NAME`` accepts, a description, and a kind (``number`` or
``category``). Built-in families, expanded for the milestones, actors and blocs of a dataset:

``first_year_<milestone>``
    Earliest year any actor reaches the milestone (NaN if nobody does).
``first_bloc_<milestone>``
    Bloc class of the first actor to reach it: ``artemis``, ``ilrs``, ``both``, ``neither``,
    ``tie`` (actors of different bloc classes in the same year) or ``none``. The race outcome is
    ``first_bloc_he3_delivered``.
``first_actor_<milestone>``
    Actor id of the first (``tie`` or ``none`` as above).
``year_<group>_<milestone>``
    Year an actor (``year_USA_crewed_landing``) or the first actor of a bloc class
    (``year_ilrs_he3_delivered``) reaches the milestone; NaN if never.
``cum_<variable>`` and ``cum_<variable>_<group>``
    A yearly flow (units ``…/yr``, e.g. ``military_usd_bn``) summed over the simulated years after
    the start year and over all actors or a group's actors: ``cum_military_usd_bn``,
    ``cum_military_usd_bn_artemis``.
``end_<variable>`` and ``end_<variable>_<group>``
    A stock (e.g. ``milestones_held``) in the final year, summed over actors.

Besides these, every column of :meth:`moondust.results.Results.run_outcomes` (the engine's race
metrics, when the installed engine provides them) is an outcome, and
:func:`register_outcome` adds your own.

Expressions over outcomes and inputs (``moondust discover DIR --outcome EXPR``) are parsed and
checked by :mod:`moondust.experiments.expressions`; their names are re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from moondust.errors import MoondustError
from moondust.experiments.expressions import (  # re-exported: where they were defined before
    DEPRECATED_NAMES,
    Expression,
    check_expression,
    outcome_names_in,
    unknown_name_message,
    warn_if_deprecated,
)
from moondust.world.blocs import BLOC_CLASSES, BlocClass

__all__ = [
    "DEPRECATED_NAMES",
    "OUTCOMES",
    "Expression",
    "Outcome",
    "OutcomeFamily",
    "OutcomeRegistry",
    "check_expression",
    "engine_metrics",
    "outcome_families",
    "outcome_names_in",
    "register_outcome",
    "unknown_name_message",
    "warn_if_deprecated",
]

OutcomeKind = Literal["number", "category"]
OutcomeFunction = Callable[[xr.Dataset], np.ndarray]

NOBODY, TIE = BlocClass.NOBODY.value, BlocClass.TIE.value
"""Who is first when nobody reaches a milestone, and when several bloc classes (or actors) do."""
ENGINE_METRICS = "engine"
"""Marker of outcomes computed by :meth:`moondust.results.Results.run_outcomes`."""


@dataclass(frozen=True)
class Outcome:
    """One named per-run scalar.

    Attributes
    ----------
    name
        What ``--outcome`` and expressions call it.
    description
        One line for ``moondust outcomes``.
    kind
        ``number`` (float; NaN where undefined) or ``category`` (strings).
    function
        Computes the values for every run of an in-memory dataset, in run order; ``None`` for
        the engine's metrics (computed together by :meth:`Results.run_outcomes`).
    family
        The family the name comes from (``first_year``, ``cum``, ``custom``, ``engine``, …).
    group
        The actor or bloc class it is about, if any.
    """

    name: str
    description: str
    kind: OutcomeKind
    function: OutcomeFunction | None
    family: str
    group: str | None = None


FAMILY_PATTERNS: dict[str, str] = {
    "first_year": "first_year_<milestone>",
    "first_bloc": "first_bloc_<milestone>",
    "first_actor": "first_actor_<milestone>",
    "year": "year_<actor|bloc>_<milestone>",
    "cum": "cum_<flow>[_<actor|bloc>]",
    "end": "end_<stock>[_<actor|bloc>]",
    "engine": "engine race metrics",
    "custom": "registered with register_outcome",
}
"""Each outcome family and how its names are spelled, in the order ``moondust outcomes`` lists
them."""


@dataclass(frozen=True)
class OutcomeFamily:
    """A summary of one family of outcomes, for listing them without every name.

    Attributes
    ----------
    family
        The family (a key of :data:`FAMILY_PATTERNS`).
    pattern
        How its names are spelled, e.g. ``first_year_<milestone>``.
    kinds
        Its members' kinds, sorted and comma-separated (``number``, ``category, number``).
    size
        How many outcomes it has.
    example
        One member's name: the first about He-3 delivered or military spending, else the first.
    """

    family: str
    pattern: str
    kinds: str
    size: int
    example: str


def outcome_families(found: Mapping[str, Outcome]) -> list[OutcomeFamily]:
    """Group outcomes by family, in the order of :data:`FAMILY_PATTERNS`.

    Parameters
    ----------
    found
        Outcomes by name, e.g. from :meth:`OutcomeRegistry.for_dataset`.

    Returns
    -------
    list of OutcomeFamily
        One per family with at least one member in ``found``.
    """
    families = []
    for family, pattern in FAMILY_PATTERNS.items():
        members = [o for o in found.values() if o.family == family]
        if members:
            example = next(
                (o for o in members if "he3_delivered" in o.name or "military" in o.name),
                members[0],
            )
            kinds = ", ".join(sorted({o.kind for o in members}))
            families.append(OutcomeFamily(family, pattern, kinds, len(members), example.name))
    return families


# --- built-in families ---------------------------------------------------------------------


class _Arrays:
    """NumPy views of the variables outcomes need, extracted once per dataset."""

    def __init__(self, ds: xr.Dataset) -> None:
        self.ds = ds
        self.actors = np.asarray(ds["actor"].values).astype(str)
        self.blocs = np.asarray(ds["bloc"].values).astype(str)
        self.milestones = {str(m): i for i, m in enumerate(ds["milestone"].values)}
        self._cache: dict[str, np.ndarray] = {}

    def years(self, milestone: str) -> np.ndarray:
        if "milestone_year" not in self._cache:
            variable = self.ds["milestone_year"].transpose("run", "actor", "milestone")
            self._cache["milestone_year"] = np.asarray(variable.values, dtype=np.float64)
        return self._cache["milestone_year"][:, :, self.milestones[milestone]]

    def per_actor_year(self, variable: str) -> np.ndarray:
        if variable not in self._cache:
            values = self.ds[variable].transpose("run", "actor", "year").values
            self._cache[variable] = np.asarray(values)
        return self._cache[variable]


_LAST: list[_Arrays] = []


def _arrays(ds: xr.Dataset) -> _Arrays:
    """The arrays of ``ds``, reusing those of the last dataset seen (outcomes come in batches)."""
    if not _LAST or _LAST[0].ds is not ds:
        _LAST[:] = [_Arrays(ds)]
    return _LAST[0]


def _years(ds: xr.Dataset, milestone: str) -> np.ndarray:
    return _arrays(ds).years(milestone)


def _first_year(years: np.ndarray) -> np.ndarray:
    """Earliest year over actors (axis 1); NaN when nobody reached it, without warnings."""
    return np.fmin.reduce(years, axis=1) if years.shape[1] else np.full(years.shape[0], np.nan)


def _first_year_fn(milestone: str) -> OutcomeFunction:
    return lambda ds: _first_year(_years(ds, milestone))


def _first_bloc_fn(milestone: str) -> OutcomeFunction:
    def compute(ds: xr.Dataset) -> np.ndarray:
        years = _years(ds, milestone)
        tied = years == _first_year(years)[:, None]  # NaN compares False
        blocs = _arrays(ds).blocs
        present = list(dict.fromkeys(blocs))
        hits = np.stack([tied[:, blocs == b].any(axis=1) for b in present], axis=1)
        count = hits.sum(axis=1)
        which = np.asarray(present, dtype=object)[hits.argmax(axis=1)]
        return np.where(count == 0, NOBODY, np.where(count > 1, TIE, which)).astype(object)

    return compute


def _first_actor_fn(milestone: str) -> OutcomeFunction:
    def compute(ds: xr.Dataset) -> np.ndarray:
        years = _years(ds, milestone)
        tied = years == _first_year(years)[:, None]
        count = tied.sum(axis=1)
        which = _arrays(ds).actors.astype(object)[tied.argmax(axis=1)]
        return np.where(count == 0, NOBODY, np.where(count > 1, TIE, which)).astype(object)

    return compute


def _members(ds: xr.Dataset, group: str | None) -> np.ndarray:
    arrays = _arrays(ds)
    if group is None:
        return np.ones(arrays.actors.size, dtype=bool)
    if group in BLOC_CLASSES:
        return arrays.blocs == group
    return arrays.actors == group


def _group_year_fn(group: str, milestone: str) -> OutcomeFunction:
    return lambda ds: _first_year(_years(ds, milestone)[:, _members(ds, group)])


def _cum_fn(variable: str, group: str | None) -> OutcomeFunction:
    def compute(ds: xr.Dataset) -> np.ndarray:
        values = _arrays(ds).per_actor_year(variable)
        return values[:, _members(ds, group), 1:].sum(axis=(1, 2), dtype=np.float64)

    return compute


def _end_fn(variable: str, group: str | None) -> OutcomeFunction:
    def compute(ds: xr.Dataset) -> np.ndarray:
        values = _arrays(ds).per_actor_year(variable)
        return values[:, _members(ds, group), -1].sum(axis=1, dtype=np.float64)

    return compute


def _per_actor_year_variables(ds: xr.Dataset) -> tuple[list[str], list[str]]:
    """(flows, stocks) among the numeric (run, actor, year) variables of a dataset."""
    flows, stocks = [], []
    for name, variable in ds.data_vars.items():
        if set(variable.dims) != {"run", "actor", "year"} or variable.dtype.kind not in "iuf":
            continue
        units = str(variable.attrs.get("units", ""))
        if "/yr" in units:
            flows.append(str(name))
        elif units not in ("", "1") and "index" not in units:
            stocks.append(str(name))
    return flows, stocks


class OutcomeRegistry:
    """The named outcomes available for a dataset: built-in families, engine metrics, yours."""

    def __init__(self) -> None:
        self._custom: dict[str, Outcome] = {}

    def register(
        self,
        name: str,
        function: OutcomeFunction,
        description: str = "",
        kind: OutcomeKind = "number",
    ) -> None:
        """Add an outcome computed by ``function(dataset) -> array`` (one value per run).

        Parameters
        ----------
        name
            A Python identifier (so expressions can use it).
        function
            Called with an in-memory dataset of some runs; returns one value per run in order.
        description
            One line shown by ``moondust outcomes``.
        kind
            ``number`` or ``category``.

        Custom outcomes are computed when asked for (they are not stored in sweep chunks), in
        the process that asks, so they need not be importable on the workers.

        Examples
        --------
        >>> registry = OutcomeRegistry()  # or the shared one: register_outcome(...)
        >>> registry.register(
        ...     "usa_military_2030",
        ...     lambda ds: ds["military_usd_bn"].sel(actor="USA", year=2030).values,
        ...     "US military space budget in 2030, USD bn",
        ... )
        >>> registry.custom_names()
        ['usa_military_2030']
        """
        if not name.isidentifier():
            raise MoondustError(f"outcome name {name!r} must be a Python identifier")
        if kind not in ("number", "category"):
            raise MoondustError(f"outcome kind {kind!r}: expected 'number' or 'category'")
        self._custom[name] = Outcome(name, description, kind, function, "custom")

    def custom_names(self) -> list[str]:
        """Names added with :meth:`register`."""
        return list(self._custom)

    def for_dataset(self, ds: xr.Dataset, engine: pd.DataFrame | None = None) -> dict[str, Outcome]:
        """Every outcome defined for this dataset's milestones, actors, blocs and variables.

        ``engine`` is the dataset's :meth:`Results.run_outcomes` table if already computed.
        """
        found: dict[str, Outcome] = {}

        def add(
            name: str,
            description: str,
            kind: OutcomeKind,
            function: OutcomeFunction,
            family: str,
            group: str | None = None,
        ) -> None:
            found[name] = Outcome(name, description, kind, function, family, group)

        milestones = [str(m) for m in ds["milestone"].values] if "milestone_year" in ds else []
        actors = [str(a) for a in ds["actor"].values]
        blocs = [b for b in BLOC_CLASSES if b in set(np.asarray(ds["bloc"].values).astype(str))]
        groups = [*blocs, *actors]
        for m in milestones:
            add(
                f"first_year_{m}",
                f"earliest year anyone reaches {m}",
                "number",
                _first_year_fn(m),
                "first_year",
            )
            add(
                f"first_bloc_{m}",
                f"bloc class first to reach {m} (tie, none)",
                "category",
                _first_bloc_fn(m),
                "first_bloc",
            )
            add(
                f"first_actor_{m}",
                f"actor first to reach {m} (tie, none)",
                "category",
                _first_actor_fn(m),
                "first_actor",
            )
        for group in groups:
            for m in milestones:
                add(
                    f"year_{group}_{m}",
                    f"year {group} first reaches {m} (NaN if never)",
                    "number",
                    _group_year_fn(group, m),
                    "year",
                    group,
                )
        flows, stocks = _per_actor_year_variables(ds)
        for variable in flows:
            add(
                f"cum_{variable}",
                f"{variable} summed over actors and years after the start",
                "number",
                _cum_fn(variable, None),
                "cum",
            )
            for group in groups:
                add(
                    f"cum_{variable}_{group}",
                    f"{variable} of {group} summed over the years",
                    "number",
                    _cum_fn(variable, group),
                    "cum",
                    group,
                )
        for variable in stocks:
            add(
                f"end_{variable}",
                f"{variable} in the final year, all actors",
                "number",
                _end_fn(variable, None),
                "end",
            )
            for group in groups:
                add(
                    f"end_{variable}_{group}",
                    f"{variable} of {group} in the final year",
                    "number",
                    _end_fn(variable, group),
                    "end",
                    group,
                )
        for name, kind in _engine_metric_kinds(ds, engine).items():
            if name not in found:
                description = "engine race metric (Results.run_outcomes)"
                if name in DEPRECATED_NAMES:
                    description = f"deprecated: use {DEPRECATED_NAMES[name]} (removed after 0.2)"
                found[name] = Outcome(name, description, kind, None, ENGINE_METRICS)
        found.update(self._custom)
        return found

    def stored_names(self, ds: xr.Dataset, engine: pd.DataFrame | None = None) -> list[str]:
        """The outcomes each sweep chunk stores in its runs table (the rest are computed later).

        First-to-milestone outcomes, each milestone's year for the two blocs, cumulative flows in
        total and by bloc class, stocks at the end and the engine's metrics.
        """
        always = ("first_year", "first_bloc", "first_actor", ENGINE_METRICS)

        def wanted(outcome: Outcome) -> bool:
            family, group = outcome.family, outcome.group
            if family == "year":
                return group in ("artemis", "ilrs")
            if family in ("cum", "end"):
                return group is None or group in BLOC_CLASSES
            return family in always

        found = self.for_dataset(ds, engine)
        return [name for name, outcome in found.items() if wanted(outcome)]

    def compute(
        self, ds: xr.Dataset, names: Iterable[str], engine: pd.DataFrame | None = None
    ) -> pd.DataFrame:
        """A table of outcomes (columns) for every run (index ``run``) of an in-memory dataset.

        Raises
        ------
        MoondustError
            If a name is not an outcome of this dataset (with the closest names).
        """
        available = self.for_dataset(ds, engine)
        names = list(dict.fromkeys(names))
        columns: dict[str, Any] = {}
        try:
            for name in names:
                outcome = available.get(name)
                if outcome is None:
                    raise MoondustError(unknown_name_message(name, available))
                if outcome.function is None:
                    if engine is None:
                        engine = engine_metrics(ds)
                    columns[name] = engine[name].to_numpy()
                else:
                    columns[name] = outcome.function(ds)
        finally:
            _LAST.clear()  # do not keep the dataset's arrays alive
        index = pd.Index(np.asarray(ds["run"].values, dtype=np.int64), name="run")
        typed = {
            name: pd.Series(
                np.asarray(values, dtype=np.float64)
                if available[name].kind == "number"
                else np.asarray(values).astype(str),
                index=index,
            )
            for name, values in columns.items()
        }
        return pd.DataFrame(typed, index=index)


def engine_metrics(ds: xr.Dataset) -> pd.DataFrame:
    """The engine's per-run race metrics (:meth:`Results.run_outcomes`), if it has them."""
    from moondust.results import Results

    method = getattr(Results(ds), "run_outcomes", None)
    if method is None:
        return pd.DataFrame(index=pd.Index(ds["run"].values, name="run"))
    table: pd.DataFrame = method()
    return table


def _engine_metric_kinds(
    ds: xr.Dataset, engine: pd.DataFrame | None = None
) -> dict[str, OutcomeKind]:
    """Names and kinds of the engine's per-run metrics (from ``engine`` or the first run)."""
    if engine is None:
        if "milestone_year" not in ds or ds.sizes.get("run", 0) == 0:
            return {}
        try:
            engine = engine_metrics(ds.isel(run=slice(0, 1)).load())
        except (KeyError, ValueError):  # an older dataset lacking what the metrics need
            return {}
    return {
        str(name): ("number" if pd.api.types.is_numeric_dtype(column) else "category")
        for name, column in engine.items()
    }


OUTCOMES = OutcomeRegistry()
"""The registry used by sweeps, ``moondust sensitivity`` and ``moondust discover``."""


def register_outcome(
    name: str, function: OutcomeFunction, description: str = "", kind: OutcomeKind = "number"
) -> None:
    """Add an outcome to :data:`OUTCOMES` (see :meth:`OutcomeRegistry.register`)."""
    OUTCOMES.register(name, function, description, kind)
