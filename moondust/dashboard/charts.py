"""The explorer's graphs described once: :class:`Chart` (lines with bands, or bars), built from
the ensembles of the current settings, the baseline and the modified baseline.

A :class:`Chart` lists its lines (median with an optional 10–90 % band) or bars, the milestone
markers on its time axis and a one-paragraph text summary (the text alternative of the graph).
Colours are Okabe–Ito and never carry meaning alone: blocs also differ by marker shape, and the
current settings, the baseline and the modified baseline by line style and marker fill (bars by
hatching). :mod:`moondust.dashboard.drawing` draws them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from moondust.dashboard.compute import Ensemble
from moondust.report.style import BLACK, BLOC_COLOUR, BLUE, ORANGE
from moondust.world.blocs import BlocClass

BLOC_STYLE: dict[str, tuple[str, str, str]] = {  # colour, Plotly marker, name
    "artemis": (BLOC_COLOUR["artemis"], "circle", "Artemis bloc"),
    "ilrs": (BLOC_COLOUR["ilrs"], "square", "ILRS bloc"),
    # the explorer merges "both" and "neither" into "other", coloured as the report's "neither"
    "other": (BLOC_COLOUR["neither"], "diamond", "other actors"),
}
VARIANTS: dict[str, tuple[str, str, float]] = {  # dash, marker suffix, width
    "current": ("solid", "", 2.6),
    "baseline": ("dot", "-open", 1.8),
    "modified baseline": ("dashdot", "-open-dot", 1.8),
}
VARIANT_LABEL = {
    "current": "current settings",
    "baseline": "baseline",
    "modified baseline": "modified baseline (assumptions changed, policies not)",
}
SINGLE_COLOUR = {"current": BLUE, "baseline": BLACK, "modified baseline": ORANGE}
BAR_PATTERN = {"current": "", "baseline": "/", "modified baseline": "x"}
MARKER_LABELS = {
    "crewed_landing": "crewed landing",
    "he3_delivered": "He-3 delivered",
    "fusion_demo": "fusion demo",
}


@dataclass(frozen=True, eq=False)
class Line:
    """One median line over years, with an optional 10–90 % band."""

    label: str
    column: str
    x: np.ndarray
    y: np.ndarray
    colour: str
    marker: str
    variant: str
    low: np.ndarray | None = None
    high: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class Bars:
    """One set of bars over the chart's categories."""

    label: str
    variant: str
    values: tuple[float, ...]
    colours: tuple[str, ...]
    column: str = ""


@dataclass(frozen=True, eq=False)
class Chart:
    """A graph: what it shows, its units, and its text summary."""

    key: str
    title: str
    x_title: str
    y_title: str
    summary: str
    unit: str
    lines: tuple[Line, ...] = ()
    categories: tuple[str, ...] = ()
    bars: tuple[Bars, ...] = ()
    markers: tuple[tuple[float, str], ...] = field(default=())
    banded: str = "current settings"
    """Whose 10–90 % band is shaded."""

    @property
    def subtitle(self) -> str:
        """How to read it (also on the PNG)."""
        if self.bars:
            return "share of runs in which each is first; hatched: " + ", ".join(
                b.label for b in self.bars[1:]
            )
        return f"lines: medians over runs; shaded: 10–90 % of runs ({self.banded})"


Variants = dict[str, Ensemble]
"""``current`` and ``baseline`` (always), ``modified baseline`` (when shown)."""
Names = dict[str, str] | None
"""What to call each variant in legends and summaries (default: :data:`VARIANT_LABEL`)."""


def _column(variant: str, names: Names) -> str:
    """A variant's name in CSV headers: A and B on the Compare page."""
    if names:
        return {"current": "A", "baseline": "B"}.get(variant, variant.replace(" ", "_"))
    return variant.replace(" ", "_")


def _banded(names: Names) -> str:
    return "A" if names else "current settings"


def _name(variant: str, names: Names) -> str:
    if names and variant in names:
        return names[variant]
    return VARIANT_LABEL[variant].split(" (")[0]


# --- the charts --------------------------------------------------------------------------------
def _markers(ensemble: Ensemble) -> tuple[tuple[float, str], ...]:
    out = []
    for milestone, label in MARKER_LABELS.items():
        year = ensemble.milestone_year.get(milestone, float("nan"))
        if np.isfinite(year) and ensemble.milestone_share.get(milestone, 0.0) >= 0.5:
            out.append((float(year), f"{label} ({year:.0f})"))
    return tuple(out)


def _fmt(value: float, unit: str) -> str:
    if not np.isfinite(value):
        return "—"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"
    return f"{text} {unit}".strip()


