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
from moondust.limits import MAX_RUNS, MAX_SEED, cap_message, json_safe
from moondust.outputs import atomic_write, output_directory, output_file

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

TiO2Model = Annotated[
    str,
    typer.Option(
        "--tio2-model",
        metavar="lpgrs|class",
        help="TiO2 under --tio2 (or everywhere without it): lpgrs = Lunar Prospector GRS, "
        "unmixed with the mare mask (default); class = mare/highland means and four per-mare "
        "values (the earlier model, for comparison).",
    ),
]


def _out_path(value: str | Path) -> Path:
    """An ``--out`` value: any path but an empty one (which would mean the current directory)."""
    if not str(value).strip():
        raise typer.BadParameter("must not be empty")
    return Path(value)


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


def _moon(
    resolution: float, params: list[str] | None, tio2: Path | None, tio2_model: str = "lpgrs"
) -> Any:
    from moondust.moon import He3Map, MoonParameters
    from moondust.parameters import parse_assignments

    parameters = MoonParameters().with_overrides(parse_assignments(params or []))
    return He3Map(resolution_deg=resolution, params=parameters, tio2=tio2, tio2_model=tio2_model)


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
        _print_json({**inventory.to_dict(), "map_path": str(image), "table_path": str(table_path)})
        return
    p = moon.params
    table = Table(title=f"Lunar He-3 inventory ({resolution:g}° grid, TiO2: {moon.tio2_model})")
    table.add_column("region")
    table.add_column("He-3 (kg)", justify="right")
    table.add_column("share", justify="right")
    table.add_column("5–95 % range (kg)", justify="right")
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
        f"ranges: {inventory.draws} Monte Carlo draws over the parameter ranges and TiO2 errors"
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


def _lat_lon(lat_deg: float, lon_deg: float) -> str:
    """``8.97°S 30°W``: hemispheres by letter, east longitude in −180..180."""
    lat = f"{abs(lat_deg):g}°{'N' if lat_deg > 0 else 'S' if lat_deg < 0 else ''}"
    lon = f"{abs(lon_deg):g}°{'E' if 0 < lon_deg < 180 else 'W' if lon_deg < 0 else ''}"
    return f"{lat} {lon}"


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


@app.command("params")
def params_command(
    table_name: Annotated[
        str, typer.Argument(metavar="TABLE", help="Which parameter table: moon or engine.")
    ] = "moon",
    output_format: FormatOption = OutputFormat.table,
) -> None:
    """List a model part's parameters: default, range, unit, source and status."""
    from moondust.parameters import load_specs

    known = ("moon", "engine")
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


# --- the race --------------------------------------------------------------------------------

ScenarioArg = Annotated[
    str,
    typer.Argument(
        metavar="SCENARIO",
        help="A built-in scenario (see `moondust scenarios`) or a scenario TOML file.",
    ),
]
Runs = Annotated[
    int | None,
    typer.Option(
        "--runs", "-n", min=1, max=MAX_RUNS, help="Monte Carlo runs (default: the scenario's)."
    ),
]
Seed = Annotated[
    int | None,
    typer.Option(
        "--seed", "-s", min=0, max=MAX_SEED, help="Random seed (default: the scenario's)."
    ),
]
EngineParams = Annotated[
    list[str] | None,
    typer.Option(
        "--param",
        "-p",
        metavar="NAME=VALUE",
        help="Override an engine parameter (repeatable); see `moondust params engine`.",
    ),
]
AllowImport = Annotated[
    bool,
    typer.Option(
        "--allow-import",
        help="Allow policies named as 'package.module:ClassName' in the scenario. Importing a "
        "module runs its code: use it only for files you trust. Installed policies (entry "
        "point group moondust.policies) need no flag.",
    ),
]


def _scenario(name: str, params: list[str] | None, allow_import: bool = False) -> Any:
    from moondust.parameters import parse_assignments
    from moondust.world.policies import allow_policy_imports
    from moondust.world.scenario import load_scenario, parse_scenario

    if allow_import:  # before any worker process starts, so the workers inherit it
        allow_policy_imports()
    scenario = load_scenario(name)
    overrides = parse_assignments(params or [])
    if overrides:
        from moondust.engine_parameters import EngineParameters

        merged = {**scenario.parameters, **overrides}
        checked = EngineParameters().with_overrides(merged)  # one clear error if wrong
        data = scenario.model_dump()
        data["parameters"] = {name: getattr(checked, name) for name in merged}
        scenario = parse_scenario(data, source=name)
    return scenario


