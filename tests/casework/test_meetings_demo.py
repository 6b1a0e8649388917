"""The demo family meetings and court work `manage.py seed` loads
(casework.demo_meetings.seed_meetings): every state the pages show is there."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from agency.roles import Role
from casework import demo as casework_demo
from casework.demo_meetings import seed_meetings
from casework.meetings import Rules, ftdm_dues
from casework.models import (
    Case,
    CourtHearing,
    CourtPetition,
    FamilyMeeting,
    MeetingParticipant,
    PermanencyDecision,
    Placement,
)
from casework.selectors import court as court_selectors
from casework.selectors import meetings as selectors
from casework.selectors import rules
from casework.selectors.placements import met_15_of_22_since
from tests.casework.factories_meetings import NOW, TODAY
from tests.factories import make_user


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def seeded(personas):
    for _ in range(5):
        make_user(Role.CASEWORKER, unit=personas.unit)
    casework_demo.build(random.Random(6), "demo")
    return seed_meetings(random.Random(6))


def test_the_summary_counts_what_was_made(seeded):
    held = FamilyMeeting.objects.filter(status="held")
    assert seeded == {
        "meetings": FamilyMeeting.objects.count(),
        "ftdms": held.filter(kind="ftdm").count(),
        "shared_planning": held.filter(kind="shared_planning").count(),
        "case_planning": held.filter(kind="case_planning").count(),
        "petitions": CourtPetition.objects.count(),
        "hearings": CourtHearing.objects.count(),
    }
    assert seeded["ftdms"] and seeded["shared_planning"] and seeded["case_planning"]
    assert MeetingParticipant.objects.filter(relation="father", attended=False).exists()


def test_one_emergency_placement_had_its_ftdm_within_72_hours_and_one_has_none(seeded):
    [emergency] = Placement.objects.filter(emergency=True)
    [due] = ftdm_dues([emergency], list(emergency.meetings.all()), names={}, today=TODAY,
                      rules=Rules())  # fmt: skip
    assert due.state == "held"
    assert due.held.held_at > due.deadline - timedelta(hours=72)  # after the placement
    cases = Case.objects.filter(status="open")
    lines = [
        line for lines in selectors.meetings_due(cases, today=TODAY).values() for line in lines
    ]
    assert sum("FTDM for" in line and "overdue" in line for line in lines) == 1
    assert any(line.startswith("Shared planning meeting for") and "overdue" in line
               for line in lines)  # fmt: skip
    assert any(line.startswith("Case-planning meeting overdue") for line in lines)
    assert any(line.endswith("not recorded") for line in lines)


def test_court_reports_one_due_soon_one_filed_late(seeded):
    lead = rules().court_report_lead_days
    hearings = list(CourtHearing.objects.all())
    # Due in two days, or a day or two more when that hearing day falls on a weekend.
    assert any(
        h.status == "scheduled" and 2 <= (h.report_due_on - TODAY).days <= 4 for h in hearings
    )
    assert any(h.report_filed_on and h.report_filed_on > h.report_due_on for h in hearings)
    for h in hearings:
        assert h.report_due_on == h.scheduled_for.date() - timedelta(days=lead)
    # Each case's hearings follow one another.
    assert all(h.next_hearing_id for h in hearings if h.status == "held")
    cases = Case.objects.filter(status="open")
    assert any(
        "Court report due" in line
        for lines in court_selectors.court_reports_due(cases, today=TODAY).values()
        for line in lines
    )


def test_a_tpr_petition_answers_the_15_of_22_rule_for_a_child_who_qualifies(seeded):
    qualifying = []
    for case in Case.objects.filter(status="open"):
        by_child = {}
        for p in Placement.objects.filter(case=case):
            by_child.setdefault(p.child_id, []).append(p)
        qualifying += [c for c, own in by_child.items() if met_15_of_22_since(own, today=TODAY)]
    assert qualifying  # this seed's demo has children in care 15 of 22 months
    [petition] = CourtPetition.objects.filter(kind="tpr")
    assert petition.child_id in qualifying
    decision = PermanencyDecision.objects.get(petition=petition)
    assert (decision.kind, decision.decided_on) == ("petition_filed", petition.filed_on)


def test_meetings_with_the_family_and_hearings_fall_on_weekdays(seeded):
    """FTDMs follow placements, any day of the week; the rest are booked Monday to Friday."""
    days = [
        timezone.localtime(m.scheduled_for).weekday()
        for m in FamilyMeeting.objects.exclude(kind="ftdm")
    ] + [timezone.localtime(h.scheduled_for).weekday() for h in CourtHearing.objects.all()]
    assert days and max(days) < 5
