"""The explorer under load: N Chromium pages moving sliders at once against one server.

Run (from the repository root, with the dashboard extra, Playwright and psutil installed)::

    .venv/bin/python -m benchmarks.dashboard_load --quick            # 2 pages for 10 s (~1 min)
    .venv/bin/python -m benchmarks.dashboard_load --pages 10 25 50 --seconds 60 \\
        --out /tmp/dashboard_load.json       # ~15 min on 2 cores, half of it opening pages

For each number of pages it starts ``moondust dashboard`` on a free loopback port (a fresh server
per level), opens the pages in Debian's Chromium (``/usr/bin/chromium`` or ``--chromium``; never a
downloaded browser) with Playwright, a few browser processes holding many contexts (one context,
so one Solara kernel, per page), and lets every page move the policy sliders from the keyboard
(focus, then an arrow key, as a user would) for ``--seconds``. Each page waits for its update to
show, pauses ``--think`` seconds and moves again (a closed loop, so at most one update per page in
flight). Slider and direction are drawn per page from a seeded generator, so the pages' settings
drift apart and rarely hit the server's shared ensemble cache.

Latency of one update: from the ``keydown`` event to the first moment the status line no longer
says "Updating…" *and* a graph's data differs from before the key press; both times are taken in
the page with ``performance.now()``, so the Python driver's delays are not counted. Also recorded:
when the status line turned current (the server's answer arrived; the graphs can be drawn later
when the browser is busy) and the status line's own "updated in X s" (the server's time from the
request to the result, queueing included). An update whose status turns current but whose graphs
do not change within 10 s is counted at the status time and flagged ``updates_unchanged_graphs``.
An update that does not show within ``--update-timeout`` counts as an error (so do failed loads).

Server memory: RSS (and USS at three points) of the server process and its worker processes,
summed, via psutil: idle before the pages open, with the pages open and idle, and sampled every
second while they move sliders; "per page" is (during - before) / pages. CPU: the CPU seconds of
the server tree and of the client (this process, Playwright's driver, Chromium) during the slider
phase, as a share of the machine's cores, to show how client and server shared them. The browsers'
processes run at ``--client-nice`` (default 10). Each Chromium is a session, so under Linux's
``sched_autogroup`` a scheduling group of its own that shares the cores fairly with the server's
group whatever the nice values: with two browsers the server gets about half of the machine.
``--autogroup-nice`` lowers the browsers' groups too (it starved the browsers with 50 pages).
The latency includes the browsers' drawing. CSS animations are switched off in the pages unless
``--animations`` (the "Updating" progress bar costs about half a core per waiting page).

Only loopback traffic; every loop is bounded by ``--seconds`` plus ``--update-timeout``. Prints a
table and writes JSON (``--out``). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

CHROMIUM = os.environ.get("MOONDUST_CHROMIUM", "/usr/bin/chromium")
START_TIMEOUT_S = 120.0
LOAD_TIMEOUT_MS = 180_000
"""One page load, with many other pages loading on a busy 2-core machine."""
MIN_AVAILABLE = 2 * 2**30
"""No more pages are opened when the machine has less memory available than this."""
VIEWPORT = {"width": 1280, "height": 900}
POLICY_PREFIXES = ("Artemis:", "ILRS:")
"""Only the blocs' policy sliders are moved: an assumption slider also re-simulates the modified
baseline, which would double the work of some updates and blur the comparison."""

HE3_DATA = (
    "() => { const el = document.querySelector('.md-chart-he3 .js-plotly-plot');"
    " return !!(el && el.data); }"
)
STATUS_CURRENT = (
    "() => { const s = document.querySelector('.md-status'); const t = s && s.textContent;"
    " return !!(t && t.includes('updated in') && !t.includes('Updating')); }"
)
ARM = """
() => {
  const plots = () => Array.from(document.querySelectorAll('.md-main .js-plotly-plot'));
  const json = () => plots().map(el => el.data ? JSON.stringify(el.data.map(t => [t.x, t.y]))
                                                : '').join('|');
  const status = () => { const s = document.querySelector('.md-status');
                         return s ? s.textContent : ''; };
  const old = window.__mdLoad;
  if (old && old.cleanup) { old.cleanup(); }
  const st = {t0: null, done: null, saw: false, unchanged: false, status: '',
              refs: plots().map(el => el.data), before: json(), quietSince: null};
  // quietSince: when the status line last turned current (the server's answer arrived); the
  // graphs may be drawn later, when the browser is busy.
  const check = () => {
    if (st.done !== null || st.t0 === null) { return; }
    const t = status();
    if (t.includes('Updating')) { st.saw = true; st.quietSince = null; return; }
    if (!t.includes('updated in')) { return; }
    const now = plots().map(el => el.data);
    const moved = now.length !== st.refs.length || now.some((d, i) => d !== st.refs[i]);
    if (moved && json() !== st.before) {
      if (st.quietSince === null) { st.quietSince = performance.now(); }
      st.done = performance.now(); st.status = t; st.cleanup(); return;
    }
    if (st.saw && st.quietSince === null) { st.quietSince = performance.now(); }
    if (st.saw && performance.now() - st.quietSince > 10000) {
      // the update finished but no graph changed within 10 s: count it, flagged "unchanged"
      st.done = st.quietSince; st.status = t; st.unchanged = true; st.cleanup();
    }
  };
  const obs = new MutationObserver(check);
  const timer = setInterval(check, 25);
  const onKey = () => {
    if (st.t0 === null) {
      st.t0 = performance.now();
      obs.observe(document.body, {subtree: true, childList: true, characterData: true});
    }
  };
  st.cleanup = () => { obs.disconnect(); clearInterval(timer);
                       document.removeEventListener('keydown', onKey, true); };
  document.addEventListener('keydown', onKey, true);
  window.__mdLoad = st;
}
"""
RESULT = (
    "() => { const s = window.__mdLoad; return {t0: s.t0, done: s.done, saw: s.saw,"
    " unchanged: s.unchanged, status: s.status, quiet: s.quietSince}; }"
)
NO_ANIMATIONS = """
document.addEventListener('DOMContentLoaded', () => {
  const style = document.createElement('style');
  style.textContent = '*, *::before, *::after { animation: none !important;'
                    + ' transition: none !important; }';
  document.head.appendChild(style);
});
"""
"""Stop CSS animations (the "Updating" progress bar's costs Chromium about half a core per
page, drawn in software, for as long as the page waits) so the client does not starve the server."""
UPDATED_IN = re.compile(r"updated in ([0-9.]+) s")


# --- processes ----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tree(pid: int) -> list[psutil.Process]:
    """The process and its descendants that are still alive."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def rss_mb(pid: int) -> float:
    total = 0
    for proc in tree(pid):
        with contextlib.suppress(psutil.Error):
            total += proc.memory_info().rss
    return total / 2**20