def _simulate_with_progress(
    scenario: Any, runs: int | None, seed: int | None, first_run: int, quiet: bool
) -> Any:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from moondust.engine.jit import kernels_cached
    from moondust.engine.simulate import simulate

    total_runs = runs or scenario.simulation.runs
    description = f"{scenario.name}: {total_runs} runs"
    if not kernels_cached():
        description += " (first run on this machine: compiling the engine, about 30 s)"
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} years"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=quiet,
    ) as progress:
        task = progress.add_task(description, total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return simulate(scenario, runs=runs, seed=seed, first_run=first_run, progress=advance)


def _race_milestones(summary: Any) -> list[str]:
    """Milestones nobody held at the start: the ones the race is about."""
    table = summary.milestones
    held = table[(table["p_achieved"] == 1.0) & (table["p95_year"] <= summary.start)]
    order = list(dict.fromkeys(table["milestone"]))
    return [m for m in order if m not in set(held["milestone"])]


def _print_run_summary(summary: Any) -> None:
    milestones = _race_milestones(summary)
    blocs = summary.blocs.pivot(index="milestone", columns="bloc", values="p_first")
    table = Table(
        title=f"{summary.scenario}: probability each bloc is first ({summary.runs} runs, "
        f"{summary.start}–{summary.end})"
    )
    table.add_column("milestone")
    present = [b for b in ("artemis", "ilrs", "both", "neither") if blocs[b].sum() > 0]
    for bloc in present:
        table.add_column(bloc, justify="right")
    for milestone in milestones:
        table.add_row(milestone, *(f"{blocs.at[milestone, b]:.0%}" for b in present))
    out.print(table)

    frame = summary.milestones
    leaders = (
        frame[frame["milestone"].isin(milestones)]
        .groupby("actor")["p_first"]
        .sum()
        .sort_values(ascending=False)
    )
    actors = [a for a in leaders.index if leaders[a] > 0][:6]
    years = Table(title="Median year (5–95 %) and probability of being first, by actor")
    years.add_column("milestone")
    for actor in actors:
        years.add_column(actor, justify="right")
    indexed = frame.set_index(["actor", "milestone"])
    for milestone in milestones:
        cells = []
        for actor in actors:
            row = indexed.loc[(actor, milestone)]
            if row["p_achieved"] == 0:
                cells.append("—")
                continue
            band = f"{row['median_year']:.0f} ({row['p5_year']:.0f}–{row['p95_year']:.0f})"
            cells.append(f"{band} {row['p_first']:.0%}")
        years.add_row(milestone, *cells)
    out.print(years)

    outcomes = Table(title="Race outcomes across runs: median (5–95 %)")
    outcomes.add_column("metric")
    outcomes.add_column("median", justify="right")
    outcomes.add_column("5–95 %", justify="right")
    for row in summary.outcomes.itertuples(index=False):
        number = _year if str(row.metric).endswith("_year") else _amount
        outcomes.add_row(
            _metric_label(str(row.metric)),
            number(row.median),
            f"{number(row.p5)}–{number(row.p95)}",
        )
    out.print(outcomes)

    spend = summary.spending.groupby("bloc")[["civil_cum_median", "military_cum_median"]].sum()
    money = Table(
        title=f"Cumulative space spending {summary.start + 1}–{summary.end}, USD bn "
        "(sum of actors' medians)"
    )
    for column in ("bloc", "civil", "military"):
        money.add_column(column, justify="left" if column == "bloc" else "right")
    for bloc, row in spend.iterrows():
        money.add_row(
            str(bloc), f"{row['civil_cum_median']:,.0f}", f"{row['military_cum_median']:,.0f}"
        )
    out.print(money)


_METRIC_LABELS = {
    "first_he3_delivered_year": "year He-3 first reaches Earth",
    "military_cum_usd_bn": "military space spending, all actors (USD bn)",
    "civil_cum_usd_bn": "civil space spending, all actors (USD bn)",
    "climate_value_usd_bn": "climate value of CO2 avoided (USD bn, 2020 $)",
    "debris_end": "objects ≥10 cm in LEO at the end",
    "asat_tests": "destructive ASAT tests",
    "incidents": "counterspace incidents",
    "foreign_crew_flights": "foreign crew flights",
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
    ):
        if metric.startswith(stem):
            return label.format(metric.removeprefix(stem))
    return metric


@app.command("run")
def run_command(
    scenario_name: ScenarioArg,
    runs: Runs = None,
    seed: Seed = None,
    first_run: Annotated[
        int,
        typer.Option("--first-run", min=0, max=MAX_SEED, help="Global index of the first run."),
    ] = 0,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            parser=_out_path,
            help="Output directory (default: moondust-out/SCENARIO).",
        ),
    ] = None,
    output_format: FormatOption = OutputFormat.table,
    param: EngineParams = None,
    allow_import: AllowImport = False,
) -> None:
    """Simulate a scenario: who reaches which lunar milestone when, and what it cost.

    Writes the dataset (results.zarr), a tidy summary (summary.parquet), their checksums
    (checksums.json), figures and an HTML report into the output directory.
    """
    from moondust.report.run_report import write_report
    from moondust.storage import writing_run

    scenario = _scenario(scenario_name, param, allow_import)
    quiet = output_format is OutputFormat.json
    directory = output_directory(out_dir or Path("moondust-out") / scenario.name)
    with writing_run(directory):  # a second run into the same --out fails at once
        results = _simulate_with_progress(scenario, runs, seed, first_run, quiet)
        paths = results.save(directory)
        paths.update(write_report(results, directory))
    summary = results.summary()
    if output_format is OutputFormat.json:
        _print_json({**summary.to_dict(), "files": {k: str(v) for k, v in paths.items()}})
        return
    _print_run_summary(summary)
    out.print(f"results: {paths['dataset']}\nreport: {paths.get('report', directory)}")


