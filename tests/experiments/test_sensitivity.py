"""Sensitivity analysis: the SALib plumbing against analytic indices, then on moondust."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from moondust.engine.params import EngineParameters
from moondust.errors import MoondustError
from moondust.experiments.sensitivity import (
    DEFAULT_FACTORS,
    Problem,
    choose_method,
    convergence_warnings,
    evaluations,
    indices,
    sensitivity,
)
from moondust.world.scenario import Scenario

pytest.importorskip("SALib")

ISHIGAMI_S1 = [0.3139, 0.4424, 0.0]
ISHIGAMI_ST = [0.5576, 0.4424, 0.2437]
TOLERANCE = 0.01
"""Absolute tolerance on each index with N = 2**13 (8,192 × 5 = 40,960 evaluations); SALib's
bootstrap half-widths at this size are 0.01–0.03, the estimates land within 0.002."""


def ishigami(x: pd.DataFrame, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """Ishigami & Homma (1990): f = sin x1 + a sin² x2 + b x3⁴ sin x1, on [−π, π]³."""
    x1, x2, x3 = (x[name].to_numpy() for name in ("x1", "x2", "x3"))
    return np.sin(x1) + a * np.sin(x2) ** 2 + b * x3**4 * np.sin(x1)


def test_sobol_indices_of_the_ishigami_function_match_the_analytic_values() -> None:
    """Published values (a=7, b=0.1): S1 = 0.3139, 0.4424, 0; ST = 0.5576, 0.4424, 0.2437."""
    problem = Problem.uniform({name: (-np.pi, np.pi) for name in ("x1", "x2", "x3")})
    result = indices(problem, ishigami, "sobol", 2**13, seed=1)
    assert result.evaluations == 2**13 * 5
    table = result.indices.loc[["x1", "x2", "x3"]]
    np.testing.assert_allclose(table["S1"], ISHIGAMI_S1, atol=TOLERANCE)
    np.testing.assert_allclose(table["ST"], ISHIGAMI_ST, atol=TOLERANCE)
    assert list(result.indices.index) == ["x1", "x2", "x3"]  # ordered by total index


def test_morris_screening_recovers_linear_effects() -> None:
    problem = Problem.uniform({"a": (0.0, 1.0), "b": (0.0, 2.0), "c": (5.0, 6.0)})
    result = indices(problem, lambda x: 3 * x["a"] + x["b"] + 0 * x["c"], "morris", 20, seed=2)
    mu_star = result.indices["mu_star"]
    # effects per unit quantile: 3 × 1, 1 × 2, 0 × 1; a linear model has no spread
    np.testing.assert_allclose(mu_star[["a", "b", "c"]], [3.0, 2.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(result.indices["sigma"], 0.0, atol=1e-9)
    assert result.evaluations == evaluations("morris", 20, 3) == 80


@pytest.fixture
def tiny(tiny: Scenario) -> Scenario:
    """The tiny scenario chance only: its two [uncertainties] are the factors."""
    return tiny.with_uncertainty("none")


def test_the_default_factors_are_contested_parameters_with_cited_ranges() -> None:
    problem = Problem.from_scenario(Scenario().with_uncertainty("none"))
    specs = EngineParameters.specs()
    assert problem.names == tuple(n for n in DEFAULT_FACTORS if n in specs)
    for name, dist in zip(problem.names, problem.distributions, strict=True):
        assert (dist.dist, dist.low, dist.high) == ("uniform", specs[name].low, specs[name].high)


def test_under_full_uncertainty_every_sampled_parameter_is_a_factor() -> None:
    scenario = Scenario().with_changes(
        parameters={"crowd_out": 0.4},
        uncertainties={"spillover_max": {"dist": "uniform", "low": 0.5, "high": 0.7}},
    )
    problem = Problem.from_scenario(scenario)
    assert set(problem.names) == set(scenario.sampled_uncertainties())
    assert "crowd_out" not in problem.names  # fixed by the scenario
    assert problem.distributions[problem.names.index("spillover_max")].low == 0.5
    assert choose_method("auto", problem.size) == "morris"


def test_unconverged_indices_are_flagged() -> None:
    good = pd.DataFrame(
        {"S1": [0.5, 0.0], "S1_conf": [0.05, 0.02], "ST": [0.6, 0.01], "ST_conf": [0.05, 0.01]},
        index=["a", "b"],
    )
    assert convergence_warnings("sobol", good) == []
    bad = pd.DataFrame(
        {"S1": [0.5, -0.3], "S1_conf": [0.05, 0.1], "ST": [1.2, 0.01], "ST_conf": [0.3, 0.01]},
        index=["a", "b"],
    )
    found = " | ".join(convergence_warnings("sobol", bad))
    assert "ST > 1 for a" in found and "S1 below zero" in found and "half-widths" in found
    morris = pd.DataFrame(
        {"mu_star": [1.0, 0.5], "mu_star_conf": [0.1, 0.4], "sigma": [0, 0], "mu": [0, 0]},
        index=["a", "b"],
    )
    assert "b" in " ".join(convergence_warnings("morris", morris))
    assert convergence_warnings("morris", morris.assign(mu_star_conf=[0.1, 0.1])) == []


def test_moondust_sobol_through_a_resumable_sweep(tiny: Scenario, tmp_path: Path) -> None:
    out = tmp_path / "sobol"
    result = sensitivity(tiny, "sobol", 8, "first_year_crewed_landing", out, seed=3)
    assert result.evaluations == 8 * (2 + 2)
    assert set(result.indices.index) == {"crowd_out", "spillover_max"}
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(result.indices.columns)
    assert result.notes and "[levers]" in result.notes[0]
    assert result.files["chart"].stat().st_size > 1000
    table = pd.read_csv(result.files["table"], index_col="factor")
    assert set(table.index) == {"crowd_out", "spillover_max"}
    again = sensitivity(tiny, "sobol", 8, "first_year_crewed_landing", out, seed=3)
    pd.testing.assert_frame_equal(again.indices, result.indices)  # resumed: nothing rerun


def test_moondust_morris_on_a_boolean_outcome_with_replicates(
    tiny: Scenario, tmp_path: Path
) -> None:
    result = sensitivity(
        tiny,
        "morris",
        4,
        "first_bloc_crewed_landing == 'ilrs'",
        tmp_path / "morris",
        replicates=2,
        chart=False,
    )
    assert result.evaluations == 4 * 3 * 2
    assert (result.indices["mu_star"] >= 0).all() and (result.indices["mu_star"] <= 1).all()
    assert "chart" not in result.files


def test_common_random_numbers_leave_no_chance_in_the_indices(
    tiny: Scenario, tmp_path: Path
) -> None:
    # The grid's carbon intensity only prices CO2 avoided: with the runs' own chance held
    # fixed, a factor the outcome does not depend on gets no index at all.
    scenario = tiny.with_changes(
        uncertainties={
            **tiny.uncertainties,
            "grid_intensity_g_per_kwh": {"dist": "uniform", "low": 436.0, "high": 486.0},
        }
    )
    result = sensitivity(
        scenario, "sobol", 8, "first_year_crewed_landing", tmp_path / "crn", seed=3, chart=False
    )
    assert result.indices.loc["grid_intensity_g_per_kwh", "ST"] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize(
    ("method", "samples", "outcome", "message"),
    [
        ("sobol", 100, "first_year_he3_delivered", "power of two"),
        ("fast", 8, "first_year_he3_delivered", "unknown method"),
        ("sobol", 8, "first_bloc_he3_delivered", "is a category; compare it"),
        ("sobol", 8, "frist_year_he3_delivered", "did you mean"),
    ],
)
def test_bad_requests_are_clear_errors(
    tiny: Scenario, tmp_path: Path, method: str, samples: int, outcome: str, message: str
) -> None:
    with pytest.raises(MoondustError, match=message):
        sensitivity(tiny, method, samples, outcome, tmp_path / "bad", chart=False)