def _uss(proc: psutil.Process) -> int:
    try:
        return int(proc.memory_full_info().uss)
    except psutil.Error:
        return 0


def uss_mb(pid: int) -> float:
    total = 0
    for proc in tree(pid):
        with contextlib.suppress(psutil.Error):
            total += proc.memory_full_info().uss
    return total / 2**20


def cpu_seconds(procs: list[psutil.Process]) -> dict[int, float]:
    """CPU seconds (user + system) of each process, by pid."""
    seconds: dict[int, float] = {}
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            times = proc.cpu_times()
            seconds[proc.pid] = times.user + times.system
    return seconds


def client_procs(server_pid: int) -> list[psutil.Process]:
    """This process and its descendants (Playwright's driver, Chromium), minus the server tree."""
    server = {p.pid for p in tree(server_pid)}
    return [p for p in tree(os.getpid()) if p.pid not in server]


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(after[pid] - before.get(pid, 0.0) for pid in after)


def kind(proc: psutil.Process) -> str:
    """What a client process is: this driver, Playwright's node, or a kind of Chromium process."""
    if proc.pid == os.getpid():
        return "python"
    try:
        cmdline = proc.cmdline()
    except psutil.Error:
        return "?"
    for arg in cmdline:
        if arg.startswith("--type="):
            return "chromium-" + arg.removeprefix("--type=")
    name = Path(cmdline[0]).name if cmdline else proc.name()
    return "chromium-browser" if "chrom" in name else name


