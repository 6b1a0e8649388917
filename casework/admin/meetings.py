"""Casework in Django admin: meetings (in progress)."""
