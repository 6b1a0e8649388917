"""Casework reminder sweeps: the right person hears once per item and threshold."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from agency.models import Notification
from casework.models import CaseMember, IffContact, IffExtension, Visit, VisitParticipant
from casework.services.reminders import iff_reminders_send, visit_reminders_send
from tests.casework.factories import add_member, make_case, make_intake

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 11, 24, 10, 0))


@pytest.fixture
def case(personas):
    case = make_case(personas.unit, personas.caseworker, name="Rivera family")
    case.child = add_member(case, CaseMember.Role.CHILD, alleged_victim=True).person
    case.father = add_member(case, CaseMember.Role.FATHER).person
    return case


def iff(case, worker, due_at):
    return IffContact.objects.create(
        intake=make_intake(case, worker, accepted_at=due_at - timedelta(hours=24)),
        child=case.child,
        due_at=due_at,
    )


def test_worker_hears_once_when_an_iff_is_due_within_four_hours(personas, case):
    iff(case, personas.caseworker, NOW + timedelta(hours=3))

    assert iff_reminders_send(now=NOW) == 1
    assert iff_reminders_send(now=NOW + timedelta(minutes=15)) == 0

    notice = Notification.objects.get()
    assert notice.recipient == personas.caseworker
    assert notice.kind == "iff_due_soon"
    assert case.child.full_name in notice.subject


def test_no_reminder_while_more_than_four_hours_remain(personas, case):
    iff(case, personas.caseworker, NOW + timedelta(hours=5))

    assert iff_reminders_send(now=NOW) == 0


def test_supervisor_hears_once_of_an_overdue_iff(personas, case):
    contact = iff(case, personas.caseworker, NOW + timedelta(hours=3))
    iff_reminders_send(now=NOW)

    assert iff_reminders_send(now=NOW + timedelta(hours=4)) == 1
    assert iff_reminders_send(now=NOW + timedelta(hours=5)) == 0

    overdue = Notification.objects.get(kind="iff_overdue")
    assert overdue.recipient == personas.supervisor
    assert overdue.dedupe_key == f"casework.iffcontact:{contact.pk}:iff_overdue:due"


def test_an_approved_extension_stops_the_overdue_notice(personas, case):
    contact = iff(case, personas.caseworker, NOW - timedelta(hours=1))
    IffExtension.objects.create(
        iff=contact,
        reason=IffExtension.Reason.UNABLE_TO_LOCATE,
        explanation="Not at the address",
        requested_by=personas.caseworker,
        status=IffExtension.Status.APPROVED,
    )

    assert iff_reminders_send(now=NOW) == 0


def test_seen_children_get_no_reminder(personas, case):
    contact = iff(case, personas.caseworker, NOW + timedelta(hours=2))
    contact.seen_at = NOW - timedelta(hours=1)
    contact.save()

    assert iff_reminders_send(now=NOW) == 0


def visit(case, worker, when, *seen):
    v = Visit.objects.create(
        case=case,
        planned_for=when,
        occurred_at=when,
        status=Visit.Status.COMPLETED,
        location=Visit.Location.CHILD_RESIDENCE,
        discussion_points="Goals",
        planned_by=worker,
    )
    for person in seen:
        VisitParticipant.objects.create(visit=v, person=person, seen=True)


def test_worker_hears_once_a_month_about_who_is_not_yet_visited(personas, case):
    visit(case, personas.caseworker, NOW - timedelta(days=3), case.child)

    assert visit_reminders_send(today=date(2026, 11, 24)) == 1
    assert visit_reminders_send(today=date(2026, 11, 25)) == 0

    notice = Notification.objects.get()
    assert notice.recipient == personas.caseworker
    assert case.father.full_name in notice.body
    assert case.child.full_name not in notice.body


def test_no_visit_reminder_early_in_the_month(personas, case):
    assert visit_reminders_send(today=date(2026, 11, 10)) == 0


def test_supervisor_hears_on_the_first_of_the_month_who_was_missed(personas, case):
    visit(case, personas.caseworker, NOW - timedelta(days=3), case.child, case.father)

    assert visit_reminders_send(today=date(2026, 12, 1)) == 0  # nobody missed in November

    visit_reminders_send(today=date(2026, 11, 24))
    assert not Notification.objects.filter(kind="visits_missed").exists()


def test_supervisor_is_told_of_last_months_missed_visits(personas, case):
    assert visit_reminders_send(today=date(2026, 12, 2)) == 1
    missed = Notification.objects.get(kind="visits_missed")
    assert missed.recipient == personas.supervisor
    assert "November" in missed.subject


def test_worker_hears_once_of_an_assessment_due_soon_and_the_supervisor_when_overdue(
    personas,
):
    from casework.services.reminders import assessment_reminders_send

    opened = date(2026, 11, 24) - timedelta(days=55)  # family-centered due in 5 days
    make_case(personas.unit, personas.caseworker, name="Brown family", opened_on=opened)

    assert assessment_reminders_send(today=date(2026, 11, 24)) == 1
    assert assessment_reminders_send(today=date(2026, 11, 25)) == 0
    due = Notification.objects.get()
    assert due.recipient == personas.caseworker
    assert due.kind == "assessment_due_soon"
    assert "Family-centered assessment" in due.subject

    assert assessment_reminders_send(today=date(2026, 12, 1)) == 1
    overdue = Notification.objects.get(kind="assessment_overdue")
    assert overdue.recipient == personas.supervisor


def test_home_study_overdue_notifies_worker_and_supervisor_once(personas, case):
    from casework.models import Placement
    from casework.services.reminders import home_study_reminders_send

    Placement.objects.create(
        case=case,
        child=case.child,
        setting=Placement.Setting.KIN_UNLICENSED,
        caregiver="Aunt Rosa",
        start_date=date(2026, 10, 20),
        reason="Unsafe at home",
    )

    assert home_study_reminders_send(today=date(2026, 11, 19)) == 0  # day 30: not yet
    assert home_study_reminders_send(today=date(2026, 11, 20)) == 2
    assert home_study_reminders_send(today=date(2026, 11, 21)) == 0
    assert {n.recipient for n in Notification.objects.all()} == {
        personas.caseworker,
        personas.supervisor,
    }


def test_plan_review_reminds_the_worker_then_tells_the_supervisor_once(personas, case):
    from casework.models import CasePlan
    from casework.services.reminders import plan_review_reminders_send

    CasePlan.objects.create(
        case=case,
        version=1,
        status=CasePlan.Status.APPROVED,
        family_participants="Ana (mother) led the meeting",
        author=personas.caseworker,
        decided_by=personas.supervisor,
        decided_at=NOW - timedelta(days=180),
        review_due_on=date(2026, 11, 30),
    )

    assert plan_review_reminders_send(today=date(2026, 11, 20)) == 0  # 10 days left
    assert plan_review_reminders_send(today=date(2026, 11, 24)) == 1
    assert plan_review_reminders_send(today=date(2026, 11, 25)) == 0
    assert plan_review_reminders_send(today=date(2026, 12, 1)) == 1
    assert Notification.objects.get(kind="plan_review_due_soon").recipient == personas.caseworker
    assert Notification.objects.get(kind="plan_review_overdue").recipient == personas.supervisor
