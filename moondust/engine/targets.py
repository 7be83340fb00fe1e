"""M3. Targets: the milestone each actor works toward on each track this year (docs/model.md, M3).

On each programme track (robotic, crewed, He-3, fusion) an actor's target is the first milestone
in ladder order whose prerequisites it holds, preferring one its roadmap schedules within two
years. R&D (:mod:`moondust.engine.technology`) is aimed at the targets and missions
(:mod:`moondust.engine.missions`) attempt them.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from moondust.engine.jit import kernel
from moondust.engine.ladder import TRACKS
from moondust.engine.params import RunParameters
from moondust.engine.state import FloatArray, IntArray, Setting, State

_ROADMAP_LOOKAHEAD = 2
_FUSION_TRACK = TRACKS.index("fusion")


class LadderTables(NamedTuple):
    """The ladder and roadmaps as :func:`_choose_targets` reads them (unpacked), for M milestones
    and N actors (the setting's: the same in every run)."""

    prerequisite_start: IntArray
    """(M + 1,) milestone m needs ``prerequisite_needs[start[m]:start[m + 1]]``
    (:attr:`~moondust.engine.ladder.Ladder.prerequisite_rows`)."""
    prerequisite_needs: IntArray
    """(number of prerequisites,) milestone indices."""
    track: IntArray
    """(M,) each milestone's track (an index into :data:`~moondust.engine.ladder.TRACKS`)."""
    roadmap_year: FloatArray
    """(N, M) the year each actor's roadmap announces a milestone for (NaN: none)."""


def initial(setting: Setting, p: RunParameters, runs: int) -> None:
    """No state of its own (targets are chosen afresh every year)."""
    return None


def step(state: State, setting: Setting, p: RunParameters) -> None:
    """This year's targets into ``state.now.targets`` (:func:`choose_targets`)."""
    state.now.targets = choose_targets(state, setting, p)


@kernel
def _choose_targets(  # type: ignore[no-untyped-def]
    achieved,
    prerequisite_start,
    prerequisite_needs,
    track,
    roadmap_year,
    year,
    fusion_off,
    targets,
):
    """Per (run, actor, track) into ``targets`` (R, N, tracks): the first eligible milestone (not
    held in ``achieved`` (R, N, M), its prerequisites held) in ladder order, those the roadmap
    schedules within the lookahead first; −1 for none (and on the fusion track when it is off:
    ``fusion_off`` (R,)).

    Called with a :class:`LadderTables` unpacked after ``achieved`` (a test checks the names):
    Numba's dispatcher types arrays passed one by one much faster than a named tuple of them.
    """
    start = prerequisite_start
    needs = prerequisite_needs
    runs, n, size = achieved.shape
    tracks = targets.shape[2]
    horizon = float(year + _ROADMAP_LOOKAHEAD)
    best = np.empty(tracks)
    for r in range(runs):
        for i in range(n):
            for t in range(tracks):
                best[t] = np.inf
                targets[r, i, t] = -1
            for m in range(size):
                # Written out rather than a helper called per milestone: passing array views to
                # a compiled call costs reference counting that made this several times slower.
                if achieved[r, i, m]:
                    continue
                ok = True
                for q in range(start[m], start[m + 1]):
                    if not achieved[r, i, needs[q]]:
                        ok = False
                        break
                if not ok:
                    continue
                score = float(m)
                if roadmap_year[i, m] <= horizon:  # NaN (no announced date) compares False
                    score -= size
                t = track[m]
                if score < best[t]:  # strict: the first of equal scores, like argmin
                    best[t] = score
                    targets[r, i, t] = m
            if fusion_off[r]:
                targets[r, i, _FUSION_TRACK] = -1


def choose_targets(
    state: State, setting: Setting, p: RunParameters | None = None
) -> NDArray[np.int64]:
    """The milestone each actor works toward on each track, (R, N, tracks); −1 for none.

    With ``fusion_enabled`` = 0 in ``p`` nobody works toward the fusion milestones.
    """
    ladder = setting.ladder
    runs, n = state.achieved.shape[:2]
    if p is not None:
        fusion_off = np.ascontiguousarray(p["fusion_enabled"][:, 0] < 0.5)
    else:
        fusion_off = np.zeros(runs, dtype=np.bool_)
    targets = np.empty((runs, n, len(TRACKS)), dtype=np.int64)
    start, needs = ladder.prerequisite_rows
    tables = LadderTables(
        prerequisite_start=start,
        prerequisite_needs=needs,
        track=np.ascontiguousarray(ladder.track, dtype=np.int64),
        roadmap_year=np.ascontiguousarray(setting.roadmap_year, dtype=np.float64),
    )
    _choose_targets(
        np.ascontiguousarray(state.achieved, dtype=np.bool_),
        *tables,
        int(state.year),
        fusion_off,
        targets,
    )
    return targets


__all__ = ["choose_targets", "initial", "step"]
