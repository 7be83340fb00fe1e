"""The shared mechanism harness: every module of the year pipeline meets the same contracts.

Each mechanism in :data:`moondust.engine.simulate.PIPELINE` is stepped from a realistic state (the
asymmetric scenario after some years, parameters varying between runs) and must:

- follow the protocol: ``initial(setting, p, runs)`` gives its own state (kept on ``State`` under
  the module's name) or None, ``step(state, setting, p)`` returns None;
- be batch invariant: a step on a batch equals, bit for bit, the step on each run alone (and so
  any chunking or thread count, which only cut the batch into blocks);
- be deterministic: two steps from the same state agree bit for bit;
- make no NaN: a float array has NaN after a step only where it had NaN before (NaN means
  "never" in a few year fields, e.g. ``achieved_year``).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from moondust.engine.mechanism import name_of
from moondust.engine.params import RunParameters, resolve
from moondust.engine.simulate import PIPELINE, build_setting
from moondust.engine.state import Setting, State, initial_state
from moondust.engine_parameters import EngineParameters
from moondust.parameters import load_specs
from moondust.world.scenario import load_scenario

RUNS = 5
YEARS_BEFORE = 22
"""Years simulated before the step under test (to 2047: stations, mining and missions active)."""

TABLES = ("engine", "stations", "mining", "fusion", "conflict")
FIXED = {"mining_sites"}
"""Parameters that cannot vary between runs (the site table is one for all runs)."""


def _parameters(setting: Setting, runs: int) -> RunParameters:
    """Every parameter with a documented range drawn uniformly in it, run by run, so that a
    kernel mixing runs up (reading run 0's value for all, say) shows."""
    rng = np.random.default_rng(11)
    varying = {
        name: rng.uniform(spec.low, spec.high, runs)
        for table in TABLES
        for name, spec in load_specs(table).items()
        if name in EngineParameters.model_fields and spec.low < spec.high and name not in FIXED
    }
    return resolve(load_scenario("asymmetric").engine_parameters, runs, varying)


def _start(setting: Setting, p: RunParameters, run_index: np.ndarray) -> State:
    state = initial_state(setting, run_index, seed=5)
    for mechanism in PIPELINE:
        own = mechanism.initial(setting, p, run_index.size)
        if own is not None:
            setattr(state, name_of(mechanism), own)
    return state


@pytest.fixture(scope="module")
def setting() -> Setting:
    return build_setting(load_scenario("asymmetric"))


@pytest.fixture(scope="module")
def parameters(setting: Setting) -> RunParameters:
    return _parameters(setting, RUNS)


@pytest.fixture(scope="module")
def started(setting: Setting, parameters: RunParameters) -> State:
    """The state after :data:`YEARS_BEFORE` years of the whole pipeline."""
    assert setting.n_actors != RUNS, "the harness tells runs from actors by their count"
    state = _start(setting, parameters, np.arange(RUNS, dtype=np.int64))
    for year in range(setting.start + 1, setting.start + 1 + YEARS_BEFORE):
        state.year = year
        for mechanism in PIPELINE:
            mechanism.step(state, setting, parameters)
    return state


def _arrays(value: Any, path: str = "state") -> Iterator[tuple[str, np.ndarray]]:
    """Every NumPy array reachable from a state (its fields, its mechanisms' states, ``now``)."""
    if isinstance(value, np.ndarray):
        yield path, value
    elif isinstance(value, tuple) and not hasattr(value, "_fields"):
        for k, item in enumerate(value):
            yield from _arrays(item, f"{path}[{k}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _arrays(item, f"{path}[{key!r}]")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            if field.name != "levers_policy_id":  # an identity marker, the same array as policy_id
                yield from _arrays(getattr(value, field.name), f"{path}.{field.name}")


def _run_slice(value: Any, k: int, runs: int) -> Any:
    """Run ``k`` of a batch: every array whose first axis is the runs, cut to ``k:k+1``."""
    if isinstance(value, np.ndarray):
        return value[k : k + 1].copy() if value.ndim and value.shape[0] == runs else value.copy()
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(_run_slice(item, k, runs) for item in value)
    if isinstance(value, dict):
        return {key: _run_slice(item, k, runs) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _run_slice(getattr(value, f.name), k, runs)
            for f in dataclasses.fields(value)
            if f.name != "levers_policy_id"
        }
        sliced = dataclasses.replace(value, **changes)
        if isinstance(sliced, State) and value.levers_policy_id is value.policy_id:
            sliced.levers_policy_id = sliced.policy_id
        return sliced
    return copy.deepcopy(value)


def _assert_same(a: State, b: State, where: str) -> None:
    left, right = dict(_arrays(a)), dict(_arrays(b))
    assert left.keys() == right.keys(), where
    for path, value in left.items():
        np.testing.assert_array_equal(value, right[path], err_msg=f"{where}: {path}")


ids = [name_of(m) for m in PIPELINE]


@pytest.mark.parametrize("mechanism", PIPELINE, ids=ids)
def test_follows_the_protocol(
    mechanism: ModuleType, setting: Setting, parameters: RunParameters
) -> None:
    own = mechanism.initial(setting, parameters, RUNS)
    if own is not None:
        name = name_of(mechanism)
        assert name in {f.name for f in dataclasses.fields(State)}, f"State has no {name} field"
        shapes = [array.shape for _, array in _arrays(own, name)]
        assert any(shape[:1] == (RUNS,) for shape in shapes), f"{name}'s state is not per run"


@pytest.mark.parametrize("mechanism", PIPELINE, ids=ids)
def test_initial_is_batch_invariant(
    mechanism: ModuleType, setting: Setting, parameters: RunParameters
) -> None:
    batch = mechanism.initial(setting, parameters, RUNS)
    if batch is None:
        return
    for k in range(RUNS):
        alone = mechanism.initial(setting, _run_slice(parameters, k, RUNS), 1)
        expected = _run_slice(batch, k, RUNS)
        for (path, got), (_, want) in zip(_arrays(alone), _arrays(expected), strict=True):
            np.testing.assert_array_equal(got, want, err_msg=f"{name_of(mechanism)}: {path}")


@pytest.mark.parametrize("mechanism", PIPELINE, ids=ids)
def test_step_is_batch_invariant_deterministic_and_makes_no_nan(
    mechanism: ModuleType, setting: Setting, parameters: RunParameters, started: State
) -> None:
    name = name_of(mechanism)
    before = copy.deepcopy(started)
    before.year += 1
    batch = copy.deepcopy(before)
    assert mechanism.step(batch, setting, parameters) is None
    again = copy.deepcopy(before)
    mechanism.step(again, setting, parameters)
    _assert_same(batch, again, f"{name} twice")

    for k in range(RUNS):
        alone = _run_slice(before, k, RUNS)
        mechanism.step(alone, setting, _run_slice(parameters, k, RUNS))
        _assert_same(alone, _run_slice(batch, k, RUNS), f"{name} run {k} alone")

    nan_before = {path: np.isnan(a) for path, a in _arrays(before) if a.dtype.kind == "f"}
    for path, array in _arrays(batch):
        if array.dtype.kind != "f":
            continue
        new_nan = np.isnan(array)
        if path in nan_before and nan_before[path].shape == new_nan.shape:
            new_nan &= ~nan_before[path]
        assert not new_nan.any(), f"{name} made NaN in {path}"
