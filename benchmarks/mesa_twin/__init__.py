"""The Mesa twin: moondust's model as a Mesa 3 user would write it (docs/benchmarks.md).

One :class:`~benchmarks.mesa_twin.agents.SpaceProgramme` agent per actor, a
:class:`~benchmarks.mesa_twin.model.MoonRace` model whose ``step()`` runs the yearly pipeline in
per-agent Python, a :class:`mesa.DataCollector` for the outcomes and :func:`mesa.batch_run` for
many runs. It shares parameters and data loading with moondust (:mod:`.inputs`) and none of its
engine code; it draws from Mesa's own seeded RNG, so it matches moondust in distribution
(``tests/benchmarks/test_mesa_twin.py``), not bit for bit.
"""

from benchmarks.mesa_twin.agents import SpaceProgramme
from benchmarks.mesa_twin.model import MoonRace, run_twin, twin_outcomes

__all__ = ["MoonRace", "SpaceProgramme", "run_twin", "twin_outcomes"]
