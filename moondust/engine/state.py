"""The engine's inputs and state: arrays over (runs, actors, …), nothing else.

:class:`Setting` is what a scenario fixes for all runs (the world's 2025 data after overrides,
relations, the ladder). :class:`State` is what changes year by year; every array's first axis is
the run, the second the actor. Mechanism modules read a ``State`` and update it in place, each with
its own documented contract, in the order ``engine/simulate.py`` owns.

New mechanisms (stations, mining, fusion, conflict, debris) add their own fields here and their own
module; existing fields keep their meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from moondust.engine.jit import kernel
from moondust.engine.ladder import DOMAINS, Ladder
from moondust.world.policies import Levers, Policy

if TYPE_CHECKING:  # the station table is built from a Setting by its own mechanism module
    from moondust.engine.stations import StationTable

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]


_Scalar = TypeVar("_Scalar", bound=np.generic)


def writable(values: NDArray[Any], dtype: type[_Scalar]) -> NDArray[_Scalar]:
    """``values`` itself when a kernel may update it in place (of ``dtype``, C-contiguous and
    writeable), else a contiguous copy: mechanisms update state arrays in place rather than
    allocate new ones every year."""
    out: NDArray[_Scalar] = np.ascontiguousarray(values, dtype=dtype)
    return out if out.flags.writeable else out.copy()


def pairwise_sum(values: FloatArray, weights: FloatArray) -> FloatArray:
    """``Σ_j weights[i, j] · values[r, j]`` for every run r and actor i, shape (R, N).

    ``weights`` is (N, N), or (R, N, N) when it differs between runs. Each sum runs over j in
    order, run by run, so run *i* comes out bit-identical alone or in any batch (BLAS behind ``@``
    may sum in a different order for different batch sizes).
    """
    values = np.ascontiguousarray(values, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    if weights.ndim == 2:
        weights = np.broadcast_to(weights, (values.shape[0], *weights.shape))
    return _pairwise_sum(values, weights)


@kernel
def _pairwise_sum(values, weights):  # type: ignore[no-untyped-def]
    runs, n = values.shape
    out = np.zeros((runs, weights.shape[1]))
    for r in range(runs):
        for i in range(weights.shape[1]):
            total = 0.0
            for j in range(n):
                total += weights[r, i, j] * values[r, j]
            out[r, i] = total
    return out


@dataclass(frozen=True)
class Setting:
    """Everything fixed across runs and years (shapes: N actors, M milestones)."""

    actor_ids: tuple[str, ...]
    actor_names: tuple[str, ...]
    start: int
    end: int
    civil0_usd_bn: FloatArray
    military0_usd_bn: FloatArray
    gdp_growth: FloatArray
    artemis: BoolArray
    ilrs: BoolArray
    rivalry: FloatArray
    """Rivalry intensity w_ij in [0, 1], symmetric, zero diagonal (N, N)."""
    sanction: BoolArray
    same_bloc: BoolArray
    achieved0: BoolArray
    """Milestones held at the start (not lapsed), (N, M)."""
    achieved_year0: FloatArray
    capability0: FloatArray
    """Capability stocks at the start (N, K)."""
    successes0: FloatArray
    failures0: FloatArray
    roadmap_year: FloatArray
    """Announced year of each milestone, NaN if none (N, M)."""
    policies: tuple[Policy, ...]
    policy_of_actor: NDArray[np.int64]
    ladder: Ladder
    stations: StationTable | None = None
    """The stations mapped onto the actors (:func:`moondust.engine.stations.load_stations`);
    :func:`~moondust.engine.simulate.build_setting` always sets it."""
    sanction_by_year: BoolArray | None = None
    """Sanctions in force each year from the start year to the last dated year (T, N, N)
    (:mod:`~moondust.engine.events`); None: :attr:`sanction` every year."""
    same_bloc_by_year: BoolArray | None = None
    """Same-bloc pairs each year (T, N, N); None: :attr:`same_bloc` every year."""
    artemis_by_year: BoolArray | None = None
    """Artemis Accords membership each year (T, N); None: :attr:`artemis` every year."""
    ilrs_by_year: BoolArray | None = None
    """ILRS membership each year (T, N); None: :attr:`ilrs` every year."""

    def events_in(self, year: int) -> tuple[BoolArray, BoolArray, BoolArray, BoolArray]:
        """Sanctions, same-bloc pairs, Artemis and ILRS members in ``year``: the dated arrays'
        entry for the year (the last one after the last dated year), or the start year's values
        when the setting has no dated events."""
        if (
            self.sanction_by_year is None
            or self.same_bloc_by_year is None
            or self.artemis_by_year is None
            or self.ilrs_by_year is None
        ):
            return self.sanction, self.same_bloc, self.artemis, self.ilrs
        t = min(max(year - self.start, 0), self.sanction_by_year.shape[0] - 1)
        return (
            self.sanction_by_year[t],
            self.same_bloc_by_year[t],
            self.artemis_by_year[t],
            self.ilrs_by_year[t],
        )

    @property
    def n_actors(self) -> int:
        """Number of actors N."""
        return len(self.actor_ids)

    @property
    def years(self) -> NDArray[np.int64]:
        """Simulated calendar years."""
        return np.arange(self.start, self.end + 1)

    @property
    def military_share0(self) -> FloatArray:
        """2025 military share of each actor's space envelope."""
        total = self.civil0_usd_bn + self.military0_usd_bn
        return np.divide(self.military0_usd_bn, total, out=np.zeros_like(total), where=total > 0)


