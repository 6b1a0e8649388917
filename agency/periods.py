"""Report periods: a calendar month or a calendar year, read from the query string
(?period=month&month=2026-11 or ?period=year&year=2026). Pure: no queries."""

import calendar as month_calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from agency.calendar import TIMEZONE

MONTH = "month"
YEAR = "year"


@dataclass(frozen=True)
class Period:
    kind: str  # "month" or "year"
    first: date  # first day
    last: date  # last day

    @property
    def label(self) -> str:
        if self.kind == YEAR:
            return str(self.first.year)
        return f"{month_calendar.month_name[self.first.month]} {self.first.year}"

    @property
    def slug(self) -> str:
        return str(self.first.year) if self.kind == YEAR else f"{self.first:%Y-%m}"

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=TIMEZONE)

    @property
    def end(self) -> datetime:
        """The first instant after the period (local midnight)."""
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=TIMEZONE)

    def query(self) -> str:
        if self.kind == YEAR:
            return f"period=year&year={self.first.year}"
        return f"period=month&month={self.first:%Y-%m}"


def month_period(year: int, month: int) -> Period:
    last = month_calendar.monthrange(year, month)[1]
    return Period(MONTH, date(year, month, 1), date(year, month, last))


def year_period(year: int) -> Period:
    return Period(YEAR, date(year, 1, 1), date(year, 12, 31))


def period_from(params: Any, today: date) -> tuple[Period, str]:
    """The period asked for in the query string (?period=month&month=2026-03 or
    ?period=year&year=2026), and an error message when it could not be read (then the
    current month). Defaults to the current month."""
    kind = params.get("period") or MONTH
    try:
        if kind == YEAR:
            year = int(params.get("year") or today.year)
            if not 2000 <= year <= today.year:
                raise ValueError
            return year_period(year), ""
        if kind == MONTH:
            text = params.get("month") or f"{today:%Y-%m}"
            year_text, month_text = text.split("-")
            year, month = int(year_text), int(month_text)
            if not 2000 <= year <= today.year or not 1 <= month <= 12:
                raise ValueError
            return month_period(year, month), ""
    except ValueError:
        pass
    return (
        month_period(today.year, today.month),
        "That period could not be read; this month is shown. Choose a month like "
        f"{today:%Y-%m} or a year like {today.year}.",
    )
