"""Figures and the HTML report written after ``moondust run`` (docs/outputs.md): the public names.

The code lives in small modules; this module re-exports what callers of the former single module
used, so ``from moondust.report.run_report import write_report`` keeps working:

* :mod:`moondust.report.style`: the chart style shared with the explorer (palette, bloc styles,
  figure helpers);
* :mod:`moondust.report.data`: what the figures and tables read from the results;
* :mod:`moondust.report.figures`: one module per figure;
* :mod:`moondust.report.tables` and :mod:`moondust.report.html`: the tables and the page,
  :func:`write_report`.
"""

from __future__ import annotations

from moondust.report.data import (
    CONFLICT_VARIABLES,
    CREW_NATIONALITIES,
    CREW_VARIABLES,
    DEFAULT_MAX_ACTORS,
    HE3_VARIABLES,
    SITE_VARIABLES,
    SPENDING_ACTORS,
)
from moondust.report.figures.conflict import conflict_figure
from moondust.report.figures.crew import crew_figure
from moondust.report.figures.he3_energy import he3_energy_figure
from moondust.report.figures.he3_market import he3_market_figure
from moondust.report.figures.race import race_figure
from moondust.report.figures.sites_map import SITE_LABEL_MIN_SHARE, sites_map_figure
from moondust.report.figures.spending import spending_figure
from moondust.report.figures.timeline import milestone_timeline_figure
from moondust.report.html import FIGURE_FILES, write_report
from moondust.report.style import DPI, OKABE_ITO

__all__ = [
    "CONFLICT_VARIABLES",
    "CREW_NATIONALITIES",
    "CREW_VARIABLES",
    "DEFAULT_MAX_ACTORS",
    "DPI",
    "FIGURE_FILES",
    "HE3_VARIABLES",
    "OKABE_ITO",
    "SITE_LABEL_MIN_SHARE",
    "SITE_VARIABLES",
    "SPENDING_ACTORS",
    "conflict_figure",
    "crew_figure",
    "he3_energy_figure",
    "he3_market_figure",
    "milestone_timeline_figure",
    "race_figure",
    "sites_map_figure",
    "spending_figure",
    "write_report",
]
