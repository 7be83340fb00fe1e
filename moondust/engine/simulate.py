"""The year pipeline and :func:`simulate` (docs/architecture.md, docs/model.md).

A year runs :data:`PIPELINE`, a fixed sequence of mechanism modules over arrays of shape
(runs, actors, …). Each follows one protocol (:mod:`moondust.engine.mechanism`): ``initial``
gives its own state at the start year, ``step`` advances it a year in place, and what it computes
for later mechanisms goes on ``state.now``.

There is no per-run Python loop: one scenario is a batch of size 1. Randomness is counter-based
(:mod:`~moondust.engine.random`), so run *i* is the same alone or in any batch.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import zlib
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from moondust.engine import (
    budget,
    conflict,
    crew,
    debris,
    events,
    fusion,
    imitation,
    levers,
    market,
    mining,
    missions,
    reactions,
    stations,
    targets,
    technology,
)
from moondust.engine.ladder import DOMAINS, load_ladder
from moondust.engine.mechanism import Mechanism, name_of
from moondust.engine.params import RunParameters, resolve
from moondust.engine.random import Stream, uniform
from moondust.engine.records import Recorder, assemble_results
from moondust.engine.state import FloatArray, Setting, State, initial_state
from moondust.engine_parameters import EngineParameters
from moondust.errors import MoondustError
from moondust.limits import check_outputs, check_runs
from moondust.results import Results
from moondust.world.blocs import bloc_class_of
from moondust.world.ids import BASE_YEAR
from moondust.world.scenario import Distribution, Scenario
from moondust.world.world import World, load_world

ProgressCallback = Callable[[int, int], None]
"""Called with (years done, years in total) after each simulated year."""

PIPELINE: tuple[Mechanism, ...] = (
    events,  # dated events: this year's blocs and sanctions -> now.sanction, same_bloc, …
    imitation,  # policy evolution: some actors copy a more successful one (optional)
    levers,  # each actor's levers from its policy and what it observes
    crew,  # M4 joint crews soften rivalries and raise spillovers -> now.rivalry, spillover_bonus
    budget,  # M1 economy, Richardson arms race, guns vs butter
    conflict,  # M7 counterspace stocks, incidents, ASAT tests -> now.asat_fragments
    debris,  # M7 the orbital commons
    targets,  # M3 the milestone each actor aims at on each track -> now.targets
    technology,  # M2 R&D, spillovers, coordination -> now.partners
    missions,  # M3 attempts, successes, heritage
    stations,  # M4 stations open and close, crews and foreign guests fly
    mining,  # M5 sites, miners, extraction, delivery
    market,  # M5b He-3 supply, demand, clearing price, sales and fuel
    fusion,  # M6 plants, energy, CO2 avoided
    reactions,  # M2 emulation and rivalry reactions (felt next year)
)
"""The year, in order (each a module following :class:`~moondust.engine.mechanism.Mechanism`)."""


def build_setting(scenario: Scenario, world: World | None = None) -> Setting:
    """The scenario's fixed inputs: the world of the start year with its overrides, relations and
    policies."""
    world = world if world is not None else load_world(scenario.simulation.start)
    if world.start != scenario.simulation.start:
        raise ValueError(
            f"the world describes {world.start} but the scenario starts in "
            f"{scenario.simulation.start}"
        )
    ladder = load_ladder()
    if ladder.ids != world.milestones:
        raise RuntimeError("engine ladder and world milestones disagree")
    p = scenario.engine_parameters
    ids = world.ids
    n = len(ids)

    civil = world.civil_usd_bn.copy()
    military = world.military_usd_bn.copy()
    growth = world.gdp_growth.copy()
    for actor, change in scenario.actors.items():
        i = ids.index(actor)
        if change.civil_usd_bn is not None:
            civil[i] = change.civil_usd_bn
        if change.military_usd_bn is not None:
            military[i] = change.military_usd_bn
        if change.gdp_growth_pct is not None:
            growth[i] = change.gdp_growth_pct / 100.0

    rivalry = world.rivalry.copy()
    sanction = world.sanction.copy()
    for a, b in scenario.relations.add_sanctions:
        sanction[ids.index(a), ids.index(b)] = sanction[ids.index(b), ids.index(a)] = True
    for a, b in scenario.relations.remove_sanctions:
        sanction[ids.index(a), ids.index(b)] = sanction[ids.index(b), ids.index(a)] = False
    for entry in scenario.relations.rivalry:
        i, j = ids.index(entry.a), ids.index(entry.b)
        rivalry[i, j] = rivalry[j, i] = entry.intensity
    np.fill_diagonal(rivalry, 0.0)
    np.fill_diagonal(sanction, False)

    artemis, ilrs = world.artemis, world.ilrs
    same_bloc = (artemis[:, None] & artemis[None, :]) | (ilrs[:, None] & ilrs[None, :])
    sanctions, blocs, artemis_by_year, ilrs_by_year = _dated_events(
        scenario, world, sanction, same_bloc
    )

    # Milestones last demonstrated long ago must be demonstrated again; their capability partly
    # remains (the latest demonstration counts: LRO 2009 and CAPSTONE 2022 renew the US orbiter).
    first_year = world.first_year
    lapsed = world.achieved & (
        world.last_year < scenario.simulation.start - p.capability_lapse_years
    )
    held = world.achieved & ~lapsed
    # Holding a milestone shows its prerequisites are held too (Japan's 2024 landing shows it can
    # still reach lunar orbit, although its 1990 orbiter has lapsed).
    for m in reversed(range(ladder.size)):
        needs = ladder.prerequisites[m]
        held[:, needs] |= held[:, [m]]
    levels = np.where(held[:, :, None], ladder.thresholds[None], 0.0).max(axis=1)
    lapsed_levels = np.where(lapsed[:, :, None], ladder.thresholds[None], 0.0).max(axis=1)
    capability = np.maximum(levels, p.lapse_retention * lapsed_levels)
    capability[:, DOMAINS.index("launch")] = np.maximum(
        capability[:, DOMAINS.index("launch")], 0.8 * world.has_launcher
    )
    capability[:, DOMAINS.index("crew")] = np.maximum(
        capability[:, DOMAINS.index("crew")], 1.0 * world.crewed_capable
    )
    capability = np.maximum(capability, 0.1)

    policies, policy_of_actor = _assign_policies(scenario, world)
    setting = Setting(
        actor_ids=ids,
        actor_names=world.names,
        start=scenario.simulation.start,
        end=scenario.simulation.end,
        civil0_usd_bn=civil,
        military0_usd_bn=military,
        gdp_growth=growth,
        artemis=artemis,
        ilrs=ilrs,
        rivalry=rivalry,
        sanction=sanction,
        same_bloc=same_bloc & ~np.eye(n, dtype=bool),
        achieved0=held,
        achieved_year0=np.where(held, first_year, np.nan),
        capability0=capability,
        # a partial landing (SLIM, IM-1, IM-2) is half a success and half a failure (docs/world.md)
        successes0=world.landing_effective_successes(0.5).astype(np.float64),
        failures0=world.landing_attempts - world.landing_effective_successes(0.5),
        roadmap_year=world.roadmap_year,
        policies=policies,
        policy_of_actor=policy_of_actor,
        ladder=ladder,
        sanction_by_year=sanctions,
        same_bloc_by_year=blocs,
        artemis_by_year=artemis_by_year,
        ilrs_by_year=ilrs_by_year,
    )
    return replace(setting, stations=stations.load_stations(setting))


def _dated_events(
    scenario: Scenario, world: World, sanction: NDArray[np.bool_], same_bloc: NDArray[np.bool_]
) -> tuple[NDArray[np.bool_], NDArray[np.bool_], NDArray[np.bool_], NDArray[np.bool_]]:
    """Blocs and sanctions of each year from the start to the last dated year (events mechanism).

    Year 0 is the start year's (``sanction`` and ``same_bloc`` after the scenario's changes); a
    later year adds the memberships and sanctions that began by then. The scenario's
    ``add_sanctions``/``remove_sanctions`` hold in every year.
    """
    start = scenario.simulation.start
    ids = world.ids
    n = len(ids)
    years = np.arange(start, max(start, BASE_YEAR) + 1)
    artemis = world.artemis[None] | (world.artemis_year[None] <= years[:, None])
    ilrs = world.ilrs[None] | (world.ilrs_year[None] <= years[:, None])
    blocs = (artemis[:, :, None] & artemis[:, None, :]) | (ilrs[:, :, None] & ilrs[:, None, :])
    blocs &= ~np.eye(n, dtype=bool)
    blocs[0] = same_bloc & ~np.eye(n, dtype=bool)
    sanctions = sanction[None] | (world.sanction_year[None] <= years[:, None, None])
    for a, b in scenario.relations.remove_sanctions:
        sanctions[:, ids.index(a), ids.index(b)] = sanctions[:, ids.index(b), ids.index(a)] = False
    sanctions &= ~np.eye(n, dtype=bool)
    sanctions[0] = sanction
    return sanctions, blocs, artemis, ilrs


def _assign_policies(scenario: Scenario, world: World) -> tuple[tuple, NDArray[np.int64]]:
    choices = scenario.policies
    built: dict[str, int] = {}
    policies: list = []
    assignment = np.zeros(len(world.ids), dtype=np.int64)
    for i, actor in enumerate(world.ids):
        bloc_class = bloc_class_of(bool(world.artemis[i]), bool(world.ilrs[i]))
        choice = choices.actors.get(actor) or choices.blocs.get(bloc_class) or choices.default  # type: ignore[call-overload]
        key = choice.model_dump_json()
        if key not in built:
            built[key] = len(policies)
            policies.append(choice.build())
        assignment[i] = built[key]
    return tuple(policies), assignment


def sample_uncertainties(
    uncertainties: dict[str, Distribution],
    seed: int,
    run_index: NDArray[np.int64],
    ranges: Mapping[str, Distribution] | None = None,
) -> dict[str, FloatArray]:
    """Per-run draws of the uncertain parameters (counter-based, keyed by run).

    Each is :meth:`~moondust.world.scenario.Distribution.ppf` of the run's uniform draw, so a
    normal is truncated to the parameter's validity bounds. A scenario's own ``uncertainties``
    draw from :attr:`Stream.UNCERTAINTY` indexed by their sorted position (as they always have);
    the documented ``ranges`` of ``uncertainty = "full"`` from :attr:`Stream.PARAMETER_RANGES`
    indexed by :func:`parameter_key`, so adding a parameter to a table never changes another's
    draws, and run *i* gets the same values alone or in any batch.
    """
    samples: dict[str, FloatArray] = {}
    for k, (name, dist) in enumerate(sorted(uncertainties.items())):
        u = uniform(seed, run_index, 0, Stream.UNCERTAINTY, k)
        samples[name] = dist.ppf(u, parameter=name)
    for name, dist in sorted((ranges or {}).items()):
        u = uniform(seed, run_index, 0, Stream.PARAMETER_RANGES, parameter_key(name))
        if dist.dist == "uniform" and dist.low is not None and dist.high is not None:
            samples[name] = dist.low + u * (dist.high - dist.low)  # scipy's ppf, without its cost
        else:
            samples[name] = dist.ppf(u, parameter=name)
    return samples


def parameter_key(name: str) -> int:
    """A parameter's own index into :attr:`Stream.PARAMETER_RANGES`: CRC-32 of its name."""
    return zlib.crc32(name.encode("utf-8"))


