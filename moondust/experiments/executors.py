"""Where chunks run: inline, a local process pool, or a Dask cluster — any ``concurrent.futures``.

A sweep hands chunks to a :class:`concurrent.futures.Executor` (habit 4): this process
(:class:`InlineExecutor`), a :class:`~concurrent.futures.ProcessPoolExecutor` (started with
``forkserver`` where available, never ``fork`` from a threaded parent), or a Dask distributed
client's executor — a :class:`~distributed.LocalCluster` on 127.0.0.1 by default, or an existing
scheduler (``tcp://HOST:PORT``, e.g. one started by dask-jobqueue on an HPC cluster). You can also
pass your own executor to :func:`moondust.experiments.run_sweep`.

:func:`bounded` keeps only a few chunks in flight per worker (habit 8), so a million-run sweep
never queues a million tasks, and yields each as it completes.

Worker processes do not outlive the sweep: each process-pool worker runs a watchdog thread
(:func:`watch_parent`, the pool's initializer) that ends the worker within
:data:`WATCH_SECONDS` of the process that started the sweep dying, even by ``kill -9``, when
nothing else would stop it (its task queue stays open). The forkserver and the resource tracker
exit by themselves once the last worker is gone. A local Dask cluster's worker processes are
watched by their nannies in the same way.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from typing import Any, Literal, TypeVar

from moondust.errors import MoondustError

ExecutorKind = Literal["auto", "inline", "processes", "dask"]
EXECUTORS: tuple[str, ...] = ("auto", "inline", "processes", "dask")
INLINE_MAX_RUNS = 1000
"""``auto`` runs sweeps of at most this many runs inline, larger ones on a process pool."""
CONNECT_TIMEOUT = "20s"
"""How long to try reaching a Dask scheduler given with ``--scheduler``."""
WATCH_SECONDS = 0.5
"""How often a pool worker checks that the process that started the sweep is still alive."""
ORPHAN_EXIT_CODE = 70
"""The exit code of a pool worker that ends itself because its sweep's process died."""

T = TypeVar("T")
R = TypeVar("R")


