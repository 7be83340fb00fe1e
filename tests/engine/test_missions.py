"""M3 targets and attempts: the ladder order, the roadmap, and the step's contract."""

from __future__ import annotations

import inspect
from types import SimpleNamespace

import numpy as np
import pytest

from moondust.engine import missions
from moondust.engine.ladder import TRACKS
from moondust.engine.state import initial_state
from moondust.engine.targets import choose_targets
from tests.engine.builders import run_parameters, two_actor_setting

ROBOTIC, CREWED, HE3, FUSION = (TRACKS.index(t) for t in ("robotic", "crewed", "he3", "fusion"))


def test_targets_follow_the_ladder_and_prefer_what_the_roadmap_schedules_soon() -> None:
    setting = two_actor_setting()
    ladder = setting.ladder
    state = initial_state(setting, np.arange(1), seed=0)
    targets = choose_targets(state, setting, run_parameters())
    assert targets.shape == (1, 2, len(TRACKS)) and targets.dtype == np.int64
    assert (targets[0, :, ROBOTIC] == ladder.index("orbiter")).all()
    assert (targets[0, :, CREWED] == -1).all() and (targets[0, :, HE3] == -1).all()
    assert (targets[0, :, FUSION] == ladder.index("fusion_demo")).all()
    off = choose_targets(state, setting, run_parameters(fusion_enabled=0.0))
    assert (off[0, :, FUSION] == -1).all()

    state.achieved[:, :, [ladder.index("orbiter"), ladder.index("soft_landing")]] = True
    setting.roadmap_year[0, ladder.index("far_side_landing")] = state.year + 2
    targets = choose_targets(state, setting)
    assert targets[0, 0, ROBOTIC] == ladder.index("far_side_landing")  # announced: first
    assert targets[0, 1, ROBOTIC] == ladder.index("rover")  # otherwise ladder order
    assert targets[0, 0, CREWED] == ladder.index("crewed_flyby")


def test_attempts_keep_the_contract_over_many_runs_and_years() -> None:
    setting = two_actor_setting()
    runs = 400
    rng = np.random.default_rng(3)
    state = initial_state(setting, np.arange(runs), seed=2)
    state.capability = rng.uniform(0.5, 5.0, state.capability.shape)
    state.levers = {"openness": rng.uniform(0.0, 1.0, (runs, 2))}
    partners = np.broadcast_to(np.array([[False, True], [True, False]]), (runs, 2, 2))
    p = run_parameters(runs)
    prerequisites = setting.ladder.prerequisites
    for year in range(2026, 2046):
        state.year = year
        state.mission_fund_usd_bn = state.mission_fund_usd_bn + rng.uniform(0.0, 8.0, (runs, 2))
        before = (state.achieved.copy(), state.successes.copy(), state.failures.copy())
        fund = state.mission_fund_usd_bn.copy()
        targets = choose_targets(state, setting, p)
        missions.attempt(state, setting, p, targets, partners)
        new = state.achieved & ~before[0]
        spent = fund - state.mission_fund_usd_bn
        assert (state.mission_fund_usd_bn >= 0).all() and (spent >= 0).all()
        assert (state.achieved >= before[0]).all()
        assert (new.sum(axis=2) == state.new_milestones).all()
        assert (state.successes - before[1] == state.new_milestones).all()
        assert (state.achieved_year[new] == year).all()
        # Every new milestone was a target whose prerequisites were already held.
        for r, i, m in zip(*np.nonzero(new), strict=True):
            assert m in targets[r, i] and before[0][r, i][prerequisites[m]].all()
        tried = state.attempted >= 0
        assert (state.failures - before[2] + state.new_milestones >= tried).all()
        assert (spent[~tried] == 0).all()
        for r, i in zip(*np.nonzero(tried), strict=True):
            assert state.attempted[r, i] in targets[r, i]
    assert state.new_milestones.dtype == np.int64 and state.achieved.sum() > runs


def test_interference_makes_every_attempt_fail() -> None:
    setting = two_actor_setting()
    runs = 50
    state = initial_state(setting, np.arange(runs), seed=1)
    state.capability[:] = 10.0
    state.mission_fund_usd_bn[:] = 100.0
    state.levers = {"openness": np.ones((runs, 2))}
    state.conflict = SimpleNamespace(interference=np.ones((runs, 2), dtype=bool))
    partners = np.zeros((runs, 2, 2), dtype=bool)
    p = run_parameters(runs)
    missions.attempt(state, setting, p, choose_targets(state, setting, p), partners)
    assert (state.attempted >= 0).all() and (state.new_milestones == 0).all()
    assert not state.achieved.any() and (state.failures == 2).all()  # robotic and fusion tracks


@pytest.mark.parametrize(
    "kernel",
    [missions._attempt_missions, missions._success_probabilities, missions._heritage_chance],
    ids=lambda k: k.__name__,
)
def test_kernels_take_named_tuples_not_long_argument_lists(kernel: object) -> None:
    assert len(inspect.signature(kernel.py_func).parameters) <= 10  # type: ignore[attr-defined]


def test_kernel_tuples_are_documented_module_level_classes() -> None:
    tuples = (
        missions.MissionParameters,
        missions.Heritage,
        missions.MissionLadder,
        missions.Attempts,
        missions.MissionRecord,
    )
    for named in tuples:
        assert getattr(missions, named.__name__) is named  # importable: Numba's cache needs it
        assert all(field in (named.__doc__ or "") for field in named._fields), named.__name__
    for column in missions.mission_parameters(run_parameters(3), 3):
        assert column.shape == (3,) and column.dtype == np.float64
        assert column.flags.c_contiguous
