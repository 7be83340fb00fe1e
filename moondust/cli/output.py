"""Printing: the console, JSON on stdout and the number formats the tables share."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console

from moondust.limits import json_safe

# Wide enough for the tables when piped to a file; a terminal uses its own width.
out = Console(width=None if sys.stdout.isatty() else 160)


def _print_json(data: Any) -> None:
    """Print valid JSON: NaN and infinite numbers are written as null."""
    text = json.dumps(json_safe(data), indent=2, allow_nan=False, default=_json_default)
    sys.stdout.write(text + "\n")


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return json_safe(value.item())
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _kg(value: float) -> str:
    return f"{value:.3e}"


def _lat_lon(lat_deg: float, lon_deg: float) -> str:
    """``8.97°S 30°W``: hemispheres by letter, east longitude in −180..180."""
    lat = f"{abs(lat_deg):g}°{'N' if lat_deg > 0 else 'S' if lat_deg < 0 else ''}"
    lon = f"{abs(lon_deg):g}°{'E' if 0 < lon_deg < 180 else 'W' if lon_deg < 0 else ''}"
    return f"{lat} {lon}"


_METRIC_LABELS = {
    "first_he3_delivered_year": "year He-3 first reaches Earth",
    "military_cum_usd_bn": "military space spending, all actors (USD bn)",
    "civil_cum_usd_bn": "civil space spending, all actors (USD bn)",
    "climate_value_usd_bn": "climate value of CO2 avoided (USD bn, 2020 $)",
    "debris_end": "objects ≥10 cm in LEO at the end",
    "asat_tests": "destructive ASAT tests",
    "incidents": "counterspace incidents",
    "foreign_crew_flights": "foreign crew flights",
    "p_he3_delivered_by_2100": "share of runs with lunar He-3 on Earth by 2100",
    "he3_revenue_usd_bn": "He-3 revenue, all sellers and years (USD bn)",
    "first_he3_sold_year": "year lunar He-3 is first sold",
}


def _year(value: float) -> str:
    return "—" if value != value else f"{value:.0f}"


def _amount(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"


def _metric_label(metric: str) -> str:
    if metric in _METRIC_LABELS:
        return _METRIC_LABELS[metric]
    for stem, label in (
        ("he3_delivered_kg_by_", "He-3 delivered by {} (kg)"),
        ("energy_twh_by_", "fusion electricity by {} (TWh)"),
        ("co2_avoided_mt_by_", "CO2 avoided by {} (Mt)"),
        ("he3_price_usd_per_kg_", "He-3 price in {} (USD/kg)"),
    ):
        if metric.startswith(stem):
            return label.format(metric.removeprefix(stem))
    return metric
