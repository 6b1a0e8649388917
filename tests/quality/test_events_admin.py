"""Significant events in Django admin: writes go through the services (reference,
notifications, the rules, the version check); events are never deleted."""

import random

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from agency.models import Notification
from agency.roles import Role
from casework.models import CaseMember
from quality.demo_events import seed_events
from quality.models import EventNotificationRule, SignificantEvent
from quality.services.events import event_update
from tests.casework.factories import add_member, make_case
from tests.factories import make_user
from tests.quality.factories_events import notify, record_event

Kind = SignificantEvent.Kind


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to("2026-11-23 10:00:00-05:00", tick=False)


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("root", "root@hearth.example", "x")
    client.force_login(user)
    return client


def admin_data(**fields):
    return {
        "kind": Kind.CHILD_FATALITY,
        "occurred_at_0": "2026-11-22",
        "occurred_at_1": "18:00",
        "facility": "Family home",
        "description": "Found unresponsive.",
        "reporter": "Police officer",
        "persons": "",
        **fields,
    }


def test_admin_add_goes_through_the_service(
    admin_client, personas, django_capture_on_commit_callbacks
):
    official = make_user(Role.COMMISSIONERS_OFFICE, location=personas.central)
    notify(official, Kind.CHILD_FATALITY)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:quality_significantevent_add"), admin_data())
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = SignificantEvent.objects.get()
    assert event.reference.startswith("SE-2026-")
    assert Notification.objects.filter(recipient=official).count() == 1


def test_admin_shows_the_services_errors(admin_client, personas):
    case = make_case(personas.unit, personas.caseworker)
    stranger = add_member(make_case(personas.unit, personas.caseworker)).person
    response = admin_client.post(
        reverse("admin:quality_significantevent_add"),
        admin_data(occurred_at_0="2026-12-01", facility="", case=case.pk, persons=str(stranger.pk)),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"occurred_at", "facility", "persons"} <= set(errors)
    assert not SignificantEvent.objects.exists()


def test_admin_change_refuses_a_stale_version(admin_client, personas):
    event = record_event(personas.caseworker)
    url = reverse("admin:quality_significantevent_change", args=[event.pk])
    data = admin_data(kind=event.kind, reporter="Changed here", seen_version=1)
    # Someone changes the event after the admin form was opened at version 1.
    event_update(event=event, actor=personas.caseworker, version=1, reporter="Elsewhere")
    response = admin_client.post(url, data)
    assert response.status_code == 200
    event.refresh_from_db()
    assert event.reporter == "Elsewhere"
    ok = admin_client.post(url, {**data, "seen_version": 2})
    assert ok.status_code == 302
    event.refresh_from_db()
    assert event.reporter == "Changed here" and event.version == 3


def test_admin_never_deletes_events(admin_client, personas):
    event = record_event(personas.caseworker)
    url = reverse("admin:quality_significantevent_delete", args=[event.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert SignificantEvent.objects.filter(pk=event.pk).exists()


def test_seed_events_on_demo_cases(personas):
    commissioner = make_user(Role.COMMISSIONERS_OFFICE, location=personas.central,
                             username="commissioner")  # fmt: skip
    other = make_user(Role.COMMISSIONERS_OFFICE, location=personas.central)
    for _ in range(3):
        case = make_case(personas.unit, personas.caseworker)
        add_member(case, CaseMember.Role.CHILD)
    made = seed_events(random.Random(1), count=30, months=18)
    assert made == {"events": 30, "rules": len(Kind.values) + 2}
    events = list(SignificantEvent.objects.all())
    assert len(events) == 30 and len({e.reference for e in events}) == 30
    assert all(e.persons.count() == 1 and e.case_id for e in events)
    assert EventNotificationRule.objects.filter(official=commissioner).count() == len(Kind.values)
    assert EventNotificationRule.objects.filter(official=other).count() == 2
    # The next event recorded continues the year's numbering.
    latest = max(e.reference for e in events if e.reference.startswith("SE-2026-"))
    assert record_event(personas.caseworker).reference > latest
    assert seed_events(random.Random(2), count=0)["rules"] == 0  # rules are not duplicated
