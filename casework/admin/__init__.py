"""Casework in Django admin, one module per feature."""

from casework.admin import (  # noqa: F401  (registers them)
    assessments,
    cases,
    intake,
    people,
    placements,
    plans,
    visits,
)