@app.command("compare")
def compare_command(
    first: Annotated[str, typer.Argument(metavar="A", help="First scenario (name or file).")],
    second: Annotated[str, typer.Argument(metavar="B", help="Second scenario (name or file).")],
    runs: Runs = None,
    seed: Seed = None,
    output_format: FormatOption = OutputFormat.table,
    allow_import: AllowImport = False,
) -> None:
    """Two scenarios side by side with the same seeds and runs."""
    scenario_a = _scenario(first, None, allow_import)
    scenario_b = _scenario(second, None, allow_import)
    runs = runs or scenario_a.simulation.runs
    seed = scenario_a.simulation.seed if seed is None else seed
    quiet = output_format is OutputFormat.json
    summaries = [
        _simulate_with_progress(s, runs, seed, 0, quiet).summary() for s in (scenario_a, scenario_b)
    ]
    if output_format is OutputFormat.json:
        _print_json(
            {"runs": runs, "seed": seed, "a": summaries[0].to_dict(), "b": summaries[1].to_dict()}
        )
        return
    milestones = list(
        dict.fromkeys(_race_milestones(summaries[0]) + _race_milestones(summaries[1]))
    )
    table = Table(
        title=f"{scenario_a.name} vs {scenario_b.name} ({runs} runs, seed {seed}): "
        "probability first (artemis / ilrs) and earliest median year"
    )
    table.add_column("milestone")
    for s in summaries:
        table.add_column(f"{s.scenario}: first A / I", justify="right")
        table.add_column(f"{s.scenario}: year", justify="right")
    for milestone in milestones:
        cells = []
        for s in summaries:
            blocs = s.blocs.set_index(["bloc", "milestone"])["p_first"]
            rows = s.milestones[
                (s.milestones["milestone"] == milestone) & (s.milestones["p_achieved"] > 0)
            ]
            year = rows["median_year"].min() if len(rows) else float("nan")
            cells.append(f"{blocs[('artemis', milestone)]:.0%} / {blocs[('ilrs', milestone)]:.0%}")
            cells.append("—" if year != year else f"{year:.0f}")
        table.add_row(milestone, *cells)
    out.print(table)
    money = Table(title="Cumulative military space spending, USD bn (sum of medians)")
    money.add_column("scenario")
    money.add_column("military", justify="right")
    money.add_column("civil", justify="right")
    for s in summaries:
        money.add_row(
            s.scenario,
            f"{s.spending['military_cum_median'].sum():,.0f}",
            f"{s.spending['civil_cum_median'].sum():,.0f}",
        )
    out.print(money)


