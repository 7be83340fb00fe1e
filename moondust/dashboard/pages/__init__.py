"""The explorer's pages, one module each; :mod:`moondust.dashboard.app` routes to them."""
