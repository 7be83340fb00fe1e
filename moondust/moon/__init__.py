"""The Moon's helium-3 resource: grid, layers, concentration, inventory and mining sites."""

from moondust.moon.fluence import fluence_factor
from moondust.moon.grid import MoonGrid
from moondust.moon.he3 import He3Map, Inventory, MareInventory, Probe, concentration_ppb
from moondust.moon.layers import GridLayer
from moondust.moon.lpgrs import UnmixedTiO2, unmix_tio2
from moondust.moon.params import MoonParameters
from moondust.moon.uncertainty import InventoryRange

__all__ = [
    "GridLayer",
    "He3Map",
    "Inventory",
    "InventoryRange",
    "MareInventory",
    "MoonGrid",
    "MoonParameters",
    "Probe",
    "UnmixedTiO2",
    "concentration_ppb",
    "fluence_factor",
    "unmix_tio2",
]
