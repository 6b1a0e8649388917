"""The due rules of family team meetings (casework/meetings.py): pure functions over
plain rows, no database."""

from dataclasses import dataclass
from datetime import date, datetime

import pytest

from agency.calendar import TIMEZONE
from casework import meetings as rules_

RULES = rules_.Rules()  # the defaults: 72 hours, 180 days then 6 months, 30 days, 7 days
TODAY = date(2026, 11, 24)


@dataclass
class P:
    """A placement row."""

    pk: int
    child_id: int
    start_date: date
    end_date: date | None = None
    setting: str = "foster"
    emergency: bool = False
    entered_in_error: bool = False


@dataclass
class M:
    """A meeting row."""

    pk: int
    kind: str
    status: str
    scheduled_for: datetime
    held_at: datetime | None = None
    child_id: int | None = None
    placement_id: int | None = None


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TIMEZONE)


def held(pk, kind, when, **fields) -> M:
    return M(pk, kind, "held", scheduled_for=when, held_at=when, **fields)


NAMES = {1: "Ana", 2: "Leo"}


def ftdm(placements, meetings=(), today=TODAY):
    return rules_.ftdm_dues(placements, list(meetings), names=NAMES, today=today, rules=RULES)


def spm(placements, meetings=(), today=TODAY):
    return rules_.shared_planning_dues(
        placements, list(meetings), names=NAMES, today=today, rules=RULES
    )


# --- FTDM ------------------------------------------------------------------------------------


def test_a_planned_placement_needs_its_ftdm_by_the_end_of_the_day_it_starts():
    deadline = rules_.ftdm_deadline(date(2026, 11, 10), emergency=False, hours=72)
    assert deadline == at(2026, 11, 11, 0, 0)
    assert rules_.deadline_text(deadline) == "the end of 10 Nov 2026"


def test_an_emergency_placement_counts_72_hours_from_the_end_of_its_day():
    deadline = rules_.ftdm_deadline(date(2026, 11, 10), emergency=True, hours=72)
    assert deadline == at(2026, 11, 14, 0, 0)  # the end of Thursday 13 Nov
    assert rules_.last_day_before(deadline) == date(2026, 11, 13)
    assert rules_.deadline_text(deadline) == "the end of 13 Nov 2026"
    # Hours that are not whole days end in the middle of a day.
    assert rules_.deadline_text(
        rules_.ftdm_deadline(date(2026, 11, 10), emergency=True, hours=36)
    ) == ("12 Nov 2026, 12:00")


def test_a_planned_placement_recorded_without_an_ftdm_is_overdue_the_next_day():
    placement = P(7, 1, start_date=date(2026, 11, 23))
    [due] = ftdm([placement])
    assert (due.state, due.due_on) == ("overdue", date(2026, 11, 23))
    assert due.text == "FTDM for Ana's placement overdue (due 23 Nov)"
    assert "before Ana moves, by the end of 23 Nov 2026" in due.rule
    # On the day itself it is still due.
    [due] = ftdm([placement], today=date(2026, 11, 23))
    assert (due.state, due.text) == ("due_soon", "FTDM for Ana's placement due 23 Nov")


def test_an_ftdm_held_before_a_planned_placement_is_on_time_and_after_it_late():
    placement = P(7, 1, start_date=date(2026, 11, 10))
    before = held(1, "ftdm", at(2026, 11, 9, 14, 0), placement_id=7, child_id=1)
    after = held(2, "ftdm", at(2026, 11, 12, 9, 0), placement_id=7, child_id=1)
    assert ftdm([placement], [before])[0].state == "held"
    assert ftdm([placement], [after])[0].state == "held_late"
    assert ftdm([placement], [before])[0].held is before


def test_an_emergency_placement_has_72_hours_and_an_ftdm_within_them_satisfies_it():
    placement = P(7, 1, start_date=date(2026, 11, 22), emergency=True)
    [due] = ftdm([placement])
    assert (due.state, due.due_on) == ("due_soon", date(2026, 11, 25))
    assert due.text == "FTDM for Ana's emergency placement due 25 Nov"
    assert due.rule.startswith("An emergency placement: the FTDM is due within 72 hours")
    on_time = held(1, "ftdm", at(2026, 11, 25, 23, 30), placement_id=7, child_id=1)
    late = held(2, "ftdm", at(2026, 11, 26, 0, 0, 1), placement_id=7, child_id=1)
    assert ftdm([placement], [on_time])[0].state == "held"
    assert ftdm([placement], [late])[0].state == "held_late"
    # Without one, it is overdue from the day after the third day.
    assert ftdm([placement], today=date(2026, 11, 25))[0].state == "due_soon"
    assert ftdm([placement], today=date(2026, 11, 26))[0].state == "overdue"


