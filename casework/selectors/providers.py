"""Reads for the provider directory (in progress)."""