def cpu_by_kind(
    procs: list[psutil.Process], before: dict[int, float], after: dict[int, float]
) -> dict[str, float]:
    kinds = {p.pid: kind(p) for p in procs}
    totals: dict[str, float] = {}
    for pid, seconds in after.items():
        name = kinds.get(pid, "?")
        totals[name] = round(totals.get(name, 0.0) + seconds - before.get(pid, 0.0), 2)
    return totals


def start_server(port: int, log: Path) -> subprocess.Popen[bytes]:
    """``moondust dashboard`` as a user starts it; returns once ``/readyz`` answers."""
    exe = Path(sys.executable).with_name("moondust")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "moondust"]
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*command, "dashboard", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"moondust dashboard exited: {log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                if response.status == 200:
                    return proc
        except OSError:
            pass
        if time.monotonic() > deadline:
            stop_server(proc)
            raise RuntimeError(f"moondust dashboard did not start: {log.read_text()}")
        time.sleep(0.25)


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


def wait_until_idle(pid: int, limit_s: float = 90.0, busy_share: float = 0.1) -> float:
    """Wait until the server tree uses under ``busy_share`` of a core for a second; seconds."""
    began = time.monotonic()
    while time.monotonic() - began < limit_s:
        procs = tree(pid)
        first = cpu_seconds(procs)
        time.sleep(1.0)
        if cpu_delta(first, cpu_seconds(procs)) < busy_share:
            break
    return time.monotonic() - began


# --- one page -----------------------------------------------------------------------------------
@dataclass
class PageStats:
    index: int
    load_s: float | None = None
    latencies_s: list[float] = field(default_factory=list)
    server_s: list[float] = field(default_factory=list)
    status_s: list[float] = field(default_factory=list)
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


async def open_page(
    browser: Any, url: str, stats: PageStats, gate: asyncio.Semaphore, animations: bool
) -> Any:
    """A fresh context (its own Solara kernel) with the explorer loaded, or None."""
    async with gate:
        began = time.monotonic()
        if psutil.virtual_memory().available < MIN_AVAILABLE:
            stats.errors.append("load: skipped, under 2 GiB of memory available")
            return None
        try:
            context = await browser.new_context(viewport=VIEWPORT)
            if not animations:
                await context.add_init_script(NO_ANIMATIONS)
            page = await context.new_page()
            await page.goto(url, timeout=LOAD_TIMEOUT_MS)
            await page.wait_for_function(HE3_DATA, timeout=LOAD_TIMEOUT_MS, polling=250)
            await page.wait_for_function(STATUS_CURRENT, timeout=LOAD_TIMEOUT_MS, polling=250)
        except Exception as error:
            stats.errors.append(f"load: {type(error).__name__}: {str(error).splitlines()[0]}")
            return None
        stats.load_s = time.monotonic() - began
        return page


async def policy_sliders(page: Any) -> list[str]:
    names = await page.eval_on_selector_all(
        "[role=slider]", "els => els.map(e => e.getAttribute('aria-label') || '')"
    )
    return [n for n in names if n.startswith(POLICY_PREFIXES)]


async def move_sliders(
    page: Any, stats: PageStats, until: float, think_s: float, timeout_s: float, seed: int
) -> None:
    """Press arrow keys on random policy sliders until ``until`` (monotonic); one at a time."""
    rng = random.Random(seed)
    try:
        names = await policy_sliders(page)
    except Exception as error:
        stats.errors.append(f"sliders: {type(error).__name__}")
        return
    if not names:
        stats.errors.append("sliders: none found")
        return
    while time.monotonic() < until:
        name = rng.choice(names)
        try:
            slider = page.get_by_role("slider", name=name, exact=True)
            value, low, high = [
                float(await slider.get_attribute(a) or "nan")
                for a in ("aria-valuenow", "aria-valuemin", "aria-valuemax")
            ]
            up = rng.random() < 0.5
            if value >= high:
                up = False
            elif value <= low:
                up = True
            await page.evaluate(ARM)
            await slider.focus()  # Vuetify's thumb has no size: focus it, then use the keys
            await page.keyboard.press("ArrowRight" if up else "ArrowLeft")
            await page.wait_for_function(
                "() => window.__mdLoad.done !== null", timeout=timeout_s * 1000, polling=200
            )
            result = await page.evaluate(RESULT)
        except Exception as error:
            stats.errors.append(f"update: {type(error).__name__}: {str(error).splitlines()[0]}")
            if time.monotonic() >= until:
                break
            with contextlib.suppress(Exception):
                await page.wait_for_function(STATUS_CURRENT, timeout=timeout_s * 1000)
            await asyncio.sleep(max(think_s, 1.0))  # a failing page must not spin
            continue
        stats.latencies_s.append((result["done"] - result["t0"]) / 1000)
        stats.unchanged += bool(result["unchanged"])
        if result["quiet"] is not None:
            stats.status_s.append((result["quiet"] - result["t0"]) / 1000)
        found = UPDATED_IN.search(result["status"] or "")
        if found:
            stats.server_s.append(float(found.group(1)))
        await asyncio.sleep(think_s * rng.uniform(0.5, 1.5))


