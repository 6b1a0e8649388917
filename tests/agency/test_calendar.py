"""Tests for agency.calendar: business days and hours under Connecticut's calendar.

Expected dates are written by hand from the holidays package's list for CT (0.109), never
computed with the code under test.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import holidays
import pytest

from agency.calendar import (
    TIMEZONE,
    BusinessCalendar,
    add_business_days,
    add_business_hours,
    business_days_between,
    business_hours_between,
    ct_holidays,
    deadline,
    explain_business_days,
    explain_business_hours,
    format_date,
    skipped_days,
    start_of_business,
)

CAL = BusinessCalendar(holidays=ct_holidays())
EDT = timedelta(hours=-4)
EST = timedelta(hours=-5)


def ny(year: int, month: int, day: int, hour: int = 0, minute: int = 0, **kw: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TIMEZONE, **kw)


def with_closures(closures: dict[date, str]) -> BusinessCalendar:
    return BusinessCalendar(holidays=ct_holidays(), closures=closures)


# --- every CT holiday of 2026 and 2027, as the package gives them ---------------------------

# Weekday dates on which the state is closed for a holiday (observed dates included).
WEEKDAY_HOLIDAYS = [
    (date(2026, 1, 1), "New Year's Day"),
    (date(2026, 1, 19), "Martin Luther King Jr. Day"),
    (date(2026, 2, 12), "Lincoln's Birthday"),
    (date(2026, 2, 16), "Washington's Birthday"),
    (date(2026, 4, 3), "Good Friday"),
    (date(2026, 5, 25), "Memorial Day"),
    (date(2026, 6, 19), "Juneteenth National Independence Day"),
    (date(2026, 7, 3), "Independence Day (observed)"),
    (date(2026, 9, 7), "Labor Day"),
    (date(2026, 10, 12), "Columbus Day"),
    (date(2026, 11, 11), "Veterans Day"),
    (date(2026, 11, 26), "Thanksgiving Day"),
    (date(2026, 12, 25), "Christmas Day"),
    (date(2027, 1, 1), "New Year's Day"),
    (date(2027, 1, 18), "Martin Luther King Jr. Day"),
    (date(2027, 2, 12), "Lincoln's Birthday"),
    (date(2027, 2, 15), "Washington's Birthday"),
    (date(2027, 3, 26), "Good Friday"),
    (date(2027, 5, 31), "Memorial Day"),
    (date(2027, 6, 18), "Juneteenth National Independence Day (observed)"),
    (date(2027, 7, 5), "Independence Day (observed)"),
    (date(2027, 9, 6), "Labor Day"),
    (date(2027, 10, 11), "Columbus Day"),
    (date(2027, 11, 11), "Veterans Day"),
    (date(2027, 11, 25), "Thanksgiving Day"),
    (date(2027, 12, 24), "Christmas Day (observed)"),
    # New Year's Day 2028 is a Saturday; the package files its observed Friday under 2027.
    (date(2027, 12, 31), "New Year's Day (observed)"),
]

# Actual holidays that fall on a weekend: the weekend reason wins (the observed weekday
# above carries the holiday name).
WEEKEND_HOLIDAYS = [
    date(2026, 7, 4),  # Independence Day, Saturday
    date(2027, 6, 19),  # Juneteenth, Saturday
    date(2027, 7, 4),  # Independence Day, Sunday
    date(2027, 12, 25),  # Christmas Day, Saturday
]

REASON_CASES = [
    *WEEKDAY_HOLIDAYS,
    *[(day, "weekend") for day in WEEKEND_HOLIDAYS],
    (date(2026, 1, 3), "weekend"),  # Saturday
    (date(2026, 1, 4), "weekend"),  # Sunday
    (date(2027, 1, 2), "weekend"),  # Saturday after New Year's Day
    (date(2026, 1, 2), None),  # Friday after New Year's Day
    (date(2026, 11, 27), None),  # day after Thanksgiving is not a CT state holiday
    (date(2026, 12, 24), None),  # Christmas Eve 2026 is a Thursday, open
    (date(2026, 12, 31), None),  # New Year's Eve 2026 is a Thursday, open
    (date(2026, 2, 13), None),  # Friday between Lincoln's and Washington's Birthdays
    (date(2027, 6, 17), None),  # Thursday before observed Juneteenth
    (date(2027, 7, 6), None),  # Tuesday after observed Independence Day
    (date(2027, 12, 23), None),
]


@pytest.mark.parametrize(("day", "reason"), REASON_CASES, ids=lambda v: str(v))
def test_non_business_reason_names_each_ct_holiday_and_weekend(day, reason):
    assert CAL.non_business_reason(day) == reason
    assert CAL.is_business_day(day) is (reason is None)


def test_hand_written_table_covers_every_ct_weekday_holiday_of_2026_and_2027():
    package = holidays.US(subdiv="CT", years=[2026, 2027])
    weekday_dates = {d for d in package if d.year in (2026, 2027) and d.weekday() < 5}
    weekend_dates = {d for d in package if d.year in (2026, 2027) and d.weekday() >= 5}
    assert weekday_dates == {d for d, _ in WEEKDAY_HOLIDAYS}
    assert weekend_dates == set(WEEKEND_HOLIDAYS)


def test_ct_holidays_expands_to_years_far_ahead():
    assert ct_holidays().get(date(2075, 12, 25)) == "Christmas Day"
    assert not CAL.is_business_day(date(2075, 12, 25))


# --- add_business_days -------------------------------------------------------------------------

SNOW = {date(2027, 2, 11): "blizzard"}

BUSINESS_DAY_CASES = [
    # (start, n, closures, expected)
    # Each weekday holiday, counted 1 business day from the business day before it.
    (date(2025, 12, 31), 1, {}, date(2026, 1, 2)),
    (date(2026, 1, 16), 1, {}, date(2026, 1, 20)),
    (date(2026, 2, 11), 1, {}, date(2026, 2, 13)),
    (date(2026, 2, 13), 1, {}, date(2026, 2, 17)),
    (date(2026, 4, 2), 1, {}, date(2026, 4, 6)),
    (date(2026, 5, 22), 1, {}, date(2026, 5, 26)),
    (date(2026, 6, 18), 1, {}, date(2026, 6, 22)),
    (date(2026, 7, 2), 1, {}, date(2026, 7, 6)),
    (date(2026, 9, 4), 1, {}, date(2026, 9, 8)),
    (date(2026, 10, 9), 1, {}, date(2026, 10, 13)),
    (date(2026, 11, 10), 1, {}, date(2026, 11, 12)),
    (date(2026, 11, 25), 1, {}, date(2026, 11, 27)),
    (date(2026, 12, 24), 1, {}, date(2026, 12, 28)),
    (date(2026, 12, 31), 1, {}, date(2027, 1, 4)),
    (date(2027, 1, 15), 1, {}, date(2027, 1, 19)),
    (date(2027, 2, 11), 1, {}, date(2027, 2, 16)),  # Lincoln's Fri + weekend + Washington's
    (date(2027, 3, 25), 1, {}, date(2027, 3, 29)),
    (date(2027, 5, 28), 1, {}, date(2027, 6, 1)),
    (date(2027, 6, 17), 1, {}, date(2027, 6, 21)),
    (date(2027, 7, 2), 1, {}, date(2027, 7, 6)),
    (date(2027, 9, 3), 1, {}, date(2027, 9, 7)),
    (date(2027, 10, 8), 1, {}, date(2027, 10, 12)),
    (date(2027, 11, 10), 1, {}, date(2027, 11, 12)),
    (date(2027, 11, 24), 1, {}, date(2027, 11, 26)),
    (date(2027, 12, 23), 1, {}, date(2027, 12, 27)),
    (date(2027, 12, 30), 1, {}, date(2028, 1, 3)),
    # Plain weekends.
    (date(2026, 5, 15), 1, {}, date(2026, 5, 18)),  # Friday -> Monday
    (date(2026, 5, 16), 1, {}, date(2026, 5, 18)),  # Saturday -> Monday
    (date(2026, 5, 11), 5, {}, date(2026, 5, 18)),  # a full week
    (date(2026, 5, 11), 10, {}, date(2026, 5, 26)),  # two weeks, Memorial Day skipped
    (date(2026, 7, 2), 2, {}, date(2026, 7, 7)),
    (date(2026, 2, 11), 2, {}, date(2026, 2, 17)),
    # n == 0 rolls forward only if needed.
    (date(2026, 5, 13), 0, {}, date(2026, 5, 13)),
    (date(2026, 7, 3), 0, {}, date(2026, 7, 6)),
    (date(2026, 5, 16), 0, {}, date(2026, 5, 18)),
    # Closures.
    (date(2026, 5, 11), 1, {date(2026, 5, 12): "snow"}, date(2026, 5, 13)),
    (date(2027, 2, 10), 1, SNOW, date(2027, 2, 16)),  # closure next to Lincoln's Birthday
    (date(2026, 7, 1), 1, {date(2026, 7, 2): "flood"}, date(2026, 7, 6)),
    (date(2026, 5, 15), 1, {date(2026, 5, 16): "storm"}, date(2026, 5, 18)),  # on a Saturday
    (date(2026, 12, 24), 1, {date(2026, 12, 28): "ice"}, date(2026, 12, 29)),
]


@pytest.mark.parametrize(
    ("start", "n", "closures", "expected"), BUSINESS_DAY_CASES, ids=lambda v: str(v)
)
def test_add_business_days_skips_weekends_holidays_and_closures(start, n, closures, expected):
    assert add_business_days(with_closures(closures), start, n) == expected


def test_add_business_days_rejects_negative_n():
    with pytest.raises(ValueError, match="negative"):
        add_business_days(CAL, date(2026, 5, 11), -1)


def test_date_functions_reject_datetimes():
    with pytest.raises(TypeError):
        add_business_days(CAL, ny(2026, 5, 11, 9), 1)
    with pytest.raises(TypeError):
        CAL.is_business_day(ny(2026, 5, 11, 9))


def test_next_business_day_is_strictly_after_and_on_or_after_is_not():
    assert CAL.next_business_day(date(2026, 5, 13)) == date(2026, 5, 14)
    assert CAL.business_day_on_or_after(date(2026, 5, 13)) == date(2026, 5, 13)
    assert CAL.next_business_day(date(2026, 7, 2)) == date(2026, 7, 6)
    assert CAL.business_day_on_or_after(date(2026, 7, 4)) == date(2026, 7, 6)


def test_endless_closures_raise_instead_of_looping_forever():
    everything = {date(2026, 1, 1) + timedelta(days=i): "closed" for i in range(800)}
    with pytest.raises(ValueError, match="no business day"):
        add_business_days(with_closures(everything), date(2026, 1, 1), 1)


# --- non_business_reason precedence ------------------------------------------------------------


def test_closure_on_a_weekend_reports_weekend():
    cal = with_closures({date(2026, 5, 16): "storm"})
    assert cal.non_business_reason(date(2026, 5, 16)) == "weekend"


def test_closure_on_a_holiday_reports_the_closure():
    cal = with_closures({date(2026, 7, 3): "power outage"})
    assert cal.non_business_reason(date(2026, 7, 3)) == "closure: power outage"


def test_weekday_closure_reports_its_reason():
    assert with_closures(SNOW).non_business_reason(date(2027, 2, 11)) == "closure: blizzard"


def test_calendar_rejects_opening_after_closing():
    from datetime import time

    with pytest.raises(ValueError):
        BusinessCalendar(holidays={}, opens=time(17), closes=time(8))


# --- add_business_hours ------------------------------------------------------------------------

HOUR_CASES = [
    # (start, hours, closures, expected)
    # The 17:00 boundary.
    (ny(2026, 5, 12, 16, 59), 1, {}, ny(2026, 5, 13, 8, 59)),
    (ny(2026, 5, 12, 17, 0), 1, {}, ny(2026, 5, 13, 9, 0)),
    (ny(2026, 5, 12, 17, 1), 1, {}, ny(2026, 5, 13, 9, 0)),
    (ny(2026, 5, 12, 16, 0), 1, {}, ny(2026, 5, 12, 17, 0)),  # lands exactly on 17:00
    (ny(2026, 5, 12, 8, 0), 9, {}, ny(2026, 5, 12, 17, 0)),  # a whole day ends at 17:00
    (ny(2026, 5, 15, 16, 0), 1, {}, ny(2026, 5, 15, 17, 0)),  # Friday stays Friday
    (ny(2026, 5, 12, 8, 0), timedelta(hours=9, minutes=1), {}, ny(2026, 5, 13, 8, 1)),
    (ny(2026, 5, 12, 16, 59), 0, {}, ny(2026, 5, 12, 16, 59)),
    (ny(2026, 5, 12, 17, 0), 0, {}, ny(2026, 5, 13, 8, 0)),
    # Before 08:00.
    (ny(2026, 5, 12, 7, 0), 1, {}, ny(2026, 5, 12, 9, 0)),
    (ny(2026, 5, 12, 0, 0), 0, {}, ny(2026, 5, 12, 8, 0)),
    (ny(2026, 5, 12, 7, 59), 9, {}, ny(2026, 5, 12, 17, 0)),
    # Weekends and multi-day spans.
    (ny(2026, 5, 15, 15, 0), 4, {}, ny(2026, 5, 18, 10, 0)),  # Friday 15:00 -> Monday
    (ny(2026, 5, 16, 10, 0), 2, {}, ny(2026, 5, 18, 10, 0)),  # Saturday
    (ny(2026, 5, 11, 8, 0), 27, {}, ny(2026, 5, 13, 17, 0)),
    (ny(2026, 5, 11, 8, 0), 45, {}, ny(2026, 5, 15, 17, 0)),  # a full week
    (ny(2026, 5, 11, 8, 0), 46, {}, ny(2026, 5, 18, 9, 0)),
    (ny(2026, 5, 11, 12, 0), 72, {}, ny(2026, 5, 21, 12, 0)),  # 8 business days
    (ny(2026, 5, 18, 12, 0), 72, {}, ny(2026, 5, 29, 12, 0)),  # 8, over Memorial Day
    # Holidays.
    (ny(2026, 7, 2, 15, 0), 4, {}, ny(2026, 7, 6, 10, 0)),  # Independence Day observed
    (ny(2026, 5, 22, 16, 0), 2, {}, ny(2026, 5, 26, 9, 0)),  # Memorial Day
    (ny(2027, 12, 30, 16, 0), 3, {}, ny(2028, 1, 3, 10, 0)),  # New Year's Day observed
    (ny(2026, 11, 25, 17, 30), 1, {}, ny(2026, 11, 27, 9, 0)),  # Thanksgiving
    # Closures.
    (ny(2026, 5, 11, 16, 0), 2, {date(2026, 5, 12): "snow"}, ny(2026, 5, 13, 9, 0)),
    (ny(2027, 2, 10, 16, 0), 2, SNOW, ny(2027, 2, 16, 9, 0)),
    # Fractional amounts.
    (ny(2026, 5, 12, 9, 0), Decimal("1.5"), {}, ny(2026, 5, 12, 10, 30)),
    (ny(2026, 5, 12, 9, 0), 0.25, {}, ny(2026, 5, 12, 9, 15)),
    (ny(2026, 5, 12, 16, 30), timedelta(minutes=45), {}, ny(2026, 5, 13, 8, 15)),
    # Instants given in another zone.
    (datetime(2026, 7, 2, 19, 0, tzinfo=UTC), 4, {}, ny(2026, 7, 6, 10, 0)),
]


@pytest.mark.parametrize(
    ("start", "hours", "closures", "expected"), HOUR_CASES, ids=lambda v: str(v)
)
def test_add_business_hours(start, hours, closures, expected):
    result = add_business_hours(with_closures(closures), start, hours)
    assert result == expected
    assert result.tzinfo is TIMEZONE
    assert (result.hour, result.minute) == (expected.hour, expected.minute)


DST_CASES = [
    # (start, expected, expected UTC offset of the result)
    (ny(2026, 3, 6, 15, 0), ny(2026, 3, 9, 10, 0), EDT),  # spring forward 2026-03-08
    (ny(2026, 10, 30, 15, 0), ny(2026, 11, 2, 10, 0), EST),  # fall back 2026-11-01
    (ny(2027, 3, 12, 15, 0), ny(2027, 3, 15, 10, 0), EDT),  # spring forward 2027-03-14
    (ny(2027, 11, 5, 15, 0), ny(2027, 11, 8, 10, 0), EST),  # fall back 2027-11-07
]


@pytest.mark.parametrize(("start", "expected", "offset"), DST_CASES, ids=lambda v: str(v))
def test_business_hours_across_dst_change_keep_wall_clock_and_switch_offset(
    start, expected, offset
):
    result = add_business_hours(CAL, start, 4)
    assert result == expected
    assert (result.hour, result.minute) == (10, 0)
    assert result.utcoffset() == offset
    assert start.utcoffset() == (EST if offset == EDT else EDT)
    assert business_hours_between(CAL, start, result) == timedelta(hours=4)


def test_start_in_the_repeated_hour_of_fall_back_day():
    start = ny(2026, 11, 1, 1, 30, fold=1)  # 01:30 EST, the second one
    assert start.utcoffset() == EST
    result = add_business_hours(CAL, start, 1)
    assert result == ny(2026, 11, 2, 9, 0)
    assert result.utcoffset() == EST


def test_start_of_business_clamps_into_business_time():
    assert start_of_business(CAL, ny(2026, 5, 12, 7, 0)) == ny(2026, 5, 12, 8, 0)
    assert start_of_business(CAL, ny(2026, 5, 12, 10, 17)) == ny(2026, 5, 12, 10, 17)
    assert start_of_business(CAL, ny(2026, 5, 12, 17, 0)) == ny(2026, 5, 13, 8, 0)
    assert start_of_business(CAL, ny(2026, 7, 2, 18, 0)) == ny(2026, 7, 6, 8, 0)
    assert start_of_business(CAL, ny(2026, 3, 7, 12, 0)).utcoffset() == EDT


def test_add_business_hours_rejects_negative_hours():
    with pytest.raises(ValueError, match="negative"):
        add_business_hours(CAL, ny(2026, 5, 12, 9), -1)


@pytest.mark.parametrize(
    "call",
    [
        lambda naive: add_business_hours(CAL, naive, 1),
        lambda naive: start_of_business(CAL, naive),
        lambda naive: business_days_between(CAL, naive, ny(2026, 5, 12)),
        lambda naive: business_hours_between(CAL, ny(2026, 5, 12), naive),
        lambda naive: explain_business_hours(CAL, naive, 1),
    ],
    ids=["add_hours", "start_of_business", "days_between", "hours_between", "explain"],
)
def test_naive_datetimes_are_rejected(call):
    with pytest.raises(ValueError, match="naive"):
        call(datetime(2026, 5, 12, 9, 0))


# --- between -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (ny(2026, 7, 2, 10), ny(2026, 7, 6, 9), 1),  # holiday and weekend skipped
        (ny(2026, 7, 2, 10), ny(2026, 7, 7, 9), 2),
        (ny(2026, 5, 12, 9), ny(2026, 5, 12, 16), 0),  # same day
        (ny(2026, 5, 12, 9), ny(2026, 5, 11, 9), 0),  # end before start
        (ny(2026, 6, 30, 12), ny(2026, 7, 31, 12), 22),  # July 2026: 23 weekdays - July 3
        # 23:30 Friday local is Saturday in UTC; counting uses the local date.
        (datetime(2026, 3, 7, 4, 30, tzinfo=UTC), ny(2026, 3, 9, 8), 1),
        (ny(2026, 5, 15, 23, 59), ny(2026, 5, 18, 0, 1), 1),
    ],
)
def test_business_days_between_counts_days_after_start_up_to_end(start, end, expected):
    assert business_days_between(CAL, start, end) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (ny(2026, 7, 2, 15), ny(2026, 7, 6, 10), timedelta(hours=4)),
        (ny(2026, 7, 6, 10), ny(2026, 7, 2, 15), -timedelta(hours=4)),
        (ny(2026, 5, 12, 9), ny(2026, 5, 12, 10, 30), timedelta(hours=1, minutes=30)),
        (ny(2026, 5, 16, 9), ny(2026, 5, 17, 15), timedelta(0)),  # weekend
        (ny(2026, 5, 12, 6), ny(2026, 5, 12, 7, 30), timedelta(0)),  # before opening
        (ny(2026, 5, 12, 6), ny(2026, 5, 12, 20), timedelta(hours=9)),
        (ny(2026, 5, 11, 0), ny(2026, 5, 16, 0), timedelta(hours=45)),
        (ny(2026, 3, 6, 12), ny(2026, 3, 9, 12), timedelta(hours=9)),  # across DST
        (ny(2026, 5, 12, 9), ny(2026, 5, 12, 9), timedelta(0)),
    ],
)
def test_business_hours_between(start, end, expected):
    assert business_hours_between(CAL, start, end) == expected


def test_business_hours_between_inverts_add_business_hours():
    starts = [ny(2026, 10, 28, 8) + timedelta(minutes=37 * i) for i in range(0, 400, 7)]
    for start in starts:
        clock = start_of_business(CAL, start)
        for hours in (0, 1, 4.5, 9, 13, 40):
            due = add_business_hours(CAL, start, hours)
            assert business_hours_between(CAL, clock, due) == timedelta(hours=hours)


# --- skipped_days ------------------------------------------------------------------------------


def test_skipped_days_lists_each_non_business_day_with_reason():
    assert skipped_days(CAL, date(2026, 7, 2), date(2026, 7, 6)) == [
        (date(2026, 7, 3), "Independence Day (observed)"),
        (date(2026, 7, 4), "weekend"),
        (date(2026, 7, 5), "weekend"),
    ]


def test_skipped_days_excludes_start_and_includes_end():
    assert skipped_days(CAL, date(2026, 7, 3), date(2026, 7, 4)) == [(date(2026, 7, 4), "weekend")]


def test_skipped_days_with_closure_next_to_holidays():
    assert skipped_days(with_closures(SNOW), date(2027, 2, 10), date(2027, 2, 16)) == [
        (date(2027, 2, 11), "closure: blizzard"),
        (date(2027, 2, 12), "Lincoln's Birthday"),
        (date(2027, 2, 13), "weekend"),
        (date(2027, 2, 14), "weekend"),
        (date(2027, 2, 15), "Washington's Birthday"),
    ]


def test_skipped_days_empty_when_end_not_after_start():
    assert skipped_days(CAL, date(2026, 7, 6), date(2026, 7, 2)) == []


# --- explanations ------------------------------------------------------------------------------


def test_format_date_has_no_leading_zero():
    assert format_date(date(2026, 7, 3)) == "Friday 3 July 2026"
    assert format_date(date(2027, 12, 31)) == "Friday 31 December 2027"


def test_explain_business_days_names_each_day_in_order():
    assert explain_business_days(CAL, date(2026, 7, 2), 2) == [
        "Counting 2 business days after Thursday 2 July 2026.",
        "Friday 3 July 2026 skipped: Independence Day (observed).",
        "Saturday 4 July 2026 skipped: weekend.",
        "Sunday 5 July 2026 skipped: weekend.",
        "Monday 6 July 2026 is business day 1.",
        "Tuesday 7 July 2026 is business day 2.",
    ]


def test_explain_business_days_shows_closure_reason():
    lines = explain_business_days(with_closures(SNOW), date(2027, 2, 10), 1)
    assert "Thursday 11 February 2027 skipped: closure: blizzard." in lines
    assert lines[-1] == "Tuesday 16 February 2027 is business day 1."


def test_explain_business_days_with_zero_rolls_forward():
    lines = explain_business_days(CAL, date(2026, 7, 4), 0)
    assert "Saturday 4 July 2026 skipped: weekend." in lines
    assert lines[-1] == "Monday 6 July 2026 is a business day."


def test_explain_business_days_rejects_negative_n():
    with pytest.raises(ValueError):
        explain_business_days(CAL, date(2026, 7, 2), -3)


def test_explain_business_hours_over_a_holiday_weekend():
    lines = explain_business_hours(CAL, ny(2026, 7, 2, 15), 4)
    assert any("Friday 3 July 2026" in line and "Independence Day" in line for line in lines)
    assert "Thursday 2 July 2026: 2 hours counted (15:00-17:00), 2 hours left." in lines
    assert "Monday 6 July 2026: 2 hours counted (08:00-10:00), none left." in lines
    assert lines[-1] == "Due Monday 6 July 2026 at 10:00."


def test_explain_business_hours_explains_weekend_receipt():
    lines = explain_business_hours(CAL, ny(2026, 5, 16, 10, 30), 2)
    assert lines[1].startswith("Received Saturday 16 May 2026 10:30")
    assert "the clock starts at 08:00 on Monday 18 May 2026" in lines[1]
    assert "Saturday 16 May 2026 skipped: weekend." in lines
    assert "Sunday 17 May 2026 skipped: weekend." in lines
    assert lines[-1] == "Due Monday 18 May 2026 at 10:00."


def test_explain_business_hours_explains_before_opening_and_after_closing():
    early = explain_business_hours(CAL, ny(2026, 5, 12, 7, 15), 1)
    assert "before opening" in early[1]
    assert "08:00 on Tuesday 12 May 2026" in early[1]
    late = explain_business_hours(CAL, ny(2026, 7, 2, 17, 30), 9)
    assert "after closing" in late[1]
    assert "Friday 3 July 2026 skipped: Independence Day (observed)." in late
    assert late[-1] == "Due Monday 6 July 2026 at 17:00."


def test_explain_business_hours_due_line_matches_add_business_hours():
    for start, hours, closures, expected in HOUR_CASES:
        lines = explain_business_hours(with_closures(closures), start, hours)
        local = expected.astimezone(TIMEZONE)
        assert lines[-1] == f"Due {format_date(local.date())} at {local:%H:%M}."


def test_deadline_in_business_days_is_due_at_closing_time_with_its_explanation():
    cal = BusinessCalendar(holidays=ct_holidays())
    start = datetime(2026, 7, 2, 10, 0, tzinfo=TIMEZONE)

    due, steps = deadline(cal, start, business_days=2)

    assert due == datetime(2026, 7, 7, 17, 0, tzinfo=TIMEZONE)
    assert "Friday 3 July 2026 skipped: Independence Day (observed)." in steps


def test_deadline_in_business_hours_matches_add_business_hours():
    cal = BusinessCalendar(holidays=ct_holidays())
    start = datetime(2026, 7, 2, 15, 0, tzinfo=TIMEZONE)

    due, steps = deadline(cal, start, business_hours=4)

    assert due == datetime(2026, 7, 6, 10, 0, tzinfo=TIMEZONE)
    assert steps[-1] == "Due Monday 6 July 2026 at 10:00."


def test_deadline_needs_exactly_one_of_days_or_hours():
    cal = BusinessCalendar(holidays=ct_holidays())
    start = datetime(2026, 7, 2, 15, 0, tzinfo=TIMEZONE)
    with pytest.raises(ValueError):
        deadline(cal, start)
    with pytest.raises(ValueError):
        deadline(cal, start, business_days=1, business_hours=1)
