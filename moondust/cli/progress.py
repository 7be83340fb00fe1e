"""Progress bars on stderr: one for a simulation's years, one for a sweep's chunks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console


@contextmanager
def _year_progress(description: str, quiet: bool) -> Iterator[Callable[[int, int], None]]:
    """A Rich bar on stderr counting simulated years, and the callback that advances it; the
    description says when the engine's first run on this machine compiles its kernels."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from moondust.engine.jit import kernels_cached

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

        yield advance


def _simulate_with_progress(
    scenario: Any,
    runs: int | None,
    seed: int | None,
    first_run: int,
    quiet: bool,
    label: str | None = None,
) -> Any:
    from moondust.engine.simulate import simulate

    total_runs = runs or scenario.simulation.runs
    with _year_progress(f"{label or scenario.name}: {total_runs} runs", quiet) as advance:
        return simulate(scenario, runs=runs, seed=seed, first_run=first_run, progress=advance)


def _sweep_progress(label: str, quiet: bool) -> Any:
    """A Rich progress bar on stderr and the callback that advances it."""
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