# --- one level ----------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = q / 100 * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


async def sample_memory(pid: int, samples: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        samples.append(await asyncio.to_thread(rss_mb, pid))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=1.0)


async def run_level(pages: int, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    from playwright.async_api import async_playwright

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log = workdir / f"server-{pages}.log"
    began = time.monotonic()
    server = start_server(port, log)
    result: dict[str, Any] = {"pages": pages}
    try:
        result["server_start_s"] = round(time.monotonic() - began, 2)
        result["server_settle_s"] = round(wait_until_idle(server.pid), 2)
        result["server_rss_before_mb"] = round(rss_mb(server.pid), 1)
        result["server_uss_before_mb"] = round(uss_mb(server.pid), 1)
        result["server_processes"] = len(tree(server.pid))
        stats = [PageStats(i) for i in range(pages)]
        browsers_n = max(1, min(args.browsers, pages))
        async with async_playwright() as playwright:
            browsers = [
                await playwright.chromium.launch(executable_path=args.chromium)
                for _ in range(browsers_n)
            ]
            renice_client(server.pid, args.client_nice, args.autogroup_nice)
            gate = asyncio.Semaphore(args.load_concurrency)
            loading = time.monotonic()
            opened = await asyncio.gather(
                *(
                    open_page(browsers[i % browsers_n], url, stats[i], gate, args.animations)
                    for i in range(pages)
                )
            )
            renice_client(
                server.pid, args.client_nice, args.autogroup_nice
            )  # renderers started since
            result["load_all_s"] = round(time.monotonic() - loading, 2)
            live = [(page, s) for page, s in zip(opened, stats, strict=True) if page is not None]
            result["pages_loaded"] = len(live)
            await asyncio.sleep(3)
            result["server_rss_loaded_mb"] = round(rss_mb(server.pid), 1)
            result["server_uss_loaded_mb"] = round(uss_mb(server.pid), 1)
            result["client_uss_loaded_mb"] = round(
                sum(_uss(p) for p in client_procs(server.pid)) / 2**20, 1
            )
            result["available_memory_loaded_mb"] = round(
                psutil.virtual_memory().available / 2**20, 1
            )

            samples: list[float] = []
            stop = asyncio.Event()
            sampler = asyncio.create_task(sample_memory(server.pid, samples, stop))
            server_cpu0 = cpu_seconds(tree(server.pid))
            client_cpu0 = cpu_seconds(client_procs(server.pid))
            moving = time.monotonic()
            until = moving + args.seconds
            movers = [
                asyncio.create_task(
                    move_sliders(
                        page, s, until, args.think, args.update_timeout, args.seed + s.index
                    )
                )
                for page, s in live
            ]
            # Each mover stops by itself; this cap only guards against a hung driver.
            hung: set[asyncio.Task[None]] = set()
            if movers:
                cap = args.seconds + args.update_timeout + 60
                _, hung = await asyncio.wait(movers, timeout=cap)
            for task in hung:
                task.cancel()
            await asyncio.gather(*hung, return_exceptions=True)
            result["pages_cut_off"] = len(hung)
            wall = time.monotonic() - moving
            server_cpu1 = cpu_seconds(tree(server.pid))
            server_cpu = cpu_delta(server_cpu0, server_cpu1)
            main_cpu = server_cpu1.get(server.pid, 0.0) - server_cpu0.get(server.pid, 0.0)
            result["server_cpu_main_s"] = round(main_cpu, 1)
            result["server_cpu_workers_s"] = round(server_cpu - main_cpu, 1)
            clients = client_procs(server.pid)
            client_cpu1 = cpu_seconds(clients)
            client_cpu = cpu_delta(client_cpu0, client_cpu1)
            result["client_cpu_by_kind_s"] = cpu_by_kind(clients, client_cpu0, client_cpu1)
            stop.set()
            await sampler
            result["server_uss_end_mb"] = round(uss_mb(server.pid), 1)
            for browser in browsers:
                with contextlib.suppress(Exception):
                    await browser.close()
    finally:
        stop_server(server)

    latencies = [x for s in stats for x in s.latencies_s]
    server_times = [x for s in stats for x in s.server_s]
    status_times = [x for s in stats for x in s.status_s]
    errors = [e for s in stats for e in s.errors]
    cores = os.cpu_count() or 1
    during_max = max(samples) if samples else math.nan
    during_mean = statistics.fmean(samples) if samples else math.nan
    before = result["server_rss_before_mb"]
    loads = [s.load_s for s in stats if s.load_s is not None]
    result.update(
        {
            "seconds": args.seconds,
            "phase_wall_s": round(wall, 2),
            "updates": len(latencies),
            "updates_per_s": round(len(latencies) / wall, 3) if wall else None,
            "updates_unchanged_graphs": sum(s.unchanged for s in stats),
            "latency_p50_s": _round(percentile(latencies, 50)),
            "latency_p95_s": _round(percentile(latencies, 95)),
            "latency_max_s": _round(max(latencies) if latencies else None),
            "status_current_p50_s": _round(percentile(status_times, 50)),
            "status_current_p95_s": _round(percentile(status_times, 95)),
            "server_compute_p50_s": _round(percentile(server_times, 50)),
            "server_compute_p95_s": _round(percentile(server_times, 95)),
            "errors": len(errors),
            "error_samples": sorted(set(errors))[:10],
            "page_load_p50_s": _round(percentile(loads, 50)),
            "page_load_max_s": _round(max(loads) if loads else None),
            "server_rss_during_mean_mb": round(during_mean, 1),
            "server_rss_during_max_mb": round(during_max, 1),
            "server_mb_per_page_loaded": round(
                (result["server_rss_loaded_mb"] - before) / pages, 2
            ),
            "server_mb_per_page_during": round((during_max - before) / pages, 2),
            "server_cpu_s": round(server_cpu, 1),
            "client_cpu_s": round(client_cpu, 1),
            "server_core_share": round(server_cpu / (wall * cores), 3),
            "client_core_share": round(client_cpu / (wall * cores), 3),
            "updates_per_page": [len(s.latencies_s) for s in stats],
        }
    )
    return result


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def renice_client(server_pid: int, nice: int, autogroup: bool = False) -> None:
    """Lower the browsers' priority (not this process's: it only waits).

    Each Chromium starts its own session, so on Linux with ``sched_autogroup`` it is a scheduling
    group of its own, shared fairly with the server's group whatever its processes' nice values.
    With ``autogroup`` the group's nice (``/proc/PID/autogroup``) is lowered too; measured with 50
    pages on 2 cores, that starved the browsers (keyboard focus timed out) and lowered throughput.
    """
    if nice <= 0:
        return
    for proc in client_procs(server_pid):
        if proc.pid == os.getpid():
            continue
        with contextlib.suppress(psutil.Error):
            if proc.nice() < nice:
                proc.nice(nice)
        if autogroup and proc.pid == os.getsid(proc.pid):  # a session leader: the browser's
            with contextlib.suppress(OSError):
                Path(f"/proc/{proc.pid}/autogroup").write_text(str(nice))


# --- the report ---------------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    chromium = ""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        chromium = subprocess.run(
            [CHROMIUM, "--version"], capture_output=True, text=True, timeout=30
        ).stdout.strip()
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "chromium": chromium,
        "load_average_1min_at_start": os.getloadavg()[0],
    }


