"""Figure 6: crew seats by nationality, and foreign flights per host station."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from moondust.report.data import (
    CREW_NATIONALITIES,
    actor_labels,
    actor_styles,
    bloc_totals,
    foreign_by_station,
    quiet_quantile,
    run_meta,
    seats_by_nationality,
)
from moondust.report.figures.bands import bloc_bands
from moondust.report.style import (
    HATCHES,
    LINE_STYLES,
    MARKERS,
    NOBODY_COLOUR,
    OKABE_ITO,
    draw_band,
    finish_axes,
    new_figure,
    panel_grid,
    plain,
    suptitle,
)
from moondust.results import Results


def _layer_colours(ds: xr.Dataset, layers: Sequence[str]) -> dict[str, str]:
    """Each actor's usual colour, unless an earlier layer has it: then the first free one.

    Budget-rank colours repeat after eight actors; in a stack, neighbours must still differ.
    ``"other"`` is grey.
    """
    styles = actor_styles(ds)
    colours: dict[str, str] = {}
    for actor in layers:
        if actor not in styles:
            colours[actor] = NOBODY_COLOUR
            continue
        colour = styles[actor][0]
        if colour in colours.values():
            free = [c for c in OKABE_ITO if c not in colours.values()]
            colour = free[0] if free else colour
        colours[actor] = colour
    return colours


def crew_figure(results: Results) -> Figure | None:
    """Crew seats flown by nationality, and foreign flights per host station.

    Left: seats flown per year on every modelled station, stacked by nationality (the
    :data:`~moondust.report.data.CREW_NATIONALITIES` nationalities with the most seats, the rest
    summed), mean over runs so the stack adds up to the mean total. Layers differ by colour and
    hatching. Right: the seats flown by foreign crews on each station (``station_seats``: seats
    of nationalities other than the station's host), cumulated from the start, median and
    10–90 % band. Hosts come from a ``station_host`` coordinate when present, else from the
    packaged station table; a station whose host is unknown is left out. Without
    ``station_seats`` (or any known host), the panel shows foreign flights (``foreign_flights``)
    summed by the guest's bloc class.

    Parameters
    ----------
    results
        A batch of runs.

    Returns
    -------
    matplotlib.figure.Figure or None
        ``None`` when the results carry none of :data:`~moondust.report.data.CREW_VARIABLES`.
    """
    ds = results.dataset
    seats = seats_by_nationality(ds)
    foreign = foreign_by_station(ds)
    if seats is None and foreign is None and "foreign_flights" not in ds:
        return None
    meta = run_meta(results)
    years = ds["year"].values
    every = max(1, len(years) // 8)
    keys = (["seats"] if seats is not None else []) + (
        ["foreign"] if foreign is not None or "foreign_flights" in ds else []
    )
    fig = new_figure(13.0 if len(keys) == 2 else 8.0, 5.4)
    panels = panel_grid(fig, keys, len(keys))

    if seats is not None:
        ax = panels["seats"]
        mean = seats.mean("run").transpose("actor", "year")
        order = np.argsort(-mean.sum("year").values, kind="stable")
        actors = [str(a) for a in mean["actor"].values]
        flown = [actors[i] for i in order if mean.values[i].sum() > 0]
        shown = flown[:CREW_NATIONALITIES]
        layers = [(a, mean.sel(actor=a).values) for a in shown]
        rest = [a for a in actors if a not in shown]
        if rest and mean.sel(actor=rest).sum().item() > 0:
            layers.append(("other", mean.sel(actor=rest).sum("actor").values))
        colours = _layer_colours(ds, [a for a, _ in layers])
        labels = actor_labels(ds)
        lower = np.zeros(len(years))
        for k, (actor, values) in enumerate(layers):
            upper = lower + values
            colour = colours[actor]
            ax.fill_between(
                years,
                lower,
                upper,
                color=colour,
                alpha=0.75,
                lw=0,
                hatch=HATCHES[k % len(HATCHES)],
                edgecolor="white",
                label=plain(labels.get(actor, "other nationalities")),
                gid=f"seats:{actor}",
            )
            ax.plot(years, upper, color="black", lw=0.5, gid=f"seats-top:{actor}")
            lower = upper
        finish_axes(
            ax,
            years,
            "crew seats flown per year\n(mean over runs)",
            "Crew seats flown by nationality, all stations",
        )
        if layers:  # top layer first, beside the stack so it hides nothing
            handles, texts = ax.get_legend_handles_labels()
            ax.legend(
                handles[::-1],
                texts[::-1],
                fontsize=7.5,
                loc="upper left",
                bbox_to_anchor=(1.0, 1.0),
                frameon=False,
            )

    if "foreign" in panels:
        ax = panels["foreign"]
        if foreign is not None:
            data, names = foreign
            q = quiet_quantile(data.cumsum("year"), (0.1, 0.5, 0.9), "run").transpose(
                "quantile", "station", "year"
            )
            for k, station in enumerate(str(s) for s in data["station"].values):
                style = (
                    OKABE_ITO[k % len(OKABE_ITO)],
                    LINE_STYLES[k % len(LINE_STYLES)],
                    MARKERS[k % len(MARKERS)],
                )
                draw_band(
                    ax,
                    years,
                    q.sel(station=station).values,
                    style,
                    plain(names[station]),
                    f"foreign:{station}",
                    every,
                )
            title = "Foreign crew seats per host station"
        else:
            guests = bloc_totals(ds, "foreign_flights").cumsum("year")
            bloc_bands(ax, guests, years, "foreign-bloc")
            title = "Foreign flights, summed by the guest's bloc"
        finish_axes(
            ax, years, "cumulative seats flown by foreign crews\n(seats since the start)", title
        )
        ax.legend(fontsize=7.5, loc="upper left", frameon=False)

    suptitle(fig, "Crews and stations", meta, "stack: mean over runs; lines: median, 10–90 %")
    return fig
