"""Administrative Case Reviews: recording, the due list, the reminders."""

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from agency.models import Notification
from casework.models import CaseMember
from quality.models import QualityRules
from quality.selectors.acr import acr_due, acr_due_by_office
from quality.services.acr import acr_record, acr_reminders_send
from quality.tasks import acr_reminders
from tests.casework.factories import add_member, make_case
from tests.quality.factories_reviews import make_acr, make_child_in_care, make_reviewer

TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(datetime(2026, 11, 20, 12, 0, tzinfo=UTC), tick=False)


@pytest.fixture
def reviewer(db):
    return make_reviewer()


def _due(child, **kwargs):
    rows = [r for r in acr_due(None, today=TODAY, **kwargs) if r.child == child]
    return rows[0] if rows else None


def test_first_review_six_months_after_entering_care_then_six_after_the_last(personas, reviewer):
    case = make_case(personas.unit, personas.caseworker)
    placement = make_child_in_care(case, date(2026, 6, 10))
    child = placement.child
    assert _due(child).due_on == date(2026, 12, 10)
    assert _due(child).entered_on == date(2026, 6, 10) and _due(child).state == "upcoming"

    acr_record(
        actor=reviewer,
        case=case,
        child=child,
        held_on=date(2026, 11, 2),
        participants="Facilitator\nMother (by phone)\n\n",
        parents_participated=True,
        findings="Progress on the plan.",
    )
    row = _due(child)
    assert row.last_held == date(2026, 11, 2) and row.due_on == date(2027, 5, 2)
    assert row.state == "later"


def test_the_episode_starts_after_a_gap_and_ignores_placements_in_error(personas, reviewer):
    case = make_case(personas.unit, personas.caseworker)
    first = make_child_in_care(case, date(2025, 1, 5), end=date(2025, 3, 1))
    child = first.child
    make_acr(case, child, date(2025, 2, 1), reviewer)  # in the earlier episode
    make_child_in_care(case, date(2024, 6, 1), child=child, entered_in_error=True)
    make_child_in_care(case, date(2026, 4, 1), end=date(2026, 7, 31), child=child)
    make_child_in_care(case, date(2026, 8, 1), child=child)  # a change of placement: no gap
    row = _due(child)
    assert row.entered_on == date(2026, 4, 1)
    assert row.due_on == date(2026, 10, 1) and row.state == "overdue" and row.days == -50


def test_the_rules_are_configurable(personas):
    case = make_case(personas.unit, personas.caseworker)
    child = make_child_in_care(case, date(2026, 6, 10)).child
    QualityRules.objects.update_or_create(
        pk=1, defaults={"acr_first_months": 3, "acr_reminder_days": 10}
    )
    row = _due(child)
    assert row.due_on == date(2026, 9, 10) and row.state == "overdue"


def test_only_children_in_care_are_listed_and_counted_per_office(personas, reviewer):
    case = make_case(personas.unit, personas.caseworker)
    here = make_child_in_care(case, date(2026, 6, 10)).child
    make_child_in_care(case, date(2026, 1, 1), end=date(2026, 2, 1))  # left care
    make_child_in_care(case, date(2026, 1, 1), entered_in_error=True)
    other = make_case(personas.other_unit, personas.other_caseworker)
    there = make_child_in_care(other, date(2026, 1, 2)).child
    rows = acr_due(None, today=TODAY)
    assert [r.child for r in rows] == [there, here]
    assert [r.child for r in acr_due(None, today=TODAY, office=personas.office)] == [here]
    counts = {c.office: (c.in_care, c.upcoming, c.overdue) for c in acr_due_by_office(rows)}
    assert counts == {personas.office: (1, 1, 0), personas.other_office: (1, 0, 1)}
    assert acr_due(personas.supervisor, today=TODAY) == []


def test_recording_checks_the_child_the_day_and_the_content(personas, reviewer):
    case = make_case(personas.unit, personas.caseworker)
    child = make_child_in_care(case, date(2026, 1, 1)).child
    mother = add_member(case, CaseMember.Role.MOTHER).person
    not_placed = add_member(case).person
    base = {"actor": reviewer, "case": case, "parents_participated": False}
    with pytest.raises(ValidationError) as exc:
        acr_record(**base, child=mother, held_on=date(2026, 12, 1), participants=" ", findings="")
    assert set(exc.value.message_dict) == {"child", "held_on", "participants", "findings"}
    with pytest.raises(ValidationError) as exc:
        acr_record(**base, child=not_placed, held_on=TODAY, participants="X", findings="Y")
    assert "child" in exc.value.message_dict
    acr_record(**base, child=child, held_on=TODAY, participants="X", findings="Y")
    with pytest.raises(ValidationError) as exc:
        acr_record(**base, child=child, held_on=TODAY, participants="X", findings="Y")
    assert "already recorded" in exc.value.message_dict["held_on"][0]


def test_reminders_go_once_when_due_soon_and_once_more_when_overdue(personas, time_machine):
    case = make_case(personas.unit, personas.caseworker)
    child = make_child_in_care(case, date(2026, 6, 10)).child  # due 10 Dec 2026
    make_child_in_care(case, date(2026, 10, 1))  # due April 2027: no reminder yet

    assert acr_reminders_send(today=date(2026, 11, 9)) == 0  # 31 days before
    assert acr_reminders_send(today=TODAY) == 2
    assert acr_reminders_send(today=TODAY) == 0
    assert acr_reminders() == 0  # the Celery task: same sweep, nothing new
    soon = Notification.objects.filter(kind="acr_due_soon")
    assert {n.recipient for n in soon} == {personas.caseworker, personas.supervisor}
    assert all(child.full_name in n.subject for n in soon)

    assert acr_reminders_send(today=date(2026, 12, 11)) == 2
    assert acr_reminders_send(today=date(2026, 12, 12)) == 0
    overdue = Notification.objects.filter(kind="acr_overdue")
    assert {n.recipient for n in overdue} == {personas.caseworker, personas.supervisor}
    assert overdue.first().link == f"/quality/acr/new/?case={case.pk}&child={child.pk}"
