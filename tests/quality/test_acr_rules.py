"""When an Administrative Case Review is due: pure functions."""

from dataclasses import dataclass
from datetime import date

from quality import acr


@dataclass
class P:
    start_date: date
    end_date: date | None = None
    entered_in_error: bool = False


def test_entering_care_is_the_start_of_the_latest_continuous_episode():
    # 1 Jan - 31 Mar, then from 1 Apr (no gap: the next day), then a gap, then 1 Sep on.
    placements = [
        P(date(2025, 1, 1), date(2025, 3, 31)),
        P(date(2025, 4, 1), date(2025, 6, 30)),
        P(date(2025, 9, 1)),
    ]
    assert acr.entered_care(placements) == date(2025, 9, 1)
    # Without the gap the episode starts at the first placement.
    joined = [P(date(2025, 1, 1), date(2025, 3, 31)), P(date(2025, 3, 31))]
    assert acr.entered_care(joined) == date(2025, 1, 1)


def test_a_placement_entered_in_error_neither_starts_nor_bridges_an_episode():
    placements = [
        P(date(2024, 1, 1), entered_in_error=True),
        P(date(2025, 1, 1), date(2025, 2, 1)),
        P(date(2025, 2, 2), date(2025, 5, 1), entered_in_error=True),
        P(date(2025, 6, 1)),
    ]
    assert acr.entered_care(placements) == date(2025, 6, 1)
    assert acr.entered_care([P(date(2025, 1, 1), entered_in_error=True)]) is None


def test_first_review_six_months_after_entering_care_then_six_after_the_last():
    entered = date(2025, 8, 31)
    first = acr.acr_due_on(entered_on=entered, last_held=None, first_months=6, interval_months=6)
    assert first == date(2026, 2, 28)  # clamped to the month's end
    after = acr.acr_due_on(
        entered_on=entered, last_held=date(2026, 2, 10), first_months=6, interval_months=6
    )
    assert after == date(2026, 8, 10)


def test_the_months_are_configurable():
    due = acr.acr_due_on(
        entered_on=date(2025, 1, 15), last_held=None, first_months=3, interval_months=4
    )
    assert due == date(2025, 4, 15)
    due = acr.acr_due_on(
        entered_on=date(2025, 1, 15), last_held=date(2025, 4, 1), first_months=3, interval_months=4
    )
    assert due == date(2025, 8, 1)


def test_a_review_from_an_earlier_episode_does_not_count():
    due = acr.acr_due_on(
        entered_on=date(2025, 6, 1), last_held=date(2025, 3, 1), first_months=6, interval_months=6
    )
    assert due == date(2025, 12, 1)


def test_state():
    today = date(2026, 1, 10)
    assert acr.acr_state(date(2026, 1, 9), today=today, reminder_days=30) == acr.OVERDUE
    assert acr.acr_state(date(2026, 1, 10), today=today, reminder_days=30) == acr.UPCOMING
    assert acr.acr_state(date(2026, 2, 9), today=today, reminder_days=30) == acr.UPCOMING
    assert acr.acr_state(date(2026, 2, 10), today=today, reminder_days=30) == acr.LATER
