"""Casework admin: intake."""
