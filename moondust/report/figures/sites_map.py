"""Figure 7: the He-3 map with the mining sites and who holds them."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from moondust.report.data import (
    actor_names,
    actor_styles,
    budget_order,
    pct,
    run_meta,
    site_holders,
)
from moondust.report.style import plain
from moondust.results import Results

SITE_LABEL_MIN_SHARE = 0.2
"""An unclaimed-in-most-runs site is labelled with its main claimant from this share of runs."""
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _sci(value: float) -> str:
    """``9.7×10⁷``: a positive number in scientific notation with a superscript exponent."""
    if not np.isfinite(value) or value <= 0:
        return f"{value:g}"
    exponent = int(np.floor(np.log10(value)))
    mantissa = value / 10**exponent
    return f"{mantissa:.1f}×10" + str(exponent).translate(_SUPERSCRIPT)


def _site_size(he3_kg: np.ndarray, largest: float) -> np.ndarray:
    """Marker area (points²): grows with the square root of the site's He-3."""
    return 40.0 + 260.0 * np.sqrt(np.clip(he3_kg, 0, None) / max(largest, 1.0))


def sites_map_figure(results: Results, year: int | None = None) -> Figure:
    """The He-3 map with the mining sites and who holds them.

    The map is :func:`moondust.report.moon_map.he3_map_figure` (1° grid; near side left, far
    side right, longitudes shifted to −90..270). Each mining site is a marker at its latitude
    and longitude, its area growing with the square root of the site's He-3. Its colour and shape
    are those of the actor that holds it in the most runs in ``year`` (the same styles as the
    other figures), and its label gives that actor's id and the share of runs, e.g. "CHN 62 %".
    Sites unclaimed in most runs are hollow (labelled with their main claimant when one holds
    them in at least :data:`SITE_LABEL_MIN_SHARE` of the runs); a white ring marks a joint base
    (in most of the runs where the holder holds it).

    Parameters
    ----------
    results
        A batch of runs.
    year
        Year to show. Default: the end year.

    Returns
    -------
    matplotlib.figure.Figure
        Marker collections with gids ``sites:<actor id>``, ``sites:unclaimed`` and
        ``sites:joint``; labels are texts with gid ``site-label:<position along site>``.

    Raises
    ------
    ValueError
        If ``year`` is not a simulated year.
    """
    from moondust.moon.he3 import He3Map
    from moondust.report.moon_map import _OUTLINE, _shift, he3_map_figure

    meta = run_meta(results)
    sites = site_holders(results, year)
    fig = he3_map_figure(He3Map(1.0), landing_sites=False)
    FigureCanvasAgg(fig)
    fig.set_size_inches(13.0, 7.0)
    ax = fig.axes[0]
    ax.set_xlabel("longitude (degrees; near side left, far side right)")
    ax.set_ylabel("latitude (degrees)")
    shown = meta.end if sites is None else sites.year
    fig.suptitle(
        plain(
            f"Who holds the Moon's He-3 mining sites in {shown} — scenario {meta.scenario!r}, "
            f"{meta.runs} runs (majority holder and share of runs)"
        ),
        fontsize=11,
    )
    if sites is None:
        ax.text(
            0.5,
            0.08,
            "These results have no mining sites.",
            transform=ax.transAxes,
            ha="center",
            color="white",
            fontsize=11,
            path_effects=_OUTLINE,
        )
        return fig

    ds = results.dataset
    styles = actor_styles(ds)
    x = np.asarray(_shift(sites.lon), dtype=float)
    size = _site_size(sites.he3_kg, float(np.max(sites.he3_kg, initial=0.0)))
    holders = [a for a in budget_order(ds) if a in set(sites.holder)]
    handles: list[Any] = []
    for actor in [*holders, None]:
        idx = np.array([i for i, h in enumerate(sites.holder) if h == actor], dtype=int)
        if actor is None and idx.size == 0:
            continue
        if actor is None:
            ax.scatter(
                x[idx],
                sites.lat[idx],
                s=size[idx],
                marker="o",
                facecolors="none",
                edgecolors="white",
                linewidths=1.4,
                zorder=4,
                gid="sites:unclaimed",
                path_effects=_OUTLINE,
            )
            handles.append(
                Line2D(
                    [],
                    [],
                    ls="none",
                    marker="o",
                    markersize=9,
                    markerfacecolor="none",
                    markeredgecolor="#333333",
                    label="unclaimed in most runs",
                )
            )
            continue
        colour, marker = styles[actor]
        ax.scatter(
            x[idx],
            sites.lat[idx],
            s=size[idx],
            marker=marker,
            color=colour,
            edgecolors="white",
            linewidths=1.0,
            zorder=4,
            gid=f"sites:{actor}",
        )
        handles.append(
            Line2D(
                [],
                [],
                ls="none",
                marker=marker,
                markersize=9,
                color=colour,
                markeredgecolor="black",
                markeredgewidth=0.5,
                label=plain(f"{actor}: {actor_names(ds)[actor]}"),
            )
        )
    joint = np.flatnonzero(sites.joint)
    if joint.size:
        ax.scatter(
            x[joint],
            sites.lat[joint],
            s=size[joint] * 2.6,
            marker="o",
            facecolors="none",
            edgecolors="white",
            linewidths=1.2,
            linestyles="--",
            zorder=5,
            gid="sites:joint",
        )
        handles.append(
            Line2D(
                [],
                [],
                ls="none",
                marker="o",
                markersize=13,
                markerfacecolor="none",
                markeredgecolor="#333333",
                label="joint base (dashed ring)",
            )
        )
    largest = float(np.max(sites.he3_kg))
    for kg in (largest, largest / 10, largest / 100):
        handles.append(
            Line2D(
                [],
                [],
                ls="none",
                marker="o",
                color="#999999",
                markersize=float(np.sqrt(_site_size(np.array([kg]), largest)[0])),
                label=f"site with {_sci(kg)} kg He-3",
            )
        )

    placed: list[tuple[float, float]] = []
    for i in np.argsort(-sites.he3_kg, kind="stable"):
        if sites.holder[i] is not None:
            text = f"{sites.holder[i]} {pct(float(sites.share[i]))}"
            if sites.joint[i]:
                text += " joint"
        elif sites.top_claimant[i] is not None and sites.top_share[i] >= SITE_LABEL_MIN_SHARE:
            text = f"({sites.top_claimant[i]} {pct(float(sites.top_share[i]))})"
        else:
            continue
        near = any(abs(px - x[i]) < 14 and abs(py - sites.lat[i]) < 6 for px, py in placed)
        placed.append((float(x[i]), float(sites.lat[i])))
        ax.annotate(
            plain(text),
            (float(x[i]), float(sites.lat[i])),
            xytext=(7, -11 if near else 5),
            textcoords="offset points",
            fontsize=7.5,
            fontweight="bold",
            color="white",
            path_effects=_OUTLINE,
            zorder=6,
            gid=f"site-label:{i}",
        )
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncol=min(6, len(handles)),
        fontsize=7.5,
        frameon=False,
    )
    return fig
