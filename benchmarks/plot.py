"""The log-log figure of runs vs time for moondust and the Mesa twin."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def plot_scaling(results: dict[str, Any], path: str | Path) -> Path:
    """Write a small PNG: wall seconds against runs, moondust measured (default threads and one
    thread), the twin measured and extrapolated linearly from its per-run cost (dashed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = results["engine"]
    twin = results.get("twin", [])
    fig, ax = plt.subplots(figsize=(6.0, 4.0), dpi=100)
    n = [p["runs"] for p in engine]
    ax.plot(
        n,
        [p["median_s"] for p in engine],
        "o-",
        color="#1f5fa8",
        label="moondust (measured, default threads)",
    )
    single = results.get("engine_1_thread", [])
    if single:
        ax.plot(
            [p["runs"] for p in single],
            [p["median_s"] for p in single],
            "^",
            color="#56b4e9",
            label="moondust (measured, one thread)",
        )
    if twin:
        tn = [p["runs"] for p in twin]
        ax.plot(
            tn, [p["median_s"] for p in twin], "s-", color="#c0392b", label="Mesa twin (measured)"
        )
        per_run = twin[-1]["median_s"] / twin[-1]["runs"]
        far = [tn[-1], max(n)]
        ax.plot(
            far,
            [per_run * x for x in far],
            "--",
            color="#c0392b",
            alpha=0.7,
            label="Mesa twin (extrapolated, linear)",
        )
    ideal = engine[-1]["median_s"] / engine[-1]["runs"]
    ax.plot(n, [ideal * x for x in n], ":", color="grey", label="linear in runs (through largest)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("runs (18 actors × 76 years each)")
    ax.set_ylabel("wall time (s, median)")
    ratio = results.get("mesa_ratio")
    title = "Full model, one process"
    if ratio:
        title += f": moondust {ratio:.0f}× faster per run at 1,000 runs"
        if results.get("mesa_ratio_1_thread"):
            title += f"\n({results['mesa_ratio_1_thread']:.0f}× on one thread)"
    ax.set_title(title, fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