RUNS_PER_THREAD = 100
"""Fewest runs worth a thread of their own: below it, the per-year Python work of a second block
costs more than its kernels save."""


def default_threads(runs: int) -> int:
    """Threads for a batch: ``MOONDUST_THREADS`` if set; 1 inside a worker process (its pool
    already uses the cores); else one per core, but no fewer than :data:`RUNS_PER_THREAD` runs each.
    """
    text = os.environ.get("MOONDUST_THREADS", "").strip()
    if text:
        return max(1, int(text))
    if multiprocessing.parent_process() is not None:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, runs // RUNS_PER_THREAD))


def run_batch(
    setting: Setting,
    parameters: RunParameters,
    run_index: NDArray[np.int64],
    seed: int,
    progress: ProgressCallback | None = None,
    threads: int = 1,
) -> tuple[FloatArray, Recorder]:
    """Simulate a batch of runs from the start year to the end year.

    With ``threads`` > 1 the runs are cut into that many contiguous blocks simulated side by side
    (the kernels release the GIL); runs never interact, so every run is the same either way.

    Returns
    -------
    tuple
        The year each milestone was first achieved (R, N, M; NaN if never) and the yearly records.
    """
    runs = run_index.size
    recorder = Recorder(runs, setting, mining.load_sites(parameters), stations.table_of(setting))
    milestone_year = np.empty((runs, setting.n_actors, setting.ladder.size))
    bounds = np.linspace(0, runs, max(1, min(threads, runs)) + 1).astype(int)
    blocks = [slice(int(a), int(b)) for a, b in itertools.pairwise(bounds)]

    def simulate_block(block: slice, report: ProgressCallback | None) -> None:
        state = _run_years(
            setting,
            RunParameters(parameters).block(block),
            run_index[block],
            seed,
            recorder.part(block),
            report,
        )
        milestone_year[block] = state.achieved_year

    if len(blocks) == 1:
        simulate_block(blocks[0], progress)
    else:
        with ThreadPoolExecutor(len(blocks) - 1, thread_name_prefix="moondust-runs") as pool:
            others = [pool.submit(simulate_block, block, None) for block in blocks[1:]]
            simulate_block(blocks[0], progress)  # here, so progress is reported on this thread
            for other in others:
                other.result()
    return milestone_year, recorder


