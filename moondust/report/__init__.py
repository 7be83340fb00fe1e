"""Figures and reports; this package only reads results."""
