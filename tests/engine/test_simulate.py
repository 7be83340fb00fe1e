"""The whole engine: determinism, batch invariance, conservation, and both orientations winning."""

from __future__ import annotations

import os
from dataclasses import replace

import numpy as np
import pytest
import xarray as xr

from moondust.engine.records import COMPUTED_EACH_YEAR
from moondust.engine.simulate import RUNS_PER_THREAD, build_setting, default_threads, simulate
from moondust.outputs_table import OUTPUTS, RECORDED, SAMPLED_INPUT
from moondust.results import Results
from moondust.world.scenario import load_scenario


@pytest.fixture(scope="module")
def baseline_500() -> Results:
    return simulate(load_scenario("baseline"), runs=500, seed=11)


def test_same_seed_same_results() -> None:
    scenario = load_scenario("asymmetric")
    a = simulate(scenario, runs=20, seed=5).dataset
    b = simulate(scenario, runs=20, seed=5).dataset
    xr.testing.assert_identical(a, b)
    c = simulate(scenario, runs=20, seed=6).dataset
    assert not c["milestone_year"].equals(a["milestone_year"])


@pytest.mark.parametrize("k", [0, 137, 499])
def test_run_alone_equals_run_in_batch(baseline_500: Results, k: int) -> None:
    alone = simulate(load_scenario("baseline"), runs=1, seed=11, first_run=k).dataset
    inside = baseline_500.dataset.sel(run=[k])
    xr.testing.assert_identical(alone.drop_attrs(), inside.drop_attrs())


def test_runs_that_share_a_random_stream_share_every_draw() -> None:
    # chance only: a run's sampled parameters follow its run index, not its stream
    scenario = load_scenario("asymmetric").with_changes(uncertainties={}).with_uncertainty("none")
    shared = simulate(scenario, runs=3, seed=5, streams=[7, 7, 2]).dataset.drop_attrs()
    own = simulate(scenario, runs=1, seed=5, first_run=7).dataset.drop_attrs()
    # Runs 0 and 1 follow stream 7: the same trajectory as run 7 simulated on its own stream.
    for run in (0, 1):
        xr.testing.assert_identical(
            shared.isel(run=[run]).assign_coords(run=[7]), own.assign_coords(run=[7])
        )
    assert not shared["milestone_year"].isel(run=2).equals(shared["milestone_year"].isel(run=0))
    with pytest.raises(ValueError, match="streams"):
        simulate(scenario, runs=2, seed=5, streams=[0, -1])


def test_any_chunking_gives_the_same_runs(baseline_500: Results) -> None:
    scenario = load_scenario("baseline")
    chunks = [
        simulate(scenario, runs=size, seed=11, first_run=start).dataset
        for start, size in ((0, 7), (7, 193), (200, 300))
    ]
    xr.testing.assert_identical(
        xr.concat(chunks, dim="run").drop_attrs(), baseline_500.dataset.drop_attrs()
    )


@pytest.mark.parametrize("threads", [1, 2, 3, 7])
def test_any_number_of_threads_gives_the_same_runs(baseline_500: Results, threads: int) -> None:
    # The 500-run fixture used the default (two threads on two cores, one elsewhere).
    scenario = load_scenario("baseline")
    threaded = simulate(scenario, runs=500, seed=11, threads=threads).dataset
    xr.testing.assert_identical(threaded.drop_attrs(), baseline_500.dataset.drop_attrs())


def test_default_threads_follow_cores_runs_and_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MOONDUST_THREADS", raising=False)
    assert default_threads(RUNS_PER_THREAD - 1) == 1  # too few runs to share
    assert 1 <= default_threads(100 * RUNS_PER_THREAD) <= (os.cpu_count() or 1)
    monkeypatch.setenv("MOONDUST_THREADS", "3")
    assert default_threads(1) == 3


def test_budgets_and_probabilities_are_bounded(baseline_500: Results) -> None:
    ds = baseline_500.dataset
    for name in ("civil_usd_bn", "military_usd_bn", "military_share", "lunar_rd_usd_bn"):
        values = ds[name].values
        assert np.isfinite(values).all(), name
        assert (values >= 0).all(), name
    # bounded by max(x_max, 2025 share): Australia starts with 96 % of its space budget military
    # (each run's own x_max and lunar share: the baseline samples their documented ranges)
    start = ds["military_share"].isel(year=0)
    share_max = ds["input_military_share_max"]
    float32 = 1e-7  # the share is recorded as float32, the sampled bound as float64
    assert (ds["military_share"] <= np.maximum(share_max, start) * (1 + float32)).all()
    assert (ds["lunar_rd_usd_bn"] <= ds["input_lunar_share"] * ds["civil_usd_bn"] + 1e-9).all()
    assert np.isfinite(ds["capability"]).all()
    assert (ds["capability"].diff("year") >= 0).all()  # knowledge is not lost in this model
    summary = baseline_500.summary()
    for column in ("p_achieved", "p_first"):
        assert summary.milestones[column].between(0, 1).all()
    first = summary.blocs.groupby("milestone")["p_first"].sum()
    assert ((first <= 1 + 1e-9) & (first >= 0)).all()