class InlineExecutor(Executor):
    """Runs each task in this process when it is submitted (no parallelism, no pickling)."""

    def submit(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> Future[R]:
        """Run ``fn(*args, **kwargs)`` now; return a finished future."""
        future: Future[R] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future


def default_workers() -> int:
    """Cores available to this process."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def resolve_kind(kind: str, total_runs: int) -> str:
    """``auto`` → ``inline`` for small sweeps, ``processes`` for large ones; check the name."""
    if kind not in EXECUTORS:
        raise MoondustError(f"unknown executor {kind!r}; expected one of {', '.join(EXECUTORS)}")
    if kind == "auto":
        return "inline" if total_runs <= INLINE_MAX_RUNS or default_workers() == 1 else "processes"
    return kind


def process_identity(pid: int) -> tuple[int, str]:
    """``(pid, start time)`` of a process: the start time (Linux ``/proc``; else empty) tells a
    process from a later one that reuses its pid."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return pid, fields[19]
    except (OSError, IndexError):
        return pid, ""


def process_alive(pid: int, started: str = "") -> bool:
    """Whether the process ``pid`` (started at ``started``, see :func:`process_identity`) still
    runs: not gone, not a zombie (killed but not yet reaped), not a new process with its pid."""
    if sys.platform == "win32":  # pragma: no cover - os.kill would terminate it
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return fields[0] not in ("Z", "X") and (not started or fields[19] == started)
    except FileNotFoundError:
        return False
    except (OSError, IndexError):  # no /proc (macOS): signal 0 tests existence only
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


def watch_parent(pid: int, started: str, interval: float = WATCH_SECONDS) -> None:
    """Start a daemon thread that ends this process (exit code :data:`ORPHAN_EXIT_CODE`) once
    the process ``pid`` is gone: a pool worker's initializer, so that a sweep killed with
    ``kill -9`` leaves no worker behind, still computing and writing chunks.

    A chunk being written is abandoned in its temporary directory, which the next run of the
    sweep removes before recomputing the chunk.
    """

    def watch() -> None:
        while process_alive(pid, started):
            time.sleep(interval)
        os._exit(ORPHAN_EXIT_CODE)

    threading.Thread(target=watch, name="moondust-parent-watchdog", daemon=True).start()


def check_scheduler_address(address: str) -> None:
    """Refuse a ``--scheduler`` that is not a Dask scheduler address, before any work.

    Raises
    ------
    MoondustError
        If ``address`` cannot be parsed (``tcp://HOST:PORT`` or ``HOST:PORT``, or another
        protocol Dask knows). Nothing is checked when dask.distributed is not installed.
    """
    try:
        from distributed.comm.addressing import parse_address, parse_host_port
    except ImportError:
        return
    try:
        scheme, location = parse_address(address)
        if scheme in ("tcp", "tls"):
            host, port = parse_host_port(location)
            if not host or any(c.isspace() for c in host) or not 0 < int(port) < 65536:
                raise ValueError("no host or port out of range")
    except (ValueError, TypeError) as exc:
        raise MoondustError(
            f"--scheduler {address!r}: not a Dask scheduler address, expected tcp://HOST:PORT "
            f"({exc})"
        ) from None


def _process_context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    method = "forkserver" if "forkserver" in methods else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload(["moondust.experiments.chunks", "moondust.engine.simulate"])
    return context


class ManagedExecutor:
    """An executor this module started (and stops), restartable if its worker processes die.

    Parameters
    ----------
    kind
        ``inline``, ``processes`` or ``dask``.
    workers
        Worker processes (processes, local Dask cluster); default: the cores available.
    scheduler
        Address of an existing Dask scheduler (``tcp://HOST:PORT``); implies ``dask``.
    """

    def __init__(self, kind: str, workers: int | None = None, scheduler: str | None = None):
        self.kind = "dask" if scheduler else kind
        self.workers = workers or default_workers()
        self.scheduler = scheduler
        self.description = ""
        self._client: Any = None
        self._cluster: Any = None
        self.executor: Executor = self._start()

    def _start(self) -> Executor:
        if self.kind == "inline":
            self.description = "inline"
            return InlineExecutor()
        if self.kind == "processes":
            self.description = f"{self.workers} processes"
            return ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=_process_context(),
                initializer=watch_parent,
                initargs=process_identity(os.getpid()),
            )
        if self.kind == "dask":
            return self._start_dask()
        raise MoondustError(f"unknown executor {self.kind!r}; expected one of {EXECUTORS}")

    def _start_dask(self) -> Executor:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise MoondustError(
                "--executor dask needs dask.distributed: pip install 'moondust[dask]'"
            ) from None
        if self.scheduler:
            try:
                self._client = Client(self.scheduler, timeout=CONNECT_TIMEOUT)
            except (OSError, TimeoutError, ValueError) as exc:
                raise MoondustError(
                    f"--scheduler {self.scheduler}: cannot connect to a Dask scheduler ({exc})"
                ) from None
            self._check_worker_versions()
            count = len(self._client.scheduler_info().get("workers", {}))
            self.description = f"Dask scheduler {self.scheduler} ({count} workers now)"
        else:
            self._cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            )
            self._client = Client(self._cluster)
            self.description = f"Dask local cluster ({self.workers} workers on 127.0.0.1)"
        executor: Executor = self._client.get_executor(pure=False)
        return executor

    def _check_worker_versions(self) -> None:
        from moondust._version import __version__

        try:
            versions = self._client.run(_moondust_version)
        except Exception as exc:  # a worker without moondust cannot even unpickle the call
            raise MoondustError(
                f"--scheduler {self.scheduler}: workers cannot run moondust: {exc}"
            ) from None
        wrong = {w: v for w, v in versions.items() if v != __version__}
        if wrong:
            worker, version = next(iter(wrong.items()))
            raise MoondustError(
                f"--scheduler {self.scheduler}: worker {worker} has moondust {version}, this is "
                f"{__version__}; install the same version on every worker"
            )

    @property
    def slots(self) -> int:
        """How many tasks to keep in flight."""
        if self.kind == "inline":
            return 1
        if self.kind == "dask" and self._client is not None:
            info = self._client.scheduler_info().get("workers", {})
            threads = sum(int(w.get("nthreads", 1)) for w in info.values())
            return 2 * max(threads, self.workers if self._cluster is not None else 1)
        return 2 * self.workers

    def restart(self) -> None:
        """Replace a broken process pool (a worker died hard); other kinds need nothing."""
        if self.kind == "processes":
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = self._start()

    def close(self) -> None:
        """Stop what was started (an external Dask scheduler is only disconnected from)."""
        with contextlib.suppress(Exception):
            self.executor.shutdown(wait=True, cancel_futures=True)
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.close()
        if self._cluster is not None:
            with contextlib.suppress(Exception):
                self._cluster.close()

    def __enter__(self) -> ManagedExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _moondust_version() -> str:
    from moondust._version import __version__

    return __version__


def bounded(
    submit: Callable[[T], Future[R]], tasks: Iterable[T], slots: int
) -> Iterator[tuple[T, Future[R]]]:
    """Submit tasks keeping at most ``slots`` in flight; yield ``(task, future)`` as each finishes.

    ``submit`` may raise (e.g. a broken pool); the error is then delivered as that task's
    future's exception, so the caller records it like any other failure.

    Examples
    --------
    >>> pool = InlineExecutor()
    >>> sorted(f.result() for _, f in bounded(lambda x: pool.submit(pow, x, 2), range(4), 2))
    [0, 1, 4, 9]
    """
    iterator = iter(tasks)
    pending: dict[Future[R], T] = {}

    def fill() -> None:
        while len(pending) < max(1, slots):
            task = next(iterator, _END)
            if task is _END:
                return
            try:
                future = submit(task)
            except Exception as exc:
                future = Future()
                future.set_exception(exc)
            pending[future] = task

    fill()
    while pending:
        finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
        for future in finished:
            yield pending.pop(future), future
        fill()


_END: Any = object()
