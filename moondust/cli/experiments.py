"""Experiments at scale: ``sweep``, ``outcomes``, ``sensitivity`` and ``discover``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

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
    MethodChoice,
    OutputFormat,
    SamplingChoice,
    ScenarioArg,
    SchedulerOption,
    Seed,
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