def test_milestones_follow_their_prerequisites(baseline_500: Results) -> None:
    setting = build_setting(load_scenario("baseline"))
    years = baseline_500.dataset["milestone_year"].values  # (run, actor, milestone)
    prereq = setting.ladder.prerequisites
    for m, p in zip(*np.nonzero(prereq), strict=True):
        both = ~np.isnan(years[..., m])
        assert (~np.isnan(years[..., p]) | ~both).all()
        assert (years[..., m][both] >= years[..., p][both]).all()
    held = baseline_500.dataset["milestones_held"]
    assert (held.diff("year") >= 0).all()


def test_the_summary_reports_each_runs_cumulative_civil_spending(baseline_500: Results) -> None:
    # (The budget's own invariant, spending within the envelope, is tested on M1 itself:
    # tests/engine/test_budget.py::test_spending_never_exceeds_the_envelope.)
    ds = baseline_500.dataset
    cumulative = ds["civil_usd_bn"].isel(year=slice(1, None)).sum("year")
    summary = baseline_500.summary().spending.set_index("actor")
    median = cumulative.median("run").to_series()
    np.testing.assert_allclose(summary["civil_cum_median"], median.loc[summary.index])


@pytest.mark.parametrize(
    ("parameters", "winner"),
    [
        # High spillovers inside the cooperative bloc, and arms spending that crowds out civil
        # budgets: the cooperative (ILRS) bloc delivers He-3 first.
        ({"spillover_max": 1.0, "crowd_out": 1.0}, "ilrs"),
        # Low spillovers and separate purses: the richer, cut-throat Artemis bloc gets there first.
        ({"spillover_max": 0.1, "crowd_out": 0.0}, "artemis"),
    ],
)
def test_both_orientations_can_win(parameters: dict[str, float], winner: str) -> None:
    # the other parameters at their defaults (chance only): a map of two of them, not a forecast
    scenario = load_scenario("asymmetric").with_changes(parameters=parameters)
    scenario = scenario.with_uncertainty("none")
    blocs = simulate(scenario, runs=100, seed=3).summary().blocs
    first = blocs[blocs["milestone"] == "he3_delivered"].set_index("bloc")["p_first"]
    loser = "artemis" if winner == "ilrs" else "ilrs"
    assert first[winner] > 0.6 > first[loser]


def test_cooperation_everywhere_delivers_sooner_than_cutthroat_by_default() -> None:
    # Not a built-in result: a regression check on the default parameters (docs/validation.md).
    def earliest(name: str) -> float:
        scenario = load_scenario(name).with_uncertainty("none")
        years = simulate(scenario, runs=100, seed=1).dataset["milestone_year"]
        return float(years.sel(milestone="he3_delivered").min("actor").median("run"))

    assert earliest("emulation") < earliest("cutthroat")


def test_uncertainties_are_sampled_per_run_and_recorded() -> None:
    scenario = load_scenario("baseline").with_changes(
        uncertainties={"spillover_max": {"dist": "uniform", "low": 0.2, "high": 0.9}}
    )
    ds = simulate(scenario, runs=300, seed=2).dataset
    draws = ds["input_spillover_max"].values
    assert draws.min() >= 0.2 and draws.max() <= 0.9 and draws.std() > 0.15
    alone = simulate(scenario, runs=1, seed=2, first_run=123).dataset
    assert alone["input_spillover_max"].values[0] == draws[123]


def test_given_inputs_replace_sampling_and_are_recorded() -> None:
    scenario = load_scenario("baseline")
    ds = simulate(scenario, runs=3, seed=1, inputs={"spillover_max": [0.1, 0.5, 0.9]}).dataset
    assert list(ds["input_spillover_max"].values) == [0.1, 0.5, 0.9]
    with pytest.raises(ValueError, match="3 runs"):
        simulate(scenario, runs=3, inputs={"spillover_max": [0.1]})


def test_the_dataset_follows_the_outputs_table() -> None:
    scenario = load_scenario("baseline").with_uncertainty("none")
    ds = simulate(scenario, runs=3, seed=1, inputs={"spillover_max": [0.1, 0.5, 0.9]}).dataset
    outputs = [*OUTPUTS, replace(SAMPLED_INPUT, name="input_spillover_max")]
    assert list(ds.data_vars) == [output.name for output in outputs]
    for output in outputs:
        variable = ds[output.name]
        assert (variable.dims, str(variable.dtype), variable.attrs) == (
            output.dims,
            output.dtype,
            output.attrs,
        ), output.name


def test_the_recorder_computes_every_output_the_table_says_it_computes() -> None:
    # A RECORDED row without its computation in Recorder.record would stay all zeros.
    computed = {output.name for output in OUTPUTS if output.source == RECORDED}
    assert computed == set(COMPUTED_EACH_YEAR)
