"""The hindcast: start the model in 2007 and score it against the lunar record to 2025.

:func:`hindcast` simulates the world as it stood at the end of the start year
(``load_world(start)``: that year's budgets, October-2007 growth projections, achievements and the
plans announced by then; the dated events of 2011–2023 — the Wolf Amendment, the sanctions on
Russia, the Artemis Accords and ILRS — enter in their years) up to :data:`END`, and compares each
event with what happened (docs/validation.md, "Hindcast").

Events and the held-out test (fixed in advance, independent of the model):

* The **events** are the pairs (named state actor, robotic or crewed milestone of
  :data:`EVENT_MILESTONES`) that the actor does not hold at the end of the start year: never
  demonstrated, or lapsed (the engine's rule: last demonstrated more than
  ``capability_lapse_years`` earlier, so the US crewed landing and the Soviet landings must be
  demonstrated again). The He-3 and fusion
  milestones have no 2007–2025 record to score and the rest-of-world aggregates no single
  programme.
* ``actual_year`` is the first demonstration after the start year in ``history.csv`` (a partial
  landing counts, as everywhere: docs/world.md), or null if none by 2025.
* The **held-out events** are the events not demonstrated in reality by the end of
  :data:`FIT_END` (2016); the outcome is 1 if demonstrated in 2017–2025. Only they are scored
  (Brier score, mean of (p - outcome)²). Nothing is fitted to them; ``fitted`` lists what was
  fitted on 2007–2016 (nothing yet).
* Three forecasters, each giving P(demonstrated by 2025):

  - ``model``: the share of runs started in 2007 that reach the milestone by 2025 (the model
    knows nothing after 2007);
  - ``announced_plans``: plans at face value: 1 if a plan announced by the start year
    (``roadmaps_2007.csv``) targets the pair with its latest announced year ≤ 2025, else 0;
  - ``base_rate``: the record of 2008–2016 as a constant yearly hazard per milestone,
    h = (k + ½) / (n + 1) with k demonstrations in n actor-years at risk (Jeffreys'
    half-count keeps it off zero), so P = 1 − (1 − h)⁹ over the nine held-out years.

  The Brier skill score against a reference is 1 − B_model / B_reference (positive: the model
  is better).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from moondust.engine.simulate import build_setting, simulate
from moondust.world.history import achievements
from moondust.world.ids import AGGREGATE_IDS, BASE_YEAR, MILESTONES
from moondust.world.roadmaps import plans
from moondust.world.scenario import Scenario, parse_scenario
from moondust.world.world import load_world

START = 2007
"""Default start year: the world at its end is the hindcast's initial state."""

END = BASE_YEAR
"""Last year of the hindcast (the record runs to the end of 2025)."""

FIT_END = 2016
"""Last year of the calibration period 2007–2016; 2017–2025 is held out."""

EVENT_MILESTONES: tuple[str, ...] = MILESTONES[: MILESTONES.index("crewed_landing") + 1]
"""The milestones scored: orbiter … crewed landing (the ones with a 2007–2025 record)."""

DEFAULT_RUNS = 200
DEFAULT_SEED = 2007

DEBRIS_HOOK = "moondust.engine.debris.debris_hindcast"
"""The debris hindcast the report includes (rows ``year, metric, observed, model_q05, model_q50,
model_q95``) when the engine provides it and the start year is its start (else ``debris`` is
empty)."""


@dataclass(frozen=True)
class Event:
    """One (actor, milestone) of the hindcast with the model's forecast and what happened."""

    actor: str
    milestone: str
    p_by_2016: float
    p_by_2025: float
    year_q05: int | None
    year_q50: int | None
    year_q95: int | None
    actual_year: int | None

    def as_dict(self) -> dict[str, Any]:
        """The event as in the JSON contract."""
        return {
            "actor": self.actor,
            "milestone": self.milestone,
            "p_by_2016": self.p_by_2016,
            "p_by_2025": self.p_by_2025,
            "year_q05": self.year_q05,
            "year_q50": self.year_q50,
            "year_q95": self.year_q95,
            "actual_year": self.actual_year,
        }


