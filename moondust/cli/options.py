"""The options shared by several commands (``Annotated`` types) and the parsers behind them."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from moondust.limits import MAX_RUNS, MAX_SEED

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


class StoreChoice(StrEnum):
    """``moondust sweep --store``: what each chunk keeps."""

    full = "full"
    outcomes = "outcomes"


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
