"""The chart style shared by the run report and the explorer: palette, bloc styles, figure helpers.

Every figure of :mod:`moondust.report` and the explorer's graphs (:mod:`moondust.dashboard.figures`)
take their colours from here, so a bloc has the same colour everywhere. Colours are Okabe & Ito's
colour-blind-safe palette and never carry meaning alone: blocs also differ by hatch, line style and
marker, actors by marker.

This module imports nothing from the rest of moondust at run time, so the explorer can use it
without loading the simulation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

if TYPE_CHECKING:  # only for a type hint: style stays importable without the data layer
    from moondust.report.data import Meta

# Okabe & Ito (2008) colour-blind-safe palette.
BLUE = "#0072B2"
VERMILLION = "#D55E00"
BLUISH_GREEN = "#009E73"
ORANGE = "#E69F00"
REDDISH_PURPLE = "#CC79A7"
SKY_BLUE = "#56B4E9"
BLACK = "#000000"
YELLOW = "#F0E442"

OKABE_ITO: tuple[str, ...] = (
    BLUE,
    VERMILLION,
    BLUISH_GREEN,
    ORANGE,
    REDDISH_PURPLE,
    SKY_BLUE,
    BLACK,
    YELLOW,
)
"""The palette, most distinct first; yellow last (weak on white)."""
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "h", "<", ">")
"""Matplotlib markers, paired with :data:`OKABE_ITO` by rank so no reading relies on colour."""
HATCHES: tuple[str, ...] = ("//", "\\\\", "xx", "..", "oo", "++", "--", "||", "**", "OO")
"""Hatches telling the layers of a stack apart without colour."""
LINE_STYLES: tuple[str, ...] = ("-", "--", "-.", ":")
"""Line styles cycled with the colours when lines are not actors or blocs (stations)."""

BLOC_COLOUR: dict[str, str] = {
    "artemis": BLUE,
    "ilrs": VERMILLION,
    "both": REDDISH_PURPLE,
    "neither": BLUISH_GREEN,
}
"""The one colour of each bloc class (:data:`moondust.world.blocs.BLOC_CLASSES`), everywhere."""
BLOC_STYLE: dict[str, tuple[str, str, str, str]] = {
    "artemis": (BLOC_COLOUR["artemis"], "//", "-", "o"),
    "ilrs": (BLOC_COLOUR["ilrs"], "\\\\", "--", "s"),
    "both": (BLOC_COLOUR["both"], "xx", "-.", "^"),
    "neither": (BLOC_COLOUR["neither"], "..", ":", "D"),
}
"""Colour, hatch, line style and marker of each bloc class, so no reading relies on colour alone."""
BLOC_LABEL: dict[str, str] = {
    "artemis": "Artemis Accords only",
    "ilrs": "ILRS only",
    "both": "both blocs",
    "neither": "neither bloc",
}
"""How the report names each bloc class in legends and tables."""
NOBODY_COLOUR = "#DDDDDD"
"""Grey for "nobody" (no bloc first) and for actors without a colour of their own."""
WORLD_STYLE = (BLACK, "-", "X")
"""Colour, line style and marker of an all-actor total."""

DPI = 130
"""Resolution of the saved PNGs."""


def plain(text: str) -> str:
    """Text safe for a Matplotlib label: ``$`` would otherwise start mathtext."""
    return text.replace("$", r"\$")


def new_figure(width: float, height: float) -> Figure:
    """A constrained-layout figure on an Agg canvas, never registered with pyplot."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def empty_message(fig: Figure, title: str, message: str) -> Figure:
    """Fill ``fig`` with a title and a centred message instead of a chart (nothing to draw)."""
    ax = fig.subplots()
    ax.set_axis_off()
    ax.set_title(title, fontsize=11)
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=10, transform=ax.transAxes)
    return fig


def draw_band(
    ax: Axes,
    years: np.ndarray,
    q: np.ndarray,
    style: tuple[str, str, str],
    label: str,
    gid: str,
    every: int,
    alpha: float = 0.16,
) -> None:
    """A median line (``q[1]``) with its 10–90 % band (``q[0]``..``q[2]``, opacity ``alpha``)."""
    colour, line, marker = style
    ax.fill_between(years, q[0], q[2], color=colour, alpha=alpha, lw=0)
    ax.plot(
        years,
        q[1],
        color=colour,
        ls=line,
        marker=marker,
        markevery=every,
        markersize=5,
        markeredgecolor="black",
        markeredgewidth=0.4,
        lw=1.6,
        label=label,
        gid=gid,
    )


def finish_axes(ax: Axes, years: np.ndarray, ylabel: str, title: str) -> None:
    """Limits, labels, title and grid of a panel over the simulated years (y from zero)."""
    ax.set_xlim(years[0], years[-1])
    ax.set_ylim(bottom=0)
    ax.set_xlabel("year")
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.grid(color="#BBBBBB", lw=0.5, alpha=0.7)


def panel_grid(fig: Figure, keys: Sequence[str], columns: int) -> dict[str, Axes]:
    """One axes per key (gid ``panel:<key>``) on a grid of ``columns``; spare cells removed."""
    rows = -(-len(keys) // columns)
    axes = fig.subplots(rows, columns, sharex=True, squeeze=False).ravel()
    for ax in axes[len(keys) :]:
        fig.delaxes(ax)
    panels = dict(zip(keys, axes, strict=False))
    for key, ax in panels.items():
        ax.set_gid(f"panel:{key}")
        ax.xaxis.set_tick_params(labelbottom=True)
    return panels


def suptitle(fig: Figure, what: str, meta: Meta, note: str) -> None:
    """The figure title every multi-panel figure shares: what, scenario, runs and a note."""
    fig.suptitle(
        plain(f"{what} — scenario {meta.scenario!r}, {meta.runs} runs ({note})"), fontsize=11
    )