@dataclass(frozen=True)
class Hindcast:
    """A hindcast's events, forecasts and scores (:meth:`as_dict` is the JSON contract)."""

    start: int
    end: int
    runs: int
    events: tuple[Event, ...]
    brier: dict[str, float]
    forecasts: dict[str, np.ndarray]
    held_out: np.ndarray
    outcomes: np.ndarray
    fitted: dict[str, Any] = field(default_factory=dict)
    debris: list[dict[str, Any]] = field(default_factory=list)

    def skill(self, reference: str) -> float:
        """Brier skill score of the model against ``reference`` (1 − B_model / B_ref)."""
        return brier_skill(self.brier["model"], self.brier[reference])

    def as_dict(self) -> dict[str, Any]:
        """``{"start", "end", "runs", "events", "brier", "fitted", "debris"}`` (the JSON contract,
        docs/validation.md, "Hindcast")."""
        return {
            "start": self.start,
            "end": self.end,
            "runs": self.runs,
            "events": [event.as_dict() for event in self.events],
            "brier": dict(self.brier),
            "fitted": dict(self.fitted),
            "debris": list(self.debris),
        }


def brier_score(forecast: np.ndarray, outcome: np.ndarray) -> float:
    """Mean squared difference between forecast probabilities and 0/1 outcomes.

    Examples
    --------
    >>> brier_score(np.array([1.0, 0.0, 0.5]), np.array([1, 1, 0]))
    0.4166666666666667
    """
    forecast = np.asarray(forecast, dtype=float)
    outcome = np.asarray(outcome, dtype=float)
    if forecast.shape != outcome.shape or forecast.size == 0:
        raise ValueError("a Brier score needs as many forecasts as outcomes, at least one")
    if ((forecast < 0) | (forecast > 1)).any() or not np.isin(outcome, (0.0, 1.0)).all():
        raise ValueError("forecasts must be probabilities and outcomes 0 or 1")
    return float(np.mean((forecast - outcome) ** 2))


def brier_skill(model: float, reference: float) -> float:
    """1 − model / reference: positive when the model beats the reference (NaN if the
    reference is perfect).

    Examples
    --------
    >>> brier_skill(0.1, 0.2)
    0.5
    """
    return float("nan") if reference == 0 else 1.0 - model / reference


def event_pairs(start: int = START) -> list[tuple[str, str]]:
    """The (actor, milestone) pairs scored: named state actors × :data:`EVENT_MILESTONES` that
    the actor does not hold at the end of ``start`` — never demonstrated, or lapsed (last
    demonstrated more than ``capability_lapse_years`` before: the US crewed landing in 2007), as
    the engine's initial state says (``Setting.achieved0``)."""
    world = load_world(start)
    held = build_setting(hindcast_scenario(start, runs=1), world).achieved0
    pairs = []
    for i, actor in enumerate(world.ids):
        if actor in AGGREGATE_IDS:
            continue
        for milestone in EVENT_MILESTONES:
            if not held[i, world.milestone_index(milestone)]:
                pairs.append((actor, milestone))
    return pairs


def actual_years(start: int = START, end: int = END) -> dict[tuple[str, str], int]:
    """First demonstration after ``start`` up to ``end`` of each pair in ``history.csv``."""
    first: dict[tuple[str, str], int] = {}
    for item in achievements():
        if start < item.year <= end:
            key = (item.actor, item.milestone)
            first[key] = min(first.get(key, item.year), item.year)
    return first


def announced_forecast(
    pairs: list[tuple[str, str]], start: int = START, by: int = END
) -> np.ndarray:
    """Plans at face value: 1 where a plan announced by ``start`` targets the pair with its
    latest announced year ≤ ``by``, else 0."""
    planned = {
        (p.actor, p.milestone)
        for p in plans(start)
        if p.planned_year_late <= by and (p.announced_year is None or p.announced_year <= start)
    }
    return np.array([1.0 if pair in planned else 0.0 for pair in pairs])


