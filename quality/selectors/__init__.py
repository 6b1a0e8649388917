"""Reads for quality screens: one module per feature."""
