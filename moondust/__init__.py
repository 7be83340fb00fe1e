"""moondust: simulate the race for the Moon's helium-3 between the world's space programs.

>>> import moondust
>>> scenario = moondust.load_scenario("asymmetric")
>>> results = moondust.simulate(scenario, runs=20, seed=1)
>>> results.dataset.sizes["run"], results.dataset.sizes["actor"]
(20, 18)
"""

from moondust._version import __version__
from moondust.engine.simulate import simulate
from moondust.errors import MoondustError
from moondust.experiments.store import open_results
from moondust.moon import He3Map, MoonParameters
from moondust.results import Results, Summary
from moondust.world.scenario import Scenario, load_scenario

__all__ = [
    "He3Map",
    "MoonParameters",
    "MoondustError",
    "Results",
    "Scenario",
    "Summary",
    "__version__",
    "load_scenario",
    "open_results",
    "simulate",
]
