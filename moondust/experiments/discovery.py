"""Scenario discovery with EMA Workbench's PRIM, and moondust as an EMA Workbench ``Model``.

:func:`discover` asks *where in the space of a sweep's inputs* an outcome holds — e.g. "the
cooperative bloc delivers commercial He-3 first", ``first_bloc_he3_delivered == 'ilrs'``. It
evaluates the expression on every run (:class:`~moondust.experiments.outcomes.Expression`), hands
the runs' inputs (``input_*`` uncertainties and ``lever_*`` values that vary) and the boolean
outcome to :class:`ema_workbench.analysis.prim.Prim`, and reports each box PRIM finds: the
restricted inputs' ranges, coverage (share of the cases of interest inside the box), density
(share of the box's runs that are cases of interest) and mass, plus the peeling trajectory's
coverage–density trade-off plot.

:func:`ema_model` wraps moondust as an :class:`ema_workbench.Model` so you can use EMA's own
samplers, evaluators and optimisers on it.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from moondust.errors import MoondustError
from moondust.experiments.outcomes import Expression, check_expression
from moondust.world.scenario import Scenario


def _import_prim() -> Any:
    try:
        with warnings.catch_warnings():  # "ipyparallel not installed" and the like
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import prim
    except ImportError:
        raise MoondustError(
            "scenario discovery needs EMA Workbench: pip install 'moondust[analysis]'"
        ) from None
    return prim


@dataclass(frozen=True)
class Box:
    """One PRIM box.

    Attributes
    ----------
    limits
        One row per restricted input: ``min`` and ``max`` of the box (for a categorical input,
        ``values``), the input's full range ``low``/``high``, and the quasi-p-values of the two
        restrictions (small = a restriction unlikely by chance).
    coverage, density, mass
        Share of all cases of interest inside the box; share of the box's runs that are cases of
        interest; share of all runs inside the box.
    runs
        Runs inside the box.
    trajectory_index
        Which point of PRIM's peeling trajectory was selected.
    meets_threshold
        Whether the density reaches the requested threshold.
    """

    limits: pd.DataFrame
    coverage: float
    density: float
    mass: float
    runs: int
    trajectory_index: int
    meets_threshold: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""

        def clean(value: Any) -> Any:
            if isinstance(value, float) and math.isnan(value):
                return None
            if isinstance(value, set | frozenset):
                return sorted(value, key=str)
            return value.item() if hasattr(value, "item") else value

        return {
            "coverage": self.coverage,
            "density": self.density,
            "mass": self.mass,
            "runs": self.runs,
            "trajectory_index": self.trajectory_index,
            "meets_threshold": self.meets_threshold,
            "limits": [
                {"input": str(name), **{k: clean(v) for k, v in row.items()}}
                for name, row in self.limits.iterrows()
            ],
        }


@dataclass(frozen=True)
class Discovery:
    """The result of :func:`discover`.

    Attributes
    ----------
    outcome
        The expression.
    runs, cases
        Runs analysed and how many satisfy the expression.
    inputs
        The inputs PRIM searched over.
    boxes
        The boxes found (the first is the main one).
    threshold
        The density threshold.
    plot
        Where the trade-off plot of the first box was saved.
    """

    outcome: str
    runs: int
    cases: int
    inputs: list[str]
    boxes: list[Box]
    threshold: float
    plot: Path | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def base_rate(self) -> float:
        """Share of all runs that satisfy the expression."""
        return self.cases / self.runs if self.runs else float("nan")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "outcome": self.outcome,
            "runs": self.runs,
            "cases": self.cases,
            "base_rate": self.base_rate,
            "threshold": self.threshold,
            "inputs": self.inputs,
            "boxes": [box.to_dict() for box in self.boxes],
            "plot": None if self.plot is None else str(self.plot),
            "notes": self.notes,
        }


def find_boxes(
    x: pd.DataFrame,
    y: np.ndarray,
    threshold: float = 0.8,
    max_boxes: int = 1,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
    plot: str | Path | None = None,
) -> list[Box]:
    """Run PRIM on inputs ``x`` and a boolean outcome ``y``; return up to ``max_boxes`` boxes.

    For each box the trajectory point with the highest coverage whose density reaches
    ``threshold`` is selected (the densest point if none does).

    Parameters
    ----------
    x
        One row per run, one column per input (floats; strings are categorical).
    y
        One boolean per run: is it a case of interest?
    threshold
        Density a box should reach.
    max_boxes
        How many boxes to look for (each next box is sought among the runs outside the earlier).
    peel_alpha, mass_min
        PRIM's peeling share and the smallest box mass.
    plot
        Save the first box's coverage–density trade-off plot here (PNG).
    """
    prim = _import_prim()
    y = np.asarray(y, dtype=bool)
    ranges: dict[str, Any] = {}
    for column in x.columns:
        values = x[column]
        if pd.api.types.is_numeric_dtype(values):
            ranges[str(column)] = (float(values.min()), float(values.max()))
        else:
            ranges[str(column)] = set(values.astype(str))

    def start(level: float) -> Any:
        with warnings.catch_warnings():  # EMA Workbench 2.5 uses pandas APIs pandas 3 deprecates
            warnings.simplefilter("ignore")
            return prim.Prim(
                x.reset_index(drop=True), y, level, peel_alpha=peel_alpha, mass_min=mass_min
            )

    algorithm = start(threshold)
    boxes: list[Box] = []
    for number in range(max_boxes):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            box = algorithm.find_box()
        if box is None:
            break
        if box.peeling_trajectory["res_dim"].max() == 0:  # EMA's "dump box": nothing dense enough
            if number > 0:
                break
            # peel anyway (a tiny threshold accepts any box with a case) to show the densest box
            algorithm = start(1e-9)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                box = algorithm.find_box()
        trajectory = box.peeling_trajectory
        good = trajectory[trajectory["density"] >= threshold]
        index = int(good["coverage"].idxmax()) if len(good) else int(trajectory["density"].idxmax())
        box.select(index)
        boxes.append(_describe_box(box, index, trajectory.iloc[index], ranges, threshold))
        if number == 0 and plot is not None:
            figure = box.show_tradeoff()
            Path(plot).parent.mkdir(parents=True, exist_ok=True)
            figure.savefig(plot, dpi=120, bbox_inches="tight")
            import matplotlib.pyplot as plt

            plt.close(figure)
        if not boxes[-1].meets_threshold:
            break
    return boxes


def _describe_box(
    box: Any, index: int, stats: pd.Series, ranges: dict[str, Any], threshold: float
) -> Box:
    limits = box.box_lims[index]
    qp = box.qp[index]
    rows = {}
    for name in sorted(qp, key=lambda n: _significance(qp[n])):
        full = ranges[name]
        lower_qp, upper_qp = (np.nan if v < 0 else float(v) for v in qp[name])
        if isinstance(full, set):
            rows[name] = {
                "values": sorted(limits[name].iloc[0], key=str),
                "all": sorted(full, key=str),
                "qp_min": lower_qp,
                "qp_max": upper_qp,
            }
        else:
            rows[name] = {
                "min": float(limits[name].iloc[0]),
                "max": float(limits[name].iloc[1]),
                "low": full[0],
                "high": full[1],
                "qp_min": lower_qp,
                "qp_max": upper_qp,
            }
    return Box(
        limits=pd.DataFrame.from_dict(rows, orient="index"),
        coverage=float(stats["coverage"]),
        density=float(stats["density"]),
        mass=float(stats["mass"]),
        runs=int(stats["n"]),
        trajectory_index=index,
        meets_threshold=bool(stats["density"] >= threshold),
    )


def _significance(qp_values: Sequence[float]) -> float:
    """The smaller valid quasi-p-value of a restriction (EMA marks absent ones with -1)."""
    valid = [float(v) for v in qp_values if v >= 0]
    return min(valid) if valid else 1.0


def varied_inputs(table: pd.DataFrame) -> list[str]:
    """The ``input_*`` and ``lever_*`` columns that take more than one value."""
    return [
        str(c)
        for c in table.columns
        if str(c).startswith(("input_", "lever_")) and table[c].nunique(dropna=True) > 1
    ]


def discover(
    path: str | Path,
    outcome: str,
    threshold: float = 0.8,
    max_boxes: int = 1,
    plot: str | Path | None = None,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
) -> Discovery:
    """PRIM over a sweep's (or a run's) inputs for the runs where ``outcome`` holds.

    Parameters
    ----------
    path
        A sweep directory (or a ``moondust run`` directory of a scenario with uncertainties).
    outcome
        A boolean expression over outcomes and inputs, e.g.
        ``"first_bloc_he3_delivered == 'ilrs'"``.
    threshold, max_boxes, peel_alpha, mass_min
        See :func:`find_boxes`.
    plot
        Where to save the trade-off plot (default ``DIR/prim_tradeoff.png``).

    Raises
    ------
    MoondustError
        If the expression is not boolean, holds in no run or in every run, or nothing varies.
    """
    from moondust.experiments.store import available_columns, check_stored, read_runs_table

    if not 0 < threshold <= 1:
        raise MoondustError(f"--threshold {threshold}: expected a density in (0, 1]")
    if max_boxes < 1:
        raise MoondustError(f"--boxes {max_boxes}: expected at least 1")
    expression = Expression(outcome)
    known = available_columns(path)
    inputs_all = [name for name, kind in known.items() if kind == "input"]
    check_stored(path, expression.names, known)
    check_expression(expression, known, "boolean")
    table = read_runs_table(path, list(dict.fromkeys([*inputs_all, *expression.names])))
    result = expression.evaluate(table)
    if not pd.api.types.is_bool_dtype(result):
        raise MoondustError(
            f'outcome expression "{outcome}" is not true/false; compare it, e.g. '
            f"{expression.names[0]} == 'ilrs' or {expression.names[0]} < 2050"
        )
    y = result.to_numpy(dtype=bool)
    cases = int(y.sum())
    if cases == 0 or cases == y.size:
        raise MoondustError(
            f'outcome expression "{outcome}" holds in {cases} of {y.size} runs; PRIM needs runs '
            "where it holds and runs where it does not"
        )
    inputs = varied_inputs(table[inputs_all])
    if not inputs:
        raise MoondustError(
            f"{path}: no input varies between runs (the scenario has no [uncertainties] or "
            "[levers]); PRIM needs varied inputs"
        )
    x = table[inputs].copy()
    for column in inputs:
        if not pd.api.types.is_numeric_dtype(x[column]):
            x[column] = x[column].astype(str).astype(object)
        else:
            x[column] = x[column].astype(np.float64)
    plot = Path(path) / "prim_tradeoff.png" if plot is None else Path(plot)
    boxes = find_boxes(x, y, threshold, max_boxes, peel_alpha, mass_min, plot)
    return Discovery(outcome, int(y.size), cases, inputs, boxes, threshold, plot)


# --- EMA Workbench model adapter -------------------------------------------------------------


class MoondustFunction:
    """The picklable function behind :func:`ema_model`: one EMA experiment → outcome means.

    Each call simulates ``replications`` runs of the scenario variant at the experiment's lever
    values with its uncertain parameters set, and returns each outcome's mean over them (NaN
    years ignored; booleans give a share).
    """

    def __init__(
        self,
        scenario_json: str,
        outcomes: Mapping[str, str],
        replications: int,
        seed: int,
        lever_names: Sequence[str],
        uncertainty_names: Sequence[str],
    ) -> None:
        self.scenario_json = scenario_json
        self.outcomes = dict(outcomes)
        self.replications = replications
        self.seed = seed
        self.lever_names = list(lever_names)
        self.uncertainty_names = list(uncertainty_names)

    def __call__(self, **experiment: Any) -> dict[str, float]:
        """Simulate one experiment; keyword arguments are its uncertainties and levers."""
        from moondust.engine.simulate import simulate
        from moondust.experiments.outcomes import OUTCOMES
        from moondust.world.lever_grid import scenario_variant

        scenario = Scenario.model_validate_json(self.scenario_json)
        point = {name: _plain(experiment[name]) for name in self.lever_names}
        variant = scenario_variant(scenario, point) if point else scenario
        runs = self.replications
        inputs = {name: np.full(runs, float(experiment[name])) for name in self.uncertainty_names}
        results = simulate(variant, runs=runs, seed=self.seed, first_run=0, inputs=inputs)
        expressions = {key: Expression(text) for key, text in self.outcomes.items()}
        names = list(dict.fromkeys(n for e in expressions.values() for n in e.names))
        table = OUTCOMES.compute(results.dataset, names)
        values = {}
        for key, expression in expressions.items():
            result = expression.evaluate(table)
            numbers = pd.to_numeric(result, errors="coerce").astype(np.float64)
            values[key] = float(numbers.mean()) if numbers.notna().any() else float("nan")
        return values


def _plain(value: Any) -> float | str:
    return value if isinstance(value, str) else float(value)


def ema_model(
    scenario: Scenario,
    outcomes: Sequence[str] | Mapping[str, str] = ("first_year_he3_delivered",),
    replications: int = 10,
    seed: int | None = None,
    name: str = "moondust",
) -> Any:
    """An EMA Workbench ``Model`` that runs moondust.

    Uncertainties are the scenario's (as ``RealParameter.from_dist``), or the default contested
    parameters over their cited ranges if it declares none; levers are its ``[levers]`` grid (as
    ``CategoricalParameter``); outcomes are ``ScalarOutcome`` means over ``replications`` runs
    per experiment, all experiments sharing the same random streams (common random numbers).

    Parameters
    ----------
    scenario
        The scenario.
    outcomes
        Outcome names, or ``{name: expression}`` (e.g. ``{"ilrs_first":
        "first_bloc_he3_delivered == 'ilrs'"}`` gives the share of runs where it holds).
    replications
        Runs per experiment.
    seed
        Seed of the runs (default: the scenario's).
    name
        The model's name (an identifier).

    Returns
    -------
    ema_workbench.Model

    Examples
    --------
    >>> from ema_workbench import SequentialEvaluator  # doctest: +SKIP
    >>> model = ema_model(load_scenario("asymmetric"), replications=5)  # doctest: +SKIP
    >>> with SequentialEvaluator(model) as evaluator:  # doctest: +SKIP
    ...     experiments, results = evaluator.perform_experiments(scenarios=20)
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from ema_workbench import CategoricalParameter, Model, RealParameter, ScalarOutcome
    except ImportError:
        raise MoondustError(
            "ema_model needs EMA Workbench: pip install 'moondust[analysis]'"
        ) from None
    from moondust.experiments.sensitivity import Problem
    from moondust.world.lever_grid import lever_axes

    if replications < 1:
        raise MoondustError(f"replications must be at least 1, got {replications}")
    if isinstance(outcomes, Mapping):
        chosen = {str(k): str(v) for k, v in outcomes.items()}
    else:
        chosen = {str(o): str(o) for o in outcomes}
    for key, text in chosen.items():
        if not key.isidentifier():
            raise MoondustError(
                f"outcome {key!r}: give expressions as a mapping {{name: expression}}"
            )
        Expression(text)  # fail early on a bad expression
    problem = Problem.from_scenario(scenario)
    axes = lever_axes(scenario)
    function = MoondustFunction(
        scenario.model_dump_json(),
        chosen,
        replications,
        scenario.simulation.seed if seed is None else int(seed),
        [axis.name for axis in axes],
        list(problem.names),
    )
    model = Model(name, function=function)
    model.uncertainties = [
        RealParameter.from_dist(factor, dist.frozen(parameter=factor))
        for factor, dist in zip(problem.names, problem.distributions, strict=True)
    ]
    model.levers = [CategoricalParameter(axis.name, list(axis.values)) for axis in axes]
    model.outcomes = [ScalarOutcome(key) for key in chosen]
    return model
