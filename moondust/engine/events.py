"""Dated events: this year's blocs and sanctions (docs/model.md, "Dated events").

The world records when each bloc membership and sanction began (``World.artemis_year``,
``ilrs_year``, ``sanction_year``: the Wolf Amendment 2011, USA–Russia 2014, the 2022 sanctions,
the Artemis Accords from 2020, ILRS from 2021). :func:`~moondust.engine.simulate.build_setting`
turns them into one (N,)/(N, N) array per year from the start year to the last year of the data
(``Setting.*_by_year``); this mechanism, first in the year, writes the year's arrays to
``state.now`` (``sanction``, ``same_bloc``, ``artemis``, ``ilrs``) for the mechanisms that read
them. After the last dated year the last arrays hold, so a 2025 start sees the 2025 blocs and
sanctions every year, exactly as before dated events existed.
"""

from __future__ import annotations

from moondust.engine.params import RunParameters
from moondust.engine.state import Setting, State


def initial(setting: Setting, p: RunParameters, runs: int) -> None:
    """No state of its own: the year's arrays are the setting's."""
    return None


def step(state: State, setting: Setting, p: RunParameters) -> None:
    """Write this year's blocs and sanctions to ``state.now`` (:meth:`Setting.events_in`)."""
    now = state.now
    now.sanction, now.same_bloc, now.artemis, now.ilrs = setting.events_in(state.year)


__all__ = ["initial", "step"]
