"""Scenario discovery: PRIM finds planted boxes; the EMA Workbench model adapter runs moondust."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from moondust.errors import MoondustError
from moondust.experiments import run_sweep
from moondust.experiments.discovery import discover, ema_model, find_boxes
from moondust.world.scenario import Scenario

pytest.importorskip("ema_workbench")


def synthetic(n: int = 3000, noise: float = 0.03, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Four uniform inputs and a categorical lever; cases of interest in a planted box
    (a > 0.6 and b < 0.3), with a few labels flipped at random."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(size=(n, 4)), columns=["input_a", "input_b", "input_c", "input_d"])
    x["lever_preset"] = np.where(rng.uniform(size=n) < 0.5, "cutthroat", "emulation")
    inside = ((x["input_a"] > 0.6) & (x["input_b"] < 0.3)).to_numpy()
    flip = rng.uniform(size=n) < noise
    return x, inside ^ flip


def test_prim_finds_a_planted_box(tmp_path: Path) -> None:
    x, y = synthetic()
    boxes = find_boxes(x, y, threshold=0.9, plot=tmp_path / "tradeoff.png")
    box = boxes[0]
    assert box.meets_threshold and box.density >= 0.9 and box.coverage >= 0.75
    assert set(box.limits.index) == {"input_a", "input_b"}  # only the planted dimensions
    assert box.limits.at["input_a", "min"] == pytest.approx(0.6, abs=0.03)
    assert box.limits.at["input_b", "max"] == pytest.approx(0.3, abs=0.03)
    assert box.mass == pytest.approx(0.4 * 0.3, abs=0.03)
    assert (tmp_path / "tradeoff.png").stat().st_size > 1000


def test_prim_restricts_a_categorical_lever() -> None:
    x, _ = synthetic()
    rng = np.random.default_rng(1)
    y = ((x["lever_preset"] == "emulation") & (x["input_c"] > 0.5)).to_numpy()
    y = y ^ (rng.uniform(size=len(y)) < 0.02)
    box = find_boxes(x, y, threshold=0.9)[0]
    assert box.limits.at["lever_preset", "values"] == ["emulation"]
    assert box.limits.at["input_c", "min"] == pytest.approx(0.5, abs=0.06)


@pytest.fixture(scope="module")
def wide_sweep(tiny: Scenario, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Latin-hypercube sweep of the tiny scenario, 150 samples × 2 lever points."""
    out = tmp_path_factory.mktemp("discovery") / "sweep"
    assert run_sweep(tiny, runs=150, out=out, sampling="lhs", chunk_size=150).complete
    return out


def test_discover_finds_a_box_planted_in_a_sweeps_inputs(wide_sweep: Path) -> None:
    found = discover(
        wide_sweep, "input_spillover_max > 0.55 and input_crowd_out < 0.4", threshold=0.95
    )
    assert found.runs == 300 and 0 < found.cases < 300
    assert set(found.inputs) == {"input_spillover_max", "input_crowd_out", "lever_ilrs_openness"}
    box = found.boxes[0]
    assert box.meets_threshold and box.coverage > 0.8
    assert set(box.limits.index) == {"input_spillover_max", "input_crowd_out"}
    assert box.limits.at["input_spillover_max", "min"] == pytest.approx(0.55, abs=0.05)
    assert box.limits.at["input_crowd_out", "max"] == pytest.approx(0.4, abs=0.05)
    assert found.plot == wide_sweep / "prim_tradeoff.png" and found.plot.is_file()
    assert found.to_dict()["boxes"][0]["limits"][0]["input"] in box.limits.index


def test_discover_on_the_race_outcome_reports_a_box(wide_sweep: Path, tmp_path: Path) -> None:
    found = discover(
        wide_sweep, "first_bloc_crewed_landing == 'ilrs'", threshold=0.5, max_boxes=2,
        plot=tmp_path / "p.png",
    )  # fmt: skip
    assert 1 <= len(found.boxes) <= 2
    assert all(0 <= b.coverage <= 1 and 0 <= b.density <= 1 for b in found.boxes)
    assert found.boxes[0].density >= found.base_rate


@pytest.mark.parametrize(
    ("outcome", "message"),
    [
        ("first_bloc_crewed_landing", "is a category; compare it"),
        ("first_year_crewed_landing", "is a number; compare it"),
        ("first_bloc_crewed_landing == 'mars'", "holds in 0 of 300 runs"),
        ("first_year_orbiter > 0", "holds in 300 of 300 runs"),
        ("frist_bloc_crewed_landing == 'ilrs'", "did you mean first_bloc_crewed_landing"),
        ("first_year_crewed_landing + 1", "not true/false"),
    ],
)
def test_discover_errors_say_what_to_fix(wide_sweep: Path, outcome: str, message: str) -> None:
    with pytest.raises(MoondustError, match=message):
        discover(wide_sweep, outcome)


def test_discover_needs_varied_inputs(tiny: Scenario, tmp_path: Path) -> None:
    fixed = tiny.with_changes(uncertainties={}, levers={})
    run_sweep(fixed, runs=6, out=tmp_path / "fixed", chunk_size=6)
    with pytest.raises(MoondustError, match="no input varies"):
        discover(tmp_path / "fixed", "first_bloc_crewed_landing == 'ilrs'")


def test_the_ema_model_adapter_runs_moondust_in_an_ema_workflow(tiny: Scenario) -> None:
    from ema_workbench import SequentialEvaluator

    model = ema_model(
        tiny,
        outcomes={
            "landing_year": "first_year_crewed_landing",
            "ilrs_first": "first_bloc_crewed_landing == 'ilrs'",
        },
        replications=3,
    )
    assert {u.name for u in model.uncertainties} == {"spillover_max", "crowd_out"}
    assert [lever.name for lever in model.levers] == ["lever_ilrs_openness"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with SequentialEvaluator(model) as evaluator:
            experiments, outcomes = evaluator.perform_experiments(scenarios=3, policies=2)
    assert len(experiments) == 6
    assert set(experiments["lever_ilrs_openness"].astype(float)) == {0.3, 0.9}
    assert ((outcomes["ilrs_first"] >= 0) & (outcomes["ilrs_first"] <= 1)).all()
    assert ((outcomes["landing_year"] > 2025) & (outcomes["landing_year"] <= 2035)).all()
    # the same experiment gives the same outcome (common random numbers, deterministic)
    function = model.function
    point = experiments.iloc[0]
    kwargs = {
        "spillover_max": point["spillover_max"],
        "crowd_out": point["crowd_out"],
        "lever_ilrs_openness": point["lever_ilrs_openness"],
    }
    assert function(**kwargs) == function(**kwargs)
    with pytest.raises(MoondustError, match="as a mapping"):
        ema_model(tiny, outcomes=["first_bloc_crewed_landing == 'ilrs'"])
