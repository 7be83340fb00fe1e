"""Access to the data files packaged in ``moondust/data/``.

Every file keeps its provenance columns; ``moondust/data/README.md`` says where each came from.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd


def data_path(*parts: str) -> Path:
    """Path of a packaged data file, e.g. ``data_path("moon", "maria.csv")``."""
    path = Path(str(resources.files("moondust").joinpath("data", *parts)))
    if not path.exists():
        raise FileNotFoundError(f"packaged data file missing: {path}")
    return path


@cache
def _read_csv_cached(relative: tuple[str, ...]) -> pd.DataFrame:
    return pd.read_csv(data_path(*relative), keep_default_na=False, na_values=[""])


def read_csv(*parts: str) -> pd.DataFrame:
    """Read a packaged CSV (cached; a copy is returned so callers may modify it)."""
    return _read_csv_cached(tuple(parts)).copy()
