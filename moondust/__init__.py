"""moondust: simulate the race for the Moon's helium-3 between the world's space programs.

>>> import moondust
>>> scenario = moondust.load_scenario("asymmetric")
>>> results = moondust.simulate(scenario, runs=20, seed=1)
>>> results.dataset.sizes["run"], results.dataset.sizes["actor"]
(20, 18)
"""

from importlib.metadata import PackageNotFoundError, version

from moondust.engine.simulate import simulate
from moondust.errors import MoondustError
from moondust.experiments.store import open_results
from moondust.moon import He3Map, MoonParameters
from moondust.results import Results, Summary
from moondust.world.scenario import Scenario, load_scenario

try:
    __version__ = version("moondust")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

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
