"""Sourced inputs for fusion and the He-3 market (``data/fusion/``; docs/model.md, Fusion inputs).

Typed, frozen views of the packaged tables, each array in the order its docstring names:

* :func:`schedules` — announced fusion milestones (ITER, DEMOs, private claims), one row per
  announcement, with their slip history; :func:`slip_statistics` turns each programme's successive
  plans into a slip ratio ``r = (P_last − P_first) / (P_first − A_first)`` (years of delay per
  year of the first plan's horizon) for sampling ``year = A + (P − A)(1 + r)``.
* :func:`fusion_budgets` — public fusion R&D per actor (USD bn a year; actor order
  :data:`moondust.world.ids.ACTOR_IDS`) and :func:`private_investment` (Fusion Industry
  Association surveys).
* :func:`he3_market` — He-3 supply by route, demand by use, price history and purchase agreements,
  in kg and USD/kg (litres at STP converted with :data:`LITRES_PER_KG_HE3`).
* :func:`grid_paths` — world grid CO2 intensity (IEA WEO 2025) from the historical values along
  the Net Zero (low), Stated Policies (central) and Current Policies (high) scenarios.

Malformed files raise :class:`moondust.errors.InputFileError` naming file, row and field.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from moondust.errors import InputFileError
from moondust.world._tables import Row, read_rows
from moondust.world.fusion_physics import LITRES_PER_KG_HE3
from moondust.world.ids import ACTOR_IDS, PROVENANCE

FOLDER = "fusion"
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

PROGRAMME_ACTORS: tuple[str, ...] = (*ACTOR_IDS, "INTL")
"""Actors a schedule row may name: the 18 actors and ``INTL`` (ITER, an international project)."""

LADDER_MILESTONES: tuple[str, ...] = (
    "dt_burning_plasma",
    "dt_first_electricity",
    "dt_power",
    "other",
)
"""The D-T rungs a schedule row maps to (issue 18: burning plasma, first electricity from a
demonstration plant, commercial D-T power ``dt_power``); ``other`` for first plasma and the like."""

OUTCOMES: tuple[str, ...] = ("current", "superseded", "missed")

SCENARIOS: tuple[str, ...] = ("current_policies", "stated_policies", "net_zero")
"""IEA WEO 2025 scenarios in ``grid_intensity.csv``: high, central and low path."""


def _provenance(row: Row) -> tuple[str, str]:
    return row.text("source"), row.choice("status", PROVENANCE)


# --- schedules and slips -------------------------------------------------------------------


@dataclass(frozen=True)
class Schedules:
    """Announced fusion milestones, one entry per announcement (``schedules.csv`` row order)."""

    programme: tuple[str, ...]
    actor: tuple[str, ...]
    kind: tuple[str, ...]
    """``public`` or ``private`` (company claims)."""
    milestone: tuple[str, ...]
    ladder_milestone: tuple[str, ...]
    announced_year: IntArray
    planned_year: IntArray
    planned_year_late: IntArray
    chain: tuple[str, ...]
    """Rows with the same chain are successive plans for the same milestone."""
    outcome: tuple[str, ...]
    source: tuple[str, ...]
    status: tuple[str, ...]


class SlipChain(NamedTuple):
    """One programme's successive plans for a milestone, first and last."""

    chain: str
    kind: str
    first_announced: int
    first_planned: int
    last_announced: int
    last_planned: int
    ratio: float
    """``(P_last − P_first) / (P_first − A_first)``; negative when the target moved earlier."""
    rate: float
    """``(P_last − P_first) / (A_last − A_first)``: years of slip per year elapsed."""


@dataclass(frozen=True)
class SlipStatistics:
    """The slip chains and a lognormal slip-ratio distribution fitted to the positive ones."""

    chains: tuple[SlipChain, ...]
    ratios: FloatArray
    median: float
    """Geometric mean of the positive ratios (the lognormal median)."""
    log_sigma: float
    """Sample standard deviation of their logarithms."""
    share_not_slipped: float
    """Share of chains whose target did not move later (re-targeted earlier or unchanged)."""

    def sample(
        self,
        rng: np.random.Generator,
        size: int,
        *,
        median: float | None = None,
        log_sigma: float | None = None,
    ) -> FloatArray:
        """Draw slip ratios ``r ~ LogNormal(ln median, σ)`` (defaults: the fitted values)."""
        mu = np.log(self.median if median is None else median)
        sigma = self.log_sigma if log_sigma is None else log_sigma
        return np.asarray(rng.lognormal(mu, sigma, size), dtype=np.float64)