def test_only_a_held_ftdm_linked_to_the_placement_satisfies_it():
    placement = P(7, 1, start_date=date(2026, 11, 22), emergency=True)
    others = [
        M(1, "ftdm", "cancelled", scheduled_for=at(2026, 11, 23, 10, 0), placement_id=7),
        M(2, "ftdm", "scheduled", scheduled_for=at(2026, 11, 25, 10, 0), placement_id=7),
        held(3, "ftdm", at(2026, 11, 23, 10, 0), placement_id=8, child_id=1),  # another's
        held(4, "shared_planning", at(2026, 11, 23, 10, 0), child_id=1),
    ]
    [due] = ftdm([placement], others)
    assert due.state == "due_soon"
    assert due.held is None
    assert due.scheduled is others[1]


def test_trial_home_visits_and_placements_entered_in_error_need_no_ftdm():
    placements = [
        P(1, 1, date(2026, 11, 1), setting="trial_home_visit"),
        P(2, 1, date(2026, 11, 1), entered_in_error=True),
    ]
    assert ftdm(placements) == []


def test_a_placement_that_ended_without_an_ftdm_is_missed():
    placement = P(7, 1, start_date=date(2026, 10, 1), end_date=date(2026, 11, 2))
    [due] = ftdm([placement])
    assert due.state == "missed"
    assert due.state_label == "Missed"


def test_the_emergency_hours_come_from_the_rules():
    placement = P(7, 1, start_date=date(2026, 11, 22), emergency=True)
    [due] = rules_.ftdm_dues(
        [placement],
        [],
        names=NAMES,
        today=TODAY,
        rules=rules_.Rules(ftdm_emergency_hours=24),
    )
    assert (due.state, due.due_on) == ("overdue", date(2026, 11, 23))
    assert "within 24 hours" in due.rule


# --- time in care ----------------------------------------------------------------------------


def test_entering_care_is_the_first_day_of_the_current_episode():
    moves = [P(1, 1, date(2026, 1, 5), date(2026, 3, 1)), P(2, 1, date(2026, 3, 2))]
    assert rules_.entered_care(moves, today=TODAY) == date(2026, 1, 5)  # a move is no gap
    reentry = [P(1, 1, date(2025, 1, 5), date(2025, 6, 1)), P(2, 1, date(2026, 3, 2))]
    assert rules_.entered_care(reentry, today=TODAY) == date(2026, 3, 2)
    home = [P(1, 1, date(2026, 1, 5), date(2026, 6, 1))]
    assert rules_.entered_care(home, today=TODAY) is None  # not in care today
    trial = [P(1, 1, date(2026, 1, 5), setting="trial_home_visit")]
    assert rules_.entered_care(trial, today=TODAY) is None
    error = [P(1, 1, date(2026, 1, 5), entered_in_error=True)]
    assert rules_.entered_care(error, today=TODAY) is None


# --- shared planning -------------------------------------------------------------------------


def test_the_first_shared_planning_meeting_is_due_after_180_days_in_care():
    placement = P(7, 1, start_date=date(2026, 6, 1))
    [due] = spm([placement])
    assert due.due_on == date(2026, 11, 28)  # 1 Jun + 180 days
    assert (due.state, due.text) == ("due_soon", "Shared planning meeting for Ana due 28 Nov")
    assert due.rule == (
        "Ana has been in care since 1 Jun 2026: the first shared planning meeting is due "
        "after 180 days in care, on 28 Nov 2026."
    )
    assert spm([placement], today=date(2026, 11, 20))[0].state == "later"
    [overdue] = spm([placement], today=date(2026, 11, 29))
    assert overdue.text == "Shared planning meeting for Ana overdue (due 28 Nov)"


def test_then_every_six_months_after_the_last_one_held():
    placement = P(7, 1, start_date=date(2026, 1, 5))
    first = held(1, "shared_planning", at(2026, 7, 2, 10, 0), child_id=1)
    [due] = spm([placement], [first])
    assert (due.due_on, due.state) == (date(2027, 1, 2), "later")
    assert due.rule == "Every 6 months after the last one held (2 Jul 2026): due 2 Jan 2027."
    assert due.held is first
    old = held(2, "shared_planning", at(2026, 5, 20, 10, 0), child_id=1)
    [overdue] = spm([placement], [old])
    assert (overdue.due_on, overdue.state) == (date(2026, 11, 20), "overdue")


def test_a_cancelled_or_other_childs_meeting_does_not_count():
    placement = P(7, 1, start_date=date(2026, 1, 5))
    meetings = [
        M(1, "shared_planning", "cancelled", scheduled_for=at(2026, 7, 2, 10, 0), child_id=1),
        held(2, "shared_planning", at(2026, 7, 2, 10, 0), child_id=2),
        held(3, "child_family_team", at(2026, 7, 2, 10, 0), child_id=1),
    ]
    [due] = spm([placement], meetings)
    assert (due.due_on, due.state) == (date(2026, 7, 4), "overdue")


def test_meetings_held_before_a_re_entry_do_not_count():
    placements = [P(1, 1, date(2025, 1, 5), date(2025, 9, 1)), P(2, 1, date(2026, 6, 1))]
    before = held(1, "shared_planning", at(2025, 7, 10, 10, 0), child_id=1)
    [due] = spm(placements, [before])
    assert due.due_on == date(2026, 11, 28)