def _bloc_chart(
    variants: Variants,
    key: str,
    title: str,
    y_title: str,
    unit: str,
    attribute: str,
    names: Names = None,
) -> Chart:
    current = variants["current"]
    years = current.years
    lines: list[Line] = []
    for variant, ensemble in variants.items():
        data = getattr(ensemble, attribute)
        for b, bloc in enumerate(("artemis", "ilrs", "other")):
            if bloc == "other" and not np.any(getattr(current, attribute)[b, 2] > 0):
                continue
            colour, marker, name = BLOC_STYLE[bloc]
            band = variant == "current"
            lines.append(
                Line(
                    label=f"{name}, {_name(variant, names)}",
                    column=f"{bloc}_{_column(variant, names)}",
                    x=ensemble.years,
                    y=data[b, 1],
                    colour=colour,
                    marker=marker + VARIANTS[variant][1],
                    variant=variant,
                    low=data[b, 0] if band else None,
                    high=data[b, 2] if band else None,
                )
            )
    end = int(years[-1])
    parts = []
    for b, bloc in enumerate(("artemis", "ilrs")):
        now = getattr(current, attribute)[b, :, -1]
        base = getattr(variants["baseline"], attribute)[b, 1, -1]
        parts.append(
            f"{BLOC_STYLE[bloc][2]}: {_fmt(now[1], unit)} in {end} (10–90 % of runs "
            f"{_fmt(now[0], unit)} to {_fmt(now[2], unit)}; {_name('baseline', names)} "
            f"{_fmt(base, unit)})"
        )
    summary = f"{title}. " + "; ".join(parts) + "."
    return Chart(
        key=key,
        title=title,
        x_title="year",
        y_title=y_title,
        summary=summary,
        unit=unit,
        lines=tuple(lines),
        markers=_markers(current),
        banded=_banded(names),
    )


def he3_chart(variants: Variants, names: Names = None) -> Chart:
    """Cumulative He-3 delivered to Earth, by bloc (median and 10–90 %)."""
    return _bloc_chart(
        variants,
        "he3",
        "He-3 delivered to Earth, cumulative, by bloc",
        "He-3 delivered (t, cumulative)",
        "t",
        "he3_t",
        names,
    )


def military_chart(variants: Variants, names: Names = None) -> Chart:
    """Military space spending by bloc."""
    return _bloc_chart(
        variants,
        "military",
        "Military space spending by bloc",
        "USD bn per year (2025 $)",
        "USD bn/yr",
        "military",
        names,
    )


def _single_chart(
    variants: Variants,
    key: str,
    title: str,
    y_title: str,
    unit: str,
    attribute: str,
    names: Names = None,
) -> Chart:
    current = variants["current"]
    lines = []
    for variant, ensemble in variants.items():
        data = getattr(ensemble, attribute)
        band = variant == "current"
        lines.append(
            Line(
                label=_name(variant, names),
                column=_column(variant, names),
                x=ensemble.years,
                y=data[1],
                colour=SINGLE_COLOUR[variant],
                marker="circle" + VARIANTS[variant][1],
                variant=variant,
                low=data[0] if band else None,
                high=data[2] if band else None,
            )
        )
    now = getattr(current, attribute)[:, -1]
    base = getattr(variants["baseline"], attribute)[1, -1]
    summary = (
        f"{title}. In {int(current.years[-1])}: {_fmt(now[1], unit)} (10–90 % of runs "
        f"{_fmt(now[0], unit)} to {_fmt(now[2], unit)}); {_name('baseline', names)} "
        f"{_fmt(base, unit)}."
    )
    return Chart(
        key=key,
        title=title,
        x_title="year",
        y_title=y_title,
        summary=summary,
        unit=unit,
        lines=tuple(lines),
        markers=_markers(current),
        banded=_banded(names),
    )


def debris_chart(variants: Variants, names: Names = None) -> Chart:
    """Objects of 10 cm or more in low Earth orbit."""
    return _single_chart(
        variants,
        "debris",
        "Orbital debris in low Earth orbit",
        "objects ≥ 10 cm in LEO",
        "objects",
        "debris",
        names,
    )


def co2_chart(variants: Variants, names: Names = None) -> Chart:
    """CO2 avoided by D-He3 fusion electricity, cumulative."""
    return _single_chart(
        variants,
        "co2",
        "CO2 avoided by D-He3 fusion, cumulative",
        "CO2 avoided (Mt, cumulative)",
        "Mt CO2",
        "co2_mt",
        names,
    )


def first_chart(variants: Variants, names: Names = None) -> Chart:
    """Probability each bloc is first to deliver commercial He-3 to Earth."""
    current = variants["current"]
    end = int(current.years[-1])
    categories = ("Artemis bloc", "ILRS bloc", "other actors", f"nobody by {end}")
    colours = (BLOC_STYLE["artemis"][0], BLOC_STYLE["ilrs"][0], BLOC_STYLE["other"][0], "#999999")
    bars = []
    for variant, ensemble in variants.items():
        p = ensemble.p_first
        values = (p["artemis"], p["ilrs"], p["both"] + p["neither"], p[BlocClass.NOBODY])
        bars.append(
            Bars(
                label=_name(variant, names),
                variant=variant,
                values=tuple(100.0 * v for v in values),
                colours=colours,
                column=_column(variant, names),
            )
        )
    now, base = bars[0].values, bars[1].values
    summary = (
        "Probability each bloc is first to deliver commercial He-3 to Earth: "
        + "; ".join(
            f"{c} {a:.0f} % ({_name('baseline', names)} {b:.0f} %)"
            for c, a, b in zip(categories, now, base, strict=True)
        )
        + f" ({current.runs} runs)."
    )
    return Chart(
        key="first",
        title="Who delivers commercial He-3 to Earth first",
        x_title="",
        y_title="probability of being first (%)",
        summary=summary,
        unit="%",
        categories=categories,
        bars=tuple(bars),
    )


def explorer_charts(variants: Variants, names: Names = None) -> list[Chart]:
    """The explorer's graphs, main ones first."""
    return [
        first_chart(variants, names),
        he3_chart(variants, names),
        military_chart(variants, names),
        debris_chart(variants, names),
        co2_chart(variants, names),
    ]
