"""The Ombudsman's demo data: `manage.py seed` adds inquiries in every state of the queue,
with the due times the services would compute, timelines and consultations."""

import dataclasses
import random
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from agency.management.commands import seed as seed_command
from agency.models import ReferenceCounter
from agency.selectors import business_calendar
from ombudsman import deadlines, demo, services
from ombudsman.models import Consultation, Inquiry, InquiryEvent
from ombudsman.selectors import sla_filter

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 3, 3, 10, 0))  # a Tuesday


@pytest.fixture(autouse=True)
def setup(settings, time_machine):
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    time_machine.move_to(NOW, tick=False)


def seed(**options) -> str:
    out = StringIO()
    call_command("seed", stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


@pytest.fixture
def organisation():
    """The demo agency without families or inquiries (fast)."""
    seed(families=False)


@pytest.fixture
def built(organisation):
    return demo.build(random.Random(1), "demo")


def test_the_seed_adds_inquiries(monkeypatch):
    # The families are not what this test is about (and take a while to build).
    monkeypatch.setattr(seed_command.casework_demo, "build", lambda rng, scale: None)

    output = seed()

    count = Inquiry.objects.count()
    assert count == 320 + demo.DUE_TODAY
    open_count = Inquiry.objects.filter(status__in=Inquiry.OPEN_STATUSES).count()
    assert f"Ombudsman: {count:,} inquiries ({open_count:,} open" in output


def test_no_inquiries_without_families(organisation):
    assert not Inquiry.objects.exists()


def test_the_demo_covers_every_part_of_the_queue(built):
    inquiries = Inquiry.objects.all()

    for field, choices in [
        ("source_type", Inquiry.SourceType),
        ("channel", Inquiry.Channel),
        ("kind", Inquiry.Kind),
        ("urgency", Inquiry.Urgency),
        ("status", Inquiry.Status),
        ("scope", Inquiry.Scope),
    ]:
        assert set(inquiries.values_list(field, flat=True)) == set(choices.values), field
    cal = business_calendar()
    for state in (deadlines.ON_TRACK, deadlines.DUE_TODAY, deadlines.OVERDUE):
        waiting = inquiries.filter(status__in=Inquiry.OPEN_STATUSES)
        assert waiting.filter(sla_filter(state, now=NOW, cal=cal)).exists(), state
    met = inquiries.filter(sla_filter(deadlines.MET, now=NOW, cal=cal)).count()
    missed = inquiries.filter(sla_filter(deadlines.MISSED, now=NOW, cal=cal)).count()
    assert met > 4 * missed > 0  # mostly on time
    assert inquiries.filter(assignee__isnull=True, status="new").exists()
    assert inquiries.filter(region__isnull=True).exists()
    assert inquiries.filter(contact_name="").exists()  # anonymous
    assert built["inquiries"] == inquiries.count()
    assert built["overdue"] == inquiries.filter(sla_filter("overdue", now=NOW, cal=cal)).count()


def test_the_demo_logins_have_work(built):
    mine = Inquiry.objects.filter(assignee__username="ombudsman", status__in=Inquiry.OPEN_STATUSES)
    assert mine.count() >= 5
    assert Inquiry.objects.filter(assignee__username="ombudsmanlead").exists()
    for login in ("supervisor", "areaadmin"):
        asked = Consultation.objects.filter(consulted__username=login)
        assert asked.filter(replied_at__isnull=True).exists(), login
    assert not Consultation.objects.filter(consulted__staff__role__startswith="ombudsman").exists()
    assert Consultation.objects.filter(replied_at__isnull=False).exists()


def test_stored_due_times_are_the_clocks(built):
    cal, office = business_calendar(), services.rules()
    for inquiry in Inquiry.objects.all():
        due = deadlines.initial_response_due(
            cal,
            inquiry.received_at,
            inquiry.urgency,
            routine_business_days=office.routine_business_days,
            immediate_business_hours=office.immediate_business_hours,
        )
        assert (inquiry.effective_received_at, inquiry.initial_response_due_at) == (
            due.effective_received_at,
            due.due_at,
        ), inquiry.reference
    assert services.due_times_recompute() == 0


def test_dates_follow_each_other(built):
    inquiries = Inquiry.objects.all()

    assert not inquiries.filter(received_at__gt=NOW).exists()
    assert not inquiries.filter(initial_response_at__lt=F("received_at")).exists()
    assert not inquiries.filter(initial_response_at__gt=NOW).exists()
    assert not inquiries.filter(resolved_at__lt=F("initial_response_at")).exists()
    assert not inquiries.filter(closed_at__lt=F("resolved_at")).exists()
    assert not inquiries.filter(assigned_at__lt=F("received_at")).exists()
    assert not inquiries.filter(initial_response_at__isnull=False, assignee__isnull=True).exists()
    assert inquiries.filter(received_at__lt=NOW - timedelta(days=150)).exists()


def test_every_inquiry_has_its_timeline(built):
    for inquiry in Inquiry.objects.prefetch_related("events"):
        kinds = [e.kind for e in sorted(inquiry.events.all(), key=lambda e: e.occurred_at)]
        assert kinds[0] == InquiryEvent.Kind.RECEIVED, inquiry.reference
        assert (InquiryEvent.Kind.INITIAL_RESPONSE in kinds) == (
            inquiry.initial_response_at is not None
        )
        assert (InquiryEvent.Kind.CLOSED in kinds) == (inquiry.status == "closed")
        assert (InquiryEvent.Kind.ASSIGNED in kinds) == (inquiry.assignee_id is not None)


def test_references_continue_after_the_demo(built):
    last = Inquiry.objects.order_by("-reference").values_list("reference", flat=True).first()

    new = services.inquiry_create(
        actor=None, channel="web", source_type="client", subject="Hello", description="A question"
    )

    assert last == f"OMB-2026-{ReferenceCounter.objects.get(prefix='OMB', year=2026).last - 1:06d}"
    assert new.reference > last
    assert Inquiry.objects.values("reference").distinct().count() == Inquiry.objects.count()


def test_the_demo_is_the_same_for_the_same_seed(organisation):
    def snapshot():
        return list(
            Inquiry.objects.order_by("reference").values_list(
                "reference", "subject", "status", "received_at", "assignee__username"
            )
        )

    demo.build(random.Random(3), "demo")
    first = snapshot()
    Consultation.objects.all().delete()
    Inquiry.objects.all().delete()
    ReferenceCounter.objects.all().delete()

    demo.build(random.Random(3), "demo")

    assert snapshot() == first


def test_state_scale_writes_timelines_only_where_they_are_read(organisation, monkeypatch):
    small = dataclasses.replace(demo.SCALES["state"], inquiries=400)
    monkeypatch.setitem(demo.SCALES, "state", small)

    result = demo.build(random.Random(1), "state")

    assert result["inquiries"] == Inquiry.objects.count() == 400 + demo.DUE_TODAY
    cutoff = NOW - timedelta(days=90)
    old_closed = Inquiry.objects.filter(received_at__lt=cutoff, status="closed")
    assert old_closed.exists()
    assert not InquiryEvent.objects.filter(inquiry__in=old_closed).exists()
    for inquiry in Inquiry.objects.filter(status__in=Inquiry.OPEN_STATUSES):
        assert inquiry.events.filter(kind="received").exists()
    assert not Inquiry.history.exists()
