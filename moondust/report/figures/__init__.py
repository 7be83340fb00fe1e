"""The run report's figures, one module each; every one reads a :class:`~moondust.results.Results`.

* :func:`~moondust.report.figures.timeline.milestone_timeline_figure`: when each main actor
  reaches each milestone (median year and 5–95 % band over the Monte Carlo runs) and how likely it
  is to get there at all;
* :func:`~moondust.report.figures.spending.spending_figure`: civil and military space spending
  paths, by actor and by bloc;
* :func:`~moondust.report.figures.race.race_figure`: the probability that each bloc is first to
  each milestone;
* :func:`~moondust.report.figures.he3_energy.he3_energy_figure`: cumulative He-3 delivered, fusion
  electricity and CO2 avoided by bloc;
* :func:`~moondust.report.figures.he3_market.he3_market_figure`: the He-3 price path and sellers'
  revenue by bloc (``None`` without market variables);
* :func:`~moondust.report.figures.conflict.conflict_figure`: military spending, counterspace
  stocks, orbital debris, ASAT tests and incidents (``None`` when the results carry no conflict or
  debris variables);
* :func:`~moondust.report.figures.crew.crew_figure`: crew seats by nationality and foreign flights
  per host station (``None`` without station variables);
* :func:`~moondust.report.figures.sites_map.sites_map_figure`: the He-3 map with the mining sites
  and who holds them.

Figures are plain :class:`matplotlib.figure.Figure` objects rendered by the Agg canvas, never
registered with pyplot, so they need no closing and never touch the caller's backend.
"""
