"""The explorer's graphs, described once and drawn three ways: Plotly, PNG (Matplotlib) and CSV.

The names of three modules, kept here so that ``from moondust.dashboard.figures import …`` goes
on working:

- :mod:`moondust.dashboard.charts` — what a graph shows (:class:`Chart`: lines with bands, or
  bars; markers; a text summary) and the explorer's charts built from the ensembles;
- :mod:`moondust.dashboard.drawing` — a chart as plotly.js JSON, a Plotly figure, PNG or CSV;
- :mod:`moondust.dashboard.moon_figures` — the Moon page's He-3 map with the mining sites.
"""

from __future__ import annotations

from moondust.dashboard.charts import (
    BAR_PATTERN,
    BLOC_STYLE,
    MARKER_LABELS,
    SINGLE_COLOUR,
    VARIANT_LABEL,
    VARIANTS,
    Bars,
    Chart,
    Line,
    Names,
    Variants,
    co2_chart,
    debris_chart,
    explorer_charts,
    first_chart,
    he3_chart,
    military_chart,
)
from moondust.dashboard.drawing import AXIS_STYLE, plotly_spec, to_csv, to_plotly, to_png
from moondust.dashboard.moon_figures import SiteRow, moon_figure, moon_spec, site_rows, unshift

__all__ = [
    "AXIS_STYLE",
    "BAR_PATTERN",
    "BLOC_STYLE",
    "MARKER_LABELS",
    "SINGLE_COLOUR",
    "VARIANTS",
    "VARIANT_LABEL",
    "Bars",
    "Chart",
    "Line",
    "Names",
    "SiteRow",
    "Variants",
    "co2_chart",
    "debris_chart",
    "explorer_charts",
    "first_chart",
    "he3_chart",
    "military_chart",
    "moon_figure",
    "moon_spec",
    "plotly_spec",
    "site_rows",
    "to_csv",
    "to_plotly",
    "to_png",
    "unshift",
]