COLUMNS = (
    ("pages", "pages", "{:d}"),
    ("loaded", "pages_loaded", "{:d}"),
    ("p50 s", "latency_p50_s", "{:.2f}"),
    ("p95 s", "latency_p95_s", "{:.2f}"),
    ("max s", "latency_max_s", "{:.2f}"),
    ("srv p50 s", "server_compute_p50_s", "{:.2f}"),
    ("updates", "updates", "{:d}"),
    ("upd/s", "updates_per_s", "{:.2f}"),
    ("errors", "errors", "{:d}"),
    ("RSS0 MB", "server_rss_before_mb", "{:.0f}"),
    ("RSSmax MB", "server_rss_during_max_mb", "{:.0f}"),
    ("MB/page", "server_mb_per_page_during", "{:.1f}"),
    ("srv CPU", "server_core_share", "{:.0%}"),
    ("cli CPU", "client_core_share", "{:.0%}"),
    ("load s", "load_all_s", "{:.0f}"),
)


def table(levels: list[dict[str, Any]]) -> str:
    def cell(level: dict[str, Any], key: str, fmt: str) -> str:
        value = level.get(key)
        return "—" if value is None or value != value else fmt.format(value)

    rows = [[title for title, _, _ in COLUMNS]]
    rows += [[cell(level, key, fmt) for _, key, fmt in COLUMNS] for level in levels]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    return "\n".join(
        "  ".join(text.rjust(width) for text, width in zip(row, widths, strict=True))
        for row in rows
    )


