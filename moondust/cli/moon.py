"""The Moon's commands: ``map``, ``probe`` and ``sites``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from moondust.cli.app import app
from moondust.cli.options import (
    FormatOption,
    OutputFormat,
    Params,
    Resolution,
    TiO2,
    TiO2Model,
    _moon,
    _out_path,
)
from moondust.cli.output import _kg, _lat_lon, _print_json, out
from moondust.outputs import atomic_write, output_file


@app.command("map")
def map_command(
    resolution: Resolution = 1.0,
    out_path: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            parser=_out_path,
            help="Where to write the map image (PNG); the inventory "
            "table is written beside it as <name>_inventory.csv.",
        ),
    ] = Path("moondust-out/he3_map.png"),
    output_format: FormatOption = OutputFormat.table,
    param: Params = None,
    tio2: TiO2 = None,
    tio2_model: TiO2Model = "lpgrs",
) -> None:
    """Render the He-3 map; print the inventory (total with its 5–95 % range, near/far side,
    maria/highlands, maria). Every figure counts the whole regolith column."""
    from moondust.report.moon_map import save_he3_map

    output_file(out_path)  # before any work: a directory, a device or a read-only path
    moon = _moon(resolution, param, tio2, tio2_model)
    inventory = moon.inventory()
    image = save_he3_map(moon, out_path)
    table_path = image.with_name(f"{image.stem}_inventory.csv")
    _write_inventory_csv(inventory, table_path)
    if output_format is OutputFormat.json:
        _print_json(
            {
                **inventory.to_dict(),
                "band": MAP_BAND,
                "map_path": str(image),
                "table_path": str(table_path),
            }
        )
        return
    p = moon.params
    table = Table(title=f"Lunar He-3 inventory ({resolution:g}° grid, TiO2: {moon.tio2_model})")
    table.add_column("region")
    table.add_column("He-3 (kg), default parameters", justify="right")
    table.add_column("share", justify="right")
    table.add_column("5–95 % range (kg), parameter uncertainty", justify="right")
    whole_range = f"{_kg(inventory.total_kg_q05)} – {_kg(inventory.total_kg_q95)}"
    rows = [
        ("whole Moon", inventory.total_kg, whole_range),
        ("near side", inventory.near_side_kg, ""),
        ("far side", inventory.far_side_kg, ""),
        ("maria", inventory.maria_kg, ""),
        ("highlands", inventory.highlands_kg, ""),
    ]
    for name, kg, spread in rows:
        table.add_row(name, _kg(kg), f"{kg / inventory.total_kg:.1%}", spread)
    out.print(table)
    out.print(
        f"depth: whole regolith column ({p.regolith_mare_m:g} m mare, "
        f"{p.regolith_highland_m:g} m highland)\n"
        f"near/far {inventory.near_side_kg / inventory.far_side_kg:.2f} "
        f"(5–95 %: {inventory.near_far_ratio_q05:.2f}–{inventory.near_far_ratio_q95:.2f})\n"
        f"band: {MAP_BAND} ({inventory.draws} Monte Carlo draws)"
    )
    maria_table = Table(title="Top maria (mare basalt only, whole column)")
    maria_table.add_column("mare")
    maria_table.add_column("He-3 (kg)", justify="right")
    maria_table.add_column("mean (ppb)", justify="right")
    maria_table.add_column("area (km²)", justify="right")
    for mare in inventory.by_mare[:10]:
        maria_table.add_row(
            mare.name, _kg(mare.kg), f"{mare.mean_ppb:.1f}", f"{mare.area_km2:,.0f}"
        )
    out.print(maria_table)
    out.print(f"map: {image}\ninventory table: {table_path}")


MAP_BAND = (
    "parameter uncertainty: the documented ranges of the Moon model's parameters "
    "(`moondust params moon`) and the TiO2 map's errors"
)
"""What the inventory's 5–95 % range spans (``moondust map``)."""


def _write_inventory_csv(inventory: Any, path: Path) -> None:
    import csv
    import io

    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(["region", "he3_kg", "mean_ppb", "area_km2"])
    keys = ("total_kg", "total_kg_q05", "total_kg_q95", "near_side_kg", "far_side_kg")
    for key in (*keys, "maria_kg", "highlands_kg"):
        writer.writerow([key.replace("_kg", ""), f"{getattr(inventory, key):.6e}", "", ""])
    for mare in inventory.by_mare:
        writer.writerow(
            [mare.name, f"{mare.kg:.6e}", f"{mare.mean_ppb:.3f}", f"{mare.area_km2:.0f}"]
        )
    atomic_write(path, text.getvalue().encode("utf-8"))


