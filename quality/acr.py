"""When a child's Administrative Case Review is due: pure functions, no ORM (tested in
tests/quality/test_acr_rules.py).

- A child *entered care* on the first day of their current episode: their placements
  that are not entered in error, joined while each starts no later than the day after
  the previous one ended (a change of placement, even with the old one ending the day
  before the new one starts, is no gap). The latest such run is the current episode.
- The first review is due `first_months` calendar months after entering care (6 by
  default); after a review is held, the next is due `interval_months` after the last
  one held (6 by default). Reviews held before the current episode began do not count:
  a child who re-enters care starts again.
- A review is *overdue* after its due day, *upcoming* from `reminder_days` before it.
"""

import calendar
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Protocol

OVERDUE = "overdue"
UPCOMING = "upcoming"
LATER = "later"


class PlacementSpan(Protocol):
    start_date: date
    end_date: date | None
    entered_in_error: bool


def add_months(day: date, months: int) -> date:
    """`day` plus calendar months, clamped to the month's end (31 Aug + 6 = 28 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def entered_care(placements: Iterable[PlacementSpan]) -> date | None:
    """The first day of the latest continuous episode in care of one child's
    placements (entered in error left out); None without any placement."""
    spans = sorted(
        (p.start_date, p.end_date or date.max) for p in placements if not p.entered_in_error
    )
    if not spans:
        return None
    start, reached = spans[0]
    for span_start, span_end in spans[1:]:
        if reached != date.max and span_start > reached + timedelta(days=1):
            start = span_start  # a gap: a new episode begins
        reached = max(reached, span_end)
    return start


def acr_due_on(
    *, entered_on: date, last_held: date | None, first_months: int, interval_months: int
) -> date:
    """The day the child's next review is due (see the module)."""
    if last_held is not None and last_held >= entered_on:
        return add_months(last_held, interval_months)
    return add_months(entered_on, first_months)


def acr_state(due_on: date, *, today: date, reminder_days: int) -> str:
    """ "overdue" after the due day, "upcoming" within `reminder_days` of it, else "later"."""
    if due_on < today:
        return OVERDUE
    if due_on <= today + timedelta(days=reminder_days):
        return UPCOMING
    return LATER
