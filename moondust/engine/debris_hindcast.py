"""The debris hindcast 2007→2025, driven by recorded traffic and events alone (docs/validation.md).

:func:`debris_hindcast` runs :mod:`moondust.engine.debris` from its 2007 populations through the
record (satellites launched, recorded fragmentations) with the debris parameters drawn over their
documented ranges, and sets the model's band beside each recorded count of objects ≥ 10 cm.
"""

from __future__ import annotations

import numpy as np

from moondust.datafiles import read_csv
from moondust.engine.debris import run_year, start, traffic
from moondust.engine.debris_data import _parse_count
from moondust.engine.params import RunParameters
from moondust.engine.state import FloatArray

HINDCAST_START = 2007
HINDCAST_END = 2025


def hindcast_parameters(runs: int, seed: int) -> RunParameters:
    """The debris parameters drawn uniformly over their documented ranges (the rest at defaults)."""
    from moondust.parameters import load_specs

    rng = np.random.default_rng(seed)
    p = RunParameters()
    for name, spec in load_specs("conflict").items():
        p[name] = rng.uniform(spec.low, spec.high, size=(runs, 1))
    return p


def hindcast_totals(p: RunParameters, runs: int) -> dict[int, FloatArray]:
    """Objects ≥ 10 cm in LEO (S + D + N) on 1 January of 2007 … 2026, driven by recorded traffic
    and events alone, (R,) per year."""
    state = start(p, runs, HINDCAST_START)
    totals = {HINDCAST_START: state.active + state.derelict + state.debris}
    for year in range(HINDCAST_START, HINDCAST_END + 1):
        run_year(state, traffic(year, p, runs))
        totals[year + 1] = state.active + state.derelict + state.debris
    return totals


def debris_hindcast(runs: int = 200, seed: int = 20) -> list[dict[str, float | int | str]]:
    """The debris hindcast 2007→2025 against every recorded count of objects ≥ 10 cm.

    Rows ``{"year", "metric", "observed", "model_q05", "model_q50", "model_q95"}``, the model
    taken at mid-year (the mean of 1 January of the year and of the next) over ``runs`` draws of
    the debris parameters across their ranges. The model counts LEO only, the recorded counts
    every orbit (docs/validation.md, "Debris hindcast").
    """
    totals = hindcast_totals(hindcast_parameters(runs, seed), runs)
    table = read_csv("world", "debris_counts.csv")
    rows: list[dict[str, float | int | str]] = []
    for year_text, metric, value in zip(
        table["year"], table["metric"], table["value"], strict=True
    ):
        metric = str(metric)
        if not str(year_text).isdigit() or ">10 cm" not in metric:
            continue
        year = int(str(year_text))
        if not HINDCAST_START <= year <= HINDCAST_END:
            continue
        model = 0.5 * (totals[year] + totals[year + 1])
        q05, q50, q95 = np.quantile(model, [0.05, 0.5, 0.95])
        rows.append(
            {
                "year": year,
                "metric": metric,
                "observed": _parse_count(str(value)),
                "model_q05": float(q05),
                "model_q50": float(q50),
                "model_q95": float(q95),
            }
        )
    return rows
