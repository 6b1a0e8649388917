"""The Ombudsman's clock on the real Connecticut calendar: effective receipt and the
initial-response due time, its explanation in words, the SLA state and time left.

Every expected value in the table was worked out by hand from the rule in issue 4 and
the CT holiday list of the `holidays` package (observed dates: a Saturday holiday is
observed on the Friday before, a Sunday holiday on the Monday after). Times carry their
UTC offset, so a row also checks the side of a DST change the due time falls on.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from agency.calendar import BusinessCalendar, ct_holidays
from ombudsman import deadlines
from ombudsman.deadlines import IMMEDIATE, ROUTINE, initial_response_due

R, I = ROUTINE, IMMEDIATE  # noqa: E741
NY = ZoneInfo("America/New_York")

# The holiday facts the table relies on, checked against the library first: if the
# package changes its mind, these fail before the table does.
CT_FACTS = {
    date(2026, 1, 1): "New Year's Day",
    date(2026, 2, 12): "Lincoln's Birthday",
    date(2026, 2, 16): "Washington's Birthday",
    date(2026, 4, 3): "Good Friday",
    date(2026, 5, 25): "Memorial Day",
    date(2026, 7, 3): "Independence Day (observed)",  # 4 July 2026 is a Saturday
    date(2026, 10, 12): "Columbus Day",
    date(2026, 11, 26): "Thanksgiving Day",
    date(2026, 12, 25): "Christmas Day",
    date(2027, 1, 18): "Martin Luther King Jr. Day",
    date(2027, 2, 12): "Lincoln's Birthday",
    date(2027, 2, 15): "Washington's Birthday",
    date(2027, 6, 18): "Juneteenth National Independence Day (observed)",  # 19th: Saturday
    date(2027, 9, 6): "Labor Day",
    date(2027, 11, 11): "Veterans Day",
    date(2027, 12, 24): "Christmas Day (observed)",  # 25 Dec 2027 is a Saturday
    date(2027, 12, 31): "New Year's Day (observed)",  # 1 Jan 2028 is a Saturday
}
NOT_HOLIDAYS = [
    date(2026, 11, 27),  # the day after Thanksgiving is a working day in CT
    date(2026, 12, 24),
    date(2027, 12, 27),
    date(2027, 12, 30),
]


def test_the_ct_calendar_has_the_observed_dates_the_table_relies_on():
    holidays = ct_holidays()
    for day, name in CT_FACTS.items():
        assert holidays.get(day) == name, day
    for day in NOT_HOLIDAYS:
        assert day not in holidays, day


def calendar(closures: dict[date, str] | None = None) -> BusinessCalendar:
    return BusinessCalendar(holidays=ct_holidays(), closures=closures or {})


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def row(name, received, urgency, effective, due, closures=None, **rules):
    return pytest.param(received, urgency, effective, due, closures or {}, rules, id=name)


STORM_2026 = {date(2026, 1, 27): "Snow storm"}
STORM_2027 = {date(2027, 2, 16): "Winter storm"}
WEDNESDAY_CLOSED = {date(2026, 3, 4): "Burst pipe at Central Office"}

DUE_TABLE = [
    # --- ordinary weeks, the 17:00 boundary, before opening -------------------------------
    row("monday-10:00-due-wednesday", "2026-03-02T10:00-05:00", R,
        "2026-03-02T10:00-05:00", "2026-03-04T17:00-05:00"),
    row("16:59:59-is-that-day", "2026-03-02T16:59:59-05:00", R,
        "2026-03-02T16:59:59-05:00", "2026-03-04T17:00-05:00"),
    row("17:00:00-is-next-morning", "2026-03-02T17:00:00-05:00", R,
        "2026-03-03T08:00-05:00", "2026-03-05T17:00-05:00"),
    row("before-08:00-counts-as-that-day", "2026-03-02T07:30-05:00", R,
        "2026-03-02T08:00-05:00", "2026-03-04T17:00-05:00"),
    row("utc-tuesday-is-local-monday-evening", "2026-03-03T03:30+00:00", R,
        "2026-03-03T08:00-05:00", "2026-03-05T17:00-05:00"),
    row("sunday-23:59-is-monday", "2026-03-01T23:59-05:00", R,
        "2026-03-02T08:00-05:00", "2026-03-04T17:00-05:00"),
    row("memorial-day-weekend-16:59:59", "2026-05-22T16:59:59-04:00", R,
        "2026-05-22T16:59:59-04:00", "2026-05-27T17:00-04:00"),
    # --- DST: 8 March 2026, 1 November 2026, 14 March 2027, 7 November 2027 ---------------
    row("saturday-before-spring-forward", "2026-03-07T11:00-05:00", R,
        "2026-03-09T08:00-04:00", "2026-03-11T17:00-04:00"),
    row("sunday-after-the-spring-jump", "2026-03-08T03:30-04:00", R,
        "2026-03-09T08:00-04:00", "2026-03-11T17:00-04:00"),
    row("friday-est-due-tuesday-edt", "2026-03-06T15:00-05:00", R,
        "2026-03-06T15:00-05:00", "2026-03-10T17:00-04:00"),
    row("friday-17:00-before-spring-forward", "2026-03-06T17:00-05:00", R,
        "2026-03-09T08:00-04:00", "2026-03-11T17:00-04:00"),
    row("immediate-across-spring-forward", "2026-03-06T15:00-05:00", I,
        "2026-03-06T15:00-05:00", "2026-03-09T10:00-04:00"),
    row("friday-edt-due-tuesday-est", "2026-10-30T10:00-04:00", R,
        "2026-10-30T10:00-04:00", "2026-11-03T17:00-05:00"),
    row("immediate-across-fall-back", "2026-10-30T14:00-04:00", I,
        "2026-10-30T14:00-04:00", "2026-11-02T09:00-05:00"),
    row("repeated-hour-first-01:30", "2026-11-01T01:30-04:00", R,
        "2026-11-02T08:00-05:00", "2026-11-04T17:00-05:00"),
    row("repeated-hour-second-01:30", "2026-11-01T01:30-05:00", R,
        "2026-11-02T08:00-05:00", "2026-11-04T17:00-05:00"),
    row("immediate-across-spring-forward-2027", "2027-03-12T16:00-05:00", I,
        "2027-03-12T16:00-05:00", "2027-03-15T11:00-04:00"),
    row("saturday-before-fall-back-2027", "2027-11-06T12:00-04:00", R,
        "2027-11-08T08:00-05:00", "2027-11-10T17:00-05:00"),
    # --- holidays, 2026 --------------------------------------------------------------------
    row("new-years-day-2026", "2026-01-01T11:00-05:00", R,
        "2026-01-02T08:00-05:00", "2026-01-06T17:00-05:00"),
    row("lincoln-then-washington-2026", "2026-02-11T10:00-05:00", R,
        "2026-02-11T10:00-05:00", "2026-02-17T17:00-05:00"),
    row("good-friday-2026-at-17:00-thursday", "2026-04-02T17:00-04:00", R,
        "2026-04-06T08:00-04:00", "2026-04-08T17:00-04:00"),
    row("july-4-2026-observed-friday-3", "2026-07-02T10:00-04:00", R,
        "2026-07-02T10:00-04:00", "2026-07-07T17:00-04:00"),
    row("received-on-the-observed-friday", "2026-07-03T09:00-04:00", R,
        "2026-07-06T08:00-04:00", "2026-07-08T17:00-04:00"),
    row("immediate-on-the-saturday-holiday", "2026-07-04T10:00-04:00", I,
        "2026-07-06T08:00-04:00", "2026-07-06T12:00-04:00"),
    row("columbus-day-2026", "2026-10-09T12:00-04:00", R,
        "2026-10-09T12:00-04:00", "2026-10-14T17:00-04:00"),
    row("thanksgiving-eve-after-hours", "2026-11-25T17:30-05:00", R,
        "2026-11-27T08:00-05:00", "2026-12-01T17:00-05:00"),
    row("immediate-across-thanksgiving", "2026-11-25T15:00-05:00", I,
        "2026-11-25T15:00-05:00", "2026-11-27T10:00-05:00"),
    row("christmas-2026-friday", "2026-12-24T14:00-05:00", R,
        "2026-12-24T14:00-05:00", "2026-12-29T17:00-05:00"),
    # --- holidays, 2027 --------------------------------------------------------------------
    row("juneteenth-2027-observed-friday-immediate", "2027-06-17T16:00-04:00", I,
        "2027-06-17T16:00-04:00", "2027-06-21T11:00-04:00"),
    row("labor-day-weekend-2027", "2027-09-04T10:00-04:00", R,
        "2027-09-07T08:00-04:00", "2027-09-09T17:00-04:00"),
    row("veterans-day-2027-thursday", "2027-11-09T10:00-05:00", R,
        "2027-11-09T10:00-05:00", "2027-11-12T17:00-05:00"),
    row("christmas-2027-observed-friday-24", "2027-12-22T12:00-05:00", R,
        "2027-12-22T12:00-05:00", "2027-12-27T17:00-05:00"),
    row("received-on-christmas-2027-observed", "2027-12-24T10:00-05:00", R,
        "2027-12-27T08:00-05:00", "2027-12-29T17:00-05:00"),
    row("new-year-2028-observed-friday-31-dec-2027", "2027-12-30T09:00-05:00", R,
        "2027-12-30T09:00-05:00", "2028-01-04T17:00-05:00"),
    # --- closure days ----------------------------------------------------------------------
    row("received-on-a-closure-day", "2026-01-27T09:00-05:00", R,
        "2026-01-28T08:00-05:00", "2026-01-30T17:00-05:00", STORM_2026),
    row("closure-inside-the-count", "2026-03-02T10:00-05:00", R,
        "2026-03-02T10:00-05:00", "2026-03-05T17:00-05:00", WEDNESDAY_CLOSED),
    row("closure-after-a-holiday-weekend-2027", "2027-02-11T10:00-05:00", R,
        "2027-02-11T10:00-05:00", "2027-02-18T17:00-05:00", STORM_2027),
    row("same-week-without-the-closure", "2027-02-11T10:00-05:00", R,
        "2027-02-11T10:00-05:00", "2027-02-17T17:00-05:00"),
    row("immediate-across-a-closure", "2026-03-03T15:00-05:00", I,
        "2026-03-03T15:00-05:00", "2026-03-05T10:00-05:00", WEDNESDAY_CLOSED),
    # --- immediate: four business hours ----------------------------------------------------
    row("immediate-16:30-into-next-morning", "2026-03-02T16:30-05:00", I,
        "2026-03-02T16:30-05:00", "2026-03-03T11:30-05:00"),
    row("immediate-before-opening", "2026-03-03T06:00-05:00", I,
        "2026-03-03T08:00-05:00", "2026-03-03T12:00-05:00"),
    row("immediate-at-08:00", "2026-03-03T08:00-05:00", I,
        "2026-03-03T08:00-05:00", "2026-03-03T12:00-05:00"),
    row("immediate-13:00-due-at-closing", "2026-03-03T13:00-05:00", I,
        "2026-03-03T13:00-05:00", "2026-03-03T17:00-05:00"),
    row("immediate-13:00:01-one-second-into-tomorrow", "2026-03-03T13:00:01-05:00", I,
        "2026-03-03T13:00:01-05:00", "2026-03-04T08:00:01-05:00"),
    row("immediate-friday-17:00", "2026-03-13T17:00-04:00", I,
        "2026-03-16T08:00-04:00", "2026-03-16T12:00-04:00"),
    # --- the office's numbers are configurable ---------------------------------------------
    row("routine-three-business-days", "2026-03-02T10:00-05:00", R,
        "2026-03-02T10:00-05:00", "2026-03-05T17:00-05:00", routine_business_days=3),
    row("routine-one-business-day-over-july-4", "2026-07-02T10:00-04:00", R,
        "2026-07-02T10:00-04:00", "2026-07-06T17:00-04:00", routine_business_days=1),
    row("immediate-eight-business-hours", "2026-03-02T10:00-05:00", I,
        "2026-03-02T10:00-05:00", "2026-03-03T09:00-05:00", immediate_business_hours=8),
    row("immediate-two-hours-over-mlk-day-2027", "2027-01-15T16:00-05:00", I,
        "2027-01-15T16:00-05:00", "2027-01-19T09:00-05:00", immediate_business_hours=2),
]  # fmt: skip


def test_the_table_has_at_least_thirty_cases():
    assert len(DUE_TABLE) >= 30


@pytest.mark.parametrize(
    ("received", "urgency", "effective", "due", "closures", "rules"), DUE_TABLE
)
def test_initial_response_due(received, urgency, effective, due, closures, rules):
    result = initial_response_due(calendar(closures), at(received), urgency, **rules)

    assert result.effective_received_at == at(effective)
    assert result.due_at == at(due)
    # The same instant on the right side of a DST change: the local offset matches too.
    assert result.effective_received_at.utcoffset() == at(effective).utcoffset()
    assert result.due_at.utcoffset() == at(due).utcoffset()
    assert result.due_at.tzinfo == NY


def test_a_closure_added_later_moves_the_due_time():
    received = at("2027-02-11T10:00-05:00")

    before = initial_response_due(calendar(), received, R)
    after = initial_response_due(calendar(STORM_2027), received, R)

    assert after.due_at - before.due_at == timedelta(days=1)


def test_a_naive_received_at_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        initial_response_due(calendar(), datetime(2026, 3, 2, 10), R)


def test_an_unknown_urgency_is_refused():
    with pytest.raises(ValueError, match="urgency"):
        initial_response_due(calendar(), at("2026-03-02T10:00-05:00"), "whenever")


# --- the explanation -----------------------------------------------------------------------


def explain(received: str, urgency: str = R, closures=None, **rules) -> list[str]:
    return initial_response_due(calendar(closures), at(received), urgency, **rules).explanation


def test_explanation_of_an_ordinary_routine_inquiry():
    assert explain("2026-03-02T10:00-05:00") == [
        "Received Monday 2 March 2026 at 10:00, during business hours: received that day.",
        "Routine inquiries are due at 17:00 on business day 2 after the day of receipt.",
        "Counting 2 business days after Monday 2 March 2026.",
        "Tuesday 3 March 2026 is business day 1.",
        "Wednesday 4 March 2026 is business day 2.",
        "Initial response due Wednesday 4 March 2026 at 17:00.",
    ]


def test_explanation_names_the_observed_holiday_and_the_weekend_it_skips():
    lines = explain("2026-07-02T10:00-04:00")

    assert "Friday 3 July 2026 skipped: Independence Day (observed)." in lines
    assert "Saturday 4 July 2026 skipped: weekend." in lines
    assert "Sunday 5 July 2026 skipped: weekend." in lines
    assert "Monday 6 July 2026 is business day 1." in lines
    assert lines[-1] == "Initial response due Tuesday 7 July 2026 at 17:00."


def test_explanation_of_an_after_hours_receipt_names_the_days_before_the_next_morning():
    lines = explain("2026-11-25T17:30-05:00")

    assert lines[0] == (
        "Received Wednesday 25 November 2026 at 17:30, at or after 17:00: counts as "
        "received at 08:00 on Friday 27 November 2026."
    )
    assert lines[1] == "Thursday 26 November 2026 skipped: Thanksgiving Day."
    assert lines[-1] == "Initial response due Tuesday 1 December 2026 at 17:00."


def test_explanation_of_a_weekend_receipt_says_why_the_day_does_not_count():
    lines = explain("2026-03-07T11:00-05:00")

    assert lines[0] == (
        "Received Saturday 7 March 2026 at 11:00, on a day that is not a business day "
        "(weekend): counts as received at 08:00 on Monday 9 March 2026."
    )
    assert lines[1] == "Sunday 8 March 2026 skipped: weekend."


def test_explanation_gives_the_reason_entered_for_a_closure():
    lines = explain("2026-01-27T09:00-05:00", closures=STORM_2026)

    assert "(closure: Snow storm)" in lines[0]
    assert lines[-1] == "Initial response due Friday 30 January 2026 at 17:00."


def test_explanation_of_a_closure_inside_the_count():
    lines = explain("2026-03-02T10:00-05:00", closures=WEDNESDAY_CLOSED)

    assert "Wednesday 4 March 2026 skipped: closure: Burst pipe at Central Office." in lines
    assert "Thursday 5 March 2026 is business day 2." in lines


def test_explanation_before_opening():
    assert explain("2026-03-02T07:30-05:00")[0] == (
        "Received Monday 2 March 2026 at 07:30, before opening: received that day."
    )


def test_explanation_is_in_local_time_not_utc():
    # 03:30 UTC on Tuesday is 22:30 on Monday in Connecticut.
    assert explain("2026-03-03T03:30+00:00")[0].startswith(
        "Received Monday 2 March 2026 at 22:30, at or after 17:00"
    )


def test_explanation_follows_the_configured_number_of_days():
    lines = explain("2026-03-02T10:00-05:00", routine_business_days=3)

    assert "Routine inquiries are due at 17:00 on business day 3 after the day of receipt." in (
        lines
    )
    assert "Thursday 5 March 2026 is business day 3." in lines


def test_explanation_of_an_immediate_inquiry_counts_hours_day_by_day():
    lines = explain("2026-11-25T15:00-05:00", I)

    assert lines[0] == "Immediate inquiries are due 4 business hours after effective receipt."
    assert "Wednesday 25 November 2026: 2 hours counted (15:00-17:00), 2 hours left." in lines
    assert "Thursday 26 November 2026 skipped: Thanksgiving Day." in lines
    assert "Friday 27 November 2026: 2 hours counted (08:00-10:00), none left." in lines
    assert lines[-1] == "Due Friday 27 November 2026 at 10:00."


def test_explanation_of_an_immediate_weekend_receipt_lists_the_days_skipped():
    lines = explain("2026-07-04T10:00-04:00", I)

    assert any("on a day that is not a business day" in line for line in lines)
    assert "Saturday 4 July 2026 skipped: weekend." in lines
    assert "Sunday 5 July 2026 skipped: weekend." in lines
    assert lines[-1] == "Due Monday 6 July 2026 at 12:00."


# --- SLA state -----------------------------------------------------------------------------

DUE = at("2026-03-04T17:00-05:00")  # a Wednesday


@pytest.mark.parametrize(
    ("responded", "now", "state"),
    [
        pytest.param(None, "2026-03-03T10:00-05:00", deadlines.ON_TRACK, id="day-before"),
        pytest.param(None, "2026-03-04T00:00-05:00", deadlines.DUE_TODAY, id="local-midnight"),
        pytest.param(None, "2026-03-04T16:59:59-05:00", deadlines.DUE_TODAY, id="last-second"),
        pytest.param(None, "2026-03-04T17:00-05:00", deadlines.DUE_TODAY, id="at-the-due-time"),
        pytest.param(None, "2026-03-04T17:00:01-05:00", deadlines.OVERDUE, id="one-second-late"),
        pytest.param(None, "2026-03-09T09:00-04:00", deadlines.OVERDUE, id="days-late"),
        # 04:00 UTC on Wednesday is still Tuesday in Connecticut: not due today yet.
        pytest.param(None, "2026-03-04T04:00+00:00", deadlines.ON_TRACK, id="utc-wednesday"),
        pytest.param("2026-03-04T16:00-05:00", "2026-03-09T09:00-04:00", deadlines.MET, id="met"),
        pytest.param(
            "2026-03-04T17:00-05:00", "2026-03-05T09:00-05:00", deadlines.MET, id="met-at-due"
        ),
        pytest.param(
            "2026-03-04T17:00:01-05:00", "2026-03-05T09:00-05:00", deadlines.MISSED, id="missed"
        ),
        pytest.param(
            "2026-03-02T11:00-05:00", "2026-03-04T16:00-05:00", deadlines.MET, id="met-early"
        ),
    ],
)
def test_sla_state(responded, now, state):
    responded_at = at(responded) if responded else None

    assert deadlines.sla_state(calendar(), DUE, responded_at, at(now)) == state
    assert deadlines.SLA_LABELS[state]


def test_end_of_local_day_is_local_midnight_across_dst():
    # The day DST starts has 23 hours; tomorrow still begins at local midnight.
    assert deadlines.end_of_local_day(calendar(), at("2026-03-08T12:00-04:00")) == at(
        "2026-03-09T00:00-04:00"
    )
    assert deadlines.end_of_local_day(calendar(), at("2026-11-01T23:30-05:00")) == at(
        "2026-11-02T00:00-05:00"
    )


# --- time left -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "due", "text"),
    [
        pytest.param(
            "2026-03-02T10:00-05:00", "2026-03-02T14:00-05:00", "4 business hours left", id="4h"
        ),
        pytest.param(
            "2026-03-02T16:00-05:00", "2026-03-03T09:00-05:00", "2 business hours left",
            id="overnight-counts-only-business-hours",
        ),
        pytest.param(
            "2026-03-02T10:00-05:00", "2026-03-04T17:00-05:00",
            "2 business days 7 hours left", id="days-and-hours",
        ),
        pytest.param(
            "2026-03-03T17:00-05:00", "2026-03-04T17:00-05:00", "1 business day left",
            id="one-day",
        ),
        pytest.param(
            "2026-03-04T16:15-05:00", "2026-03-04T17:00-05:00", "45 minutes left", id="minutes"
        ),
        pytest.param(
            "2026-03-04T15:30-05:00", "2026-03-04T17:00-05:00", "1 business hour 30 minutes left",
            id="hour-and-minutes",
        ),
        pytest.param(
            "2026-03-04T17:00-05:00", "2026-03-04T17:00-05:00", "less than a minute left",
            id="at-due",
        ),
        pytest.param(
            "2026-07-02T16:00-04:00", "2026-07-06T10:00-04:00", "3 business hours left",
            id="over-the-july-4-weekend",
        ),
        pytest.param(
            "2026-03-05T09:30-05:00", "2026-03-04T17:00-05:00",
            "overdue by 1 business hour 30 minutes", id="overdue",
        ),
        pytest.param(
            "2026-03-09T08:30-04:00", "2026-03-06T17:00-05:00", "overdue by 30 minutes",
            id="overdue-over-a-weekend",
        ),
        pytest.param(
            "2026-03-12T17:00-04:00", "2026-03-04T17:00-05:00", "overdue by 6 business days",
            id="overdue-days",
        ),
    ],
)  # fmt: skip
def test_time_left(now, due, text):
    assert deadlines.time_left(calendar(), at(due), at(now)) == text


def test_business_days_taken_counts_business_days_after_receipt():
    # Received Thursday 2 July 2026, answered Tuesday 7 July: Friday 3 (observed holiday),
    # the weekend skipped; Monday 6 and Tuesday 7 count.
    assert (
        deadlines.business_days_taken(
            calendar(), at("2026-07-02T10:00-04:00"), at("2026-07-07T09:00-04:00")
        )
        == 2
    )
    assert (
        deadlines.business_days_taken(
            calendar(), at("2026-03-02T10:00-05:00"), at("2026-03-02T16:00-05:00")
        )
        == 0
    )
