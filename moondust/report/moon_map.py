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
    for name, lat, lon, d in zip(
        catalogue.names, catalogue.lat_deg, catalogue.lon_deg, diam, strict=True
    ):
        if d >= min_label_km:
            short = name.replace("Mare ", "").replace("Oceanus ", "Oc. ")
            ax.text(
                float(_shift(lon)),
                lat,
                short,
                ha="center",
                va="center",
                fontsize=7.5,
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
        for label, lat, lon in zip(
            rows["label"], rows["lat_deg"], rows["lon_deg_east"], strict=True
        ):
            ax.annotate(
                str(label),
                (float(_shift(float(lon))), float(lat)),
                xytext=(4, 3),
                textcoords="offset points",
                fontsize=6.5,
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
        f"Helium-3 in the lunar regolith — {moon.grid.resolution_deg:g}° grid; "
        f"total {inv.total_kg / 1e9:.2f}×10⁹ kg "
        f"(near side {inv.near_side_kg / 1e9:.2f}, far side {inv.far_side_kg / 1e9:.2f})",
        fontsize=11,
    )
    return fig


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
