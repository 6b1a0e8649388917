"""Reads for transfers (in progress)."""

from datetime import date
from typing import Any

from casework.models import Case


def case_transfers_context(case: Case, *, user: Any, today: date) -> dict:
    return {}
