"""moondust: simulate the race for the Moon's helium-3 between the world's space programs."""

from importlib.metadata import PackageNotFoundError, version

from moondust.errors import MoondustError
from moondust.moon import He3Map, MoonParameters

try:
    __version__ = version("moondust")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["He3Map", "MoonParameters", "MoondustError", "__version__"]
