"""The He-3 map figure: near side and far side side by side, maria named, landing sites marked."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from matplotlib import patheffects
from matplotlib.figure import Figure

from moondust.errors import OutputPathError
from moondust.moon.features import landing_sites as _landing_sites
from moondust.moon.features import maria
from moondust.moon.he3 import He3Map
from moondust.outputs import atomic_write, output_file
from moondust.report.style import ORANGE, REDDISH_PURPLE, VERMILLION

# Okabe–Ito colours, told apart by marker shape as well.
_PROGRAM_STYLE = {  # program: (marker, colour)
    "Apollo": ("^", ORANGE),
    "Luna": ("s", REDDISH_PURPLE),
    "Chang'e": ("o", VERMILLION),
}
_OUTLINE = [patheffects.withStroke(linewidth=2.2, foreground="black")]


def _shift(lon_deg: np.ndarray | float) -> np.ndarray:
    """East longitude mapped to −90..270, so the near side is the left half of the map."""
    return (np.asarray(lon_deg) + 90.0) % 360.0 - 90.0


def he3_map_figure(
    moon: He3Map, min_label_km: float = 250.0, *, landing_sites: bool = True
) -> Figure:
    """Draw the He-3 concentration map.

    The map is equirectangular from 90°W to 270°E: the near side (centred on 0°) on the left, the
    far side (centred on 180°) on the right. Maria wider than ``min_label_km`` are named. With
    ``landing_sites`` false the Apollo, Luna and Chang'e sites are left out (the run report draws
    its mining sites on the map instead).
    """
    grid = moon.grid
    ppb = moon.he3_ppb
    # Roll columns so the image starts at 90°W.
    start = int(np.searchsorted(grid.lon_edges_deg, -90.0))
    image = np.roll(ppb, -start, axis=1)

    # A bare Figure (no pyplot): drawn with Agg, never touches the user's backend or needs closing.
    fig = Figure(figsize=(13, 5.6), layout="constrained")
    ax = fig.add_subplot()
    mesh = ax.imshow(
        image,
        origin="lower",
        extent=(-90.0, 270.0, -90.0, 90.0),
        cmap="cividis",
        interpolation="nearest",
        aspect="equal",
    )
    bar = fig.colorbar(mesh, ax=ax, shrink=0.85, pad=0.01)
    bar.set_label("He-3 in regolith (ppb by mass)")

    ax.axvline(90.0, color="white", lw=1.2, ls="--")
    for x, text in ((0.0, "NEAR SIDE (faces Earth)"), (180.0, "FAR SIDE")):
        ax.text(
            x,
            84,
            text,
            ha="center",
            va="top",
            color="white",
            fontsize=11,
            fontweight="bold",
            path_effects=_OUTLINE,
        )

    catalogue = maria(moon.params.moon_radius_km)
    diam = 2 * np.deg2rad(catalogue.radius_deg) * moon.params.moon_radius_km
    name_boxes: list[tuple[float, float, float, float]] = []
    for name, lat, lon, d in zip(
        catalogue.names, catalogue.lat_deg, catalogue.lon_deg, diam, strict=True
    ):
        if d >= min_label_km:
            short = name.replace("Mare ", "").replace("Oceanus ", "Oc. ")
            width = len(short) * 0.62 * _MARE_PT * _DEG_PER_PT
            height = _MARE_PT * _DEG_PER_PT
            x = float(_shift(lon))
            name_boxes.append((x - width / 2, lat - height / 2, x + width / 2, lat + height / 2))
            ax.text(
                float(_shift(lon)),
                lat,
                short,
                ha="center",
                va="center",
                fontsize=_MARE_PT,
                color="white",
                style="italic",
                path_effects=_OUTLINE,
            )

    sites = _landing_sites()
    for program, (marker, colour) in _PROGRAM_STYLE.items() if landing_sites else ():
        rows = sites[sites["program"] == program]
        ax.scatter(
            _shift(rows["lon_deg_east"].to_numpy()),
            rows["lat_deg"],
            s=36,
            edgecolors="black",
            linewidths=0.7,
            label=f"{program} landing site",
            zorder=3,
            marker=marker,
            color=colour,
        )
    if landing_sites:
        points = [
            (str(label), float(_shift(float(lon))), float(lat))
            for label, lat, lon in zip(
                sites["label"], sites["lat_deg"], sites["lon_deg_east"], strict=True
            )
        ]
        for (label, x, y), (dx, dy, ha, va) in zip(
            points, place_labels(points, obstacles=name_boxes), strict=True
        ):
            ax.annotate(
                label,
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=ha,
                va=va,
                fontsize=_LABEL_PT,
                color="white",
                path_effects=_OUTLINE,
            )

    ax.set_xticks(np.arange(-90, 271, 30))
    ax.set_xticklabels([_lon_label(x) for x in range(-90, 271, 30)])
    ax.set_yticks(np.arange(-90, 91, 30))
    ax.set_yticklabels(
        [f"{abs(y)}°{'N' if y > 0 else 'S' if y < 0 else ''}" for y in range(-90, 91, 30)]
    )
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.grid(color="white", alpha=0.15, lw=0.5)
    if landing_sites:
        ax.legend(loc="lower right", fontsize=7.5, framealpha=0.85)
    inv = moon.inventory()
    ax.set_title(
        f"Helium-3 in the lunar regolith — {moon.grid.resolution_deg:g}° grid, TiO2 "
        f"{'Lunar Prospector GRS' if moon.tio2_model == 'lpgrs' else 'class means'}; "
        f"total {inv.total_kg / 1e9:.2f}×10⁹ kg (5–95 %: {inv.total_kg_q05 / 1e9:.2f}–"
        f"{inv.total_kg_q95 / 1e9:.2f}×10⁹ kg)\n"
        f"near side {inv.near_side_kg / 1e9:.2f}×10⁹ kg, far side {inv.far_side_kg / 1e9:.2f}×10⁹ "
        "kg; whole regolith column",
        fontsize=11,
    )
    return fig


_LABEL_PT = 6.5
_MARE_PT = 7.5
_DEG_PER_PT = 0.55
"""Degrees of map per typographic point (13-inch figure, 360° across about 9.4 inches)."""
# Candidate label offsets (points) around a marker, in order of preference, with alignment.
_OFFSETS = (
    (4.0, 3.0, "left", "bottom"),
    (4.0, -3.0, "left", "top"),
    (-4.0, 3.0, "right", "bottom"),
    (-4.0, -3.0, "right", "top"),
    (0.0, 6.0, "center", "bottom"),
    (0.0, -6.0, "center", "top"),
    (7.0, 0.0, "left", "center"),
    (-7.0, 0.0, "right", "center"),
    (0.0, -12.0, "center", "top"),
    (0.0, 12.0, "center", "bottom"),
    (12.0, -6.0, "left", "top"),
    (12.0, 6.0, "left", "bottom"),
    (-12.0, -6.0, "right", "top"),
    (-12.0, 6.0, "right", "bottom"),
)


def place_labels(
    points: list[tuple[str, float, float]],
    obstacles: list[tuple[float, float, float, float]] | None = None,
    deg_per_pt: float = _DEG_PER_PT,
) -> list[tuple[float, float, str, str]]:
    """Greedy placement of point labels so their boxes do not overlap each other or the markers.

    ``points`` are ``(text, x_deg, y_deg)``; each label takes the first candidate offset whose
    estimated box (``deg_per_pt`` degrees per point; a character is ~0.62 em wide) is clear of the
    boxes already placed, of every marker and of the ``obstacles`` (other text, as
    ``(left, bottom, right, top)`` in degrees). Returns ``(dx_pt, dy_pt, ha, va)`` per point.
    """
    marker_half = 3.5 * deg_per_pt
    markers = [
        (x - marker_half, y - marker_half, x + marker_half, y + marker_half) for _, x, y in points
    ]
    placed: list[tuple[float, float, float, float]] = []
    result = []
    for text, x, y in points:
        width = len(text) * 0.62 * _LABEL_PT * deg_per_pt
        height = _LABEL_PT * deg_per_pt
        others = placed + markers + (obstacles or [])
        boxes = [_label_box(x, y, width, height, option, deg_per_pt) for option in _OFFSETS]
        clash = [sum(_overlap_area(box, other) for other in others) for box in boxes]
        choice = _OFFSETS[int(np.argmin(clash))]  # the first clear one, else the least covered
        placed.append(_label_box(x, y, width, height, choice, deg_per_pt))
        result.append(choice)
    return result


def _label_box(
    x: float,
    y: float,
    width: float,
    height: float,
    option: tuple[float, float, str, str],
    deg_per_pt: float,
) -> tuple[float, float, float, float]:
    dx, dy, ha, va = option
    left = x + dx * deg_per_pt - {"left": 0.0, "center": width / 2, "right": width}[ha]
    bottom = y + dy * deg_per_pt - {"bottom": 0.0, "center": height / 2, "top": height}[va]
    pad = 1.5 * deg_per_pt  # the black outline and some air
    return (left - pad, bottom - pad, left + width + pad, bottom + height + pad)


def _overlap_area(
    a: tuple[float, float, float, float], b: tuple[float, float, float, float]
) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return max(width, 0.0) * max(height, 0.0)


def _lon_label(x: float) -> str:
    lon = (x + 180) % 360 - 180
    if lon == 0 or abs(lon) == 180:
        return f"{abs(int(lon))}°"
    return f"{abs(int(lon))}°{'E' if lon > 0 else 'W'}"


def save_he3_map(moon: He3Map, path: str | Path, dpi: int = 150) -> Path:
    """Render the map to a PNG (or any format Matplotlib knows from the suffix; none: ``.png``).

    The image is rendered in memory and written under a temporary name, then renamed, so a
    failed write (a full disk) leaves no empty or partial image behind.

    Raises
    ------
    OutputPathError
        If ``path`` is a directory or a device, its suffix is not an image format, or it cannot
        be written (see :mod:`moondust.outputs`).
    DiskFullError
        If the disk is full.
    """
    path = output_file(path)
    if not path.suffix:  # as Matplotlib does
        path = path.with_name(f"{path.name}.png")
    fig = he3_map_figure(moon)
    image_format = path.suffix[1:].lower()
    if image_format not in fig.canvas.get_supported_filetypes():
        raise OutputPathError(
            f"{path}: unknown image format {path.suffix!r}; use .png, .svg or .pdf with --out"
        )
    buffer = io.BytesIO()
    fig.savefig(buffer, format=image_format, dpi=dpi)
    return atomic_write(path, buffer.getvalue())
