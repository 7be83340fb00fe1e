"""A :class:`~moondust.dashboard.charts.Chart` drawn three ways: plotly.js JSON (and a Plotly
figure), PNG (Matplotlib) and CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

import numpy as np
import plotly.graph_objects as go
from matplotlib.figure import Figure

from moondust.dashboard.charts import (
    BAR_PATTERN,
    VARIANTS,
    Chart,
)
from moondust.report.style import DPI

_MPL_DASH = {"solid": "-", "dot": ":", "dashdot": "-.", "dash": "--"}
_MPL_MARKER = {"circle": "o", "square": "s", "diamond": "D"}
_MPL_HATCH = {"": "", "/": "//", "x": "xx"}


def _rgba(colour: str, alpha: float) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _values(array: np.ndarray) -> list[float | None]:
    """Numbers for JSON (4 significant digits are more than a graph shows; NaN as a gap)."""
    return [float(f"{v:.4g}") if np.isfinite(v) else None for v in np.asarray(array, float)]


AXIS_STYLE: dict[str, Any] = {
    "gridcolor": "#E5E5E5",
    "linecolor": "#444444",
    "ticks": "outside",
    "zeroline": False,
    "automargin": True,
}


def plotly_spec(chart: Chart, height: int = 380) -> dict[str, Any]:
    """The graph as the JSON plotly.js draws (built directly: plotly.py's objects validate
    every property and took ~0.1 s per graph)."""
    data: list[dict[str, Any]] = []
    for line in chart.lines:
        dash, _, width = VARIANTS[line.variant]
        x = [int(year) for year in line.x]
        if line.low is not None and line.high is not None:
            data.append(
                {
                    "type": "scatter",
                    "x": x,
                    "y": _values(line.low),
                    "mode": "lines",
                    "line": {"width": 0, "color": line.colour},
                    "hoverinfo": "skip",
                    "showlegend": False,
                    "legendgroup": line.column,
                }
            )
            data.append(
                {
                    "type": "scatter",
                    "x": x,
                    "y": _values(line.high),
                    "mode": "lines",
                    "line": {"width": 0, "color": line.colour},
                    "fill": "tonexty",
                    "fillcolor": _rgba(line.colour, 0.18),
                    "name": f"{line.label}: 10–90 % of runs",
                    "hoverinfo": "skip",
                    "showlegend": False,
                    "legendgroup": line.column,
                }
            )
        data.append(
            {
                "type": "scatter",
                "x": x,
                "y": _values(line.y),
                "mode": "lines+markers",
                "name": f"{line.label} (median)" if line.low is not None else line.label,
                "line": {"color": line.colour, "dash": dash, "width": width},
                "marker": {
                    "symbol": line.marker,
                    "size": 7,
                    "color": line.colour,
                    "maxdisplayed": 12,
                    "line": {"width": 1, "color": line.colour},
                },
                "legendgroup": line.column,
                "hovertemplate": f"%{{y:,.3~g}} {chart.unit}<extra>{line.label}</extra>",
            }
        )
    for bars in chart.bars:
        data.append(
            {
                "type": "bar",
                "x": list(chart.categories),
                "y": [round(v, 2) for v in bars.values],
                "name": bars.label,
                "marker": {
                    "color": list(bars.colours),
                    "opacity": 1.0 if bars.variant == "current" else 0.55,
                    "line": {"color": "#000000", "width": 1},
                    "pattern": {
                        "shape": BAR_PATTERN[bars.variant],
                        "fgcolor": "#000000",
                        "fillmode": "overlay",
                    },
                },
                "text": [f"{v:.0f} %" for v in bars.values],
                "textposition": "outside",
                "hovertemplate": "%{x}: %{y:.0f} %<extra>" + bars.label + "</extra>",
            }
        )
    shapes = [
        {
            "type": "line",
            "x0": year,
            "x1": year,
            "xref": "x",
            "y0": 0,
            "y1": 1,
            "yref": "paper",
            "line": {"color": "#333333", "dash": "dot", "width": 1},
        }
        for year, _ in chart.markers
    ]
    annotations = [
        {
            "x": year,
            "xref": "x",
            "y": 1,
            "yref": "paper",
            "text": label,
            "textangle": -90,
            "showarrow": False,
            "xanchor": "right",
            "yanchor": "top",
            "font": {"size": 10},
        }
        for year, label in chart.markers
    ]
    xaxis: dict[str, Any] = {**AXIS_STYLE}
    yaxis: dict[str, Any] = {**AXIS_STYLE, "title": {"text": chart.y_title}, "rangemode": "tozero"}
    if chart.lines:
        xaxis.update(title={"text": chart.x_title}, tickformat="d")
    else:
        yaxis["range"] = [0, 110]
    layout = {
        "title": {
            "text": chart.title,
            "font": {"size": 15},
            "subtitle": {"text": chart.subtitle, "font": {"size": 11}},
        },
        "height": height,
        "autosize": True,
        "margin": {"l": 60, "r": 20, "t": 64, "b": 40},
        "paper_bgcolor": "#FFFFFF",
        "plot_bgcolor": "#FFFFFF",
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.3, "font": {"size": 10}},
        "hovermode": "x unified" if chart.lines else "closest",
        "barmode": "group",
        "font": {"family": "Roboto, Arial, sans-serif", "color": "#222222"},
        "xaxis": xaxis,
        "yaxis": yaxis,
        "shapes": shapes,
        "annotations": annotations,
    }
    return {"data": data, "layout": layout}


def to_plotly(chart: Chart, height: int = 380) -> go.Figure:
    """The graph as a Plotly figure (for notebooks; the explorer uses :func:`plotly_spec`)."""
    return go.Figure(plotly_spec(chart, height))


def to_png(chart: Chart, dpi: int = DPI) -> bytes:
    """The same graph as a PNG (Matplotlib, drawn on the server)."""
    fig = Figure(figsize=(8.0, 4.6), layout="constrained")
    ax = fig.add_subplot()
    for line in chart.lines:
        dash, suffix, width = VARIANTS[line.variant]
        base_marker = line.marker.split("-")[0]
        if line.low is not None and line.high is not None:
            ax.fill_between(
                line.x,
                line.low,
                line.high,
                color=line.colour,
                alpha=0.18,
                lw=0,
                label=f"{line.label}: 10–90 % of runs",
            )
        ax.plot(
            line.x,
            line.y,
            ls=_MPL_DASH[dash],
            lw=width,
            color=line.colour,
            marker=_MPL_MARKER.get(base_marker, "o"),
            markevery=max(1, len(line.x) // 10),
            markerfacecolor="white" if suffix else line.colour,
            markersize=5,
            label=f"{line.label} (median)" if line.low is not None else line.label,
        )
    if chart.bars:
        count = len(chart.bars)
        width = 0.8 / count
        x = np.arange(len(chart.categories))
        for k, bars in enumerate(chart.bars):
            positions = x - 0.4 + width * (k + 0.5)
            drawn = ax.bar(
                positions,
                bars.values,
                width,
                color=bars.colours,
                alpha=1.0 if bars.variant == "current" else 0.55,
                edgecolor="black",
                hatch=_MPL_HATCH[BAR_PATTERN[bars.variant]],
                label=bars.label,
            )
            ax.bar_label(drawn, labels=[f"{v:.0f} %" for v in bars.values], fontsize=8)
        ax.set_xticks(x, chart.categories)
        ax.set_ylim(0, 110)
    for year, label in chart.markers:
        ax.axvline(year, color="#333333", ls=":", lw=1)
        ax.text(
            year,
            0.98,
            f" {label}",
            rotation=90,
            va="top",
            ha="right",
            fontsize=7.5,
            transform=ax.get_xaxis_transform(),
        )
    ax.set_title(f"{chart.title}\n{chart.subtitle}", fontsize=10)
    ax.set_ylabel(chart.y_title)
    if chart.x_title:
        ax.set_xlabel(chart.x_title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", frameon=False)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def to_csv(chart: Chart) -> str:
    """The graph's data, one row per year (or category), units in the headers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    unit = chart.unit.replace(" ", "_").replace("/", "_per_")
    if chart.bars:
        writer.writerow(["who", *[f"{b.column or b.variant}_pct" for b in chart.bars]])
        for k, category in enumerate(chart.categories):
            writer.writerow([category, *[f"{b.values[k]:.2f}" for b in chart.bars]])
        return buffer.getvalue()
    header = ["year"]
    columns: list[np.ndarray] = []
    for line in chart.lines:
        header.append(f"{line.column}_median_{unit}")
        columns.append(line.y)
        if line.low is not None and line.high is not None:
            header += [f"{line.column}_p10_{unit}", f"{line.column}_p90_{unit}"]
            columns += [line.low, line.high]
    writer.writerow(header)
    years = chart.lines[0].x if chart.lines else np.array([], dtype=int)
    for i, year in enumerate(years):
        writer.writerow([int(year), *[f"{c[i]:.6g}" for c in columns]])
    return buffer.getvalue()
