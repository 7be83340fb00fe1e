"""The outputs table: every variable of a simulation's dataset, declared once.

Each :class:`Output` gives a data variable's name, dims, unit, dtype, description and source (the
``State`` field the engine's ``Recorder`` copies each year, or the code that computes it). The
engine allocates and fills its yearly records from :data:`OUTPUTS` and sets each variable's
``units`` from it when it assembles :class:`~moondust.results.Results`; ``docs/outputs.md`` lists
the same table (:func:`markdown_table` prints it, and a test keeps the page equal to it). To add
an output, add a row here: a plain copy of a ``State`` field needs nothing else; an output
computed from the state or from the records also needs its computation in
``moondust/engine/records.py``.

Yearly outputs are float32 (seven significant digits, half the memory of float64: 10,000 runs of
the full model record about 1.3 GB instead of 2.6 GB), except He-3 masses, kept in float64
because tests check conservation of He-3 to the kilogram, and counts and indices, kept in small
integers.

The table sits below the engine and the results (it imports nothing of moondust), so both may
read it; ``moondust.results`` still knows nothing of the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

RECORDED = "Recorder.record"
"""Source of an output the recorder computes from the state each year (not a plain copy)."""
ASSEMBLED = "assemble_results"
"""Source of an output computed when the dataset is assembled (from the records or final state)."""

_STATE = "state."


@dataclass(frozen=True)
class Output:
    """One variable of the dataset.

    Attributes
    ----------
    name
        The variable's name in ``Results.dataset``.
    dims
        Its dims, in the dataset's order.
    unit
        Its ``units`` attribute.
    dtype
        Its NumPy dtype name (what the recorder allocates).
    description
        What it is, for the docs.
    source
        ``state.<field>`` (dotted) for a ``State`` field the recorder copies each year as it is;
        :data:`RECORDED` for one the recorder computes each year; :data:`ASSEMBLED` for one
        computed when the dataset is assembled.
    """

    name: str
    dims: tuple[str, ...]
    unit: str
    dtype: str
    description: str
    source: str

    @property
    def state_field(self) -> str | None:
        """The dotted ``State`` field copied each year, or None for a computed output."""
        return self.source.removeprefix(_STATE) if self.source.startswith(_STATE) else None

    @property
    def yearly(self) -> bool:
        """Whether the recorder records it each year (a copy or a yearly computation)."""
        return self.source != ASSEMBLED

    @property
    def attrs(self) -> dict[str, str]:
        """The variable's attributes in the dataset."""
        return {"units": self.unit}


_RAY = ("run", "actor", "year")
_SPENDING = "USD bn/yr (2025 dollars)"

