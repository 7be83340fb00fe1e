"""Experiments at scale: ``sweep`` and ``outcomes`` (the analyses of a sweep are in
:mod:`moondust.cli.analysis`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from moondust.cli.app import app
from moondust.cli.options import (
    AllowImport,
    ChunkSizeOption,
    EngineParams,
    ExecutorChoice,
    ExecutorOption,
    FormatOption,
    OutputFormat,
    SamplingChoice,
    ScenarioArg,
    SchedulerOption,
    Seed,
    StoreChoice,
    TrustOption,
    WorkersOption,
    _out_path,
    _scenario,
)
from moondust.cli.output import _print_json, _year, out
from moondust.cli.progress import _sweep_progress
from moondust.limits import MAX_RUNS


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
        cells.append(_year(row["median_year"]))
        cells.append(f"{row['median_military_usd_bn']:,.0f}")
        table.add_row(*cells)
    return table


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
    store: Annotated[
        StoreChoice | None,
        typer.Option(
            "--store",
            help="What each chunk keeps: full (every yearly trajectory, ~50 KB per run) or "
            "outcomes (per-run outcomes and milestone years, <1 KB per run; enough for outcomes, "
            "discover and sensitivity). Default: full, or on resume the directory's.",
        ),
    ] = None,
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
            store=None if store is None else store.value,
        )
    if output_format is OutputFormat.json:
        _print_json(report.to_dict())
    else:
        points = len(report.lever_points)
        size = f"{report.runs_per_point:,} runs" + (
            f" × {points} lever points = {report.total_runs:,} runs" if points > 1 else ""
        )
        where = f"on {report.executor}" if report.ran else "nothing left to run"
        out.print(
            f"sweep {report.scenario}: {size} in {report.chunks} chunks of ≤{report.chunk_size} "
            f"({report.sampling}, seed {report.seed}), {where}, "
            f"{report.seconds:.1f} s" + (", outcomes only" if report.store == "outcomes" else "")
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
    from moondust.experiments.outcomes import OUTCOMES, outcome_families

    if directory is not None:
        from moondust.experiments.store import available_columns, sweep_outcomes

        known = available_columns(directory, trust=trust)
        _, found = sweep_outcomes(directory, trust=trust)
    else:
        from moondust.engine.simulate import simulate
        from moondust.world.scenario import load_scenario

        baseline = load_scenario("baseline").with_changes(simulation={"end": 2027})
        found = OUTCOMES.for_dataset(simulate(baseline, runs=1, seed=0).dataset)
        known = {}
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
        table = Table(title="Outcome families (moondust outcomes --all lists every name)")
        for column in ("family", "kind", "names", "example"):
            table.add_column(column, justify="right" if column == "names" else "left")
        for family in outcome_families(found):
            table.add_row(family.pattern, family.kinds, str(family.size), family.example)
        out.print(table)
        out.print(
            "Expressions combine them with comparisons, and/or/not, in [...], + - * /, isna(x), "
            "e.g. \"first_bloc_he3_delivered == 'ilrs' and first_year_he3_delivered < 2045\"",
            markup=False,
        )
    if inputs:
        out.print(f"inputs: {', '.join(inputs)}")
