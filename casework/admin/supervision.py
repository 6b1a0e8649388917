"""Casework in Django admin: supervision (in progress)."""
