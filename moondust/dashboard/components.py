"""The explorer's building blocks, shared by its pages: graphs, text, tables, chart cards."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from typing import Any, cast

import solara

from moondust.dashboard.figures import Chart, plotly_spec, to_csv, to_png
from moondust.dashboard.requests import Computed
from moondust.dashboard.widgets import plotly_element

CHART_SHORT = {
    "first": "who is first",
    "he3": "He-3 delivered",
    "military": "military spending",
    "debris": "debris",
    "co2": "CO2 avoided",
}


PLOTLY_CONFIG = {
    "responsive": True,
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 2},
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}


def figure_json(figure: Any) -> dict[str, Any]:
    """A Plotly figure (or its JSON already) as the JSON plotly.js draws."""
    if isinstance(figure, dict):
        return figure
    return cast("dict[str, Any]", json.loads(figure.to_json()))


@solara.component
def Plot(
    figure: Any,
    dependencies: list[Any],
    on_click: Callable[[dict[str, Any]], None] | None = None,
    label: str = "",
    filename: str = "moondust",
) -> None:
    """A Plotly graph that fits its container, drawn by plotly.js in the browser.

    ``on_click`` gets the clicked point's ``{"x": …, "y": …}``; ``filename`` names the PNG the
    graph's camera button saves.
    """
    spec = solara.use_memo(lambda: figure_json(figure), dependencies)
    height = int(spec.get("layout", {}).get("height") or 340)
    config = {
        **PLOTLY_CONFIG,
        "toImageButtonOptions": {"format": "png", "scale": 2, "filename": filename},
    }
    plotly_element(spec, config, label, height, on_click)


def esc(text: Any) -> str:
    """``text`` as HTML-escaped text."""
    return html.escape(str(text))


@solara.component
def Paragraph(text: str, classes: str = "md-help", role: str | None = None) -> None:
    """A paragraph of plain text."""
    attributes = {"role": role, "aria-live": "polite"} if role else None
    solara.HTML(tag="p", unsafe_innerHTML=esc(text), classes=[classes], attributes=attributes)


@solara.component
def Heading(text: str, level: int = 2) -> None:
    """A heading (screen readers navigate by them)."""
    solara.HTML(tag=f"h{level}", unsafe_innerHTML=esc(text), classes=["md-card-title"])


def html_table(header: list[str], rows: list[list[str]], caption: str, numeric: set[int]) -> str:
    """An HTML table (cells escaped); the columns in ``numeric`` align right."""
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{esc(c)}</td>' if i in numeric else f"<td>{esc(c)}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<table class="md-table"><caption style="text-align:left">{esc(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


@solara.component
def ChartCard(chart: Chart, token: str) -> None:
    """A graph with its CSV and PNG downloads and its text summary."""
    figure = solara.use_memo(lambda: plotly_spec(chart), [token])
    with solara.Card(margin=0, elevation=1, classes=[f"md-chart md-chart-{chart.key}"]):
        Plot(figure, [token], label=chart.title, filename=f"moondust-{chart.key}")
        Paragraph(chart.summary, "md-summary")
        with solara.Row(gap="8px", classes=["md-chart-buttons"]):
            solara.FileDownload(
                lambda: to_csv(chart).encode(),
                filename=f"moondust-{chart.key}.csv",
                label=f"CSV ({CHART_SHORT.get(chart.key, chart.key)})",
                mime_type="text/csv",
                icon_name="mdi-download",
            )
            solara.FileDownload(
                lambda: to_png(chart),
                filename=f"moondust-{chart.key}.png",
                label=f"PNG ({CHART_SHORT.get(chart.key, chart.key)})",
                mime_type="image/png",
                icon_name="mdi-image-outline",
            )


def status_text(computed: Computed | None, stale: bool) -> str:
    """The status line: what is shown, and whether a newer result is computing."""
    if computed is None:
        return "Simulating the first ensemble…"
    now = computed.variants["current"]
    text = (
        f"{now.runs} runs, seed {now.seed}, {int(now.years[0])}–{int(now.years[-1])}; "
        f"updated in {computed.seconds:.2f} s"
    )
    return f"Updating… (showing the previous result) — {text}" if stale else text


@solara.component
def Legend() -> None:
    """How to read the graphs."""
    with solara.Details("How to read these graphs"):
        solara.HTML(
            tag="div",
            classes=["md-help"],
            unsafe_innerHTML=LEGEND_HTML,
        )


LEGEND_HTML = " ".join(
    line.strip()
    for line in """
<p>Solid lines with shaded bands: your settings, median and the 10–90 % range of the Monte Carlo
runs. The band spans chance + parameter uncertainty: every run draws each documented parameter
range (docs/model.md) besides its own chance, so it shows what we do not know, not just luck; a
parameter you set is fixed, and a scenario with <code>uncertainty = "none"</code> shows chance only
(each chart's subtitle says which). Dotted lines with hollow markers: the baseline (the scenario
you started from). Dash-dot lines: the <i>modified baseline</i>, the baseline with your assumption
changes but none of your policy changes, so the gap between it and your line is the effect of
policy alone. The Artemis bloc is blue with circles, the ILRS bloc vermillion with squares.
Vertical dotted lines mark the median year of the first crewed landing, the first He-3 delivery and
the first D-He3 fusion demonstration under your settings.</p><p>All runs use the same seeds, so
differences come from the settings, not from chance. Keyboard: Tab to a slider, then the arrow
keys, Page Up/Down, Home and End.</p>
""".splitlines()
)