@app.command("validate")
def validate_command(
    scenario_name: Annotated[str, typer.Argument(metavar="FILE", help="A scenario TOML file.")],
    allow_import: AllowImport = False,
) -> None:
    """Check a scenario file; print what it sets, or one clear error (exit code 2).

    Accepts exactly the files `moondust run` accepts (with the same --allow-import).
    """
    scenario = _scenario(scenario_name, None, allow_import)
    policies = scenario.policies
    parts = [f"default {policies.default.preset}"]
    parts += [f"{k} {v.preset}" for k, v in policies.blocs.items()]
    parts += [f"{k} {v.preset}" for k, v in policies.actors.items()]
    out.print(
        f"{scenario_name}: valid scenario '{scenario.name}' — {scenario.simulation.runs} runs, "
        f"{scenario.simulation.start}–{scenario.simulation.end}, seed {scenario.simulation.seed}; "
        f"policies: {', '.join(parts)}; {len(scenario.parameters)} parameter override(s), "
        f"{len(scenario.uncertainties)} uncertain parameter(s)"
    )


@app.command("scenarios")
def scenarios_command(output_format: FormatOption = OutputFormat.table) -> None:
    """List the built-in scenarios."""
    from moondust.world.scenario import builtin_scenarios, load_scenario

    found = {name: load_scenario(name) for name in builtin_scenarios()}
    if output_format is OutputFormat.json:
        _print_json([{"name": n, "description": s.description} for n, s in found.items()])
        return
    table = Table(title="Built-in scenarios (moondust run NAME)")
    table.add_column("name")
    table.add_column("description")
    for name, scenario in found.items():
        table.add_row(name, " ".join(scenario.description.split()))
    out.print(table)


# --- experiments at scale --------------------------------------------------------------------


class ExecutorChoice(StrEnum):
    """Where a sweep's chunks run."""

    auto = "auto"
    inline = "inline"
    processes = "processes"
    dask = "dask"


class SamplingChoice(StrEnum):
    """How a sweep samples the scenario's uncertainties."""

    mc = "mc"
    lhs = "lhs"


class MethodChoice(StrEnum):
    """Sensitivity analysis method."""

    sobol = "sobol"
    morris = "morris"


ExecutorOption = Annotated[
    ExecutorChoice,
    typer.Option(
        "--executor",
        "-e",
        help="inline (this process), processes (a local pool), dask (a local Dask cluster on "
        "127.0.0.1, or --scheduler); auto: inline up to 1,000 runs, else processes.",
    ),
]
WorkersOption = Annotated[
    int | None,
    typer.Option("--workers", "-w", min=1, help="Worker processes (default: the cores available)."),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        metavar="ADDRESS",
        help="Use a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (implies --executor dask; "
        "every worker must see the output directory at the same path).",
    ),
]
TrustOption = Annotated[
    bool,
    typer.Option(
        "--trust",
        help="Read stored results without checking their checksums (faster; a damaged file "
        "then goes unnoticed).",
    ),
]
ChunkSizeOption = Annotated[
    int | None,
    typer.Option(
        "--chunk-size",
        "-c",
        min=1,
        help="Runs per chunk (default: about four chunks per worker, at most 250; on resume, "
        "the directory's). Results do not depend on it.",
    ),
]


def _sweep_progress(label: str, quiet: bool) -> Any:
    """A Rich progress bar on stderr and the callback that advances it."""
    from contextlib import contextmanager

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)

    @contextmanager
    def bar() -> Any:
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("runs · {task.fields[chunks]} · {task.fields[failed]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=quiet or not console.is_terminal,  # no bar in logs and pipes
        ) as progress:
            task = progress.add_task(label, total=None, chunks="", failed="")

            def advance(event: Any) -> None:
                verb = "checked" if event.phase == "verify" else "done"
                progress.update(
                    task,
                    total=event.runs_total,
                    completed=event.runs_done,
                    chunks=f"{event.chunks_done}/{event.chunks_total} chunks {verb}",
                    failed=f"{event.failed} failed" if event.failed else "no failures",
                )

            yield advance

    return bar()


