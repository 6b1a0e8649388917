"""Casework in Django admin, one module per feature."""

from casework.admin import (  # noqa: F401  (registers them)
    assessments,
    cases,
    court,
    documents,
    intake,
    meetings,
    people,
    placements,
    plans,
    providers,
    supervision,
    transfers,
    visits,
)