def slipped_year(announced: ArrayLike, planned: ArrayLike, ratio: ArrayLike) -> FloatArray:
    """The year a plan is met when it slips by ``ratio``: ``A + (P − A)(1 + r)``."""
    a = np.asarray(announced, dtype=np.float64)
    p = np.asarray(planned, dtype=np.float64)
    return np.asarray(a + (p - a) * (1.0 + np.asarray(ratio, dtype=np.float64)))


@cache
def schedules() -> Schedules:
    """Every row of ``data/fusion/schedules.csv``.

    Raises
    ------
    InputFileError
        On an unknown actor, milestone, outcome or status, a planned year before the announcement,
        or a late year before the planned year.
    """
    columns = (
        "programme",
        "actor",
        "kind",
        "milestone",
        "ladder_milestone",
        "announced_year",
        "planned_year",
        "planned_year_late",
        "chain",
        "outcome",
        "source",
        "status",
    )
    rows = read_rows(FOLDER, "schedules.csv", columns)
    announced, planned, late = [], [], []
    for row in rows:
        a = row.integer("announced_year", low=1950, high=2100)
        p = row.integer("planned_year", low=a, high=2150)
        q = row.integer("planned_year_late", low=p, high=2150)
        announced.append(a)
        planned.append(p)
        late.append(q)
    provenance = [_provenance(row) for row in rows]
    return Schedules(
        programme=tuple(row.text("programme") for row in rows),
        actor=tuple(row.choice("actor", PROGRAMME_ACTORS) for row in rows),
        kind=tuple(row.choice("kind", ("public", "private")) for row in rows),
        milestone=tuple(row.text("milestone") for row in rows),
        ladder_milestone=tuple(row.choice("ladder_milestone", LADDER_MILESTONES) for row in rows),
        announced_year=np.array(announced, dtype=np.int64),
        planned_year=np.array(planned, dtype=np.int64),
        planned_year_late=np.array(late, dtype=np.int64),
        chain=tuple(row.text("chain") for row in rows),
        outcome=tuple(row.choice("outcome", OUTCOMES) for row in rows),
        source=tuple(p[0] for p in provenance),
        status=tuple(p[1] for p in provenance),
    )


@cache
def slip_statistics() -> SlipStatistics:
    """Slip chains (programmes with two or more plans for one milestone) and their fit.

    Examples
    --------
    >>> [round(c.ratio, 2) for c in slip_statistics().chains if c.chain == "iter_dt"]
    [0.76]
    """
    table = schedules()
    chains: list[SlipChain] = []
    for name in dict.fromkeys(table.chain):
        idx = sorted(
            (k for k, c in enumerate(table.chain) if c == name),
            key=lambda k: int(table.announced_year[k]),
        )
        if len(idx) < 2:
            continue
        first, last = idx[0], idx[-1]
        a0, p0 = int(table.announced_year[first]), int(table.planned_year[first])
        a1, p1 = int(table.announced_year[last]), int(table.planned_year[last])
        horizon = max(p0 - a0, 1)
        chains.append(
            SlipChain(
                chain=name,
                kind=table.kind[first],
                first_announced=a0,
                first_planned=p0,
                last_announced=a1,
                last_planned=p1,
                ratio=(p1 - p0) / horizon,
                rate=(p1 - p0) / max(a1 - a0, 1),
            )
        )
    ratios = np.array([c.ratio for c in chains], dtype=np.float64)
    positive = np.log(ratios[ratios > 0])
    if positive.size < 2:
        raise InputFileError("fusion/schedules.csv: fewer than two slipped chains to fit")
    return SlipStatistics(
        chains=tuple(chains),
        ratios=ratios,
        median=float(np.exp(positive.mean())),
        log_sigma=float(positive.std(ddof=1)),
        share_not_slipped=float(np.mean(ratios <= 0)),
    )


