"""The Compare page: two scenarios side by side, with the same seeds and runs."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import solara

from moondust.dashboard import model
from moondust.dashboard.components import ChartCard, Paragraph, html_table, status_text
from moondust.dashboard.figures import explorer_charts
from moondust.dashboard.requests import Computed, Request, compare_request
from moondust.dashboard.state import compare_task, update_settings, use_page
from moondust.world.blocs import BlocClass
from moondust.world.scenario import builtin_scenarios


@solara.component
def ComparePage() -> None:
    """Two scenarios side by side, with the same seeds and runs."""
    state, request, computed, stale = use_page(compare_task, compare_request)
    settings = state.settings.value
    options = ["current", *builtin_scenarios()]
    Paragraph(
        "Two scenarios with the same seeds, runs and horizon, so the differences come from the "
        "scenarios. “current” is the Explorer's settings."
    )
    with solara.Row(gap="16px"):
        solara.Select(
            label="Scenario A",
            values=options,
            value=settings.compare_a,
            on_value=lambda name: update_settings(state, lambda s: replace(s, compare_a=str(name))),
        )
        solara.Select(
            label="Scenario B",
            values=options,
            value=settings.compare_b,
            on_value=lambda name: update_settings(state, lambda s: replace(s, compare_b=str(name))),
        )
    solara.ProgressLinear(stale)
    Paragraph(status_text(computed, stale), "md-status", role="status")
    if computed is None:
        return
    a, b = computed.variants["current"], computed.variants["baseline"]
    names = {
        "current": f"A: {_label(settings.compare_a, request)}",
        "baseline": f"B: {_label(settings.compare_b, request)}",
    }
    rows = []
    for label, key, digits in (
        ("He-3 first reaches Earth (median year)", "first_he3_year", 0),
        (f"He-3 delivered by {int(a.years[-1])} (t)", "he3_t_end", 1),
        ("Military space spending (USD bn, cumulative)", "military_cum_usd_bn", 0),
        (f"Debris in LEO in {int(a.years[-1])} (objects ≥ 10 cm)", "debris_end", 0),
        ("CO2 avoided (Mt, cumulative)", "co2_mt_end", 0),
    ):
        rows.append([label, *(_band(e.totals[key], digits, key.endswith("_year")) for e in (a, b))])
    for bloc in (BlocClass.ARTEMIS, BlocClass.ILRS, BlocClass.NOBODY):
        label = "nobody" if bloc == BlocClass.NOBODY else model.BLOC_NAMES[bloc]
        rows.append(
            [f"First to deliver He-3: {label}", *(f"{100 * e.p_first[bloc]:.0f} %" for e in (a, b))]
        )
    with solara.Card(margin=0, elevation=1):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=html_table(
                [
                    "outcome (median, 10–90 % of runs)",
                    names["current"],
                    names["baseline"],
                ],
                rows,
                f"{a.runs} runs each, seed {a.seed}; bands: A {a.band}, B {b.band}",
                {1, 2},
            ),
        )
    CompareCharts(computed, names)


@solara.component
def CompareCharts(computed: Computed, names: dict[str, str]) -> None:
    """A and B on the same graphs (A solid with its band, B dotted)."""
    charts = solara.use_memo(lambda: explorer_charts(computed.variants, names), [computed.key])
    token = f"compare|{computed.key}"
    with solara.ColumnsResponsive(default=12, large=[6, 6]):
        for chart in charts:
            ChartCard(chart, token)


def _label(name: str, request: Request) -> str:
    if name == "current":
        return f"current settings ({request.scenarios['current'].name})"
    return name


def _band(values: tuple[float, float, float], digits: int, year: bool = False) -> str:
    low, mid, high = values
    if not np.isfinite(mid):
        return "—"
    spec = ".0f" if year else f",.{digits}f"
    return f"{mid:{spec}} ({low:{spec}}–{high:{spec}})"
