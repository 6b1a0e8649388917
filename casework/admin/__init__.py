"""Casework in Django admin, one module per feature."""

from casework.admin import cases, intake, people, visits  # noqa: F401  (registers them)
