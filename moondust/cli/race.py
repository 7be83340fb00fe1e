"""The race's commands: ``params``, ``run``, ``compare``, ``validate`` and ``scenarios``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from moondust.cli.app import app
from moondust.cli.options import (
    AllowImport,
    EngineParams,
    FormatOption,
    OutputFormat,
    Runs,
    ScenarioArg,
    Seed,
    UncertaintyChoice,
    UncertaintyOption,
    _out_path,
    _scenario,
)
from moondust.cli.output import _amount, _metric_label, _print_json, _year, out
from moondust.cli.progress import _simulate_with_progress
from moondust.errors import MoondustError
from moondust.limits import MAX_SEED
from moondust.outputs import output_directory


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
        # Text, not markup: a source cites the bibliography as ``[key]`` (docs/references.md).
        table.add_row(
            spec.name,
            f"{spec.default:g}",
            spec.range_text,
            spec.unit,
            spec.status,
            Text(spec.source),
        )
    out.print(table)


def _share(value: float) -> str:
    return "—" if value != value else f"{value:.0%}"


CHANCE_ONLY_RUNS = 100
"""Runs of the chance-only batch ``moondust run`` simulates beside a full-uncertainty one (at
most the main batch's): enough for a 5–95 % band of chance alone, at about half the cost of the
default 200 runs."""


def _chance_only(
    scenario: Any, runs: int | None, seed: int | None, first_run: int, quiet: bool
) -> Any:
    """The summary of a smaller chance-only batch (the same runs' random streams, the parameters
    at their values) when ``scenario`` samples its parameter ranges; else None."""
    if scenario.simulation.uncertainty != "full":
        return None
    count = min(runs or scenario.simulation.runs, CHANCE_ONLY_RUNS)
    chance = scenario.with_uncertainty(UncertaintyChoice.none.value)
    results = _simulate_with_progress(chance, count, seed, first_run, quiet, "chance-only band")
    return results.summary()


def _print_run_summary(summary: Any, chance: Any = None) -> None:
    milestones = summary.race_milestones()
    blocs = summary.first_by_bloc()
    out.print(f"bands: {summary.band} ({summary.runs} runs)")
    table = Table(
        title=f"{summary.scenario}: probability each bloc is first ({summary.runs} runs, "
        f"{summary.start}–{summary.end}; {summary.band})"
    )
    table.add_column("milestone")
    present = [b for b in ("artemis", "ilrs", "both", "neither") if blocs[b].sum() > 0]
    for bloc in present:
        table.add_column(bloc, justify="right")
    for milestone in milestones:
        table.add_row(milestone, *(f"{blocs.at[milestone, b]:.0%}" for b in present))
    out.print(table)

    actors = summary.leading_actors(milestones)
    years = Table(title="Median year (5–95 %) and probability of being first, by actor")
    years.add_column("milestone")
    for actor in actors:
        years.add_column(actor, justify="right")
    indexed = summary.milestones.set_index(["actor", "milestone"])
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

    outcomes = Table(title=f"Race outcomes across runs: median (5–95 %), {summary.band}")
    outcomes.add_column("metric")
    outcomes.add_column("median", justify="right")
    outcomes.add_column(f"5–95 %, {summary.band}", justify="right")
    beside = {}
    if chance is not None:
        outcomes.add_column(f"{chance.band} ({chance.runs} runs): median (5–95 %)", justify="right")
        beside = {str(row.metric): row for row in chance.outcomes.itertuples(index=False)}
    for row in summary.outcomes.itertuples(index=False):
        metric = str(row.metric)
        number = (
            _year if metric.endswith("_year") else _share if metric.startswith("p_") else _amount
        )
        cells = [
            _metric_label(metric),
            number(row.median),
            f"{number(row.p5)}–{number(row.p95)}",
        ]
        if chance is not None:
            other = beside.get(str(row.metric))
            cells.append(
                "—"
                if other is None
                else f"{number(other.median)} ({number(other.p5)}–{number(other.p95)})"
            )
        outcomes.add_row(*cells)
    out.print(outcomes)

    spend = summary.spending_by_bloc()
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
    uncertainty: UncertaintyOption = None,
    allow_import: AllowImport = False,
) -> None:
    """Simulate a scenario: who reaches which lunar milestone when, and what it cost.

    By default every run samples every documented parameter range (the band is chance +
    parameter uncertainty); a second, smaller chance-only batch (at most 100 runs, about half
    the time of the main 200) gives the chance-only band printed and reported beside it.
    `--uncertainty none` runs chance only, once.

    Writes the dataset (results.zarr), a tidy summary (summary.parquet), their checksums
    (checksums.json), figures and an HTML report into the output directory.
    """
    from moondust.report.run_report import write_report
    from moondust.storage import writing_run

    scenario = _scenario(scenario_name, param, allow_import, uncertainty)
    quiet = output_format is OutputFormat.json
    directory = output_directory(out_dir or Path("moondust-out") / scenario.name)
    with writing_run(directory):  # a second run into the same --out fails at once
        results = _simulate_with_progress(scenario, runs, seed, first_run, quiet)
        chance = _chance_only(scenario, runs, seed, first_run, quiet)
        paths = results.save(directory)
        paths.update(write_report(results, directory, chance))
    summary = results.summary()
    if output_format is OutputFormat.json:
        extra: dict[str, Any] = {}
        if chance is not None:
            extra["chance_only"] = {
                "runs": chance.runs,
                "band": chance.band,
                "outcomes": chance.to_dict()["outcomes"],
            }
        files = {k: str(v) for k, v in paths.items()}
        _print_json({**summary.to_dict(), **extra, "files": files})
        return
    _print_run_summary(summary, chance)
    out.print(f"results: {paths['dataset']}\nreport: {paths.get('report', directory)}")


@app.command("compare")
def compare_command(
    first: Annotated[str, typer.Argument(metavar="A", help="First scenario (name or file).")],
    second: Annotated[str, typer.Argument(metavar="B", help="Second scenario (name or file).")],
    runs: Runs = None,
    seed: Seed = None,
    output_format: FormatOption = OutputFormat.table,
    uncertainty: UncertaintyOption = None,
    allow_import: AllowImport = False,
) -> None:
    """Two scenarios side by side with the same seeds and runs.

    Each scenario's band is labelled: chance + parameter uncertainty (the default) or chance only
    (`--uncertainty none`, or a scenario that says so).
    """
    scenario_a = _scenario(first, None, allow_import, uncertainty)
    scenario_b = _scenario(second, None, allow_import, uncertainty)
    runs = runs or scenario_a.simulation.runs
    seed = scenario_a.simulation.seed if seed is None else seed
    quiet = output_format is OutputFormat.json
    summaries = [
        _simulate_with_progress(s, runs, seed, 0, quiet).summary() for s in (scenario_a, scenario_b)
    ]
    if output_format is OutputFormat.json:
        _print_json(
            {
                "runs": runs,
                "seed": seed,
                "uncertainty": {"a": summaries[0].uncertainty, "b": summaries[1].uncertainty},
                "a": summaries[0].to_dict(),
                "b": summaries[1].to_dict(),
            }
        )
        return
    for s in summaries:
        out.print(f"{s.scenario}: bands are {s.band}")
    milestones = list(
        dict.fromkeys(summaries[0].race_milestones() + summaries[1].race_milestones())
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
            blocs = s.first_by_bloc()
            artemis, ilrs = blocs.at[milestone, "artemis"], blocs.at[milestone, "ilrs"]
            cells.append(f"{artemis:.0%} / {ilrs:.0%}")
            cells.append(_year(s.earliest_median_year(milestone)))
        table.add_row(milestone, *cells)
    out.print(table)
    money = Table(title="Cumulative military space spending, USD bn (sum of medians)")
    money.add_column("scenario")
    money.add_column("military", justify="right")
    money.add_column("civil", justify="right")
    for s in summaries:
        total = s.total_spending()
        money.add_row(s.scenario, f"{total['military']:,.0f}", f"{total['civil']:,.0f}")
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
        f"{len(scenario.uncertainties)} uncertain parameter(s); bands: "
        f"{scenario.simulation.uncertainty} ({len(scenario.sampled_uncertainties())} parameter(s) "
        "sampled per run)"
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


class SchemaFormat(StrEnum):
    """What ``moondust schema`` writes."""

    json = "json"
    markdown = "markdown"


@app.command("schema")
def schema_command(
    out_path: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            parser=_out_path,
            help="Write to this file instead of standard output.",
        ),
    ] = None,
    schema_format: Annotated[
        SchemaFormat,
        typer.Option(
            "--format",
            help="json: the JSON Schema of a scenario file (for editors with a TOML language "
            "server); markdown: the scenario file reference (docs/scenario-reference.md).",
        ),
    ] = SchemaFormat.json,
) -> None:
    """Write the scenario file's JSON Schema (or its reference page) to stdout or --out."""
    import json
    import sys

    from moondust.outputs import atomic_write, output_file
    from moondust.world.scenario_schema import markdown_reference, scenario_json_schema

    if schema_format is SchemaFormat.json:
        text = json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"
    else:
        text = markdown_reference()
    if out_path is None:
        sys.stdout.write(text)
        return
    output_file(out_path)
    atomic_write(out_path, text.encode("utf-8"))
    out.print(f"{schema_format.value}: {out_path}")