# --- budgets --------------------------------------------------------------------------------


class Estimate(NamedTuple):
    """A value with its low and high ends."""

    value: float
    low: float
    high: float


@dataclass(frozen=True)
class FusionBudgets:
    """Public fusion R&D per actor, USD bn a year, in :data:`ACTOR_IDS` order.

    Sum of the rows marked ``in_total`` (one year per programme: the latest enacted); zero for
    actors with no known fusion programme. Rows not in the total (requests, other years, the
    weapons-science ICF programme) stay in ``programmes``.
    """

    actor_ids: tuple[str, ...]
    usd_bn: FloatArray
    low_usd_bn: FloatArray
    high_usd_bn: FloatArray
    status: tuple[str, ...]
    """Weakest status among an actor's counted rows (``""`` for actors with none)."""
    programmes: tuple[tuple[str, str, int, Estimate, bool, str, str], ...]
    """(actor, programme, year, estimate, in_total, source, status) per row."""

    def of(self, actor_id: str) -> Estimate:
        """The budget of one actor."""
        i = self.actor_ids.index(actor_id)
        return Estimate(
            float(self.usd_bn[i]), float(self.low_usd_bn[i]), float(self.high_usd_bn[i])
        )


_STATUS_RANK = {status: k for k, status in enumerate(PROVENANCE)}


@cache
def fusion_budgets() -> FusionBudgets:
    """Public fusion budgets per actor from ``data/fusion/budgets.csv``."""
    columns = (
        "actor",
        "programme",
        "year",
        "usd_bn",
        "low_usd_bn",
        "high_usd_bn",
        "in_total",
        "source",
        "status",
    )
    n = len(ACTOR_IDS)
    value, low, high = np.zeros(n), np.zeros(n), np.zeros(n)
    weakest: list[str] = [""] * n
    programmes = []
    for row in read_rows(FOLDER, "budgets.csv", columns):
        actor = row.choice("actor", ACTOR_IDS)
        lo = row.number("low_usd_bn", low=0)
        v = row.number("usd_bn", low=lo)
        hi = row.number("high_usd_bn", low=v)
        counted = row.flag("in_total")
        source, status = _provenance(row)
        estimate = Estimate(v, lo, hi)
        programmes.append(
            (actor, row.text("programme"), row.integer("year"), estimate, counted, source, status)
        )
        if counted:
            i = ACTOR_IDS.index(actor)
            value[i], low[i], high[i] = value[i] + v, low[i] + lo, high[i] + hi
            if not weakest[i] or _STATUS_RANK[status] > _STATUS_RANK[weakest[i]]:
                weakest[i] = status
    return FusionBudgets(ACTOR_IDS, value, low, high, tuple(weakest), tuple(programmes))


@dataclass(frozen=True)
class PrivateInvestment:
    """Private fusion funding (Fusion Industry Association surveys), by survey year."""

    year: IntArray
    cumulative_usd_bn: FloatArray
    new_usd_bn: FloatArray
    """New money raised in the year (NaN where not reported)."""
    public_to_private_usd_bn: FloatArray
    """Public money into private fusion firms (NaN where not reported)."""
    source: tuple[str, ...]
    status: tuple[str, ...]


@cache
def private_investment() -> PrivateInvestment:
    """``data/fusion/private_investment.csv``; cumulative funding must not fall."""
    columns = ("year", "cumulative_usd_bn", "new_usd_bn", "source", "status")
    rows = read_rows(FOLDER, "private_investment.csv", columns)
    cumulative = np.array([row.number("cumulative_usd_bn", low=0) for row in rows])
    if np.any(np.diff(cumulative) < 0):
        raise InputFileError("fusion/private_investment.csv: cumulative funding falls")

    def optional(field: str) -> FloatArray:
        values = [row.optional_number(field, low=0) for row in rows]
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)

    provenance = [_provenance(row) for row in rows]
    return PrivateInvestment(
        year=np.array([row.integer("year", low=2000, high=2100) for row in rows], dtype=np.int64),
        cumulative_usd_bn=cumulative,
        new_usd_bn=optional("new_usd_bn"),
        public_to_private_usd_bn=optional("public_to_private_usd_bn"),
        source=tuple(p[0] for p in provenance),
        status=tuple(p[1] for p in provenance),
    )


