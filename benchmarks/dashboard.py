"""The explorer: how long one update takes to compute (a slider moved, 200 runs).

An update re-simulates the current settings (the baseline is already cached) in the dashboard's
worker processes, reduces the runs to the quantiles the graphs draw, and builds the five graphs'
Plotly JSON. Measured without a browser; the browser's own drawing is not included.
"""

from __future__ import annotations

import json
from typing import Any

from benchmarks.timing import measure

RUNS = 200
"""Runs per update (the explorer's cap and default)."""


def bench_dashboard_update(repeats: int = 5) -> dict[str, float]:
    """Median seconds of one explorer update with 200 runs (after a warm-up).

    ``dashboard_update_200_runs_s``: the ensemble, computed as the dashboard does (its worker
    processes, one per core up to 2); ``dashboard_update_200_runs_1proc_s``: the same in the
    calling thread; ``dashboard_figures_s``: the five graphs' Plotly JSON from the ensembles
    (the server's share of drawing them).
    """
    from moondust.dashboard import model
    from moondust.dashboard.app import default_base, explorer_request
    from moondust.dashboard.compute import EnsembleService
    from moondust.dashboard.figures import explorer_charts, plotly_spec

    base = default_base()
    settings = model.Settings(runs=RUNS).with_lever("artemis", "openness", 0.9)
    request = explorer_request(base, settings)
    current = request.scenarios["current"]
    results: dict[str, float] = {}
    variants: dict[str, Any] = {}
    for key, workers in (
        (f"dashboard_update_{RUNS}_runs_s", None),
        (f"dashboard_update_{RUNS}_runs_1proc_s", 0),
    ):
        service = EnsembleService(workers=workers, cache_size=0)  # no cache: compute every time

        def update(service: EnsembleService = service) -> object:
            return service.ensemble(current, RUNS)

        try:
            service.warm()
            results[key] = measure(update, repeats).median_s
            if not variants:
                variants = {
                    name: service.ensemble(scenario, RUNS)
                    for name, scenario in request.scenarios.items()
                }
        finally:
            service.shutdown()

    def figures() -> object:
        return [json.dumps(plotly_spec(c)) for c in explorer_charts(variants)]

    results["dashboard_figures_s"] = measure(figures, repeats).median_s
    return results


if __name__ == "__main__":
    print(json.dumps(bench_dashboard_update(), indent=2))
