"""Recording and correcting significant events: the rules, the reference, the history,
and the officials notified at once (once each)."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from agency import clock
from agency.models import Notification
from agency.roles import Role
from casework.models import CaseMember
from quality.models import SignificantEvent
from quality.services import events as services
from tests.casework.factories import add_member, make_case
from tests.factories import make_user
from tests.quality.factories_events import notify, record_event

NOW = "2026-11-23 10:00:00-05:00"
Kind = SignificantEvent.Kind


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def case(personas):
    return make_case(personas.unit, personas.caseworker)


@pytest.fixture
def child(case):
    return add_member(case, CaseMember.Role.CHILD).person


@pytest.fixture
def commissioner(personas):
    return make_user(Role.COMMISSIONERS_OFFICE, location=personas.central, username="cco")


@pytest.fixture
def reviewer(personas):
    return make_user(Role.QUALITY_REVIEWER, location=personas.central, username="reviewer")


def test_record_gives_a_reference_and_keeps_who_recorded_it(personas, case, child):
    event = record_event(
        personas.caseworker,
        kind=Kind.NEAR_FATALITY,
        occurred_at=clock.now() - timedelta(hours=3),
        work_location=personas.office,
        facility="  Connecticut Children's Medical Center ",
        case=case,
        persons=[child, child],
        description="  Admitted to intensive care.  ",
        reporter="Hospital social worker",
    )
    assert re.fullmatch(r"SE-2026-\d{6}", event.reference)
    assert event.facility == "Connecticut Children's Medical Center"
    assert event.description == "Admitted to intensive care."
    assert list(event.persons.all()) == [child]
    assert event.recorded_by == personas.caseworker
    assert event.version == 1
    record = event.history.get()
    assert record.history_type == "+" and record.history_user == personas.caseworker
    second = record_event(personas.caseworker)
    assert int(second.reference[-6:]) == int(event.reference[-6:]) + 1


def test_recording_notifies_the_officials_of_that_kind_once_after_commit(
    personas, commissioner, reviewer, django_capture_on_commit_callbacks
):
    notify(commissioner, Kind.CHILD_FATALITY, Kind.NEAR_FATALITY)
    notify(reviewer, Kind.SERIOUS_OCCURRENCE)
    with django_capture_on_commit_callbacks() as callbacks:
        event = record_event(personas.caseworker, kind=Kind.CHILD_FATALITY)
        assert not Notification.objects.filter(kind=services.NOTIFICATION_KIND).exists()
    for callback in callbacks:
        callback()
    notice = Notification.objects.get(kind=services.NOTIFICATION_KIND)
    assert notice.recipient == commissioner
    assert notice.link == f"/quality/events/{event.pk}/"
    assert event.reference in notice.subject and "Child fatality" in notice.subject
    assert event.description not in notice.body  # the email describes nothing
    # Run again (a retried task, a second worker): still one notice.
    for callback in callbacks:
        callback()
    assert Notification.objects.filter(kind=services.NOTIFICATION_KIND).count() == 1


def test_inactive_officials_are_not_notified(
    personas, commissioner, django_capture_on_commit_callbacks
):
    notify(commissioner, Kind.SERIOUS_OCCURRENCE)
    commissioner.is_active = False
    commissioner.save(update_fields=["is_active"])
    with django_capture_on_commit_callbacks(execute=True):
        record_event(personas.caseworker)
    assert not Notification.objects.filter(kind=services.NOTIFICATION_KIND).exists()


def test_an_event_cannot_happen_in_the_future(personas):
    with pytest.raises(ValidationError) as exc:
        record_event(personas.caseworker, occurred_at=clock.now() + timedelta(minutes=5))
    assert "future" in exc.value.message_dict["occurred_at"][0]
    assert not SignificantEvent.objects.exists()


def test_where_it_happened_is_required(personas):
    with pytest.raises(ValidationError) as exc:
        record_event(personas.caseworker, work_location=None, facility="  ")
    assert "facility" in exc.value.message_dict


def test_required_text_and_kind(personas):
    with pytest.raises(ValidationError) as exc:
        record_event(personas.caseworker, kind="flood", description=" ", reporter="")
    assert set(exc.value.message_dict) == {"kind", "description", "reporter"}


def test_people_must_be_on_the_linked_case(personas, case, child):
    other_case = make_case(personas.unit, personas.caseworker)
    stranger = add_member(other_case).person
    with pytest.raises(ValidationError) as exc:
        record_event(personas.caseworker, case=case, persons=[child, stranger])
    assert stranger.full_name in exc.value.message_dict["persons"][0]


def test_the_case_must_be_one_the_user_can_see(personas):
    hidden = make_case(personas.other_unit, personas.other_caseworker)
    with pytest.raises(ValidationError) as exc:
        record_event(personas.caseworker, case=hidden)
    assert "case" in exc.value.message_dict


def test_without_a_case_people_must_be_visible(personas):
    hidden = make_case(personas.other_unit, personas.other_caseworker)
    stranger = add_member(hidden).person
    with pytest.raises(ValidationError) as exc:
        record_event(personas.caseworker, persons=[stranger])
    assert "persons" in exc.value.message_dict


def test_update_changes_the_details_and_the_version(personas, case, child):
    event = record_event(personas.caseworker, case=case)
    updated = services.event_update(
        event=event,
        actor=personas.supervisor,
        version=1,
        description="Corrected: came back at 07:00.",
        persons=[child],
    )
    assert updated.version == 2
    assert updated.description == "Corrected: came back at 07:00."
    assert list(updated.persons.all()) == [child]
    latest = updated.history.latest()
    assert latest.history_user == personas.supervisor
    assert child.full_name in latest.history_change_reason


def test_a_stale_version_is_refused_and_nothing_changes(personas):
    event = record_event(personas.caseworker)
    services.event_update(event=event, actor=personas.caseworker, version=1, reporter="Police")
    with pytest.raises(ValidationError) as exc:
        services.event_update(
            event=event, actor=personas.supervisor, version=1, reporter="Somebody else"
        )
    assert "changed this event" in exc.value.message_dict["version"][0]
    event.refresh_from_db()
    assert event.reporter == "Police" and event.version == 2


def test_update_needs_a_version(personas):
    event = record_event(personas.caseworker)
    with pytest.raises(ValidationError) as exc:
        services.event_update(event=event, actor=personas.caseworker, version=None, reporter="X")
    assert "version" in exc.value.message_dict


def test_update_checks_the_same_rules(personas):
    event = record_event(personas.caseworker)
    with pytest.raises(ValidationError) as exc:
        services.event_update(
            event=event,
            actor=personas.caseworker,
            version=1,
            occurred_at=clock.now() + timedelta(days=1),
        )
    assert "occurred_at" in exc.value.message_dict


def test_reclassifying_notifies_the_new_kinds_officials(
    personas, commissioner, reviewer, django_capture_on_commit_callbacks
):
    notify(reviewer, Kind.SERIOUS_OCCURRENCE)
    notify(commissioner, Kind.NEAR_FATALITY)
    with django_capture_on_commit_callbacks(execute=True):
        event = record_event(personas.caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(
            event=event, actor=personas.caseworker, version=1, description="Edited."
        )
    assert not Notification.objects.filter(recipient=commissioner).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_update(
            event=event, actor=personas.caseworker, version=2, kind=Kind.NEAR_FATALITY
        )
    assert Notification.objects.filter(recipient=commissioner).count() == 1
    assert Notification.objects.filter(recipient=reviewer).count() == 1
