"""Casework in Django admin: transfers (in progress)."""
