"""The milestone ladder: what each milestone needs and costs (``data/engine/milestones.csv``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property

import numpy as np
from numpy.typing import NDArray

from moondust.datafiles import read_csv
from moondust.parameters import link_references

DOMAINS: tuple[str, ...] = ("launch", "landing", "surface", "return", "crew", "fusion")
"""Capability domains k of the stocks A_ik (docs/model.md, M2)."""

TRACKS: tuple[str, ...] = ("robotic", "crewed", "he3", "fusion")
"""Programme tracks run in parallel: an actor may attempt one milestone per track per year."""


@dataclass(frozen=True)
class Ladder:
    """Milestones in ladder order with their capability thresholds, prerequisites and costs."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    thresholds: NDArray[np.float64]
    """Capability level needed in each domain, shape (milestones, domains)."""
    prerequisites: NDArray[np.bool_]
    """``prerequisites[m, p]``: milestone m needs milestone p first."""
    cost_usd_bn: NDArray[np.float64]
    cost_low: NDArray[np.float64]
    cost_high: NDArray[np.float64]
    track: NDArray[np.int64]
    """Index into :data:`TRACKS` of each milestone's programme track."""

    def index(self, milestone: str) -> int:
        """Position of a milestone id in the ladder."""
        return self.ids.index(milestone)

    @property
    def size(self) -> int:
        """Number of milestones."""
        return len(self.ids)

    @cached_property
    def prerequisite_rows(self) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Each milestone's prerequisites as compressed rows (for kernels): milestone m needs
        ``needs[start[m]:start[m + 1]]``; returns ``(start, needs)``."""
        rows, needs = np.nonzero(self.prerequisites)
        start = np.zeros(self.size + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=self.size), out=start[1:])
        return start, needs.astype(np.int64)


@cache
def load_ladder() -> Ladder:
    """The packaged ladder."""
    table = read_csv("engine", "milestones.csv")
    ids = tuple(str(x) for x in table["id"])
    prerequisites = np.zeros((len(ids), len(ids)), dtype=bool)
    for m, text in enumerate(table["prerequisites"].fillna("")):
        for name in filter(None, str(text).split(";")):
            prerequisites[m, ids.index(name.strip())] = True
    return Ladder(
        ids=ids,
        names=tuple(str(x) for x in table["name"]),
        thresholds=table[list(DOMAINS)].to_numpy(dtype=np.float64),
        prerequisites=prerequisites,
        cost_usd_bn=table["cost_usd_bn"].to_numpy(dtype=np.float64),
        cost_low=table["cost_low"].to_numpy(dtype=np.float64),
        cost_high=table["cost_high"].to_numpy(dtype=np.float64),
        track=np.array([TRACKS.index(str(t)) for t in table["track"]], dtype=np.int64),
    )


def markdown_table() -> str:
    """The ladder as the Markdown table in ``docs/model.md`` (a test keeps them in step)."""
    table = read_csv("engine", "milestones.csv")
    header = (
        "| milestone | track | needs | "
        + " | ".join(DOMAINS)
        + " | cost, USD bn (range) | cost source (status) |"
    )
    lines = [header, "|" + "---|" * (5 + len(DOMAINS))]
    for data in table.to_dict(orient="records"):
        levels = " | ".join(f"{float(data[d]):g}" for d in DOMAINS)
        text = data["prerequisites"]
        needs = str(text).replace(";", ", ") if isinstance(text, str) and text else "—"
        lines.append(
            f"| `{data['id']}` | {data['track']} | {needs} | {levels} | "
            f"{float(data['cost_usd_bn']):g} ({float(data['cost_low']):g}–"
            f"{float(data['cost_high']):g}) | {link_references(data['cost_source'])} "
            f"({data['cost_status']}) |"
        )
    return "\n".join(lines)