def base_rate_forecast(
    pairs: list[tuple[str, str]],
    start: int = START,
    fit_end: int = FIT_END,
    end: int = END,
) -> tuple[np.ndarray, dict[str, float]]:
    """The 2008–2016 record as a yearly hazard per milestone, projected over 2017–2025.

    Returns the forecast per pair and the hazard per milestone.
    """
    actual = actual_years(start, end)
    hazard: dict[str, float] = {}
    for milestone in EVENT_MILESTONES:
        at_risk = [pair for pair in pairs if pair[1] == milestone]
        k = 0
        exposure = 0
        for pair in at_risk:
            year = actual.get(pair)
            if year is not None and year <= fit_end:
                k += 1
                exposure += year - start
            else:
                exposure += fit_end - start
        hazard[milestone] = (k + 0.5) / (exposure + 1.0)
    years = end - fit_end
    forecast = np.array([1.0 - (1.0 - hazard[m]) ** years for _, m in pairs])
    return forecast, hazard


def _quantile_year(years: np.ndarray, q: float, end: int) -> int | None:
    """The q-quantile of first years with 'never by ``end``' as +inf (None when beyond)."""
    finite = np.where(np.isnan(years), np.inf, years)
    value = float(np.quantile(finite, q, method="inverted_cdf"))
    return int(value) if math.isfinite(value) and value <= end else None


def hindcast_scenario(
    start: int = START, runs: int = DEFAULT_RUNS, seed: int = DEFAULT_SEED
) -> Scenario:
    """The scenario of the hindcast: status-quo policies everywhere, the world of ``start``
    with its dated events, simulated to :data:`END`."""
    return parse_scenario(
        {
            "name": f"hindcast-{start}",
            "description": f"the world at the end of {start}, simulated to {END} (hindcast)",
            # Every parameter at its default (docs/validation.md, "Hindcast"): the model as it
            # would forecast from its defaults, not yet with its parameter uncertainty.
            "simulation": {
                "start": start,
                "end": END,
                "runs": runs,
                "seed": seed,
                "uncertainty": "none",
            },
            "policies": {"default": "status-quo"},
        },
        source="<hindcast>",
    )


def debris_series(start: int, runs: int) -> list[dict[str, Any]]:
    """The debris hindcast (:data:`DEBRIS_HOOK`, ``runs`` draws of the debris parameters, its own
    seed) when the engine provides it for ``start``, else ``[]``."""
    from moondust.engine.debris_hindcast import HINDCAST_START, debris_hindcast

    if start != HINDCAST_START:
        return []
    return [dict(row) for row in debris_hindcast(runs=runs)]


def hindcast(
    start: int = START,
    runs: int = DEFAULT_RUNS,
    seed: int = DEFAULT_SEED,
    progress: Callable[[int, int], None] | None = None,
) -> Hindcast:
    """Run the hindcast from ``start`` and score it (module docstring).

    Raises
    ------
    ValueError
        For a start year without data, or one after :data:`FIT_END`.
    """
    if start > FIT_END:
        raise ValueError(
            f"a hindcast needs a start year before the held-out period ({FIT_END + 1}-{END}), "
            f"got {start}"
        )
    scenario = hindcast_scenario(start, runs, seed)
    results = simulate(scenario, progress=progress)
    year = results.dataset["milestone_year"]
    pairs = event_pairs(start)
    actual = actual_years(start, END)
    events = []
    for actor, milestone in pairs:
        years = year.sel(actor=actor, milestone=milestone).to_numpy().astype(float)
        reached = ~np.isnan(years)
        events.append(
            Event(
                actor=actor,
                milestone=milestone,
                p_by_2016=float(np.mean(reached & (years <= FIT_END))),
                p_by_2025=float(np.mean(reached & (years <= END))),
                year_q05=_quantile_year(years, 0.05, END),
                year_q50=_quantile_year(years, 0.50, END),
                year_q95=_quantile_year(years, 0.95, END),
                actual_year=actual.get((actor, milestone)),
            )
        )
    outcome = np.array([e.actual_year is not None for e in events], dtype=float)
    held_out = np.array([e.actual_year is None or e.actual_year > FIT_END for e in events])
    forecasts = {
        "model": np.array([e.p_by_2025 for e in events]),
        "announced_plans": announced_forecast(pairs, start, END),
        "base_rate": base_rate_forecast(pairs, start, FIT_END, END)[0],
    }
    brier = {
        name: brier_score(values[held_out], outcome[held_out]) for name, values in forecasts.items()
    }
    return Hindcast(
        start=start,
        end=END,
        runs=runs,
        events=tuple(events),
        brier=brier,
        forecasts=forecasts,
        held_out=held_out,
        outcomes=outcome,
        debris=debris_series(start, runs),
    )