# --- the He-3 market ------------------------------------------------------------------------


@dataclass(frozen=True)
class He3Flows:
    """Yearly He-3 flows (supply by route or demand by use), kg a year; NaN where not found."""

    name: tuple[str, ...]
    year: IntArray
    kg_per_yr: FloatArray
    low_kg_per_yr: FloatArray
    high_kg_per_yr: FloatArray
    source: tuple[str, ...]
    status: tuple[str, ...]


@dataclass(frozen=True)
class He3Prices:
    """He-3 price history, USD per kg (converted from USD per litre at STP)."""

    year: IntArray
    usd_per_kg: FloatArray
    low_usd_per_kg: FloatArray
    high_usd_per_kg: FloatArray
    source: tuple[str, ...]
    status: tuple[str, ...]


@dataclass(frozen=True)
class He3Agreement:
    """An announced He-3 purchase agreement."""

    buyer: str
    seller: str
    announced: int
    start: int
    end: int
    kg_per_yr: float
    usd_per_kg: float
    """Implied price (NaN where the terms are not public)."""
    source: str
    status: str


@dataclass(frozen=True)
class He3Market:
    """Supply, demand, prices and agreements from ``data/fusion/he3_*.csv``."""

    supply: He3Flows
    demand: He3Flows
    prices: He3Prices
    agreements: tuple[He3Agreement, ...]


def _litres(row: Row, field: str) -> float:
    value = row.optional_number(field, low=0)
    return np.nan if value is None else value / LITRES_PER_KG_HE3


def _flows(name: str, key: str) -> He3Flows:
    columns = (key, "year", "litres_per_yr", "low_litres_per_yr", "high_litres_per_yr")
    rows = read_rows(FOLDER, name, (*columns, "source", "status"))
    value = np.array([_litres(row, "litres_per_yr") for row in rows])
    low = np.array([_litres(row, "low_litres_per_yr") for row in rows])
    high = np.array([_litres(row, "high_litres_per_yr") for row in rows])
    bad = np.flatnonzero((low > value) | (value > high))
    if bad.size:
        raise InputFileError(f"fusion/{name}: row {int(bad[0]) + 2}: value outside low-high")
    provenance = [_provenance(row) for row in rows]
    return He3Flows(
        name=tuple(row.text(key) for row in rows),
        year=np.array([row.integer("year", low=1950, high=2100) for row in rows], dtype=np.int64),
        kg_per_yr=value,
        low_kg_per_yr=low,
        high_kg_per_yr=high,
        source=tuple(p[0] for p in provenance),
        status=tuple(p[1] for p in provenance),
    )


@cache
def he3_market() -> He3Market:
    """The He-3 market tables; litres at STP converted to kg (≈ 7,432 L/kg)."""
    price_rows = read_rows(
        FOLDER,
        "he3_prices.csv",
        ("year", "usd_per_litre", "low_usd_per_litre", "high_usd_per_litre", "source", "status"),
    )
    per_kg = LITRES_PER_KG_HE3
    price = np.array([row.number("usd_per_litre", low=0) for row in price_rows]) * per_kg
    low = np.array([row.number("low_usd_per_litre", low=0) for row in price_rows]) * per_kg
    high = np.array([row.number("high_usd_per_litre", low=0) for row in price_rows]) * per_kg
    if np.any(low > price) or np.any(price > high):
        raise InputFileError("fusion/he3_prices.csv: a price outside its low-high range")
    price_provenance = [_provenance(row) for row in price_rows]
    prices = He3Prices(
        year=np.array([row.integer("year", low=1950, high=2100) for row in price_rows]),
        usd_per_kg=price,
        low_usd_per_kg=low,
        high_usd_per_kg=high,
        source=tuple(p[0] for p in price_provenance),
        status=tuple(p[1] for p in price_provenance),
    )
    agreements = []
    for row in read_rows(
        FOLDER,
        "he3_agreements.csv",
        ("buyer", "seller", "announced", "start", "end", "litres_per_yr", "source", "status"),
    ):
        start = row.integer("start", low=2000, high=2100)
        implied = row.optional_number("implied_usd_per_litre", low=0)
        source, status = _provenance(row)
        agreements.append(
            He3Agreement(
                buyer=row.text("buyer"),
                seller=row.text("seller"),
                announced=row.integer("announced", low=2000, high=start),
                start=start,
                end=row.integer("end", low=start, high=2100),
                kg_per_yr=row.number("litres_per_yr", low=0) / per_kg,
                usd_per_kg=np.nan if implied is None else implied * per_kg,
                source=source,
                status=status,
            )
        )
    return He3Market(
        supply=_flows("he3_supply.csv", "route"),
        demand=_flows("he3_demand.csv", "use"),
        prices=prices,
        agreements=tuple(agreements),
    )


