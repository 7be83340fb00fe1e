"""The mechanism protocol: what every module in the year's pipeline exposes (docs/architecture.md).

A mechanism is a module with two functions:

``initial(setting, p, runs)``
    Its own state at the start year for ``runs`` runs (an object defined in its module, stored by
    the engine on :class:`~moondust.engine.state.State` under the module's name, e.g.
    ``state.mining``), or ``None`` when it keeps no state of its own.
``step(state, setting, p)``
    Advance one year in place. What it computes for mechanisms later in the year goes on
    ``state.now`` (:class:`~moondust.engine.state.ThisYear`), never into the caller's locals.

``setting`` is the scenario's fixed inputs (:class:`~moondust.engine.state.Setting`) and ``p`` the
block's run parameters (:data:`~moondust.engine.params.RunParameters`, each (R, 1)). The order is
:data:`moondust.engine.simulate.PIPELINE`.
"""

from __future__ import annotations

from types import ModuleType
from typing import Protocol

from moondust.engine.params import RunParameters
from moondust.engine.state import Setting, State


class Mechanism(Protocol):
    """A module of the year pipeline (modules satisfy a protocol by their functions, PEP 544)."""

    def initial(self, setting: Setting, p: RunParameters, runs: int, /) -> object | None:
        """The mechanism's own state at the start year, or None."""

    def step(self, state: State, setting: Setting, p: RunParameters, /) -> None:
        """Advance one year in place."""


def name_of(mechanism: ModuleType | Mechanism) -> str:
    """The mechanism's name: its module's last component (``moondust.engine.mining`` → ``mining``),
    also the :class:`~moondust.engine.state.State` attribute that holds its state."""
    return str(getattr(mechanism, "__name__", "")).rpartition(".")[2]


__all__ = ["Mechanism", "name_of"]
