"""Reads for supervision (in progress)."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from casework.models import Case


def next_steps_due(cases: Iterable[Case], *, today: date) -> dict[int, list[str]]:
    """For each case, its supervisory next steps not done, in words (caseload items)."""
    return {}


def case_supervision_context(case: Case, *, user: Any, today: date) -> dict:
    return {}
