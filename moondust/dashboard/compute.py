"""Ensembles for the explorer: simulated off the UI thread, reduced to what the graphs draw.

The engine's full dataset for 200 runs is tens of megabytes; the explorer needs a few quantiles.
:func:`simulate_chunk` runs a slice of the runs (``first_run`` makes run *k* identical in any
slice) and keeps per-run series only: He-3 delivered, military spending, debris, CO2 avoided,
who was first, milestone years and site holders. :class:`EnsembleService` splits an update into
one chunk per worker process, waits for them while checking that the request is still current
(a newer slider value cancels the chunks not yet started), merges the chunks into an
:class:`Ensemble` of quantiles and keeps the last ones in a cache shared by every browser tab.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

import numpy as np

from moondust.results import band_label
from moondust.world.blocs import BLOC_CLASSES, BlocClass
from moondust.world.scenario import Scenario, parse_scenario

QUANTILES: tuple[float, float, float] = (0.1, 0.5, 0.9)
"""The band (10–90 %) and the median drawn on every time series."""
SERIES_BLOCS: tuple[str, ...] = ("artemis", "ilrs", "other")
"""How time series are split: the two blocs, and everyone else (both blocs or neither)."""
FIRST_CLASSES: tuple[str, ...] = (*BLOC_CLASSES, BlocClass.NOBODY)
"""Who can be first to deliver He-3 (``BlocClass.NOBODY``: not delivered within the horizon)."""
RACE = "he3_delivered"
"""The milestone whose first deliverer the race graph shows (commercial He-3 reaches Earth)."""
MARKER_MILESTONES: tuple[str, ...] = ("crewed_landing", "he3_delivered", "fusion_demo")
"""Milestones marked on the time axis (median year anyone first reaches them)."""
MAX_CACHE = 64
"""Ensembles kept in memory (each is a few hundred kilobytes)."""


@dataclass(frozen=True, eq=False)
class Chunk:
    """Per-run series for a slice of runs (small enough to send between processes)."""

    years: np.ndarray
    he3_kg: np.ndarray  # (run, bloc, year) cumulative He-3 delivered
    military: np.ndarray  # (run, bloc, year) USD bn/yr
    debris: np.ndarray  # (run, year) objects >= 10 cm in LEO
    co2_mt: np.ndarray  # (run, year) cumulative CO2 avoided
    first: np.ndarray  # (run, class) credit for being first to deliver He-3
    earliest: np.ndarray  # (run, marker milestone) first year anyone reaches it, NaN if nobody
    holder: np.ndarray  # (run, site, year) actor index holding the site, -1 unclaimed
    actors: tuple[str, ...]
    actor_blocs: tuple[str, ...]
    site_names: tuple[str, ...]
    site_lat: np.ndarray
    site_lon: np.ndarray
    site_he3_kg: np.ndarray


def simulate_chunk(scenario_data: dict[str, Any], first_run: int, runs: int, seed: int) -> Chunk:
    """Simulate ``runs`` runs from ``first_run`` and keep what the explorer draws."""
    from moondust.engine.simulate import simulate

    scenario = parse_scenario(scenario_data, source="explorer", allow_import=False)
    results = simulate(scenario, runs=runs, seed=seed, first_run=first_run)
    ds = results.dataset
    blocs = np.asarray(ds["bloc"].values).astype(str)
    groups = [blocs == "artemis", blocs == "ilrs", ~np.isin(blocs, ["artemis", "ilrs"])]

    def by_bloc(name: str) -> np.ndarray:
        values = np.asarray(ds[name].transpose("run", "actor", "year").values, dtype=float)
        return np.stack([values[:, mask, :].sum(axis=1) for mask in groups], axis=1)

    credit = results.first_credit().sel(milestone=RACE).transpose("run", "actor").values
    first = np.zeros((runs, len(FIRST_CLASSES)))
    for k, kind in enumerate(FIRST_CLASSES[:-1]):
        first[:, k] = credit[:, blocs == kind].sum(axis=1)
    first[:, -1] = np.clip(1.0 - first[:, :-1].sum(axis=1), 0.0, 1.0)
    start = int(ds.attrs["start"])
    years_reached = ds["milestone_year"].sel(milestone=list(MARKER_MILESTONES))
    reached = years_reached.where(years_reached > start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        earliest = np.asarray(reached.min("actor").transpose("run", "milestone").values, float)
    co2 = np.asarray(ds["co2_avoided_mt"].sum("actor").transpose("run", "year").values, float)
    return Chunk(
        years=np.asarray(ds["year"].values, dtype=int),
        he3_kg=np.cumsum(by_bloc("he3_delivered_kg"), axis=2),
        military=by_bloc("military_usd_bn"),
        debris=np.asarray(ds["debris"].transpose("run", "year").values, dtype=float),
        co2_mt=np.cumsum(co2, axis=1),
        first=first,
        earliest=earliest,
        holder=np.asarray(ds["site_holder"].transpose("run", "site", "year").values, np.int16),
        actors=tuple(str(a) for a in ds["actor"].values),
        actor_blocs=tuple(str(b) for b in blocs),
        site_names=tuple(str(n) for n in ds["site_name"].values),
        site_lat=np.asarray(ds["site_lat"].values, dtype=float),
        site_lon=np.asarray(ds["site_lon"].values, dtype=float),
        site_he3_kg=np.asarray(ds["site_he3_kg"].values, dtype=float),
    )


@dataclass(frozen=True, eq=False)
class Ensemble:
    """Quantiles over runs of what the explorer draws, for one scenario, runs and seed.

    Time series have the quantiles :data:`QUANTILES` on their second-to-last axis.
    """

    name: str
    digest: str
    runs: int
    seed: int
    years: np.ndarray
    he3_t: np.ndarray  # (bloc, quantile, year) cumulative He-3 delivered, tonnes
    military: np.ndarray  # (bloc, quantile, year) USD bn/yr
    debris: np.ndarray  # (quantile, year)
    co2_mt: np.ndarray  # (quantile, year) cumulative
    p_first: dict[str, float]
    milestone_year: dict[str, float]  # median first year over runs where someone reached it
    milestone_share: dict[str, float]  # share of runs where someone reached it
    totals: dict[str, tuple[float, float, float]]
    site_counts: np.ndarray  # (site, year, actor + 1): runs where actor k - 1 holds the site
    actors: tuple[str, ...]
    actor_blocs: tuple[str, ...]
    site_names: tuple[str, ...]
    site_lat: np.ndarray
    site_lon: np.ndarray
    site_he3_kg: np.ndarray
    seconds: float = 0.0
    band: str = "chance only"
    """What the bands span: chance only, or chance + parameter uncertainty
    (:func:`moondust.results.band_label`)."""


def merge(chunks: list[Chunk], scenario: Scenario, seed: int, seconds: float) -> Ensemble:
    """Quantiles over all runs of the chunks."""
    first = chunks[0]

    def cat(name: str) -> np.ndarray:
        return np.concatenate([getattr(c, name) for c in chunks], axis=0)

    q = np.asarray(QUANTILES)
    he3, military, debris, co2 = cat("he3_kg"), cat("military"), cat("debris"), cat("co2_mt")
    credit, earliest, holder = cat("first"), cat("earliest"), cat("holder")
    runs = he3.shape[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        milestone_year = {
            m: float(np.nanmedian(earliest[:, k])) for k, m in enumerate(MARKER_MILESTONES)
        }
    race_years = earliest[:, MARKER_MILESTONES.index(RACE)]
    reached = race_years[np.isfinite(race_years)]
    counts = np.stack(
        [(holder == k).sum(axis=0) for k in range(-1, len(first.actors))], axis=-1
    ).astype(np.int16)
    military_cum = military[:, :, 1:].sum(axis=(1, 2))

    def band(values: np.ndarray) -> tuple[float, float, float]:
        if values.size == 0:
            return (float("nan"),) * 3
        low, mid, high = np.quantile(values, q)
        return float(low), float(mid), float(high)

    return Ensemble(
        name=scenario.name,
        digest=scenario.digest(),
        runs=runs,
        seed=seed,
        years=first.years,
        he3_t=np.moveaxis(np.quantile(he3 / 1000.0, q, axis=0), 0, 1),
        military=np.moveaxis(np.quantile(military, q, axis=0), 0, 1),
        debris=np.quantile(debris, q, axis=0),
        co2_mt=np.quantile(co2, q, axis=0),
        p_first={k: float(credit[:, i].mean()) for i, k in enumerate(FIRST_CLASSES)},
        milestone_year=milestone_year,
        milestone_share={
            m: float(np.isfinite(earliest[:, k]).mean()) for k, m in enumerate(MARKER_MILESTONES)
        },
        totals={
            "he3_t_end": band(he3[:, :, -1].sum(axis=1) / 1000.0),
            "military_cum_usd_bn": band(military_cum),
            "debris_end": band(debris[:, -1]),
            "co2_mt_end": band(co2[:, -1]),
            "first_he3_year": band(reached),
        },
        site_counts=counts,
        actors=first.actors,
        actor_blocs=first.actor_blocs,
        site_names=first.site_names,
        site_lat=first.site_lat,
        site_lon=first.site_lon,
        site_he3_kg=first.site_he3_kg,
        seconds=seconds,
        band=band_label(scenario.simulation.uncertainty, len(scenario.uncertainties)),
    )


def _watch_parent(parent: int) -> None:
    """End this worker when the server that started it is gone (killed without cleanup)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(0)


