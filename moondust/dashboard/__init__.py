"""The explorer: a Solara web dashboard (``moondust dashboard``); this package only reads results.

Needs the ``dashboard`` extra (Solara, plotly). :mod:`~moondust.dashboard.model` (the state, links
and scenario files) and :mod:`~moondust.dashboard.compute` (ensembles) import without it.
"""