# --- grid carbon intensity ------------------------------------------------------------------


@dataclass(frozen=True)
class GridPaths:
    """World grid CO2 intensity (g/kWh): history joined to each IEA WEO 2025 scenario.

    ``years`` and ``values[s]`` are the points of scenario ``s`` (:data:`SCENARIOS` order);
    :meth:`intensity` interpolates linearly between them and holds the last value flat after 2050
    (an assumption: the WEO ends in 2050).
    """

    scenarios: tuple[str, ...]
    years: tuple[IntArray, ...]
    values: tuple[FloatArray, ...]

    def intensity(self, year: ArrayLike, scenario: str, *, floor: float = 0.0) -> FloatArray:
        """Grid intensity in ``year`` on one path, never below ``floor`` (NZE dips to −4)."""
        k = self.scenarios.index(scenario)
        out = np.interp(np.asarray(year, dtype=np.float64), self.years[k], self.values[k])
        return np.maximum(np.asarray(out, dtype=np.float64), floor)

    def band(
        self, year: ArrayLike, *, floor: float = 0.0
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """(low, central, high) = (Net Zero, Stated Policies, Current Policies) in ``year``."""
        return (
            self.intensity(year, "net_zero", floor=floor),
            self.intensity(year, "stated_policies", floor=floor),
            self.intensity(year, "current_policies", floor=floor),
        )

    def between(self, year: ArrayLike, position: ArrayLike, *, floor: float = 0.0) -> FloatArray:
        """A path between the bounds: ``position`` 0 = Net Zero, 0.5 = STEPS, 1 = CPS.

        Piecewise linear through the three scenarios (a per-run draw of ``position`` samples the
        range between the IEA's paths).
        """
        low, mid, high = self.band(year, floor=floor)
        u = np.clip(np.asarray(position, dtype=np.float64), 0.0, 1.0)
        return np.where(u <= 0.5, low + (mid - low) * 2 * u, mid + (high - mid) * (2 * u - 1))


@cache
def grid_paths() -> GridPaths:
    """``data/fusion/grid_intensity.csv`` as three paths; years must rise within each."""
    rows = read_rows(
        FOLDER, "grid_intensity.csv", ("year", "scenario", "g_per_kwh", "source", "status")
    )
    history: dict[int, float] = {}
    points: dict[str, dict[int, float]] = {s: {} for s in SCENARIOS}
    for row in rows:
        _provenance(row)
        year = row.integer("year", low=1990, high=2100)
        value = row.number("g_per_kwh", low=-100, high=2000)
        scenario = row.choice("scenario", ("historical", *SCENARIOS))
        target = history if scenario == "historical" else points[scenario]
        if year in target:
            raise InputFileError(f"{row.file}: row {row.line} repeats {scenario} {year}")
        target[year] = value
    last = max(history)
    years, values = [], []
    for scenario in SCENARIOS:
        merged = {**history, **{y: v for y, v in points[scenario].items() if y > last}}
        ordered = sorted(merged)
        years.append(np.array(ordered, dtype=np.int64))
        values.append(np.array([merged[y] for y in ordered], dtype=np.float64))
    return GridPaths(SCENARIOS, tuple(years), tuple(values))


def clear_caches() -> None:
    """Forget the loaded tables (tests that serve corrupted copies call this)."""
    for loader in (
        schedules,
        slip_statistics,
        fusion_budgets,
        private_investment,
        he3_market,
        grid_paths,
    ):
        loader.cache_clear()
