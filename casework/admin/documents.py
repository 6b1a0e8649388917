"""Casework in Django admin: documents (in progress)."""