def _sweep_outcome_table(directory: Path) -> Table | None:
    """Who is first to deliver He-3 at each lever point (from the sweep's runs table)."""
    from moondust.experiments.sweep import lever_point_summary

    summary = lever_point_summary(directory)
    if summary is None:
        return None
    levers = [c for c in summary.columns if c.startswith("lever_")]
    blocs = [c for c in summary.columns if c.startswith("first_")]
    table = Table(title="First to deliver He-3 (share of runs), median year and military spending")
    for name in levers:
        table.add_column(name.removeprefix("lever_"))
    table.add_column("runs", justify="right")
    for name in blocs:
        table.add_column(name.removeprefix("first_"), justify="right")
    table.add_column("median year", justify="right")
    table.add_column("military, USD bn", justify="right")
    for _, row in summary.iterrows():
        cells = [f"{row[n]:g}" if isinstance(row[n], float) else str(row[n]) for n in levers]
        cells.append(f"{int(row['runs']):,}")
        cells += [f"{row[n]:.0%}" for n in blocs]
        year = row["median_year"]
        cells.append("—" if year != year else f"{year:.0f}")
        cells.append(f"{row['median_military_usd_bn']:,.0f}")
        table.add_row(*cells)
    return table


def todo_ran(report: Any) -> bool:
    """Whether a sweep computed (or tried to compute) any chunk."""
    return bool(report.computed or report.failed)


@app.command("sweep")
def sweep_command(
    scenario_name: ScenarioArg,
    out_dir: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            parser=_out_path,
            help="Sweep directory; run the same command again to resume it.",
        ),
    ],
    runs: Annotated[
        int | None,
        typer.Option(
            "--runs",
            "-n",
            min=1,
            max=MAX_RUNS,
            help="Runs per lever point (default: the scenario's).",
        ),
    ] = None,
    seed: Seed = None,
    sampling: Annotated[
        SamplingChoice,
        typer.Option(
            "--sampling",
            help="Uncertainties: mc (the engine's per-run draws) or lhs (a Latin hypercube over "
            "the whole sweep).",
        ),
    ] = SamplingChoice.mc,
    executor: ExecutorOption = ExecutorChoice.auto,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
    chunk_size: ChunkSizeOption = None,
    trust: TrustOption = False,
    no_verify: Annotated[
        bool, typer.Option("--no-verify", hidden=True, help="Deprecated: use --trust.")
    ] = False,
    output_format: FormatOption = OutputFormat.table,
    param: EngineParams = None,
    allow_import: AllowImport = False,
) -> None:
    """Run many runs of a scenario in chunks, resumably: uncertainties sampled, levers on a grid.

    Each chunk is simulated in one task and written atomically to DIR/chunks/; DIR/manifest.json
    and DIR/chunks.jsonl record the scenario, seed, version and every chunk's status (failures
    with their traceback). Running the same command again skips finished chunks and recomputes
    failed, missing or corrupt ones (each finished chunk is checked against its checksum;
    --trust skips that) and rewrites a missing or damaged manifest from the journal. Open the
    result with moondust.open_results(DIR).
    """
    from moondust.experiments.sweep import run_sweep

    if no_verify:
        sys.stderr.write("moondust: --no-verify is deprecated; use --trust\n")
    scenario = _scenario(scenario_name, param, allow_import)
    quiet = output_format is OutputFormat.json
    with _sweep_progress(f"{scenario.name}", quiet) as advance:
        report = run_sweep(
            scenario,
            runs=runs,
            out=out_dir,
            seed=seed,
            sampling=sampling.value,
            executor=executor.value,
            workers=workers,
            scheduler=scheduler,
            chunk_size=chunk_size,
            trust=trust or no_verify,
            progress=advance,
        )
    if output_format is OutputFormat.json:
        _print_json(report.to_dict())
    else:
        points = len(report.lever_points)
        size = f"{report.runs_per_point:,} runs" + (
            f" × {points} lever points = {report.total_runs:,} runs" if points > 1 else ""
        )
        where = f"on {report.executor}" if todo_ran(report) else "nothing left to run"
        out.print(
            f"sweep {report.scenario}: {size} in {report.chunks} chunks of ≤{report.chunk_size} "
            f"({report.sampling}, seed {report.seed}), {where}, {report.seconds:.1f} s"
        )
        out.print(
            f"chunks: {report.computed} computed, {report.skipped} already done"
            + (
                f", {report.recomputed} corrupt or missing (recomputed)"
                if report.recomputed
                else ""
            )
            + f", {len(report.failed)} failed"
        )
        if report.manifest_repaired:
            out.print("manifest.json was missing or damaged: rewritten from the journal")
        if report.complete:
            from moondust.storage import trusting

            with trusting(trust or no_verify):
                table = _sweep_outcome_table(report.directory)
            if table is not None:
                out.print(table)
        out.print(f"sweep directory: {report.directory}")
    if report.failed:
        for chunk, error in list(report.failed.items())[:5]:
            first = error.strip().splitlines()[0] if error.strip() else "failed"
            sys.stderr.write(f"moondust: chunk {chunk} failed: {first}\n")
        sys.stderr.write(
            f"moondust: {len(report.failed)} chunk(s) failed (tracebacks in "
            f"{report.directory / 'manifest.json'}); run the same command again to retry them\n"
        )
        raise typer.Exit(code=1)


