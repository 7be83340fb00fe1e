"""The Moon page: who holds the He-3 mining sites in a chosen year; click to probe the model's
layers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import cache
from typing import Any, cast

import numpy as np
import solara

from moondust.dashboard import model
from moondust.dashboard.components import Heading, Paragraph, Plot, html_table, status_text
from moondust.dashboard.figures import SiteRow, moon_spec, site_rows, unshift
from moondust.dashboard.requests import explorer_request
from moondust.dashboard.state import explorer_task, update_settings, use_page
from moondust.errors import MoondustError


@cache
def _display_map() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from moondust.moon import He3Map

    moon = He3Map(resolution_deg=2.0)
    return moon.he3_ppb, moon.grid.lat_deg, moon.grid.lon_deg


@cache
def _probe_map() -> Any:
    from moondust.moon import He3Map

    return He3Map(resolution_deg=1.0)  # what `moondust probe` uses by default


def probe_rows(lat: float, lon: float) -> tuple[str, list[list[str]]]:
    """What ``moondust probe LAT LON`` prints: a title and (layer, value, unit) rows."""
    probe = _probe_map().probe(lat, lon)
    title = (
        f"Layers at {probe.lat_deg:g}°N {probe.lon_deg:g}°E "
        f"(cell centred {probe.cell_lat_deg:g}, {probe.cell_lon_deg:g})"
    )
    rows = [
        ["mare", probe.mare or "—", ""],
        ["mare_fraction", f"{probe.mare_fraction:.3f}", ""],
        ["tio2_wt_pct", f"{probe.tio2_wt_pct:.2f}", "wt%"],
        ["omat", f"{probe.omat:.3f}", ""],
        ["fluence_factor", f"{probe.fluence_factor:.3f}", "(far-side equator = 1)"],
        ["regolith_m", f"{probe.regolith_m:.2f}", "m"],
        ["he3_ppb", f"{probe.he3_ppb:.2f}", "ppb"],
    ]
    return title, rows


@solara.component
def MoonPage() -> None:
    """The He-3 map with the mining sites and who holds them; click to probe."""
    state, _, computed, stale = use_page(explorer_task, explorer_request)
    settings = state.settings.value
    point = solara.use_reactive(cast("tuple[float, float] | None", None))
    lat_in = solara.use_reactive(0.674)
    lon_in = solara.use_reactive(23.473)
    error = solara.use_reactive("")

    def probe(lat: float, lon: float) -> None:
        try:
            _probe_map().probe(lat, lon)
        except MoondustError as exc:
            error.set(str(exc))
            return
        error.set("")
        point.set((round(lat, 3), round(lon, 3)))

    def on_click(data: Any) -> None:
        try:
            x, y = float(data["x"]), float(data["y"])
        except (KeyError, TypeError, ValueError):
            return
        lat_in.set(round(y, 2))
        lon_in.set(round(unshift(x), 2))
        probe(y, unshift(x))

    Paragraph(
        "The Moon's He-3 (ppb in the regolith, near side left) and the richest deposits open to "
        "mining. Each site shows who holds it in the most runs in the chosen year, and in what "
        "share of runs. Click the map, or type a point, to see every layer of the model there "
        "(as `moondust probe` shows)."
    )
    Paragraph(status_text(computed, stale), "md-status", role="status")
    solara.ProgressLinear(stale)
    if computed is None:
        return
    now = computed.variants["current"]
    first, last = int(now.years[0]) + 1, int(now.years[-1])
    year = settings.year if settings.year is not None else last
    year = min(max(year, first), last)
    with solara.ColumnsResponsive(default=12, large=[8, 4]):
        with solara.Column():
            solara.SliderInt(
                label="Year shown on the map",
                value=year,
                min=first,
                max=last,
                on_value=lambda y: update_settings(state, lambda s: replace(s, year=int(y))),
                thumb_label="always",
            )
            rows = site_rows(now, year)
            MoonMap(computed.key, year, rows, on_click)
            table = html_table(
                ["site", "He-3 (kg)", "held by (most runs)", "share of runs"],
                [
                    [
                        r.name,
                        f"{r.he3_kg:.3g}",
                        f"{r.holder} ({model.BLOC_SHORT.get(r.bloc or '', r.bloc)})"
                        if r.holder
                        else "unclaimed",
                        f"{r.share:.0%}",
                    ]
                    for r in rows
                ],
                f"Mining sites in {year} ({now.runs} runs)",
                {1, 3},
            )
            solara.HTML(tag="div", unsafe_innerHTML=table)
        with solara.Column():
            Heading("Probe a point")
            solara.InputFloat("Latitude (°N, −90..90)", value=lat_in)
            solara.InputFloat("Longitude (°E, −180..180 or 0..360)", value=lon_in)
            solara.Button(
                "Probe", icon_name="mdi-target", on_click=lambda: probe(lat_in.value, lon_in.value)
            )
            if error.value:
                solara.Error(error.value, attributes={"role": "alert"})
            if point.value is not None:
                title, layers = probe_rows(*point.value)
                solara.HTML(
                    tag="div",
                    unsafe_innerHTML=html_table(["layer", "value", "unit"], layers, title, {1}),
                    classes=["md-probe"],
                )


@solara.component
def MoonMap(key: str, year: int, rows: list[SiteRow], on_click: Callable[[Any], None]) -> None:
    """The He-3 map with the sites (redrawn when the ensemble or the year changes)."""
    ppb, lat, lon = _display_map()
    figure = solara.use_memo(lambda: moon_spec(ppb, lat, lon, rows), [key, year])
    Plot(
        figure,
        [key, year],
        on_click=on_click,
        label="He-3 map with the mining sites",
        filename=f"moondust-moon-{year}",
    )
