"""Reads for family team meetings (in progress)."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from casework.models import Case


def meetings_due(cases: Iterable[Case], *, today: date) -> dict[int, list[str]]:
    """For each case, the family meetings due or overdue, in words (caseload items)."""
    return {}


def case_meetings_context(case: Case, *, user: Any, today: date) -> dict:
    return {}
