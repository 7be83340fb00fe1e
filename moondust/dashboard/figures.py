"""The explorer's graphs, described once and drawn three ways: Plotly, PNG (Matplotlib) and CSV.

A :class:`Chart` lists its lines (median with an optional 10–90 % band) or bars, the milestone
markers on its time axis and a one-paragraph text summary (the text alternative of the graph).
Colours are Okabe–Ito and never carry meaning alone: blocs also differ by marker shape, and the
current settings, the baseline and the modified baseline by line style and marker fill (bars by
hatching).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import plotly.graph_objects as go
from matplotlib.figure import Figure

from moondust.dashboard.compute import Ensemble
from moondust.report.style import BLACK, BLOC_COLOUR, BLUE, DPI, ORANGE
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
_MPL_DASH = {"solid": "-", "dot": ":", "dashdot": "-.", "dash": "--"}
_MPL_MARKER = {"circle": "o", "square": "s", "diamond": "D"}
_MPL_HATCH = {"": "", "/": "//", "x": "xx"}


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
    band: str = ""
    """What the shaded band spans: chance only, or chance + parameter uncertainty."""

    @property
    def subtitle(self) -> str:
        """How to read it (also on the PNG)."""
        if self.bars:
            return "share of runs in which each is first; hatched: " + ", ".join(
                b.label for b in self.bars[1:]
            )
        spans = f", {self.band}" if self.band else ""
        return f"lines: medians over runs; shaded: 10–90 % of runs{spans} ({self.banded})"


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
        band=current.band,
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
        band=current.band,
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


# --- drawing -----------------------------------------------------------------------------------
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


# --- the Moon page -----------------------------------------------------------------------------
def _shift(lon: np.ndarray | float) -> np.ndarray:
    """East longitude mapped to −90..270 (near side left), as the He-3 map figure does."""
    return (np.asarray(lon, dtype=float) + 90.0) % 360.0 - 90.0


def unshift(x: float) -> float:
    """A map x (−90..270) back to east longitude (−180..180)."""
    return float(x - 360.0 if x > 180.0 else x)


@dataclass(frozen=True)
class SiteRow:
    """Who holds one mining site in a year (in the most runs)."""

    name: str
    lat: float
    lon: float
    he3_kg: float
    holder: str | None
    bloc: str | None
    share: float


def site_rows(ensemble: Ensemble, year: int) -> list[SiteRow]:
    """Each site's most frequent holder in ``year`` and the share of runs it holds it."""
    years = list(ensemble.years)
    t = years.index(year) if year in years else len(years) - 1
    counts = ensemble.site_counts[:, t, :]
    mode = counts.argmax(axis=1) - 1
    runs = max(int(counts[0].sum()), 1)
    rows = []
    for s, name in enumerate(ensemble.site_names):
        holder = ensemble.actors[mode[s]] if mode[s] >= 0 else None
        bloc = ensemble.actor_blocs[mode[s]] if mode[s] >= 0 else None
        rows.append(
            SiteRow(
                name=name,
                lat=float(ensemble.site_lat[s]),
                lon=float(ensemble.site_lon[s]),
                he3_kg=float(ensemble.site_he3_kg[s]),
                holder=holder,
                bloc=bloc,
                share=float(counts[s].max() / runs),
            )
        )
    return rows


def moon_spec(
    ppb: np.ndarray, lat: np.ndarray, lon: np.ndarray, rows: list[SiteRow]
) -> dict[str, Any]:
    """The He-3 map (near side left) with the mining sites and their holders, as plotly.js JSON."""
    order = np.argsort(_shift(lon))
    data: list[dict[str, Any]] = [
        {
            "type": "heatmap",
            "z": np.round(ppb[:, order], 2).tolist(),
            "x": np.round(_shift(lon)[order], 3).tolist(),
            "y": np.round(np.asarray(lat, float), 3).tolist(),
            "colorscale": "Cividis",
            "colorbar": {"title": {"text": "He-3 (ppb)"}},
            "hovertemplate": "lat %{y:.0f}°, map x %{x:.0f}°: %{z:.1f} ppb"
            "<extra>click to probe</extra>",
            "name": "He-3 map",
        }
    ]
    groups: dict[str | None, list[SiteRow]] = {}
    for row in rows:
        groups.setdefault(row.bloc if row.bloc in BLOC_STYLE else row.bloc and "other", []).append(
            row
        )
    largest = max((r.he3_kg for r in rows), default=1.0)
    for bloc, members in groups.items():
        if bloc is None:
            colour, symbol, name = "#FFFFFF", "circle-open", "unclaimed in most runs"
        else:
            colour, symbol, name = BLOC_STYLE[bloc]
            name = f"held by the {name}" if bloc != "other" else "held by other actors"
        data.append(
            {
                "type": "scatter",
                "x": _shift(np.array([r.lon for r in members])).tolist(),
                "y": [r.lat for r in members],
                "mode": "markers+text",
                "name": name,
                "marker": {
                    "symbol": symbol,
                    "color": colour,
                    "size": [
                        round(10 + 18 * float(np.sqrt(r.he3_kg / largest)), 1) for r in members
                    ],
                    "line": {"color": "#000000" if bloc else "#FFFFFF", "width": 1.5},
                },
                "text": [f"{r.holder} {r.share:.0%}" if r.holder else "" for r in members],
                "textposition": "top center",
                "textfont": {"color": "#FFFFFF", "size": 11},
                "customdata": [[r.name, r.he3_kg] for r in members],
                "hovertemplate": "%{customdata[0]}: %{text}<br>He-3 %{customdata[1]:.3s} kg"
                "<extra></extra>",
            }
        )
    layout = {
        "height": 460,
        "autosize": True,
        "margin": {"l": 60, "r": 20, "t": 30, "b": 40},
        "legend": {"orientation": "h", "y": -0.15},
        "paper_bgcolor": "#FFFFFF",
        "plot_bgcolor": "#FFFFFF",
        "font": {"family": "Roboto, Arial, sans-serif", "color": "#222222"},
        "clickmode": "event",
        "shapes": [
            {
                "type": "line",
                "x0": 90.0,
                "x1": 90.0,
                "xref": "x",
                "y0": 0,
                "y1": 1,
                "yref": "paper",
                "line": {"color": "white", "dash": "dash", "width": 1},
            }
        ],
        "xaxis": {
            **AXIS_STYLE,
            "title": {"text": "longitude (near side left of the dashed line, far side right)"},
            "tickvals": [-90, 0, 90, 180, 270],
            "ticktext": ["90°W", "0°", "90°E", "180°", "90°W"],
            "range": [-90, 270],
        },
        "yaxis": {
            **AXIS_STYLE,
            "title": {"text": "latitude (°N)"},
            "range": [-90, 90],
            "scaleanchor": "x",
        },
    }
    return {"data": data, "layout": layout}


def moon_figure(
    ppb: np.ndarray, lat: np.ndarray, lon: np.ndarray, rows: list[SiteRow]
) -> go.Figure:
    """The He-3 map as a Plotly figure (the explorer uses :func:`moon_spec`)."""
    return go.Figure(moon_spec(ppb, lat, lon, rows))
