"""The ``moondust`` command line.

Every error caused by the user's input is printed as one line on stderr, ``moondust: error: …``,
with exit code 2 and no traceback.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from moondust.errors import MoondustError

app = typer.Typer(
    name="moondust",
    help=(
        "Simulate the race for the Moon's helium-3 between the world's space programs.\n\n"
        "Start with `moondust map` (the He-3 resource), `moondust probe LAT LON` and "
        "`moondust sites`. Every model parameter is listed by `moondust params` with its "
        "default, range and source, and can be changed with --param NAME=VALUE."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

# Wide enough for the tables when piped to a file; a terminal uses its own width.
out = Console(width=None if sys.stdout.isatty() else 160)

Resolution = Annotated[
    float,
    typer.Option(
        "--resolution",
        "-r",
        help="Grid cell size in degrees: 1, 0.5, 0.25, … (finer than the 1° data, by repetition) "
        "or 2, 3, 5, … (coarser, by area-weighted averaging).",
    ),
]
Params = Annotated[
    list[str] | None,
    typer.Option(
        "--param",
        "-p",
        metavar="NAME=VALUE",
        help="Override a Moon model parameter (repeatable); see `moondust params moon`.",
    ),
]
TiO2 = Annotated[
    Path | None,
    typer.Option(
        "--tio2",
        metavar="FILE",
        help="Your own TiO2 map (wt%): a .csv (lat, lon, value columns, or a matrix), a .npy "
        "matrix (row 0 = north, column 0 = 180°W), or a GeoTIFF (needs moondust[geotiff]).",
    ),
]


class OutputFormat(StrEnum):
    """How a command prints its result."""

    table = "table"
    json = "json"


FormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--format",
        "-f",
        help="table: a readable table; json: one JSON object on stdout.",
    ),
]


def _moon(resolution: float, params: list[str] | None, tio2: Path | None) -> Any:
    from moondust.moon import He3Map, MoonParameters
    from moondust.parameters import parse_assignments

    parameters = MoonParameters().with_overrides(parse_assignments(params or []))
    return He3Map(resolution_deg=resolution, params=parameters, tio2=tio2)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, allow_nan=False, default=_json_default) + "\n")


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _kg(value: float) -> str:
    return f"{value:.3e}"


@app.command("map")
def map_command(
    resolution: Resolution = 1.0,
    out_path: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Where to write the map image (PNG); the inventory "
            "table is written beside it as <name>_inventory.csv.",
        ),
    ] = Path("moondust-out/he3_map.png"),
    output_format: FormatOption = OutputFormat.table,
    param: Params = None,
    tio2: TiO2 = None,
) -> None:
    """Render the He-3 map; print the inventory (total, near/far side, maria/highlands, maria)."""
    from moondust.report.moon_map import save_he3_map

    moon = _moon(resolution, param, tio2)
    inventory = moon.inventory()
    image = save_he3_map(moon, out_path)
    table_path = image.with_name(f"{image.stem}_inventory.csv")
    _write_inventory_csv(inventory, table_path)
    if output_format is OutputFormat.json:
        _print_json({**inventory.to_dict(), "map_path": str(image), "table_path": str(table_path)})
        return
    table = Table(title=f"Lunar He-3 inventory ({resolution:g}° grid)")
    table.add_column("region")
    table.add_column("He-3 (kg)", justify="right")
    table.add_column("share", justify="right")
    rows = [
        ("whole Moon", inventory.total_kg),
        ("near side", inventory.near_side_kg),
        ("far side", inventory.far_side_kg),
        ("maria", inventory.maria_kg),
        ("highlands", inventory.highlands_kg),
    ]
    for name, kg in rows:
        table.add_row(name, _kg(kg), f"{kg / inventory.total_kg:.1%}")
    out.print(table)
    maria_table = Table(title="Top maria (mare basalt only)")
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


def _write_inventory_csv(inventory: Any, path: Path) -> None:
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["region", "he3_kg", "mean_ppb", "area_km2"])
        for key in ("total_kg", "near_side_kg", "far_side_kg", "maria_kg", "highlands_kg"):
            writer.writerow([key.removesuffix("_kg"), f"{getattr(inventory, key):.6e}", "", ""])
        for mare in inventory.by_mare:
            writer.writerow(
                [mare.name, f"{mare.kg:.6e}", f"{mare.mean_ppb:.3f}", f"{mare.area_km2:.0f}"]
            )


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
) -> None:
    """Show every layer of the model at a point: mare fraction, TiO2, maturity, fluence, He-3."""
    moon = _moon(resolution, param, tio2)
    probe = moon.probe(lat, lon)
    if output_format is OutputFormat.json:
        _print_json(probe.to_dict())
        return
    table = Table(
        title=f"Layers at {probe.lat_deg:g}°N {probe.lon_deg:g}°E "
        f"(cell centred {probe.cell_lat_deg:g}, {probe.cell_lon_deg:g})"
    )
    table.add_column("layer")
    table.add_column("value", justify="right")
    table.add_column("unit")
    for name, value, unit in (
        ("mare", probe.mare or "—", ""),
        ("mare_fraction", f"{probe.mare_fraction:.3f}", ""),
        ("tio2_wt_pct", f"{probe.tio2_wt_pct:.2f}", "wt%"),
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
) -> None:
    """List the best He-3 deposits: contiguous regions above a cutoff, richest first."""
    from moondust.moon.sites import find_sites

    moon = _moon(resolution, param, tio2)
    sites = find_sites(moon, min_ppb=min_ppb, top=top)
    if output_format is OutputFormat.json:
        _print_json([site.to_dict() for site in sites])
        return
    cutoff = moon.params.site_cutoff_ppb if min_ppb is None else min_ppb
    depth = moon.params.mining_depth_m
    table = Table(title=f"He-3 deposits ≥ {cutoff:g} ppb, He-3 in the top {depth:g} m")
    for column in (
        "#",
        "nearest feature",
        "mare",
        "side",
        "centroid",
        "area (km²)",
        "mean ppb",
        "He-3 (kg)",
    ):
        table.add_column(
            column,
            justify="right" if column in ("#", "area (km²)", "mean ppb", "He-3 (kg)") else "left",
        )
    for s in sites:
        table.add_row(
            str(s.rank),
            f"{s.nearest_feature} ({s.nearest_feature_km:.0f} km)",
            s.mare or "—",
            s.side + (" (relay)" if s.needs_relay else ""),
            f"{s.centroid_lat_deg:.1f}°, {s.centroid_lon_deg:.1f}°",
            f"{s.area_km2:,.0f}",
            f"{s.mean_ppb:.1f}",
            _kg(s.he3_top_kg),
        )
    out.print(table)
    if not sites:
        out.print(f"no deposit reaches {cutoff:g} ppb; try a lower --min-ppb")


@app.command("params")
def params_command(
    table_name: Annotated[
        str, typer.Argument(metavar="TABLE", help="Which parameter table: moon.")
    ] = "moon",
    output_format: FormatOption = OutputFormat.table,
) -> None:
    """List a model part's parameters: default, range, unit, source and status."""
    from moondust.parameters import load_specs

    known = ("moon",)
    if table_name not in known:
        raise MoondustError(f"unknown parameter table {table_name!r}; expected one of {known}")
    specs = load_specs(table_name)
    if output_format is OutputFormat.json:
        _print_json([spec.__dict__ for spec in specs.values()])
        return
    table = Table(title=f"{table_name} parameters", show_lines=False)
    for column in ("name", "default", "range", "unit", "status", "source"):
        table.add_column(column, overflow="fold")
    for spec in specs.values():
        table.add_row(
            spec.name, f"{spec.default:g}", spec.range_text, spec.unit, spec.status, spec.source
        )
    out.print(table)


def _version_callback(value: bool) -> None:
    if value:
        from moondust import __version__

        sys.stdout.write(f"moondust {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version_callback,
            is_eager=True,
            help="Show the version and exit.",
        ),
    ] = False,
) -> None:
    """Simulate the race for the Moon's helium-3 between the world's space programs."""


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI and turn input errors into one line and exit code 2."""
    try:
        result = app(args=argv, prog_name="moondust", standalone_mode=False)
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        sys.stderr.write("moondust: aborted\n")
        return 130
    except typer.TyperException as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # bare `moondust`: show the help
            sys.stdout.write(f"{_format_message(exc)}\n")
            return 0
        sys.stderr.write(f"moondust: error: {_usage_message(exc)}\n")
        return 2
    except MoondustError as exc:
        sys.stderr.write(f"moondust: error: {exc}\n")
        return 2
    return result if isinstance(result, int) else 0


def _format_message(exc: Exception) -> str:
    formatter = getattr(exc, "format_message", None)
    return str(formatter()) if callable(formatter) else str(exc)


def _usage_message(exc: Exception) -> str:
    message = " ".join(_format_message(exc).split())
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        message = f"{message} (see `{ctx.command_path} --help`)"
    return message


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    run()
