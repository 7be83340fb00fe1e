"""Global sensitivity analysis with SALib: Sobol indices or Morris screening (docs/experiments.md).

The factors are every parameter the scenario samples: under ``[simulation] uncertainty = "full"``
(the default) each documented parameter range and the scenario's own ``[uncertainties]``; chance
only, its ``[uncertainties]``, or :data:`DEFAULT_FACTORS` (contested engine parameters swept
uniformly over their cited ranges) if it declares none. SALib samples the unit hypercube; each
column is mapped through its factor's quantile function
(:meth:`~moondust.world.scenario.Distribution.ppf`), so the indices refer to the factors' own
distributions. The model runs as a sweep with that design (resumable, on
any executor), and SALib computes the indices from one scalar outcome per sample.

:func:`indices` is the plumbing: a :class:`Problem`, a model function from a table of factor
values to outputs, a method and a sample size in, an index table out. ``moondust sensitivity``
and the Ishigami regression test both go through it:

>>> import numpy as np
>>> from SALib.test_functions import Ishigami
>>> problem = Problem.uniform({name: (-np.pi, np.pi) for name in ("x1", "x2", "x3")})
>>> result = indices(problem, lambda x: Ishigami.evaluate(x.to_numpy()), "sobol", 1024, seed=1)
>>> result.indices["ST"].round(1).tolist()
[0.6, 0.4, 0.2]
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from moondust.engine_parameters import EngineParameters
from moondust.errors import MoondustError
from moondust.experiments.chunks import STREAM_COLUMN
from moondust.world.scenario import Distribution, Scenario

Method = Literal["sobol", "morris"]
METHODS: tuple[str, ...] = ("sobol", "morris")
MORRIS_LEVELS = 4
DEFAULT_OUTCOME = "first_year_he3_delivered"

DEFAULT_FACTORS: tuple[str, ...] = (
    "spillover_max",
    "cross_bloc_discount",
    "heritage_transfer",
    "research_elasticity",
    "knowledge_elasticity",
    "catch_up_rate",
    "crowd_out",
    "growth_drag",
    "emulation_gain",
    "rivalry_gain",
)
"""Contested engine parameters analysed when a scenario declares no uncertainties: the
spillover and cooperation terms that separate the orientations, the idea-production
elasticities, guns-versus-butter crowd-out and growth drag, and the emulation/rivalry
reactions. Each is uniform over its cited range in ``data/parameters/engine.csv``."""


@dataclass(frozen=True)
class Problem:
    """Factors of a sensitivity analysis: names and distributions.

    Parameters
    ----------
    names
        Factor names (engine parameters for moondust, anything for a test function).
    distributions
        One :class:`~moondust.world.scenario.Distribution` per factor.
    """

    names: tuple[str, ...]
    distributions: tuple[Distribution, ...]

    @classmethod
    def uniform(cls, bounds: Mapping[str, tuple[float, float]]) -> Problem:
        """Independent uniform factors from ``name → (low, high)``."""
        return cls(
            tuple(bounds),
            tuple(Distribution(dist="uniform", low=lo, high=hi) for lo, hi in bounds.values()),
        )

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> Problem:
        """Every parameter the scenario samples (``uncertainty = "full"``: each documented
        range, the scenario's own [uncertainties] on top); chance only, its [uncertainties], or
        :data:`DEFAULT_FACTORS` over their cited ranges if it declares none."""
        if scenario.simulation.uncertainty == "full":
            sampled = scenario.sampled_uncertainties()
            names = tuple(sorted(sampled))
            return cls(names, tuple(sampled[n] for n in names))
        if scenario.uncertainties:
            names = tuple(sorted(scenario.uncertainties))
            return cls(names, tuple(scenario.uncertainties[n] for n in names))

        specs = EngineParameters.specs()
        bounds = {
            name: (specs[name].low, specs[name].high)
            for name in DEFAULT_FACTORS
            if name in specs and specs[name].low < specs[name].high
        }
        return cls.uniform(bounds)

    @property
    def size(self) -> int:
        """Number of factors."""
        return len(self.names)

    def salib(self) -> dict[str, Any]:
        """SALib's problem dict over the unit hypercube (values are mapped by :meth:`values`)."""
        return {
            "num_vars": self.size,
            "names": list(self.names),
            "bounds": [[0.0, 1.0]] * self.size,
        }

    def values(self, unit: np.ndarray) -> pd.DataFrame:
        """Factor values for unit-hypercube samples (rows), through each quantile function."""
        columns = {}
        for k, (name, dist) in enumerate(zip(self.names, self.distributions, strict=True)):
            u = unit[:, k]
            if dist.dist == "normal":  # Morris puts levels on 0 and 1: keep them finite
                u = np.clip(u, 1e-6, 1 - 1e-6)
            engine = name in EngineParameters.model_fields  # else a test function's factor
            columns[name] = dist.ppf(u, parameter=name if engine else None)
        return pd.DataFrame(columns)


@dataclass(frozen=True)
class SensitivityResult:
    """Indices of one analysis.

    Attributes
    ----------
    method
        ``sobol`` or ``morris``.
    outcome
        The outcome (name or expression) analysed.
    indices
        One row per factor, most influential first. Sobol: ``S1``, ``S1_conf``, ``ST``,
        ``ST_conf`` (first-order and total indices, 95 % bootstrap half-widths). Morris:
        ``mu_star``, ``mu_star_conf``, ``sigma``, ``mu`` (in outcome units per unit change of the
        factor's quantile).
    samples, evaluations
        SALib's base sample size and the number of model evaluations.
    censored
        Runs whose outcome was undefined (a milestone never reached) and counted as the year
        after the end.
    notes
        Anything the user should know about how the analysis was set up.
    warnings
        Signs the indices are not converged (:func:`convergence_warnings`).
    files
        Where the table (CSV) and the chart (PNG) were written, if they were.
    """

    method: str
    outcome: str
    indices: pd.DataFrame
    samples: int
    evaluations: int
    censored: int = 0
    notes: list[str] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        table = self.indices.reset_index().rename(columns={"index": "factor"})
        return {
            "method": self.method,
            "outcome": self.outcome,
            "samples": self.samples,
            "evaluations": self.evaluations,
            "censored": self.censored,
            "notes": self.notes,
            "warnings": self.warnings,
            "indices": [
                {
                    str(k): (None if isinstance(v, float) and math.isnan(v) else v)
                    for k, v in r.items()
                }
                for r in table.to_dict(orient="records")
            ],
            "files": {k: str(v) for k, v in self.files.items()},
        }


SOBOL_MAX_FACTORS = 20
"""Most factors ``auto`` analyses with Sobol; beyond, Morris screening first. Sobol over the ~94
parameters of ``uncertainty = "full"`` needs N × 96 runs with N ≥ 512 or so for stable indices
(about 50,000 runs, a day on two cores); Morris with 16 trajectories needs 16 × 95."""

DEFAULT_SAMPLES = {"sobol": 64, "morris": 16}
"""SALib's base sample when none is given: Sobol's N, Morris's trajectories."""


def choose_method(method: str, factors: int) -> str:
    """``auto``: Sobol up to :data:`SOBOL_MAX_FACTORS` factors, else Morris; else ``method``.

    >>> choose_method("auto", 10), choose_method("auto", 94), choose_method("sobol", 94)
    ('sobol', 'morris', 'sobol')
    """
    if method != "auto":
        return method
    return "sobol" if factors <= SOBOL_MAX_FACTORS else "morris"


WIDE_CONFIDENCE = 0.1
"""A Sobol index whose 95 % half-width exceeds this (in variance share) is not converged."""


def convergence_warnings(method: str, table: pd.DataFrame) -> list[str]:
    """Signs that the indices are not converged: Sobol ST > 1, S1 below zero beyond its
    confidence interval, or half-widths over :data:`WIDE_CONFIDENCE`; Morris μ* whose half-width
    exceeds half of it, among the factors that matter (μ* ≥ 10 % of the largest)."""
    found: list[str] = []

    def listed(names: pd.Index) -> str:
        shown = ", ".join(map(str, names[:5]))
        return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")

    if table.empty:
        return found
    if method == "sobol":
        over = table.index[table["ST"] > 1.0]
        if len(over):
            found.append(f"ST > 1 for {listed(over)}: not converged; raise --samples")
        negative = table.index[table["S1"] + table["S1_conf"] < 0]
        if len(negative):
            found.append(
                f"S1 below zero beyond its confidence interval for {listed(negative)}: not "
                "converged; raise --samples"
            )
        wide = table.index[
            (table["ST_conf"] > WIDE_CONFIDENCE) | (table["S1_conf"] > WIDE_CONFIDENCE)
        ]
        if len(wide):
            found.append(
                f"95 % confidence half-widths over {WIDE_CONFIDENCE:g} for {listed(wide)}: the "
                "indices are not converged; raise --samples (or --replicates)"
            )
        return found
    top = float(table["mu_star"].max())
    matters = table["mu_star"] >= 0.1 * top
    wide = table.index[matters & (table["mu_star_conf"] > 0.5 * table["mu_star"])]
    if top > 0 and len(wide):
        found.append(
            f"μ* half-widths over half of μ* for {listed(wide)}: the ranking is not converged; "
            "raise --samples (trajectories)"
        )
    return found


def check_samples(method: str, samples: int) -> None:
    """Sobol needs a power of two ≥ 2; Morris at least 2 trajectories."""
    if method not in METHODS:
        raise MoondustError(f"unknown method {method!r}; expected sobol or morris")
    if method == "sobol" and (samples < 2 or samples & (samples - 1)):
        raise MoondustError(
            f"--samples {samples}: Sobol needs a power of two (64, 128, 256, 512, …) so the "
            "Sobol' sequence keeps its balance"
        )
    if method == "morris" and samples < 2:
        raise MoondustError(f"--samples {samples}: Morris needs at least 2 trajectories")


def sample(problem: Problem, method: str, samples: int, seed: int) -> np.ndarray:
    """SALib's design in the unit hypercube: Sobol (Saltelli, first and total) or Morris."""
    check_samples(method, samples)
    if problem.size == 0:
        raise MoondustError("a sensitivity analysis needs at least one uncertain factor")
    spec = problem.salib()
    if method == "sobol":
        from SALib.sample import sobol as sobol_sample

        design = sobol_sample.sample(spec, samples, calc_second_order=False, seed=seed)
    else:
        from SALib.sample import morris as morris_sample

        design = morris_sample.sample(spec, samples, num_levels=MORRIS_LEVELS, seed=seed)
    return np.asarray(design, dtype=np.float64)


def analyze(
    problem: Problem, method: str, unit: np.ndarray, outputs: np.ndarray, seed: int
) -> pd.DataFrame:
    """SALib's indices for the outputs of a design from :func:`sample`, most influential first."""
    outputs = np.asarray(outputs, dtype=np.float64).reshape(-1)
    if outputs.size != unit.shape[0]:
        raise MoondustError(f"{outputs.size} outputs for {unit.shape[0]} samples")
    if not np.isfinite(outputs).all():
        raise MoondustError("the outcome is undefined (NaN) for some samples; SALib needs values")
    spec = problem.salib()
    with warnings.catch_warnings():  # constant outputs divide by a zero variance
        warnings.simplefilter("ignore", RuntimeWarning)
        if method == "sobol":
            from SALib.analyze import sobol as sobol_analyze

            found = sobol_analyze.analyze(spec, outputs, calc_second_order=False, seed=seed)
            table = pd.DataFrame(
                {k: np.asarray(found[k]) for k in ("S1", "S1_conf", "ST", "ST_conf")},
                index=list(problem.names),
            )
            return table.sort_values("ST", ascending=False)
        from SALib.analyze import morris as morris_analyze

        found = morris_analyze.analyze(
            spec, unit, outputs, num_levels=MORRIS_LEVELS, seed=seed, num_resamples=100
        )
    table = pd.DataFrame(
        {
            k: np.asarray(found[k], dtype=np.float64)
            for k in ("mu_star", "mu_star_conf", "sigma", "mu")
        },
        index=list(problem.names),
    )
    return table.sort_values("mu_star", ascending=False)


def indices(
    problem: Problem,
    model: Callable[[pd.DataFrame], np.ndarray],
    method: str,
    samples: int,
    seed: int = 0,
) -> SensitivityResult:
    """Sample, evaluate, analyse: the plumbing every sensitivity analysis here goes through.

    Parameters
    ----------
    problem
        The factors.
    model
        Maps a table of factor values (one row per sample, columns :attr:`Problem.names`) to one
        output per row.
    method
        ``sobol`` (first-order and total indices; ``samples`` a power of two; ``samples × (k + 2)``
        evaluations) or ``morris`` (``samples`` trajectories; ``samples × (k + 1)`` evaluations).
    samples
        SALib's base sample size.
    seed
        Seeds SALib's sampler and bootstrap.

    Returns
    -------
    SensitivityResult
    """
    unit = sample(problem, method, samples, seed)
    outputs = np.asarray(model(problem.values(unit)), dtype=np.float64)
    table = analyze(problem, method, unit, outputs, seed)
    return SensitivityResult(method, "", table, samples, int(unit.shape[0]))


def evaluations(method: str, samples: int, factors: int) -> int:
    """How many model evaluations an analysis takes.

    >>> evaluations("sobol", 256, 10), evaluations("morris", 20, 10)
    (3072, 220)
    """
    return samples * (factors + 2) if method == "sobol" else samples * (factors + 1)


def _outcome_kinds(scenario: Scenario, problem: Problem) -> dict[str, str]:
    """Names an outcome expression may use for this scenario → kind, from a one-run probe."""
    from moondust.engine.simulate import simulate
    from moondust.experiments.outcomes import OUTCOMES

    start = scenario.simulation.start
    probe = scenario.with_changes(simulation={**scenario.simulation.model_dump(), "end": start + 2})
    ds = simulate(probe, runs=1, seed=0).dataset
    kinds: dict[str, str] = {n: o.kind for n, o in OUTCOMES.for_dataset(ds).items()}
    kinds.update({f"input_{name}": "input" for name in problem.names})
    return kinds


def _is_year(name: str) -> bool:
    return name.startswith(("first_year_", "year_")) or (
        name.startswith("first_") and name.endswith("_year")
    )


def sensitivity(
    scenario: Scenario,
    method: str = "sobol",
    samples: int = 256,
    outcome: str = DEFAULT_OUTCOME,
    out: str | Path | None = None,
    *,
    seed: int | None = None,
    replicates: int = 1,
    chart: bool = True,
    **sweep_options: Any,
) -> SensitivityResult:
    """Sobol or Morris indices of one outcome of a scenario, by way of a resumable sweep.

    Parameters
    ----------
    scenario
        The factors are :meth:`Problem.from_scenario`: every parameter it samples (under
        ``uncertainty = "full"``, the default), else its uncertainties (or
        :data:`DEFAULT_FACTORS` if it has none); a lever grid is ignored (analyse one lever
        point at a time).
    method, samples
        See :func:`indices`; ``auto`` chooses with :func:`choose_method`.
    outcome
        An outcome name or expression (``moondust outcomes``); booleans count as 0/1. Years of
        milestones never reached count as the year after the end (and are reported).
    out
        The sweep directory (default
        ``moondust-out/<scenario>-sensitivity/<method>-n<N>-r<R>-s<seed>``); the table
        ``sensitivity.csv`` and the chart ``sensitivity.png`` are written into it.
    seed
        Seeds SALib and the runs (default: the scenario's).
    replicates
        Runs per sample, averaged. Replicate *r* of every sample uses random stream *r* (common
        random numbers), so the indices describe the factors' effect averaged over ``replicates``
        draws of chance, rather than mixing chance into every factor's total index.
    chart
        Write the PNG chart.
    **sweep_options
        Passed to :func:`~moondust.experiments.sweep.run_sweep` (``executor``, ``workers``,
        ``scheduler``, ``chunk_size``, ``progress``).

    Returns
    -------
    SensitivityResult
    """
    from moondust.experiments.outcomes import Expression, check_expression
    from moondust.experiments.store import read_runs_table
    from moondust.experiments.sweep import run_sweep

    if method != "auto":
        check_samples(method, samples)
    if replicates < 1:
        raise MoondustError(f"--replicates must be at least 1, got {replicates}")
    expression = Expression(outcome)
    seed = scenario.simulation.seed if seed is None else int(seed)
    notes = []
    if scenario.levers:
        notes.append("the scenario's [levers] grid is ignored: its policies are analysed as set")
        scenario = scenario.with_changes(levers={})
    problem = Problem.from_scenario(scenario)
    method = choose_method(method, problem.size)
    check_samples(method, samples)
    check_expression(expression, _outcome_kinds(scenario, problem), "number")
    if scenario.simulation.uncertainty == "full":
        notes.append(
            f"analysing every sampled parameter ({problem.size}: each documented range in "
            "data/parameters, the scenario's [uncertainties] on top; `--uncertainty none` for "
            "the scenario's own only)"
        )
    elif not scenario.uncertainties:
        notes.append(
            "the scenario declares no [uncertainties]: analysing the default contested "
            f"parameters over their cited ranges ({', '.join(problem.names)})"
        )
    if out is None:
        out = (
            Path("moondust-out")
            / f"{scenario.name}-sensitivity"
            / f"{method}-n{samples}-r{replicates}-s{seed}"
        )
    out = Path(out)
    censored = 0

    def model(values: pd.DataFrame) -> np.ndarray:
        nonlocal censored
        design = values.loc[values.index.repeat(replicates)].reset_index(drop=True)
        # Common random numbers: replicate r of every sample draws from random stream r, so
        # outputs differ between samples only through the factors, not the runs' own chance.
        design[STREAM_COLUMN] = np.tile(np.arange(replicates), len(values))
        report = run_sweep(
            scenario, out=out, seed=seed, sampling="design", design=design, **sweep_options
        )
        if not report.complete:
            chunk, error = next(iter(report.failed.items()), (-1, "incomplete"))
            raise MoondustError(
                f"{out}: {len(report.failed)} chunk(s) failed (chunk {chunk}: {error}); see "
                f"{out / 'manifest.json'} and run the command again to retry them"
            )
        table = read_runs_table(out, expression.names)
        result = expression.evaluate(table)
        if pd.api.types.is_bool_dtype(result):
            y = result.to_numpy(dtype=np.float64)
        else:
            y = pd.to_numeric(result, errors="coerce").to_numpy(dtype=np.float64)
            missing = np.isnan(y)
            if missing.any():
                if not (expression.is_name and _is_year(expression.text)):
                    raise MoondustError(
                        f"outcome {outcome!r} is undefined in {int(missing.sum())} runs; "
                        "choose an outcome defined in every run (or a year, censored at the end)"
                    )
                censored = int(missing.sum())
                y = np.where(missing, scenario.simulation.end + 1.0, y)
        return y.reshape(len(values), replicates).mean(axis=1)

    result = indices(problem, model, method, samples, seed)
    result = SensitivityResult(
        method=method,
        outcome=outcome,
        indices=result.indices,
        samples=samples,
        evaluations=result.evaluations * replicates,
        censored=censored,
        notes=notes,
        warnings=convergence_warnings(method, result.indices),
    )
    files = {"table": out / "sensitivity.csv"}
    result.indices.rename_axis("factor").to_csv(files["table"])
    if chart:
        files["chart"] = plot_indices(result, out / "sensitivity.png")
    result.files.update(files)
    return result


def plot_indices(result: SensitivityResult, path: str | Path) -> Path:
    """A horizontal bar chart: Sobol first-order and total indices, or Morris μ* and σ."""
    from matplotlib.figure import Figure

    table = result.indices.iloc[::-1]
    series: tuple[tuple[str, str | None, str], ...]
    if result.method == "sobol":
        series = (("S1", "S1_conf", "first-order S1"), ("ST", "ST_conf", "total ST"))
        xlabel = "Sobol index (share of the outcome's variance)"
    else:
        series = (
            ("mu_star", "mu_star_conf", "μ* (mean |elementary effect|)"),
            ("sigma", None, "σ (interactions, non-linearity)"),
        )
        xlabel = "elementary effect (outcome units per unit quantile)"
    positions = np.arange(len(table))
    height = 0.38
    fig = Figure(figsize=(7.5, 1.2 + 0.45 * len(table)))
    ax = fig.subplots()
    for k, (column, conf, label) in enumerate(series):
        errors = table[conf].to_numpy() if conf else None
        ax.barh(
            positions + (0.5 - k) * height,
            table[column].to_numpy(),
            height=height,
            xerr=errors,
            label=label,
            color=("#4C72B0", "#DD8452")[k],
            error_kw={"elinewidth": 0.8, "capsize": 2},
        )
    ax.set_yticks(positions, [str(name) for name in table.index])
    ax.axvline(0, color="0.3", linewidth=0.6)
    ax.set_xlabel(xlabel)
    ax.set_title(
        f"{result.method.capitalize()} sensitivity of {result.outcome} "
        f"({result.evaluations:,} runs)",
        fontsize=10,
    )
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    return path