def test_children_not_in_care_need_no_shared_planning_meeting():
    assert spm([P(1, 1, date(2025, 1, 5), date(2026, 9, 1))]) == []
    assert spm([P(1, 1, date(2026, 1, 5), setting="trial_home_visit")]) == []


def test_each_child_in_care_has_their_own():
    placements = [P(1, 1, date(2026, 1, 5)), P(2, 2, date(2026, 6, 1))]
    dues = spm(placements)
    assert [(d.child_id, d.due_on) for d in dues] == [
        (1, date(2026, 7, 4)),
        (2, date(2026, 11, 28)),
    ]


# --- case planning ---------------------------------------------------------------------------


def cpm(case_type="in_home", meetings=(), opened_on=date(2026, 11, 1), case_open=True):
    return rules_.case_planning_due(
        case_type=case_type,
        case_open=case_open,
        opened_on=opened_on,
        meetings=list(meetings),
        today=TODAY,
        rules=RULES,
    )


def test_in_home_and_far_cases_hold_a_case_planning_meeting_within_30_days():
    due = cpm()
    assert (due.due_on, due.state) == (date(2026, 12, 1), "due_soon")
    assert due.text == "Case-planning meeting due 1 Dec"
    assert due.rule == "Within 30 days of the case opening (1 Nov 2026): due 1 Dec 2026."
    assert cpm("family_assessment").due_on == date(2026, 12, 1)
    assert cpm("out_of_home") is None
    assert cpm("investigation") is None
    assert cpm(case_open=False) is None


def test_then_every_six_months_after_the_last_case_planning_meeting_held():
    meeting = held(1, "case_planning", at(2026, 5, 10, 10, 0))
    due = cpm(opened_on=date(2026, 4, 1), meetings=[meeting])
    assert (due.due_on, due.state) == (date(2026, 11, 10), "overdue")
    assert due.text == "Case-planning meeting overdue (due 10 Nov)"
    cancelled = M(2, "case_planning", "cancelled", scheduled_for=at(2026, 11, 20, 10, 0))
    assert cpm(opened_on=date(2026, 4, 1), meetings=[meeting, cancelled]).due_on == date(
        2026, 11, 10
    )


# --- a whole case ----------------------------------------------------------------------------


def test_a_case_lists_its_dues_in_order_and_the_caseload_keeps_what_needs_doing():
    placements = [
        P(1, 1, date(2026, 1, 5)),  # Ana: in care since January
        P(2, 2, date(2026, 11, 22), emergency=True),  # Leo: placed in an emergency
        P(3, 2, date(2026, 9, 1), date(2026, 11, 21)),  # Leo's earlier placement
    ]
    meetings = [
        held(1, "ftdm", at(2026, 1, 4, 10, 0), placement_id=1, child_id=1),
        M(2, "family_conference", "scheduled", scheduled_for=at(2026, 11, 12, 10, 0)),
        M(3, "child_family_team", "scheduled", scheduled_for=at(2026, 11, 24, 9, 0)),
    ]
    dues = rules_.case_meeting_dues(
        case_type="out_of_home",
        case_open=True,
        opened_on=date(2025, 12, 20),
        placements=placements,
        meetings=meetings,
        names=NAMES,
        today=TODAY,
        rules=RULES,
    )
    assert [(d.kind, d.state) for d in dues.dues] == [
        ("ftdm", "held"),
        ("shared_planning", "overdue"),  # Ana: 180 days were up in July
        ("ftdm", "missed"),  # Leo's earlier placement ended without one
        ("ftdm", "due_soon"),
        ("shared_planning", "later"),  # Leo: in care since September, no gap
    ]
    assert [m.pk for m in dues.not_recorded] == [2]  # today's is not late yet
    lines = rules_.caseload_lines(dues, open_placements={1, 2})
    assert lines == [
        "Shared planning meeting for Ana overdue (due 4 Jul)",
        "FTDM for Leo's emergency placement due 25 Nov",
        "Family conference of 12 Nov not recorded",
    ]


def test_a_closed_case_asks_for_nothing():
    dues = rules_.case_meeting_dues(
        case_type="in_home",
        case_open=False,
        opened_on=date(2026, 1, 1),
        placements=[P(1, 1, date(2026, 1, 5))],
        meetings=[],
        names=NAMES,
        today=TODAY,
        rules=RULES,
    )
    assert dues.dues == []


@pytest.mark.parametrize(
    ("due_on", "state"),
    [
        (date(2026, 11, 23), "overdue"),
        (date(2026, 11, 24), "due_soon"),
        (date(2026, 12, 1), "due_soon"),
        (date(2026, 12, 2), "later"),
    ],
)
def test_due_states_around_the_reminder_days(due_on, state):
    assert rules_.due_state(due_on, today=TODAY, reminder_days=7) == state


def test_months_are_clamped_to_the_end_of_a_shorter_month():
    assert rules_.add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
