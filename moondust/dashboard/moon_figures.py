"""The Moon page's figure: the He-3 map with the mining sites and who holds them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go

from moondust.dashboard.charts import BLOC_STYLE
from moondust.dashboard.compute import Ensemble
from moondust.dashboard.drawing import AXIS_STYLE


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