def _run_years(
    setting: Setting,
    parameters: RunParameters,
    run_index: NDArray[np.int64],
    seed: int,
    recorder: Recorder,
    progress: ProgressCallback | None,
) -> State:
    """The year pipeline for one block of runs, recording each year; returns the final state."""
    state = initial_state(setting, run_index, seed)
    for mechanism in PIPELINE:
        own = mechanism.initial(setting, parameters, run_index.size)
        if own is not None:
            setattr(state, name_of(mechanism), own)
    recorder.record(0, state)
    years = setting.years
    for t, year in enumerate(years[1:], start=1):
        state.year = int(year)
        for mechanism in PIPELINE:
            mechanism.step(state, setting, parameters)
        recorder.record(t, state)
        if progress is not None:
            progress(t, years.size - 1)
    return state


def simulate(
    scenario: Scenario,
    runs: int | None = None,
    seed: int | None = None,
    first_run: int = 0,
    progress: ProgressCallback | None = None,
    world: World | None = None,
    inputs: Mapping[str, ArrayLike] | None = None,
    streams: ArrayLike | None = None,
    threads: int | None = None,
) -> Results:
    """Run a scenario as a Monte Carlo batch.

    Parameters
    ----------
    scenario
        A validated :class:`~moondust.world.scenario.Scenario` (see :func:`moondust.load_scenario`).
    runs
        Number of runs (default: the scenario's).
    seed
        Seed of the random streams (default: the scenario's).
    first_run
        Global index of the first run: run *k* is identical whether simulated alone
        (``first_run=k, runs=1``) or inside any larger batch.
    progress
        Optional callback ``(years_done, years_total)``.
    world
        The 2025 world (default: the packaged data).
    inputs
        Per-run values of engine parameters, each an array of length ``runs`` (e.g. a Latin
        hypercube drawn for a whole sweep). They replace the scenario's sampling of the same
        names; other uncertainties (and, under ``uncertainty = "full"``, the other documented
        parameter ranges) are still sampled per run.
    streams
        The random stream of each run, an array of length ``runs`` of indices ≥ 0 (default: the
        run's own index). Runs that share a stream share every random draw — common random
        numbers, so that differences between them come from their inputs alone (sensitivity
        analysis uses this). The uncertainties' own sampling still follows the run index.
    threads
        Threads simulating blocks of runs side by side (default: :func:`default_threads`). The
        results do not depend on it.

    Returns
    -------
    Results
        ``Results.dataset`` has dims ``run`` (global indices), ``actor``, ``year`` and more.
    """
    runs = scenario.simulation.runs if runs is None else int(runs)
    seed = scenario.simulation.seed if seed is None else int(seed)
    check_runs(runs, seed, first_run)
    setting = build_setting(scenario, world)
    run_index = np.arange(first_run, first_run + runs, dtype=np.int64)
    if "mining_sites" in (inputs or {}):  # a scenario's uncertainties were checked already
        raise MoondustError("mining_sites sets the site table and cannot vary between runs")
    ranges = {  # uncertainty = "full": the documented ranges; inputs replace their sampling
        name: dist
        for name, dist in scenario.sampled_uncertainties().items()
        if name not in scenario.uncertainties and name not in (inputs or {})
    }
    varying = sample_uncertainties(scenario.uncertainties, seed, run_index, ranges)
    for name, values in (inputs or {}).items():
        if name not in EngineParameters.model_fields:
            raise MoondustError(f"unknown engine parameter {name!r} in inputs")
        array = np.asarray(values, dtype=np.float64).reshape(-1)
        if array.size != runs:
            raise ValueError(f"inputs[{name!r}] has {array.size} values for {runs} runs")
        bounds = EngineParameters.validity(name)
        outside = [value for value in array if not bounds.contains(value)]
        if outside:
            raise MoondustError(
                f"inputs[{name!r}]: {len(outside)} value(s) outside the parameter's validity "
                f"bounds {bounds}, e.g. {outside[0]!r}"
            )
        varying[name] = array
    parameters = resolve(scenario.engine_parameters, runs, varying)
    stream_index = run_index
    if streams is not None:
        stream_index = np.asarray(streams, dtype=np.int64).reshape(-1)
        if stream_index.size != runs or (stream_index < 0).any():
            raise ValueError(f"streams must be {runs} indices ≥ 0")
    threads = default_threads(runs) if threads is None else max(1, int(threads))
    milestone_year, recorder = run_batch(setting, parameters, stream_index, seed, progress, threads)
    results = assemble_results(
        scenario, setting, milestone_year, recorder, run_index, seed, varying
    )
    check_outputs(results.dataset)
    return results
