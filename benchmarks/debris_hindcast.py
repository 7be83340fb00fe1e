"""The debris hindcast 2007→2025 (docs/validation.md, "Debris hindcast"): its table and figure.

``python -m benchmarks.debris_hindcast [--runs N] [--seed S] [--png PATH]`` (defaults 200, 20,
``docs/img/debris_hindcast.png``) prints the rows of
:func:`moondust.engine.debris.debris_hindcast` as a Markdown table and draws the model's 5–95 %
band of objects ≥ 10 cm in LEO (parameters drawn across their documented ranges, recorded traffic
and fragmentation events only) with the default run, the recorded
≥ 10 cm counts (every orbit) and the catalogued LEO objects.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from moondust.datafiles import read_csv
from moondust.engine import debris
from moondust.engine.params import table_defaults


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--png", type=Path, default=Path("docs/img/debris_hindcast.png"))
    args = parser.parse_args()

    rows = debris.debris_hindcast(args.runs, args.seed)
    defaults = debris.hindcast_totals(table_defaults("conflict", 1), 1)
    print("| year | metric | observed | model 5 % | median | 95 % | defaults | median/observed |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        year = int(row["year"])
        default = 0.5 * float(defaults[year][0] + defaults[year + 1][0])
        ratio = float(row["model_q50"]) / float(row["observed"])
        print(
            f"| {year} | {row['metric']} | {row['observed']:,.0f} | {row['model_q05']:,.0f} | "
            f"{row['model_q50']:,.0f} | {row['model_q95']:,.0f} | {default:,.0f} | {ratio:.2f} |"
        )

    totals = debris.hindcast_totals(debris.hindcast_parameters(args.runs, args.seed), args.runs)
    years = np.array(sorted(totals))
    band = np.quantile(np.stack([totals[y] for y in years]), [0.05, 0.5, 0.95], axis=1)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=120)
    ax.fill_between(years, band[0], band[2], color="#0072B2", alpha=0.25, label="model 5–95 %")
    ax.plot(years, band[1], color="#0072B2", label="model median")
    ax.plot(years, [defaults[y][0] for y in years], "--", color="#0072B2", label="model defaults")
    ax.plot(
        [r["year"] for r in rows],
        [r["observed"] for r in rows],
        "s",
        color="#D55E00",
        label="ESA ≥ 10 cm (every orbit)",
    )
    table = read_csv("world", "debris_counts.csv")
    catalogued = table[table["metric"] == "catalogued objects in LEO (1 Jan)"]
    ax.plot(
        catalogued["year"].astype(int),
        catalogued["value"].astype(float),
        "o",
        color="#555555",
        label="catalogued in LEO (Space-Track via MOCAT-MC)",
    )
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("year (1 January)")
    ax.set_ylabel("objects ≥ 10 cm")
    ax.set_title("Debris hindcast 2007→2025: recorded traffic and events only")
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    args.png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.png)
    print(f"figure: {args.png}")


if __name__ == "__main__":
    main()
