"""Reads for court work (in progress)."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from casework.models import Case


def court_reports_due(cases: Iterable[Case], *, today: date) -> dict[int, list[str]]:
    """For each case, the court reports due or overdue, in words (caseload items)."""
    return {}


def case_court_context(case: Case, *, user: Any, today: date) -> dict:
    return {}
