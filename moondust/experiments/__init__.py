"""Experiments at scale: sweeps in chunks on any executor, resume, sensitivity, discovery.

- :func:`run_sweep` — a scenario's uncertainties sampled (Monte Carlo or Latin hypercube) and its
  lever grid crossed, in chunks on an executor (inline, processes, Dask), written to a directory
  that resumes after a kill (:mod:`~moondust.experiments.sweep`, :mod:`~.store`, :mod:`~.chunks`).
- :func:`open_results` — a run's or a sweep's directory as lazy :class:`~moondust.results.Results`,
  verified against its checksums (:func:`trusting` skips them); :func:`repair_sweep` — rewrite a
  sweep's manifest from its journal and mark chunks that fail their checksum for recomputing.
- :func:`read_runs_table` — a sweep's per-run inputs and outcomes as one table;
  :data:`OUTCOMES` / :func:`register_outcome` — the named outcomes (:mod:`~.outcomes`).
- :func:`~moondust.experiments.sensitivity.sensitivity` — SALib Sobol or Morris indices.
- :func:`~moondust.experiments.discovery.discover` — EMA Workbench PRIM boxes;
  :func:`~moondust.experiments.discovery.ema_model` — moondust as an EMA Workbench ``Model``.

The analysis modules import SALib and EMA Workbench only when used (``moondust[analysis]``);
Dask only for ``executor="dask"`` and lazy opening (``moondust[dask]``).
"""

from moondust.experiments.outcomes import OUTCOMES, Expression, Outcome, register_outcome
from moondust.experiments.store import open_results, open_sweep, read_runs_table
from moondust.experiments.sweep import (
    SweepProgress,
    SweepReport,
    repair_sweep,
    run_sweep,
    sweep_status,
)
from moondust.storage import trusting

__all__ = [
    "OUTCOMES",
    "Expression",
    "Outcome",
    "SweepProgress",
    "SweepReport",
    "open_results",
    "open_sweep",
    "read_runs_table",
    "register_outcome",
    "repair_sweep",
    "run_sweep",
    "sweep_status",
    "trusting",
]
