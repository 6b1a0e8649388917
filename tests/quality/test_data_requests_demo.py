"""The demo ORE data requests `manage.py seed` loads: every status and category, the demo
logins' own requests, the clock's states, deliverables, and a request ready for the
journey from receipt to delivery."""

import random
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from agency.models import ReferenceCounter
from agency.roles import Role
from agency.selectors import business_calendar
from quality.demo_data_requests import seed_data_requests
from quality.models import DataRequest, DataRequestFile
from quality.selectors import data_requests as selectors
from quality.services import data_requests as services
from tests.factories import make_user

EASTERN = ZoneInfo("America/New_York")
Status = DataRequest.Status


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(datetime(2026, 11, 23, 10, 0, tzinfo=EASTERN), tick=False)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def seeded(personas):
    make_user(Role.CASEWORKER, unit=personas.unit, username="caseworker2")
    make_user(Role.AREA_ADMINISTRATOR, location=personas.office, username="areaadmin")
    for n in range(3):
        make_user(Role.ORE_ANALYST, location=personas.central, username=f"analyst{n}")
    ore = make_user(Role.ORE_ANALYST, location=personas.central, username="ore")
    summary = seed_data_requests(random.Random(7))
    return {"summary": summary, "ore": type(ore).objects.get(pk=ore.pk), "personas": personas}


def test_forty_requests_in_every_status_and_category(seeded):
    requests = list(DataRequest.objects.all())
    assert seeded["summary"] == {
        "requests": 40,
        "open": sum(r.status in DataRequest.OPEN for r in requests),
        "delivered": sum(r.delivered_at is not None for r in requests),
    }
    assert len(requests) == 40
    assert set(Counter(r.status for r in requests)) == set(Status.values)
    assert set(Counter(r.category for r in requests if r.category)) == set(
        DataRequest.Category.values
    )
    external = sum(r.requester_id is None for r in requests)
    assert 12 <= external <= 15  # about a third
    assert len({r.reference for r in requests}) == 40
    assert all(r.search_document and r.events.exists() for r in requests)
    oldest = min(r.received_at for r in requests)
    assert (datetime(2026, 11, 23, tzinfo=EASTERN) - oldest).days <= 18 * 31
    counter = ReferenceCounter.objects.get(prefix="ORE", year=2026)
    assert counter.last >= DataRequest.objects.filter(reference__startswith="ORE-2026-").count()


def test_the_demo_logins_have_their_own(seeded):
    caseworker = seeded["personas"].caseworker
    theirs = DataRequest.objects.filter(requester=caseworker)
    assert theirs.count() >= 3
    waiting = theirs.get(status=Status.SCOPE_REQUESTED)
    assert waiting.on_hold_since is not None and waiting.scopes.get().received_at is None
    areaadmin = DataRequest.objects.filter(requester__username="areaadmin")
    assert areaadmin.filter(status=Status.RECEIVED).count() == 1
    assert seeded["ore"].has_perm("quality.lead_datarequest")
    assert selectors.is_ore_lead(seeded["ore"])


def test_the_clock_shows_overdue_due_soon_stopped_and_delivered_requests(seeded):
    cal = business_calendar()
    requests = list(DataRequest.objects.all())
    selectors.decorate(requests, cal=cal, due_soon_days=3)
    states = Counter(r.clock.state for r in requests)
    assert 1 <= states["overdue"] <= 2
    assert states["due_soon"] >= 1 and states["stopped"] == 2
    irb = DataRequest.objects.get(status=Status.IRB_REVIEW)
    assert irb.category == "research" and irb.irb_submitted_on is not None
    for r in requests:
        assert r.due_on == services.due_on_for(r, cal), r.reference
    delivered = [r for r in requests if r.delivered_at]
    assert all(r.business_days_to_delivery is not None for r in delivered)
    with_files = DataRequest.objects.filter(files__kind=DataRequestFile.Kind.DELIVERABLE).distinct()
    assert with_files.count() >= 5
    item = DataRequestFile.objects.filter(name__endswith=".csv").first()
    assert item.file.read().startswith(b"# ")
    assert item.name in DataRequest.objects.get(pk=item.request_id).search_document


def test_the_just_received_request_can_be_worked_to_delivery(seeded):
    ore = seeded["ore"]
    r = DataRequest.objects.get(requester__username="areaadmin", status=Status.RECEIVED)
    r = services.data_request_catalog(
        data_request=r, actor=ore, version=r.version, category="ad_hoc"
    )
    r = services.data_request_approve(data_request=r, actor=ore, version=r.version)
    r = services.data_request_assign(data_request=r, actor=ore, version=r.version, analyst=ore)
    r = services.data_request_start(data_request=r, actor=ore, version=r.version)
    r = services.data_request_deliver(
        data_request=r, actor=ore, version=r.version, note="Done.", link="https://example.org/r"
    )
    assert r.status == Status.DELIVERED and r.catalog_number.startswith("ORC-2026-")


def test_no_ore_staff_no_requests(db):
    assert seed_data_requests(random.Random(1)) == {}
    assert not DataRequest.objects.exists()
