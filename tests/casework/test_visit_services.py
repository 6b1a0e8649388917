"""The rules of purposeful visits: planning, recording, entered in error."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from agency import clock
from agency.calendar import TIMEZONE
from casework.models import Case, CaseMember, Person, Visit, VisitParticipant
from casework.services import visits as services
from tests.casework.factories import add_member, make_case, make_person

NOW = "2026-11-23 10:00:00-05:00"


@dataclass
class Family:
    case: Case
    child: Person
    sibling: Person
    mother: Person
    father: Person
    aunt: Person


def make_family(unit, worker, **case_fields) -> Family:
    """A case with two children, both parents and a maternal relative."""
    case = make_case(unit, worker, **case_fields)
    child = add_member(case, person=make_person(first_name="Leo", date_of_birth=date(2016, 3, 1)))
    sibling = add_member(case, person=make_person(first_name="Mia", date_of_birth=date(2019, 7, 9)))
    mother = add_member(
        case, CaseMember.Role.MOTHER, make_person(first_name="Ana", date_of_birth=date(1990, 1, 2))
    )
    father = add_member(
        case, CaseMember.Role.FATHER, make_person(first_name="Raul", date_of_birth=date(1988, 4, 5))
    )
    aunt = add_member(case, CaseMember.Role.MATERNAL_RELATIVE, make_person(first_name="Rosa"))
    return Family(case, child.person, sibling.person, mother.person, father.person, aunt.person)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=TIMEZONE)


def plan(family: Family, actor, **fields) -> Visit:
    return services.visit_plan(
        **{
            "case": family.case,
            "actor": actor,
            "planned_for": local(2026, 11, 20, 10, 0),
            "location": Visit.Location.CHILD_RESIDENCE,
            "discussion_points": "Progress on the school-attendance goal; safety plan.",
            "participants": [family.child, family.sibling, family.mother, family.father],
        }
        | fields
    )


def record(visit: Visit, actor, **fields) -> Visit:
    return services.visit_record(
        **{
            "visit": visit,
            "actor": actor,
            "status": Visit.Status.COMPLETED,
            "occurred_at": local(2026, 11, 20, 10, 30),
            "topics": {"case_plan_goals", "safety_risk"},
            "narrative": "Saw both children at home.",
            "seen": {},
        }
        | fields
    )


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


@pytest.fixture
def family(personas):
    return make_family(personas.unit, personas.caseworker)


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


# --- planning ------------------------------------------------------------------------------


def test_planning_a_visit_saves_it_with_its_participants_and_author(personas, family, now):
    visit = plan(family, personas.caseworker, announced=False)

    visit.refresh_from_db()
    assert visit.status == Visit.Status.PLANNED
    assert visit.planned_by == personas.caseworker
    assert visit.announced is False
    assert set(visit.participants.values_list("person", flat=True)) == {
        family.child.pk,
        family.sibling.pk,
        family.mother.pk,
        family.father.pk,
    }
    assert not visit.participants.filter(seen=True).exists()
    assert visit.history.get().history_user == personas.caseworker


def test_a_visit_may_be_planned_in_the_past_or_the_future(personas, family, now):
    past = plan(family, personas.caseworker, planned_for=local(2026, 11, 1, 9, 0))
    future = plan(family, personas.caseworker, planned_for=local(2027, 1, 5, 9, 0))

    assert (past.status, future.status) == ("planned", "planned")


@pytest.mark.parametrize("points", ["", "   \n  "])
def test_planning_without_discussion_points_is_refused_and_saves_nothing(personas, family, points):
    with pytest.raises(ValidationError) as excinfo:
        plan(family, personas.caseworker, discussion_points=points)

    assert "discussion_points" in errors_of(excinfo)
    assert "case plan" in errors_of(excinfo)["discussion_points"][0]
    assert not Visit.objects.exists()
    assert not VisitParticipant.objects.exists()


def test_planning_without_participants_is_refused(personas, family):
    with pytest.raises(ValidationError) as excinfo:
        plan(family, personas.caseworker, participants=[])

    assert errors_of(excinfo)["participants"] == ["Choose at least one person to visit."]


def test_planning_with_someone_not_active_on_the_case_is_refused(personas, family):
    stranger = make_person(first_name="Outside")
    CaseMember.objects.filter(case=family.case, person=family.father).update(active=False)

    with pytest.raises(ValidationError) as excinfo:
        plan(family, personas.caseworker, participants=[family.child, stranger, family.father])

    message = errors_of(excinfo)["participants"][0]
    assert "Outside" in message
    assert "Raul" in message
    assert not Visit.objects.exists()


def test_planning_on_a_closed_case_is_refused(personas):
    family = make_family(
        personas.unit, personas.caseworker, status="closed", closed_on=date(2026, 10, 1)
    )

    with pytest.raises(ValidationError) as excinfo:
        plan(family, personas.caseworker)

    assert "closed" in errors_of(excinfo)[NON_FIELD_ERRORS][0]


def test_other_location_needs_a_description(personas, family):
    with pytest.raises(ValidationError) as excinfo:
        plan(family, personas.caseworker, location=Visit.Location.OTHER)

    assert "location_detail" in errors_of(excinfo)


def test_participants_are_saved_once_each(personas, family):
    visit = plan(family, personas.caseworker, participants=[family.child, family.child])

    assert visit.participants.count() == 1


# --- recording -----------------------------------------------------------------------------


def test_recording_a_completed_visit_saves_who_was_seen_and_the_topics(personas, family, now):
    visit = plan(family, personas.caseworker)

    record(
        visit,
        personas.caseworker,
        seen={
            family.child.pk: (True, True),
            family.sibling.pk: (True, False),
            family.mother.pk: (True, False),
        },
    )

    visit.refresh_from_db()
    assert visit.status == Visit.Status.COMPLETED
    assert visit.recorded_by == personas.caseworker
    assert visit.occurred_at == local(2026, 11, 20, 10, 30)
    assert (visit.topic_case_plan_goals, visit.topic_safety_risk, visit.topic_services) == (
        True,
        True,
        False,
    )
    seen = {p.person_id: (p.seen, p.seen_privately) for p in visit.participants.all()}
    assert seen == {
        family.child.pk: (True, True),
        family.sibling.pk: (True, False),
        family.mother.pk: (True, False),
        family.father.pk: (False, False),
    }
    assert visit.history.first().history_user == personas.caseworker


def test_a_completed_visit_in_the_future_is_refused_and_nothing_is_saved(personas, family, now):
    visit = plan(family, personas.caseworker)

    with pytest.raises(ValidationError) as excinfo:
        record(
            visit,
            personas.caseworker,
            occurred_at=clock.now() + timedelta(minutes=5),
            seen={family.child.pk: (True, True)},
        )

    assert "future" in errors_of(excinfo)["occurred_at"][0]
    visit.refresh_from_db()
    assert (visit.status, visit.occurred_at, visit.narrative) == ("planned", None, "")
    assert not visit.participants.filter(seen=True).exists()


@pytest.mark.parametrize("status", ["attempted", "cancelled"])
def test_an_attempted_or_cancelled_visit_cannot_be_dated_in_the_future(
    personas, family, now, status
):
    visit = plan(family, personas.caseworker)

    with pytest.raises(ValidationError) as excinfo:
        record(
            visit,
            personas.caseworker,
            status=status,
            barrier="no_response",
            occurred_at=clock.now() + timedelta(days=1),
        )

    assert "occurred_at" in errors_of(excinfo)


def test_a_completed_visit_at_which_nobody_was_seen_is_refused(personas, family, now):
    visit = plan(family, personas.caseworker)

    with pytest.raises(ValidationError) as excinfo:
        record(visit, personas.caseworker, seen={family.child.pk: (False, False)})

    assert "at least one person" in errors_of(excinfo)["seen"][0]
    visit.refresh_from_db()
    assert visit.status == Visit.Status.PLANNED


def test_a_completed_visit_has_no_barrier(personas, family, now):
    visit = plan(family, personas.caseworker)

    with pytest.raises(ValidationError) as excinfo:
        record(visit, personas.caseworker, barrier="declined", seen={family.child.pk: (True, True)})

    assert "barrier" in errors_of(excinfo)


@pytest.mark.parametrize("status", ["attempted", "cancelled"])
def test_a_visit_that_did_not_happen_needs_a_barrier(personas, family, now, status):
    visit = plan(family, personas.caseworker)

    with pytest.raises(ValidationError) as excinfo:
        record(visit, personas.caseworker, status=status)

    assert errors_of(excinfo)["barrier"] == ["Say why the visit did not happen."]
    visit.refresh_from_db()
    assert visit.status == Visit.Status.PLANNED


def test_the_other_barrier_needs_a_note(personas, family, now):
    visit = plan(family, personas.caseworker)

    with pytest.raises(ValidationError) as excinfo:
        record(visit, personas.caseworker, status="attempted", barrier="other")

    assert "barrier_note" in errors_of(excinfo)


def test_an_attempted_visit_with_its_barrier_is_recorded(personas, family, now):
    visit = plan(family, personas.caseworker)

    record(
        visit,
        personas.caseworker,
        status="attempted",
        barrier="other",
        barrier_note="Road closed by flooding",
        topics=set(),
    )

    visit.refresh_from_db()
    assert (visit.status, visit.barrier, visit.barrier_note) == (
        "attempted",
        "other",
        "Road closed by flooding",
    )


def test_nobody_is_seen_at_an_attempted_visit(personas, family, now):
    visit = plan(family, personas.caseworker)

    with pytest.raises(ValidationError) as excinfo:
        record(
            visit,
            personas.caseworker,
            status="attempted",
            barrier="declined",
            seen={family.mother.pk: (True, False)},
        )

    assert "completed" in errors_of(excinfo)["seen"][0]


def test_a_parent_is_not_seen_privately(personas, family, now):
    visit = plan(family, personas.caseworker)

    with pytest.raises(ValidationError) as excinfo:
        record(
            visit,
            personas.caseworker,
            seen={family.child.pk: (True, True), family.mother.pk: (True, True)},
        )

    assert errors_of(excinfo)["seen"] == [
        "Only children are seen privately: Ana Rivera is not a child."
    ]
    assert not VisitParticipant.objects.filter(seen=True).exists()


def test_a_child_is_not_seen_privately_without_being_seen(personas, family, now):
    visit = plan(family, personas.caseworker)

    with pytest.raises(ValidationError) as excinfo:
        record(
            visit,
            personas.caseworker,
            seen={family.child.pk: (False, True), family.mother.pk: (True, False)},
        )

    assert "without being seen" in errors_of(excinfo)["seen"][0]


def test_seeing_someone_who_is_not_on_the_visit_is_refused(personas, family, now):
    visit = plan(family, personas.caseworker, participants=[family.child])

    with pytest.raises(ValidationError) as excinfo:
        record(
            visit,
            personas.caseworker,
            seen={family.child.pk: (True, False), family.aunt.pk: (True, False)},
        )

    assert "Not a participant" in errors_of(excinfo)["seen"][0]


def test_an_unknown_status_or_topic_is_refused(personas, family, now):
    visit = plan(family, personas.caseworker)

    with pytest.raises(ValidationError) as excinfo:
        record(
            visit,
            personas.caseworker,
            status="planned",
            topics={"gossip"},
            seen={family.child.pk: (True, False)},
        )

    assert set(errors_of(excinfo)) >= {"status", "topics"}


def test_a_visit_is_recorded_only_once(personas, family, now):
    visit = plan(family, personas.caseworker)
    record(visit, personas.caseworker, seen={family.child.pk: (True, True)})

    with pytest.raises(ValidationError) as excinfo:
        record(visit, personas.caseworker, status="cancelled", barrier="workload")

    assert "already recorded as completed" in errors_of(excinfo)[NON_FIELD_ERRORS][0]
    visit.refresh_from_db()
    assert visit.status == Visit.Status.COMPLETED


def test_missing_time_is_refused(personas, family, now):
    visit = plan(family, personas.caseworker)

    with pytest.raises(ValidationError) as excinfo:
        record(visit, personas.caseworker, occurred_at=None, seen={family.child.pk: (True, True)})

    assert "occurred_at" in errors_of(excinfo)


# --- entered in error ------------------------------------------------------------------------


def test_entered_in_error_keeps_the_visit_and_notes_the_reason(personas, family, now):
    visit = plan(family, personas.caseworker)
    record(visit, personas.caseworker, seen={family.child.pk: (True, True)})

    services.visit_mark_entered_in_error(
        visit=visit, actor=personas.supervisor, reason="Recorded on the wrong case."
    )

    visit.refresh_from_db()
    assert visit.entered_in_error is True
    assert visit.status == Visit.Status.COMPLETED
    assert visit.narrative.startswith("Saw both children at home.")
    assert visit.narrative.endswith(
        f"[Entered in error] 2026-11-23 10:00 by {personas.supervisor.get_full_name()}: "
        "Recorded on the wrong case."
    )
    assert visit.history.first().history_user == personas.supervisor
    assert Visit.objects.filter(pk=visit.pk).exists()


def test_entered_in_error_needs_a_reason_and_happens_once(personas, family, now):
    visit = plan(family, personas.caseworker)

    with pytest.raises(ValidationError) as excinfo:
        services.visit_mark_entered_in_error(visit=visit, actor=personas.caseworker, reason=" ")
    assert "reason" in errors_of(excinfo)

    services.visit_mark_entered_in_error(visit=visit, actor=personas.caseworker, reason="Dup")
    with pytest.raises(ValidationError):
        services.visit_mark_entered_in_error(visit=visit, actor=personas.caseworker, reason="Dup")


def test_a_visit_entered_in_error_cannot_be_recorded(personas, family, now):
    visit = plan(family, personas.caseworker)
    services.visit_mark_entered_in_error(visit=visit, actor=personas.caseworker, reason="Dup")

    with pytest.raises(ValidationError) as excinfo:
        record(visit, personas.caseworker, seen={family.child.pk: (True, True)})

    assert "entered in error" in errors_of(excinfo)[NON_FIELD_ERRORS][0]
