"""Casework in Django admin: court (in progress)."""