OUTPUTS: tuple[Output, ...] = (
    Output(
        "civil_usd_bn", _RAY, _SPENDING, "float32", "Civil space spending", "state.civil_usd_bn"
    ),
    Output(
        "military_usd_bn",
        _RAY,
        _SPENDING,
        "float32",
        "Military space spending",
        "state.military_usd_bn",
    ),
    Output(
        "military_share",
        _RAY,
        "1",
        "float32",
        "Military share of the space budget",
        "state.military_share",
    ),
    Output(
        "lunar_rd_usd_bn",
        _RAY,
        "USD bn/yr",
        "float32",
        "Civil spending on lunar R&D",
        "state.lunar_rd_usd_bn",
    ),
    Output(
        "capability",
        ("run", "actor", "year", "domain"),
        "capability level (milestone thresholds)",
        "float32",
        "Capability in each technology domain",
        "state.capability",
    ),
    Output(
        "milestones_held",
        _RAY,
        "count",
        "int16",
        "Milestones achieved so far",
        RECORDED,
    ),
    Output(
        "attempted",
        _RAY,
        "milestone index, -1 none",
        "int16",
        "Milestone attempted this year",
        "state.attempted",
    ),
    Output(
        "site_holder",
        ("run", "site", "year"),
        "actor index, -1 unclaimed",
        "int16",
        "Actor that opened each mining site",
        "state.mining.holder",
    ),
    Output(
        "site_joint",
        ("run", "site", "year"),
        "bool",
        "bool",
        "Whether the site is a joint base",
        "state.mining.joint",
    ),
    Output(
        "site_remaining_kg",
        ("run", "site", "year"),
        "kg He-3 within mining depth",
        "float64",
        "He-3 left within reach at each site",
        "state.mining.remaining_kg",
    ),
    Output(
        "milestone_year",
        ("run", "actor", "milestone"),
        "calendar year; NaN if not achieved",
        "float64",
        "Year each milestone was first achieved",
        ASSEMBLED,
    ),
    Output("he3_mined_kg", _RAY, "kg/yr", "float64", "He-3 mined", "state.mining.mined_kg"),
    Output(
        "he3_delivered_kg",
        _RAY,
        "kg/yr",
        "float64",
        "He-3 delivered to Earth",
        "state.mining.delivered_kg",
    ),
    Output(
        "miners",
        _RAY,
        "count (Mark III equivalents)",
        "float32",
        "Miners working on the Moon",
        "state.mining.miners",
    ),
    Output(
        "fusion_gw",
        _RAY,
        "GWe installed",
        "float32",
        "He-3 fusion plants installed",
        "state.fusion.plants_gw",
    ),
    Output(
        "energy_twh",
        _RAY,
        "TWh/yr electricity",
        "float32",
        "Electricity generated by He-3 fusion",
        "state.fusion.energy_twh",
    ),
    Output(
        "co2_avoided_mt",
        _RAY,
        "Mt CO2/yr",
        "float32",
        "CO2 emissions avoided by that electricity",
        "state.fusion.co2_avoided_mt",
    ),
    Output(
        "climate_value_usd_bn",
        _RAY,
        "USD bn/yr (2020 dollars, EPA SCC 2 %)",
        "float32",
        "Social value of the CO2 avoided",
        "state.fusion.climate_value_usd_bn",
    ),
    Output(
        "he3_price_usd_per_kg",
        ("run", "year"),
        "USD/kg",
        "float64",
        "He-3 price that clears the market (M5b)",
        "state.market.price_usd_per_kg",
    ),
    Output(
        "he3_sold_kg",
        _RAY,
        "kg/yr",
        "float64",
        "He-3 each actor sold (lunar and D-D bred)",
        "state.market.sold_kg",
    ),
    Output(
        "he3_revenue_usd_bn",
        _RAY,
        "USD bn/yr",
        "float32",
        "Each actor's He-3 sales at the market price",
        "state.market.revenue_usd_bn",
    ),
    Output(
        "he3_earth_supply_kg",
        ("run", "year"),
        "kg/yr",
        "float64",
        "He-3 supplied from Earth (tritium decay and D-D fusion)",
        "state.market.earth_supply_kg",
    ),
    Output(
        "he3_fuel_kg",
        _RAY,
        "kg/yr",
        "float64",
        "He-3 each actor bought as fusion fuel",
        "state.market.fuel_kg",
    ),
    Output(
        "grid_intensity_g_per_kwh",
        ("run", "year"),
        "gCO2/kWh",
        "float32",
        "World grid CO2 intensity fusion displaces (IEA WEO 2025 path)",
        "state.fusion.grid_intensity_g_per_kwh",
    ),
    Output(
        "counterspace_usd_bn",
        _RAY,
        "USD bn (stock)",
        "float32",
        "Counterspace stock",
        "state.conflict.counterspace_usd_bn",
    ),
    Output(
        "incidents",
        _RAY,
        "incidents suffered this year",
        "int16",
        "Incidents suffered (interference or an ASAT test by a rival)",
        "state.conflict.incidents",
    ),
    Output(
        "asat_tests",
        _RAY,
        "destructive ASAT tests conducted this year",
        "int16",
        "Destructive ASAT tests conducted",
        RECORDED,
    ),
    Output(
        "station_seats",
        ("run", "station", "actor", "year"),
        "crew seats flown this year",
        "int8",
        "Crew seats flown, per station and nationality",
        "state.stations.seats_flown",
    ),
    Output(
        "seats_flown",
        _RAY,
        "crew seats flown this year, all stations",
        "int16",
        "Crew seats flown on all stations",
        ASSEMBLED,
    ),
    Output(
        "foreign_flights",
        _RAY,
        "seats flown as a guest on another actor's station this year",
        "int16",
        "Crew seats flown as a guest on another actor's station",
        ASSEMBLED,
    ),
    Output(
        "debris",
        ("run", "year"),
        "objects >= 10 cm in LEO",
        "float32",
        "Debris in low Earth orbit",
        "state.debris.debris",
    ),
    Output(
        "active_satellites",
        ("run", "year"),
        "active satellites in LEO",
        "float32",
        "Active satellites in low Earth orbit",
        "state.debris.active",
    ),
)
"""The dataset's variables, in its order (before the sampled inputs)."""

SAMPLED_INPUT = Output(
    "input_<parameter>",
    ("run",),
    "sampled",
    "float64",
    "Per-run value of an engine parameter that varies between runs (uncertainties, inputs)",
    ASSEMBLED,
)
"""The pattern of the variables holding each run's sampled parameters, after :data:`OUTPUTS`."""

OUTPUT_BY_NAME: dict[str, Output] = {output.name: output for output in OUTPUTS}


def markdown_table() -> str:
    """The outputs table as Markdown, the list ``docs/outputs.md`` shows.

    Returns
    -------
    str
        A header row and one row per output (then the sampled inputs).

    Examples
    --------
    >>> markdown_table().splitlines()[2].split(" | ")[:3]
    ['| `civil_usd_bn`', 'run, actor, year', 'USD bn/yr (2025 dollars)']
    """
    lines = [
        "| name | dims | unit | dtype | description | source |",
        "|---|---|---|---|---|---|",
    ]
    for output in (*OUTPUTS, SAMPLED_INPUT):
        lines.append(
            f"| `{output.name}` | {', '.join(output.dims)} | {output.unit} | {output.dtype} "
            f"| {output.description} | `{output.source}` |"
        )
    return "\n".join(lines)
