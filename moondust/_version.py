"""The installed package's version, in a module of its own.

Lower layers (results, the run store, experiments) record the version in what they write; reading
it here rather than from ``moondust.__init__`` keeps them from importing the whole package (whose
``__init__`` imports the engine and the store) and so from import cycles.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("moondust")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"
