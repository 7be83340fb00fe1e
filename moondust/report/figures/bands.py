"""The per-bloc median line and 10–90 % band several figures draw."""

from __future__ import annotations

import numpy as np
import xarray as xr
from matplotlib.axes import Axes

from moondust.report.data import quiet_quantile
from moondust.report.style import BLOC_LABEL, BLOC_STYLE, draw_band
from moondust.world.blocs import BLOC_CLASSES


def bloc_bands(
    ax: Axes, totals: xr.DataArray, years: np.ndarray, prefix: str, alpha: float = 0.16
) -> None:
    """Median and 10–90 % band of ``totals`` (run, bloc, year) for every bloc class present.

    Lines have gids ``<prefix>:<bloc>``; ``alpha`` is the opacity of the bands.
    """
    q = quiet_quantile(totals, (0.1, 0.5, 0.9), "run").transpose("quantile", "bloc", "year")
    present = [b for b in BLOC_CLASSES if b in q["bloc"].values]
    every = max(1, len(years) // 8)
    for bloc in present:
        colour, _hatch, line, marker = BLOC_STYLE[bloc]
        draw_band(
            ax,
            years,
            q.sel(bloc=bloc).values,
            (colour, line, marker),
            BLOC_LABEL[bloc],
            f"{prefix}:{bloc}",
            every,
            alpha,
        )