def _warm() -> None:
    """Worker start-up: import the engine and fill its data caches with a one-run simulation."""
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    from moondust.world.scenario import load_scenario

    scenario = load_scenario("baseline", allow_import=False)
    data = scenario.model_dump()
    data["simulation"] = {**data["simulation"], "end": 2027}
    simulate_chunk(data, 0, 1, 0)


def default_workers() -> int:
    """Worker processes: ``MOONDUST_DASHBOARD_WORKERS`` if set (0: compute in the calling
    thread), else one per core, at most 2."""
    text = os.environ.get("MOONDUST_DASHBOARD_WORKERS", "").strip()
    if text:
        return max(0, int(text))
    return max(1, min(2, os.cpu_count() or 1))


class EnsembleService:
    """Computes ensembles in worker processes, cancels stale ones, caches recent ones.

    Parameters
    ----------
    workers
        Worker processes (0: compute in the calling thread). Default: :func:`default_workers`.
    """

    def __init__(self, workers: int | None = None, cache_size: int = MAX_CACHE) -> None:
        self.workers = default_workers() if workers is None else workers
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple[str, int, int], Ensemble] = OrderedDict()
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self.cancelled = 0
        self.computed = 0

    # --- the pool ------------------------------------------------------------------------------
    def _get_pool(self) -> ProcessPoolExecutor | None:
        if self.workers == 0:
            return None
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_warm,
                )
            return self._pool

    def warm(self) -> None:
        """Start the worker processes now (each imports the engine), not on the first update."""
        pool = self._get_pool()
        if pool is not None:
            for done in [pool.submit(time.sleep, 0.2) for _ in range(self.workers)]:
                done.result()

    def shutdown(self) -> None:
        """Stop the worker processes."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    # --- ensembles -----------------------------------------------------------------------------
    def cached(self, scenario: Scenario, runs: int) -> Ensemble | None:
        """The ensemble if it is in the cache."""
        key = (scenario.digest(), runs, scenario.simulation.seed)
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
            return found

    def ensemble(
        self,
        scenario: Scenario,
        runs: int,
        is_current: Callable[[], bool] | None = None,
    ) -> Ensemble | None:
        """The ensemble of ``runs`` runs (seed: the scenario's), or None if it became stale.

        ``is_current`` is polled while the chunks run; when it turns false the chunks that have
        not started are cancelled and None is returned.
        """
        found = self.cached(scenario, runs)
        if found is not None:
            return found
        seed = scenario.simulation.seed
        data = scenario.model_dump()
        started = time.perf_counter()
        pool = self._get_pool()
        if pool is None:
            chunks = [simulate_chunk(data, 0, runs, seed)]
        else:
            parts = _split(runs, self.workers)
            try:
                futures = [pool.submit(simulate_chunk, data, a, n, seed) for a, n in parts]
                chunks_or_none = self._wait(futures, is_current)
            except BrokenProcessPool:  # a worker died (out of memory?): start a new pool
                self.shutdown()
                return self.ensemble(scenario, runs, is_current)
            if chunks_or_none is None:
                return None
            chunks = chunks_or_none
        result = merge(chunks, scenario, seed, time.perf_counter() - started)
        key = (result.digest, runs, seed)
        with self._lock:
            self.computed += 1
            self._cache[key] = result
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return result

    def _wait(
        self, futures: list[Future[Chunk]], is_current: Callable[[], bool] | None
    ) -> list[Chunk] | None:
        pending = set(futures)
        while pending:
            _, pending = wait(pending, timeout=0.02)
            if pending and is_current is not None and not is_current():
                for future in futures:
                    future.cancel()
                with self._lock:
                    self.cancelled += 1
                return None
        return [f.result() for f in futures]


def _split(runs: int, workers: int) -> list[tuple[int, int]]:
    """(first_run, runs) slices: one per worker, none smaller than 10 runs."""
    parts = max(1, min(workers, runs // 10))
    sizes = [runs // parts + (1 if k < runs % parts else 0) for k in range(parts)]
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    return [(int(a), int(n)) for a, n in zip(starts, sizes, strict=True)]


_SERVICE: EnsembleService | None = None
_SERVICE_LOCK = threading.Lock()


def service() -> EnsembleService:
    """The process-wide service shared by every browser tab."""
    global _SERVICE
    with _SERVICE_LOCK:
        if _SERVICE is None:
            _SERVICE = EnsembleService()
            atexit.register(_SERVICE.shutdown)
        return _SERVICE