def markdown(levels: list[dict[str, Any]]) -> str:
    """The headline columns as a Markdown table (for docs/benchmarks.md)."""

    def fmt(value: Any, spec: str) -> str:
        return "—" if value is None or value != value else format(value, spec)

    lines = [
        "| pages | p50 latency (s) | p95 latency (s) | updates | errors | server MB per page "
        "| server / client CPU (share of 2 cores) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for lv in levels:
        lines.append(
            f"| {lv['pages']} | {fmt(lv.get('latency_p50_s'), '.2f')} "
            f"| {fmt(lv.get('latency_p95_s'), '.2f')} | {lv.get('updates')} | {lv.get('errors')} "
            f"| {fmt(lv.get('server_mb_per_page_during'), '.1f')} "
            f"| {fmt(lv.get('server_core_share'), '.0%')} / "
            f"{fmt(lv.get('client_core_share'), '.0%')} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.dashboard_load",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--pages", type=int, nargs="+", default=[10, 25, 50])
    parser.add_argument("--seconds", type=float, default=60.0, help="slider phase per level")
    parser.add_argument("--think", type=float, default=0.5, help="mean pause between updates, s")
    parser.add_argument("--update-timeout", type=float, default=120.0, help="s, else an error")
    parser.add_argument("--browsers", type=int, default=2, help="Chromium processes (contexts)")
    parser.add_argument("--load-concurrency", type=int, default=4, help="pages loading at once")
    parser.add_argument("--client-nice", type=int, default=10, help="browsers' nice; 0 = off")
    parser.add_argument(
        "--animations", action="store_true", help="keep CSS animations (costly in the client)"
    )
    parser.add_argument(
        "--autogroup-nice", action="store_true", help="also renice the browsers' autogroups"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--chromium", default=CHROMIUM)
    parser.add_argument("--out", type=Path, help="write the results as JSON")
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    parser.add_argument("--quick", action="store_true", help="2 pages for 10 s (a smoke test)")
    args = parser.parse_args(argv)
    if args.quick:
        args.pages, args.seconds = [2], 10.0
    if not Path(args.chromium).is_file():
        parser.error(f"no Chromium at {args.chromium} (apt-get install chromium)")

    results: dict[str, Any] = {
        "machine": machine(),
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "levels": [],
    }
    with tempfile.TemporaryDirectory(prefix="moondust-load-") as tmp:
        for pages in args.pages:
            print(f"{pages} pages…", file=sys.stderr, flush=True)
            try:
                level = asyncio.run(run_level(pages, args, Path(tmp)))
            except Exception as error:  # keep the other levels
                level = {"pages": pages, "failed": f"{type(error).__name__}: {error}"}
            results["levels"].append(level)
            print(json.dumps(level), file=sys.stderr, flush=True)
            if args.out:  # after every level, so a long run keeps what it measured
                args.out.write_text(json.dumps(results, indent=2) + "\n")
    results["finished_utc"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n")
    done = [lv for lv in results["levels"] if "failed" not in lv]
    print(table(done))
    if args.markdown:
        print()
        print(markdown(done))
    for level in results["levels"]:
        if "failed" in level:
            print(f"{level['pages']} pages failed: {level['failed']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
