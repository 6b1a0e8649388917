"""Casework in Django admin: providers (in progress)."""