@app.command("outcomes")
def outcomes_command(
    directory: Annotated[
        Path | None,
        typer.Argument(
            metavar="[DIR]", help="A sweep or run directory (default: a baseline run's names)."
        ),
    ] = None,
    show_all: Annotated[bool, typer.Option("--all", help="List every name.")] = False,
    output_format: FormatOption = OutputFormat.table,
    trust: TrustOption = False,
) -> None:
    """List the per-run outcomes that --outcome and discover expressions can use."""
    from moondust.experiments.outcomes import OUTCOMES

    if directory is not None:
        from moondust.experiments.store import available_columns, open_results

        known = available_columns(directory, trust=trust)
        opened = open_results(directory, allow_partial=True, trust=trust)
        sample = opened.dataset.isel(run=slice(0, 1)).load()
    else:
        from moondust.engine.simulate import simulate
        from moondust.world.scenario import load_scenario

        baseline = load_scenario("baseline").with_changes(simulation={"end": 2027})
        sample = simulate(baseline, runs=1, seed=0).dataset
        known = {}
    found = OUTCOMES.for_dataset(sample)
    inputs = [name for name, kind in known.items() if kind == "input"]
    if output_format is OutputFormat.json:
        _print_json(
            {
                "inputs": inputs,
                "outcomes": [
                    {
                        "name": o.name,
                        "kind": o.kind,
                        "family": o.family,
                        "description": o.description,
                    }
                    for o in found.values()
                ],
            }
        )
        return
    if show_all:
        table = Table(title=f"{len(found)} outcomes")
        for column in ("name", "kind", "description"):
            table.add_column(column)
        for outcome in found.values():
            table.add_row(outcome.name, outcome.kind, outcome.description)
        out.print(table)
    else:
        patterns = {
            "first_year": "first_year_<milestone>",
            "first_bloc": "first_bloc_<milestone>",
            "first_actor": "first_actor_<milestone>",
            "year": "year_<actor|bloc>_<milestone>",
            "cum": "cum_<flow>[_<actor|bloc>]",
            "end": "end_<stock>[_<actor|bloc>]",
            "engine": "engine race metrics",
            "custom": "registered with register_outcome",
        }
        table = Table(title="Outcome families (moondust outcomes --all lists every name)")
        for column in ("family", "kind", "names", "example"):
            table.add_column(column, justify="right" if column == "names" else "left")
        for family, pattern in patterns.items():
            members = [o for o in found.values() if o.family == family]
            if members:
                example = next(
                    (o for o in members if "he3_delivered" in o.name or "military" in o.name),
                    members[0],
                )
                kinds = ", ".join(sorted({o.kind for o in members}))
                table.add_row(pattern, kinds, str(len(members)), example.name)
        out.print(table)
        out.print(
            "Expressions combine them with comparisons, and/or/not, in [...], + - * /, isna(x), "
            "e.g. \"first_bloc_he3_delivered == 'ilrs' and first_year_he3_delivered < 2045\"",
            markup=False,
        )
    if inputs:
        out.print(f"inputs: {', '.join(inputs)}")