def coverage(result: Hindcast) -> tuple[int, int]:
    """Events that happened by 2025 whose real year lies in the model's 5–95 % band (a band
    whose upper end is beyond 2025 is open), and how many happened."""
    happened = [e for e in result.events if e.actual_year is not None]
    inside = 0
    for e in happened:
        low = e.year_q05 if e.year_q05 is not None else math.inf
        high = e.year_q95 if e.year_q95 is not None else math.inf
        if low <= e.actual_year <= high:  # type: ignore[operator]
            inside += 1
    return inside, len(happened)


def text_table(result: Hindcast, everything: bool = False) -> str:
    """The events as a text table (by default those that happened, were planned, or have a
    model probability ≥ 5 % by 2025) with the scores below."""
    planned = announced_forecast([(e.actor, e.milestone) for e in result.events], result.start)

    def cell(value: int | None) -> str:
        return "—" if value is None else str(value)

    lines = [
        f"Hindcast {result.start}→{result.end}, {result.runs} runs "
        "(P: share of runs; band: 5–95 % of the first year, — beyond 2025)",
        f"{'actor':<5} {'milestone':<23} {'P≤2016':>6} {'P≤2025':>6} {'median':>6} "
        f"{'band':>11} {'plan':>4} {'actual':>12}",
    ]
    for event, plan in zip(result.events, planned, strict=True):
        shown = everything or event.actual_year is not None or plan or event.p_by_2025 >= 0.05
        if not shown:
            continue
        band = f"{cell(event.year_q05)}–{cell(event.year_q95)}"
        actual = cell(event.actual_year) if event.actual_year else "not by 2025"
        lines.append(
            f"{event.actor:<5} {event.milestone:<23} {event.p_by_2016:>6.2f} "
            f"{event.p_by_2025:>6.2f} {cell(event.year_q50):>6} {band:>11} "
            f"{'yes' if plan else '':>4} {actual:>12}"
        )
    inside, happened = coverage(result)
    n_held = int(result.held_out.sum())
    n_happened = int(result.outcomes[result.held_out].sum())
    lines += [
        "",
        f"Held-out events (not demonstrated by end-{FIT_END}; outcome: demonstrated in "
        f"{FIT_END + 1}–{result.end}): {n_held}, of which {n_happened} happened",
        f"Brier score: model {result.brier['model']:.3f}, announced plans "
        f"{result.brier['announced_plans']:.3f}, base rate {result.brier['base_rate']:.3f}",
        "Brier skill score of the model: vs announced plans "
        f"{result.skill('announced_plans'):+.3f}, vs base rate {result.skill('base_rate'):+.3f}",
        f"Real year inside the model's 5–95 % band: {inside} of {happened} events that happened",
    ]
    if result.debris:
        lines += ["", "Debris ≥ 10 cm (model: LEO only, 5–95 %; recorded: every orbit)"]
        for row in result.debris:
            lines.append(
                f"{row['year']}  {row['metric']:<32} recorded {row['observed']:>9,.0f}   model "
                f"{row['model_q50']:>9,.0f} ({row['model_q05']:,.0f}–{row['model_q95']:,.0f})"
            )
    return "\n".join(lines)
