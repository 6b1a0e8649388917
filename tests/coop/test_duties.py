"""Duty status (coop/duties.py): pure functions over a quarter's recorded duties, the
plan's creation day, today and the rules. No database."""

from dataclasses import dataclass
from datetime import date

from coop import duties
from coop.duties import State, quarter_status, recordable_quarters
from coop.models import QuarterlyDuties
from coop.quarters import Quarter

Q3 = Quarter(2026, 3)  # 1 Jul - 30 Sep 2026
LONG_AGO = date(2024, 1, 15)


@dataclass
class Rules:
    grace_days: int = 0


def row(**fields) -> QuarterlyDuties:
    """Recorded duties, unsaved (the functions read fields only)."""
    return QuarterlyDuties(quarter=Q3.starts_on, **fields)


def status(recorded, *, today, created_on=LONG_AGO, rules=None, quarter=Q3):
    return quarter_status(
        recorded, quarter=quarter, created_on=created_on, today=today, rules=rules or Rules()
    )


def test_a_plan_revised_on_the_last_day_of_the_quarter_is_on_time():
    recorded = row(revised_on=date(2026, 9, 30), revision="no_changes")

    # Seen the same day, and the morning after (when the quarter has ended).
    for today in (date(2026, 9, 30), date(2026, 10, 1)):
        revised = status(recorded, today=today).revised
        assert revised.state == State.DONE
        assert revised.label == "Done" and revised.detail == "on 30 Sep 2026"
        assert revised.done and not revised.overdue


def test_a_duty_recorded_after_the_due_day_is_done_late():
    recorded = row(communicated_on=date(2026, 10, 3), communication_channel="email")

    communicated = status(recorded, today=date(2026, 10, 5)).communicated

    assert communicated.state == State.DONE_LATE
    assert communicated.text == "Done late, on 3 Oct 2026"
    assert communicated.done and not communicated.open


def test_nothing_recorded_is_due_then_overdue():
    due = status(None, today=date(2026, 9, 30))
    assert [s.state for s in due.duties] == [State.DUE] * 3
    assert due.communicated.label == "Due 30 Sep 2026"
    assert not due.overdue

    late = status(None, today=date(2026, 10, 1))
    assert [s.state for s in late.duties] == [State.OVERDUE] * 3
    assert late.overdue and len(late.open) == 3
    assert late.revised.text == "Overdue, was due 30 Sep 2026"


def test_grace_days_move_the_due_day():
    today = date(2026, 10, 5)
    assert status(None, today=today, rules=Rules(grace_days=10)).revised.state == State.DUE
    recorded = row(revised_on=date(2026, 10, 4), revision="no_changes")
    assert status(recorded, today=today, rules=Rules(grace_days=10)).revised.state == State.DONE


def test_a_returned_submission_is_open_and_overdue_after_the_due_day():
    recorded = row(
        communicated_on=date(2026, 7, 14),
        communication_channel="staff_meeting",
        revised_on=date(2026, 9, 1),
        revision="no_changes",
        submission="returned",
        submitted_on=date(2026, 9, 2),
        opm_comments="Update the alternates.",
    )

    before = status(recorded, today=date(2026, 9, 20)).submitted
    assert before.state == State.RETURNED and before.open and not before.overdue
    assert before.label == "Returned"

    after = status(recorded, today=date(2026, 10, 8))
    assert after.submitted.state == State.RETURNED
    assert after.submitted.overdue and after.overdue
    assert after.submitted.label == "Returned, overdue"
    assert after.submitted.tag == "bg-secondary-dark"
    assert after.open == [after.submitted]


def test_submitted_counts_as_done_for_the_location_then_accepted():
    recorded = row(
        revised_on=date(2026, 9, 1),
        revision="no_changes",
        submission="submitted",
        submitted_on=date(2026, 10, 2),
    )
    awaiting = status(recorded, today=date(2026, 10, 8)).submitted
    assert awaiting.state == State.AWAITING_OPM and awaiting.done and not awaiting.overdue
    assert awaiting.text == "Awaiting OPM, submitted 2 Oct 2026 (late)"

    recorded.submission = "accepted"
    assert status(recorded, today=date(2026, 10, 8)).submitted.state == State.ACCEPTED


def test_a_new_location_owes_the_quarter_it_was_created_in_not_the_ones_before():
    created = date(2026, 9, 20)  # near the end of Q3

    current = status(None, today=date(2026, 9, 21), created_on=created)
    assert current.applies and [s.state for s in current.duties] == [State.DUE] * 3

    earlier = status(None, today=date(2026, 9, 21), created_on=created, quarter=Quarter(2026, 2))
    assert not earlier.applies
    assert [s.state for s in earlier.duties] == [State.NOT_APPLICABLE] * 3
    assert earlier.open == [] and not earlier.overdue
    assert earlier.communicated.label == "n/a"

    # Created on the quarter's last day still owes it.
    assert status(None, today=date(2026, 10, 2), created_on=date(2026, 9, 30)).overdue


def test_tags_never_stand_alone():
    for state in State:
        if state == State.NOT_APPLICABLE:
            continue
        shown = duties.DutyStatus(duties.Duty.REVISED, state, date(2026, 9, 30), date(2026, 9, 1))
        assert shown.label  # the words, whatever the colour


def test_recordable_quarters_are_the_current_and_the_previous():
    assert recordable_quarters(date(2026, 10, 1)) == (Quarter(2026, 4), Quarter(2026, 3))
    assert recordable_quarters(date(2027, 1, 1)) == (Quarter(2027, 1), Quarter(2026, 4))
