"""Analyses over many runs: ``sensitivity`` (Sobol, Morris) and ``discover`` (PRIM)."""

from __future__ import annotations

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
    MethodChoice,
    OutputFormat,
    ScenarioArg,
    SchedulerOption,
    Seed,
    TrustOption,
    UncertaintyOption,
    WorkersOption,
    _scenario,
)
from moondust.cli.output import _print_json, out
from moondust.cli.progress import _sweep_progress
from moondust.errors import require_extra


@app.command("sensitivity")
def sensitivity_command(
    scenario_name: ScenarioArg,
    method: Annotated[
        MethodChoice,
        typer.Option(
            "--method",
            "-m",
            help="sobol (first-order and total indices), morris (screening) or auto: Sobol up to "
            "20 factors, else Morris. Over every sampled parameter (~94, the default) Sobol is "
            "too costly on 2 cores (stable indices need N ≥ 512: ~50,000 runs), so auto screens "
            "with Morris first; then analyse the few that matter with Sobol (declare them as "
            "[uncertainties] and use --uncertainty none).",
        ),
    ] = MethodChoice.auto,
    samples: Annotated[
        int | None,
        typer.Option(
            "--samples",
            "-N",
            min=2,
            help="SALib base sample: Sobol runs N × (factors + 2) (N a power of two; default "
            "64), Morris N trajectories of factors + 1 runs (default 16).",
        ),
    ] = None,
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
    uncertainty: UncertaintyOption = None,
    allow_import: AllowImport = False,
) -> None:
    """Which uncertain parameters drive an outcome: SALib Sobol indices or Morris screening.

    The factors are every parameter the scenario samples: by default each documented parameter
    range (`moondust params engine`) and the scenario's [uncertainties]; with --uncertainty none,
    its [uncertainties] only, or if it has none the default contested engine parameters over
    their cited ranges (docs/experiments.md). Warns when the indices are not converged (ST > 1,
    S1 below zero beyond its confidence interval, wide intervals). Prints the indices and saves a
    chart (PNG) and table (CSV).
    """
    from rich.markup import escape

    require_extra("analysis", "sensitivity analysis", "SALib")
    from moondust.experiments.sensitivity import (
        DEFAULT_SAMPLES,
        Problem,
        check_samples,
        choose_method,
        evaluations,
        sensitivity,
    )

    scenario = _scenario(scenario_name, param, allow_import, uncertainty)
    factors = Problem.from_scenario(scenario.with_changes(levers={})).size
    chosen = choose_method(method.value, factors)
    samples = DEFAULT_SAMPLES[chosen] if samples is None else samples
    check_samples(chosen, samples)
    quiet = output_format is OutputFormat.json
    runs = evaluations(chosen, samples, factors) * replicates
    with _sweep_progress(f"{scenario.name} {chosen}: {runs:,} runs", quiet) as advance:
        result = sensitivity(
            scenario,
            chosen,
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
    for warning in result.warnings:
        out.print(f"warning: {warning}", markup=False)
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
    require_extra("analysis", "scenario discovery", "ema_workbench")
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