@app.command(
    "probe",
    context_settings={"ignore_unknown_options": True},  # so "-20" is a latitude, not an option
)
def probe_command(
    lat: Annotated[float, typer.Argument(help="Latitude, degrees north (−90..90).")],
    lon: Annotated[float, typer.Argument(help="Longitude, degrees east (−180..180 or 0..360).")],
    resolution: Resolution = 1.0,
    output_format: FormatOption = OutputFormat.table,
    param: Params = None,
    tio2: TiO2 = None,
    tio2_model: TiO2Model = "lpgrs",
) -> None:
    """Show every layer of the model at a point: mare fraction, TiO2, maturity, fluence, He-3."""
    moon = _moon(resolution, param, tio2, tio2_model)
    probe = moon.probe(lat, lon)
    if output_format is OutputFormat.json:
        _print_json(probe.to_dict())
        return
    table = Table(
        title=f"Layers at {_lat_lon(probe.lat_deg, probe.lon_deg)} "
        f"(cell centred {_lat_lon(probe.cell_lat_deg, probe.cell_lon_deg)})"
    )
    table.add_column("layer")
    table.add_column("value", justify="right")
    table.add_column("unit")
    for name, value, unit in (
        ("mare", probe.mare or "—", ""),
        ("mare_fraction", f"{probe.mare_fraction:.3f}", ""),
        ("tio2_wt_pct", f"{probe.tio2_wt_pct:.2f} ± {probe.tio2_sd_wt_pct:.2f}", "wt% (1σ)"),
        ("omat", f"{probe.omat:.3f}", ""),
        ("fluence_factor", f"{probe.fluence_factor:.3f}", "(far-side equator = 1)"),
        ("regolith_m", f"{probe.regolith_m:.2f}", "m"),
        ("he3_ppb", f"{probe.he3_ppb:.2f}", "ppb"),
    ):
        table.add_row(name, value, unit)
    out.print(table)


@app.command("sites")
def sites_command(
    top: Annotated[int, typer.Option("--top", "-n", min=1, help="How many deposits to list.")] = 10,
    min_ppb: Annotated[
        float | None,
        typer.Option(
            "--min-ppb",
            min=0.0,
            help="Cutoff concentration defining a deposit, ppb "
            "(default: the site_cutoff_ppb parameter, 8 ppb).",
        ),
    ] = None,
    resolution: Resolution = 1.0,
    output_format: FormatOption = OutputFormat.table,
    param: Params = None,
    tio2: TiO2 = None,
    tio2_model: TiO2Model = "lpgrs",
) -> None:
    """List the best He-3 deposits: contiguous regions above a cutoff, richest first (deposits
    sharing a nearest feature are listed once)."""
    from moondust.moon.sites import find_sites, merge_by_name

    moon = _moon(resolution, param, tio2, tio2_model)
    sites = merge_by_name(find_sites(moon, min_ppb=min_ppb, top=None), top=top)
    if output_format is OutputFormat.json:
        _print_json([site.to_dict() for site in sites])
        return
    cutoff = moon.params.site_cutoff_ppb if min_ppb is None else min_ppb
    depth = moon.params.mining_depth_m
    table = Table(
        title=f"He-3 deposits ≥ {cutoff:g} ppb (TiO2: {moon.tio2_model}), ranked by He-3 in the "
        f"top {depth:g} m"
    )
    numeric = ("#", "area (km²)", "mean ppb", f"top {depth:g} m (kg)", "whole column (kg)")
    for column in (
        "#",
        "nearest feature",
        "mare",
        "side",
        "centroid",
        "area (km²)",
        "mean ppb",
        f"top {depth:g} m (kg)",
        "whole column (kg)",
    ):
        table.add_column(column, justify="right" if column in numeric else "left")
    for s in sites:
        table.add_row(
            str(s.rank),
            f"{s.nearest_feature} ({s.nearest_feature_km:.0f} km)"
            + (f" ×{s.n_deposits}" if s.n_deposits > 1 else ""),
            s.mare or "—",
            s.side + (" (relay)" if s.needs_relay else ""),
            _lat_lon(round(s.centroid_lat_deg, 1), round(s.centroid_lon_deg, 1)),
            f"{s.area_km2:,.0f}",
            f"{s.mean_ppb:.1f}",
            _kg(s.he3_top_kg),
            _kg(s.he3_kg),
        )
    out.print(table)
    if not sites:
        out.print(f"no deposit reaches {cutoff:g} ppb; try a lower --min-ppb")