@app.command("sensitivity")
def sensitivity_command(
    scenario_name: ScenarioArg,
    method: Annotated[
        MethodChoice,
        typer.Option("--method", "-m", help="sobol (first-order and total) or morris (screening)."),
    ] = MethodChoice.sobol,
    samples: Annotated[
        int,
        typer.Option(
            "--samples",
            "-N",
            min=2,
            help="SALib base sample: Sobol runs N × (factors + 2) (N a power of two), Morris "
            "N × (factors + 1) trajectories' points.",
        ),
    ] = 64,
    outcome: Annotated[
        str,
        typer.Option(
            "--outcome",
            help="An outcome name or expression (see `moondust outcomes`); true/false counts "
            "as 1/0; years never reached count as the year after the end.",
        ),
    ] = "first_year_he3_delivered",
    replicates: Annotated[
        int, typer.Option("--replicates", "-r", min=1, help="Runs per sample, averaged.")
    ] = 1,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Sweep directory (resumable); the table and chart go there "
            "(default: moondust-out/SCENARIO-sensitivity/METHOD-nN-rR-sSEED).",
        ),
    ] = None,
    seed: Seed = None,
    executor: ExecutorOption = ExecutorChoice.auto,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
    chunk_size: ChunkSizeOption = None,
    output_format: FormatOption = OutputFormat.table,
    param: EngineParams = None,
    allow_import: AllowImport = False,
) -> None:
    """Which uncertain parameters drive an outcome: SALib Sobol indices or Morris screening.

    The factors are the scenario's [uncertainties]; if it has none, the default contested engine
    parameters over their cited ranges (docs/experiments.md). Prints the indices and saves a
    chart (PNG) and table (CSV).
    """
    from rich.markup import escape

    from moondust.experiments.sensitivity import Problem, check_samples, evaluations, sensitivity

    scenario = _scenario(scenario_name, param, allow_import)
    check_samples(method.value, samples)
    quiet = output_format is OutputFormat.json
    factors = Problem.from_scenario(scenario.with_changes(levers={})).size
    runs = evaluations(method.value, samples, factors) * replicates
    with _sweep_progress(f"{scenario.name} {method.value}: {runs:,} runs", quiet) as advance:
        result = sensitivity(
            scenario,
            method.value,
            samples,
            outcome,
            out_dir,
            seed=seed,
            replicates=replicates,
            executor=executor.value,
            workers=workers,
            scheduler=scheduler,
            chunk_size=chunk_size,
            progress=advance,
        )
    if output_format is OutputFormat.json:
        _print_json(result.to_dict())
        return
    for note in result.notes:
        out.print(f"note: {note}", markup=False)
    table = Table(
        title=f"{result.method.capitalize()} sensitivity of {escape(result.outcome)} "
        f"({scenario.name}, N={result.samples}, {result.evaluations:,} runs)"
    )
    table.add_column("factor")
    columns = (
        ("S1", "S1_conf", "ST", "ST_conf")
        if result.method == "sobol"
        else ("mu_star", "mu_star_conf", "sigma", "mu")
    )
    headers = {
        "S1": "first-order S1",
        "S1_conf": "± 95 %",
        "ST": "total ST",
        "ST_conf": "± 95 %",
        "mu_star": "μ*",
        "mu_star_conf": "± 95 %",
        "sigma": "σ",
        "mu": "μ",
    }
    for column in columns:
        table.add_column(headers[column], justify="right")
    for name, row in result.indices.iterrows():
        table.add_row(str(name), *(f"{row[c]:.3f}" for c in columns))
    out.print(table)
    if result.censored:
        out.print(
            f"{result.censored} runs never reached it; counted as {scenario.simulation.end + 1}"
        )
    out.print(f"chart: {result.files['chart']}\ntable: {result.files['table']}")


@app.command("discover")
def discover_command(
    directory: Annotated[
        Path, typer.Argument(metavar="DIR", help="A sweep directory (moondust sweep --out DIR).")
    ],
    outcome: Annotated[
        str,
        typer.Option(
            "--outcome",
            help="A true/false expression over outcomes and inputs, e.g. "
            "\"first_bloc_he3_delivered == 'ilrs'\" (see `moondust outcomes DIR`).",
        ),
    ],
    threshold: Annotated[
        float,
        typer.Option("--threshold", "-t", help="Density a box should reach (0–1)."),
    ] = 0.8,
    boxes: Annotated[
        int, typer.Option("--boxes", "-b", min=1, help="How many boxes to look for.")
    ] = 1,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Trade-off plot (PNG; default DIR/prim_tradeoff.png)."),
    ] = None,
    output_format: FormatOption = OutputFormat.table,
    trust: TrustOption = False,
) -> None:
    """Where in the sweep's inputs does an outcome hold? EMA Workbench PRIM boxes.

    Prints each box's input ranges with coverage (share of the runs where the outcome holds that
    fall in the box), density (share of the box's runs where it holds) and mass, and saves the
    coverage-density trade-off plot of the peeling trajectory.
    """
    from moondust.experiments.discovery import discover
    from moondust.storage import trusting

    with trusting(trust):
        found = discover(directory, outcome, threshold=threshold, max_boxes=boxes, plot=plot)
    if output_format is OutputFormat.json:
        _print_json(found.to_dict())
        return
    out.print(
        f"{found.outcome}: holds in {found.cases:,} of {found.runs:,} runs "
        f"({found.base_rate:.0%}); PRIM over {', '.join(found.inputs)}",
        markup=False,
    )
    for number, box in enumerate(found.boxes, start=1):
        verdict = (
            ""
            if box.meets_threshold
            else f" — the densest found, below {found.threshold:.0%} (try a lower --threshold)"
        )
        table = Table(
            title=f"Box {number}: coverage {box.coverage:.0%}, density {box.density:.0%}, "
            f"mass {box.mass:.0%} ({box.runs:,} runs){verdict}"
        )
        for column in ("input", "box", "full range", "qp-values"):
            table.add_column(column)
        for name, row in box.limits.iterrows():
            if "values" in row and isinstance(row.get("values"), list):
                inside, full = ", ".join(map(str, row["values"])), ", ".join(map(str, row["all"]))
            else:
                inside = f"{row['min']:.4g} – {row['max']:.4g}"
                full = f"{row['low']:.4g} – {row['high']:.4g}"
            qps = [f"{v:.1e}" for v in (row["qp_min"], row["qp_max"]) if v == v]
            table.add_row(str(name), inside, full, ", ".join(qps))
        if box.limits.empty:
            table.add_row("(no restriction)", "", "", "")
        out.print(table)
    if found.plot is not None:
        out.print(f"trade-off plot: {found.plot}")


