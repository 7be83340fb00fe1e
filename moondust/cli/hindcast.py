"""``moondust hindcast``: start the model in 2007 and score it against the record to 2025."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from moondust.cli.app import app
from moondust.cli.options import FormatOption, OutputFormat, _out_path
from moondust.cli.output import _print_json, out
from moondust.errors import MoondustError
from moondust.limits import MAX_RUNS


@app.command("hindcast")
def hindcast_command(
    start: Annotated[
        int,
        typer.Option(
            "--start",
            help="Start year: the model starts from the world at its end (a year with packaged "
            "data, before 2017).",
        ),
    ] = 2007,
    runs: Annotated[
        int,
        typer.Option("--runs", "-n", min=1, max=MAX_RUNS, help="Monte Carlo runs."),
    ] = 200,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the random streams.")] = 2007,
    output_format: FormatOption = OutputFormat.table,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            parser=_out_path,
            help="Also write hindcast.html (calibration plot, timeline of bands against real "
            "years, table, scores), hindcast.json and the figures into this directory.",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Hindcast: run the model from the world of 2007 to 2025 and compare it with what happened.

    For each actor and robotic or crewed milestone not reached by the start year: the share of
    runs reaching it by 2016 and by 2025, the median first year with its 5-95 % band, and the
    real year. Brier scores on the held-out events (open at the end of 2016, outcome: reached in
    2017-2025) for the model and two reference forecasters (announced plans at face value; the
    2007-2016 base rate), with the model's Brier skill score against each (docs/validation.md).
    """
    from moondust.cli.progress import _year_progress
    from moondust.experiments.hindcast import hindcast, text_table

    try:
        with _year_progress(f"hindcast from {start}: {runs} runs", quiet) as advance:
            result = hindcast(start=start, runs=runs, seed=seed, progress=advance)
    except ValueError as exc:  # a start year without data, or in the held-out period
        raise MoondustError(f"--start {start}: {exc}") from None
    data = result.as_dict()
    if out_dir is not None:
        from moondust.report.hindcast import write_hindcast_report

        write_hindcast_report(data, out_dir)
    if output_format is OutputFormat.json:
        _print_json(data)
    else:
        out.print(text_table(result), highlight=False, markup=False)
        if out_dir is not None:
            out.print(f"report: {out_dir / 'hindcast.html'}", highlight=False, markup=False)
