"""Raster layers on the Moon and how they are read and resampled.

A :class:`GridLayer` is an equal-angle raster covering a latitude band (all longitudes), in memory.
The packaged mare-fraction grid and a user's own TiO2 map go through the same class: read from a
tidy CSV (``lat, lon, value`` columns), a plain CSV or ``.npy`` matrix, or a GeoTIFF (optional
extra ``moondust[geotiff]``), then put on any :class:`~moondust.moon.grid.MoonGrid` with
:meth:`GridLayer.on`. Cells the layer does not cover are NaN, and the model falls back to its
own TiO2 there (the unmixed Lunar Prospector layer, or the class values).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from moondust.datafiles import data_path
from moondust.errors import InputFileError, missing_extra
from moondust.moon.grid import FloatArray, MoonGrid

_LAT_NAMES = ("lat", "lat_deg", "latitude", "lat_center_deg")
_LON_NAMES = ("lon", "lon_deg", "longitude", "lon_center_deg_east", "lon_deg_east")


@dataclass(frozen=True)
class GridLayer:
    """An equal-angle raster on the Moon.

    Parameters
    ----------
    values
        Array of shape ``(n_rows, n_cols)``; row 0 is the *southernmost* row, column 0 starts at
        180°W; NaN marks missing data.
    lat_south_deg, lat_north_deg
        Latitude band covered; all 360° of longitude are covered.
    name, unit, source
        What the layer holds, its unit and where it came from.
    """

    values: FloatArray
    lat_south_deg: float
    lat_north_deg: float
    name: str
    unit: str
    source: str

    def __post_init__(self) -> None:
        if self.values.ndim != 2:
            raise InputFileError(f"{self.source}: layer must be 2-D, got shape {self.values.shape}")

    @property
    def resolution_deg(self) -> tuple[float, float]:
        """(latitude, longitude) cell size in degrees."""
        n_rows, n_cols = self.values.shape
        return ((self.lat_north_deg - self.lat_south_deg) / n_rows, 360.0 / n_cols)

    def on(self, grid: MoonGrid) -> FloatArray:
        """This layer's values on ``grid``.

        Where the layer is finer than the grid, each grid cell takes the area-weighted mean of the
        layer cells centred in it; where it is coarser, the value of the layer cell containing the
        grid cell's centre. Cells outside the covered band, or with only missing data, are NaN.
        """
        n_rows, n_cols = self.values.shape
        d_lat, d_lon = self.resolution_deg
        src_lat = self.lat_south_deg + d_lat * (np.arange(n_rows) + 0.5)
        src_lon = -180.0 + d_lon * (np.arange(n_cols) + 0.5)
        src_area = np.sin(np.deg2rad(src_lat + d_lat / 2)) - np.sin(np.deg2rad(src_lat - d_lat / 2))

        rows = np.floor((src_lat + 90.0) / grid.resolution_deg).astype(np.int64)
        cols = np.floor((src_lon + 180.0) / grid.resolution_deg).astype(np.int64)
        rows = np.clip(rows, 0, grid.n_lat - 1)
        cols = np.clip(cols, 0, grid.n_lon - 1)
        target = (rows[:, None] * grid.n_lon + cols[None, :]).ravel()
        weight = np.broadcast_to(src_area[:, None], self.values.shape).ravel()
        vals = self.values.ravel()
        good = np.isfinite(vals)
        size = grid.n_lat * grid.n_lon
        num = np.bincount(target[good], weights=(vals * weight)[good], minlength=size)
        den = np.bincount(target[good], weights=weight[good], minlength=size)
        hits = np.bincount(target, minlength=size)
        with np.errstate(invalid="ignore", divide="ignore"):
            result = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
        result = result.reshape(grid.shape)

        # Grid cells with no layer cell centred in them: look up the layer cell under their centre.
        empty = (hits == 0).reshape(grid.shape)
        if empty.any():
            lat_c = grid.lat_deg
            lon_c = grid.lon_deg
            src_row = np.floor((lat_c - self.lat_south_deg) / d_lat).astype(np.int64)
            inside = (src_row >= 0) & (src_row < n_rows)
            src_col = np.clip(np.floor((lon_c + 180.0) / d_lon).astype(np.int64), 0, n_cols - 1)
            lookup = np.full(grid.shape, np.nan)
            lookup[inside, :] = self.values[src_row[inside]][:, src_col]
            result = np.where(empty, lookup, result)
        return result

    @classmethod
    def from_file(cls, path: str | Path, name: str, unit: str) -> GridLayer:
        """Read a layer from ``.csv`` (tidy or matrix), ``.npy``, or ``.tif``/``.tiff``.

        Matrix inputs (plain CSV without a ``lat`` column, ``.npy``) must be global, with twice
        as many columns as rows, row 0 the *northernmost* row (image order) and column 0 at 180°W.
        Tidy CSV needs latitude and longitude columns of cell centres (east-positive, −180..180 or
        0..360) and one value column, on a regular grid that may cover a latitude band only.

        Raises
        ------
        InputFileError
            If the file is missing, unreadable or mis-shaped.
        """
        path = Path(path)
        if not path.is_file():
            raise InputFileError(f"{path}: no such file")
        suffix = path.suffix.lower()
        if suffix == ".npy":
            try:
                matrix = np.load(path, allow_pickle=False)
            except (OSError, ValueError) as exc:
                raise InputFileError(f"{path}: not a readable .npy array ({exc})") from None
            return cls._from_matrix(np.asarray(matrix, dtype=np.float64), path, name, unit)
        if suffix == ".csv":
            return cls._from_csv(path, name, unit)
        if suffix in (".tif", ".tiff"):
            return cls._from_geotiff(path, name, unit)
        raise InputFileError(
            f"{path}: unsupported raster format {suffix!r}; expected .csv, .npy, .tif"
        )

    @classmethod
    def _from_matrix(cls, matrix: FloatArray, path: Path, name: str, unit: str) -> GridLayer:
        if matrix.ndim != 2 or matrix.shape[1] != 2 * matrix.shape[0] or matrix.shape[0] < 2:
            raise InputFileError(
                f"{path}: expected a global 2-D grid with twice as many columns as rows "
                f"(e.g. 180 × 360 for 1°), got shape {matrix.shape}"
            )
        return cls(matrix[::-1].copy(), -90.0, 90.0, name, unit, str(path))

    @classmethod
    def _from_csv(cls, path: Path, name: str, unit: str) -> GridLayer:
        try:
            head = pd.read_csv(path, nrows=0)
        except (OSError, ValueError, pd.errors.ParserError) as exc:
            raise InputFileError(f"{path}: not a readable CSV ({exc})") from None
        columns = [str(c).strip().lower() for c in head.columns]
        lat_col = next((c for c in columns if c in _LAT_NAMES), None)
        if lat_col is None:
            try:
                matrix = np.loadtxt(path, delimiter=",", dtype=np.float64, ndmin=2)
            except ValueError as exc:
                raise InputFileError(
                    f"{path}: expected a numeric matrix or columns lat, lon, value ({exc})"
                ) from None
            return cls._from_matrix(matrix, path, name, unit)
        table = pd.read_csv(path)
        table.columns = columns
        lon_col = next((c for c in columns if c in _LON_NAMES), None)
        value_cols = [c for c in columns if c not in (lat_col, lon_col)]
        if lon_col is None or len(value_cols) != 1:
            raise InputFileError(
                f"{path}: expected columns lat, lon and exactly one value column, got {columns}"
            )
        try:
            lat = table[lat_col].to_numpy(dtype=np.float64)
            lon = table[lon_col].to_numpy(dtype=np.float64)
            val = table[value_cols[0]].to_numpy(dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InputFileError(f"{path}: non-numeric value ({exc})") from None
        return cls._from_points(lat, lon, val, path, name, unit)

    @classmethod
    def _from_points(
        cls, lat: FloatArray, lon: FloatArray, val: FloatArray, path: Path, name: str, unit: str
    ) -> GridLayer:
        if lat.size == 0:
            raise InputFileError(f"{path}: no rows")
        if np.any(np.abs(lat) > 90) or np.any(lon < -180) or np.any(lon > 360):
            raise InputFileError(f"{path}: latitude must be in −90..90 and longitude in −180..360")
        lon = ((lon + 180.0) % 360.0) - 180.0
        lats = np.unique(lat)
        lons = np.unique(lon)
        step = 360.0 / lons.size
        regular = lats.size * lons.size == lat.size and np.allclose(np.diff(lons), step)
        regular = regular and (lats.size == 1 or np.allclose(np.diff(lats), step))
        if not regular:
            raise InputFileError(
                f"{path}: points must form a regular global grid of cell centres "
                f"(equal spacing in latitude and longitude, every longitude present)"
            )
        rows = np.rint((lat - lats[0]) / step).astype(np.int64)
        cols = np.rint((lon - lons[0]) / step).astype(np.int64)
        values = np.full((lats.size, lons.size), np.nan)
        values[rows, cols] = val
        south = float(lats[0] - step / 2)
        return cls(values, south, south + step * lats.size, name, unit, str(path))

    @classmethod
    def _from_geotiff(cls, path: Path, name: str, unit: str) -> GridLayer:
        try:
            import rasterio  # optional extra
            from rasterio.enums import Resampling
        except ImportError:
            raise missing_extra("geotiff", f"{path}: reading GeoTIFF", ("rasterio",)) from None
        try:
            with rasterio.open(path) as src:
                # Decimate very large rasters on read: 0.05° is finer than any grid we model.
                step = max(1, int(src.width / 7200))
                data = src.read(
                    1,
                    masked=True,
                    out_shape=(src.height // step, src.width // step),
                    resampling=Resampling.average,
                )
                left, bottom, right, top = src.bounds
                crs = src.crs
        except rasterio.errors.RasterioIOError as exc:
            raise InputFileError(f"{path}: not a readable GeoTIFF ({exc})") from None
        if crs is not None and crs.is_projected:
            # Simple-cylindrical planetary rasters are often in metres on the lunar sphere.
            metres_per_deg = np.deg2rad(1.0) * 1737400.0
            left, right = left / metres_per_deg, right / metres_per_deg
            bottom, top = bottom / metres_per_deg, top / metres_per_deg
        if not (abs(right - left - 360.0) < 1e-6 * 360 and -90.0 <= bottom < top <= 90.0):
            raise InputFileError(
                f"{path}: expected a global equirectangular raster spanning 360° of longitude, "
                f"got bounds lon {left:g}..{right:g}, lat {bottom:g}..{top:g}"
            )
        values = np.ma.filled(data.astype(np.float64), np.nan)[::-1]
        if left > -180.0 + 1e-6:  # 0..360 rasters: rotate so column 0 is at 180°W
            shift = round((left + 180.0) / 360.0 * values.shape[1])
            values = np.roll(values, shift, axis=1)
        return cls(values, float(bottom), float(top), name, unit, str(path))


def mare_fraction_layer() -> GridLayer:
    """The packaged 1° LROC mare mask (Nelson et al. 2014, rasterised by Steinert et al. 2024).

    It covers 70°S–70°N; poleward of ±70° it is NaN and the model treats those cells as highland.
    """
    path = data_path("moon", "mare_fraction_1deg_lroc_nelson2014_via_steinert2024.csv")
    return GridLayer.from_file(path, name="mare_fraction", unit="1")