@dataclass
class ThisYear:
    """What one mechanism computes in a year for the mechanisms after it in the pipeline.

    Each field is written by exactly one mechanism (named below) before any other reads it, so
    the year's data flow is visible on the state rather than in the loop's locals.
    """

    rivalry: FloatArray
    """Rivalry weights this year, (N, N) or (R, N, N), after crew links' relief
    (:mod:`~moondust.engine.crew`)."""
    spillover_bonus: FloatArray | None = None
    """Crew links' spillover bonus (R, N, N), or None when no link has effect
    (:mod:`~moondust.engine.crew`)."""
    asat_fragments: FloatArray = field(default_factory=lambda: np.zeros(0))
    """Fragments ≥ 10 cm from this year's destructive ASAT tests (R,)
    (:mod:`~moondust.engine.conflict`)."""
    targets: IntArray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    """Milestone each actor aims at this year, −1 for none (R, N)
    (:mod:`~moondust.engine.targets`)."""
    partners: BoolArray = field(default_factory=lambda: np.zeros((0, 0, 0), dtype=bool))
    """Coordination partners this year (R, N, N) (:mod:`~moondust.engine.technology`)."""
    sanction: BoolArray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))
    """Sanctions in force this year (N, N) (:mod:`~moondust.engine.events`)."""
    same_bloc: BoolArray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))
    """Pairs in a common bloc this year (N, N) (:mod:`~moondust.engine.events`)."""
    artemis: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    """Artemis Accords members this year (N,) (:mod:`~moondust.engine.events`)."""
    ilrs: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    """ILRS members this year (N,) (:mod:`~moondust.engine.events`)."""


@dataclass
class State:
    """What changes year to year, for R runs and N actors (K domains, M milestones)."""

    year: int
    seed: int
    """Seed of the counter-based random streams."""
    run_index: NDArray[np.int64]
    """Global run indices, shape (R, 1): the key of every random draw."""
    gdp_index: FloatArray
    envelope_usd_bn: FloatArray
    """Baseline space envelope (civil + military at 2025 shares, grown with the economy)."""
    military_share: FloatArray
    civil_usd_bn: FloatArray
    military_usd_bn: FloatArray
    lunar_rd_usd_bn: FloatArray
    mission_fund_usd_bn: FloatArray
    civil_surge: FloatArray
    threat: FloatArray
    learning: FloatArray
    capability: FloatArray
    achieved: BoolArray
    achieved_year: FloatArray
    new_milestones: NDArray[np.int64]
    """Milestones achieved this year, per actor (R, N)."""
    attempted: NDArray[np.int64]
    """Milestone attempted this year (index), −1 for none (R, N)."""
    successes: FloatArray
    failures: FloatArray
    policy_id: NDArray[np.int64]
    levers: Levers = field(default_factory=dict)
    cumulative_civil_usd_bn: FloatArray = field(default_factory=lambda: np.zeros(0))
    cumulative_military_usd_bn: FloatArray = field(default_factory=lambda: np.zeros(0))
    now: ThisYear = field(default_factory=lambda: ThisYear(rivalry=np.zeros((0, 0))))
    """This year's values passed between mechanisms (:class:`ThisYear`)."""
    levers_policy_id: Any = None
    """The ``policy_id`` array :attr:`levers` were computed for (:mod:`~moondust.engine.levers`)."""
    # A mechanism with state of its own keeps it in one object defined in its module, returned by
    # its ``initial`` and stored here under the module's name by the engine.
    budget: Any = None
    stations: Any = None
    conflict: Any = None
    debris: Any = None
    mining: Any = None
    market: Any = None
    fusion: Any = None

    @property
    def runs(self) -> int:
        """Number of runs R in this batch."""
        return int(self.run_index.shape[0])


def initial_state(setting: Setting, run_index: NDArray[np.int64], seed: int) -> State:
    """The state at the start year for the given global run indices."""
    runs = run_index.size
    n = setting.n_actors
    m = setting.ladder.size

    def tile(values: FloatArray) -> FloatArray:
        return np.broadcast_to(values, (runs, *values.shape)).astype(np.float64, copy=True)

    envelope = setting.civil0_usd_bn + setting.military0_usd_bn
    zeros = np.zeros((runs, n))
    return State(
        year=setting.start,
        seed=seed,
        run_index=run_index.reshape(runs, 1).astype(np.int64),
        gdp_index=np.ones((runs, n)),
        envelope_usd_bn=tile(envelope),
        military_share=tile(setting.military_share0),
        civil_usd_bn=tile(setting.civil0_usd_bn),
        military_usd_bn=tile(setting.military0_usd_bn),
        lunar_rd_usd_bn=zeros.copy(),
        mission_fund_usd_bn=zeros.copy(),
        civil_surge=zeros.copy(),
        threat=zeros.copy(),
        learning=zeros.copy(),
        capability=tile(setting.capability0),
        achieved=np.broadcast_to(setting.achieved0, (runs, n, m)).copy(),
        achieved_year=tile(setting.achieved_year0),
        new_milestones=np.zeros((runs, n), dtype=np.int64),
        attempted=np.full((runs, n), -1, dtype=np.int64),
        successes=tile(setting.successes0),
        failures=tile(setting.failures0),
        policy_id=np.broadcast_to(setting.policy_of_actor, (runs, n)).copy(),
        now=ThisYear(
            rivalry=setting.rivalry,
            sanction=setting.sanction,
            same_bloc=setting.same_bloc,
            artemis=setting.artemis,
            ilrs=setting.ilrs,
        ),
        cumulative_civil_usd_bn=zeros.copy(),
        cumulative_military_usd_bn=zeros.copy(),
    )


__all__ = ["DOMAINS", "Setting", "State", "ThisYear", "initial_state"]