# --- the explorer ------------------------------------------------------------------------------


@app.command("dashboard")
def dashboard_command(
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on. The default serves this computer only; 0.0.0.0 serves "
            "the local network (a classroom), without authentication.",
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")
    ] = 8765,
    scenario_name: Annotated[
        str | None,
        typer.Option(
            "--scenario",
            metavar="NAME|FILE",
            help="Scenario to start from: a built-in (see `moondust scenarios`) or a TOML file "
            "(default: baseline).",
        ),
    ] = None,
) -> None:
    """Open the explorer: move policy levers and see the race change, in a web browser.

    An En-ROADS-style dashboard served from this computer: it needs no internet connection and
    sends no telemetry. Needs the dashboard extra: pip install 'moondust[dashboard]'.
    """
    import importlib.util
    import socket

    missing = [m for m in ("solara", "plotly") if importlib.util.find_spec(m) is None]
    if missing:
        raise MoondustError(
            f"the dashboard needs {', '.join(missing)}: pip install 'moondust[dashboard]'"
        )
    scenario_arg = None
    if scenario_name:
        from moondust.world.scenario import builtin_scenarios, load_scenario

        # the explorer never imports code a scenario names (its links carry the scenario)
        load_scenario(scenario_name, allow_import=False)  # one clear error (exit 2) if wrong
        known = scenario_name in builtin_scenarios()
        scenario_arg = scenario_name if known else str(Path(scenario_name).resolve())
    host = _listen_host(host)
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        raise MoondustError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}; choose another --port"
        ) from None
    from moondust.dashboard.server import serve

    shown = f"[{host}]" if ":" in host else host
    sys.stderr.write(f"moondust explorer: http://{shown}:{port}/  (Ctrl+C to stop)\n")
    serve(host=host, port=port, scenario=scenario_arg)


WILDCARD_HOSTS = ("0.0.0.0", "::", "[::]")
"""Addresses that listen on every network interface."""


def _listen_host(host: str) -> str:
    """The explorer's address: loopback unless a wildcard is named explicitly (then warn)."""
    host = host.strip()
    if not host or host == "*":
        raise MoondustError(
            f"--host {host!r} would listen on every network interface; name the address "
            "(127.0.0.1 for this computer, 0.0.0.0 for the local network)"
        )
    if host in WILDCARD_HOSTS:
        sys.stderr.write(
            f"moondust: warning: --host {host} serves the explorer to every network this "
            "computer is on, without authentication; anyone who can reach it can use it\n"
        )
        return host.strip("[]")
    return host


def _version_callback(value: bool) -> None:
    if value:
        from moondust._version import __version__

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
    """Entry point: run the CLI and turn errors into one line and exit code 2 (the user's input,
    an unwritable output path) or 1 (the environment: a full disk); see :mod:`moondust.errors`."""
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
        sys.stderr.write(f"moondust: error: {cap_message(_usage_message(exc))}\n")
        return 2
    except MoondustError as exc:  # 2: the user's input; 1: the machine's fault (a full disk)
        sys.stderr.write(f"moondust: error: {cap_message(str(exc))}\n")
        return exc.exit_code
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
