"""The demo supervision `manage.py seed` loads (casework.demo_supervision): reviews in most
months on every open case, this month some reviewed and some not, the "caseworker"
login's known mix of acknowledged reviews and open next steps, and unit notes."""

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from agency import clock
from agency.roles import Role
from casework import demo as casework_demo
from casework.demo_supervision import seed_supervision
from casework.models import Case, NextStep, SupervisionNote, SupervisoryReview
from casework.selectors import supervision as selectors
from tests.factories import make_unit, make_user

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("America/New_York"))
TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def seeded(personas):
    for _ in range(2):
        make_user(Role.CASEWORKER, unit=personas.unit)
    second = make_unit(personas.office, name="Ongoing Services Unit 1")
    second.supervisor = make_user(Role.SUPERVISOR, unit=second)
    second.save()
    make_user(Role.CASEWORKER, unit=second)
    casework_demo.build(random.Random(11), "demo")
    return {"summary": seed_supervision(random.Random(11)), "second": second}


def test_the_summary_counts_what_was_made(seeded):
    reviews = list(SupervisoryReview.objects.all())
    steps = list(NextStep.objects.all())
    assert seeded["summary"] == {
        "reviews": len(reviews),
        "reviewed_this_month": len({r.case_id for r in reviews if r.held_on >= date(2026, 11, 1)}),
        "cases": Case.objects.filter(status="open", unit__supervisor__isnull=False).count(),
        "next_steps": len(steps),
        "open_steps": sum(s.done_on is None for s in steps),
        "notes": SupervisionNote.objects.count(),
    }
    assert len(reviews) > seeded["summary"]["cases"]  # most months, most cases


def test_every_record_keeps_the_rules(seeded):
    now = clock.now()
    for review in SupervisoryReview.objects.select_related("case__unit"):
        assert review.case.opened_on <= review.held_on <= TODAY
        assert review.supervisor_id == review.case.unit.supervisor_id
        assert review.focus_areas and review.discussion
        assert review.acknowledged_at is None or review.acknowledged_at <= now
        assert review.recorded_at <= now
    for step in NextStep.objects.select_related("review"):
        assert step.due_on >= step.review.held_on
        assert step.done_on is None or step.review.held_on <= step.done_on <= TODAY


def test_this_month_has_cases_reviewed_and_not(seeded, personas):
    blocks = selectors.supervision_month([personas.unit, seeded["second"]], month=TODAY)
    for block in blocks:
        assert 0 < block.reviewed < block.total, block.unit


def test_the_demo_caseworker_has_a_known_mix(seeded, personas):
    mine = SupervisoryReview.objects.filter(worker=personas.caseworker)
    this_month = mine.filter(held_on__gte=date(2026, 11, 1))
    assert this_month.values("case").distinct().count() == 2
    latest = mine.order_by("-held_on", "-pk").first()
    assert list(mine.filter(acknowledged_at__isnull=True)) == [latest]
    assert mine.filter(acknowledged_at__isnull=False).count() >= 2
    steps = NextStep.objects.filter(owner=personas.caseworker)
    open_steps = {s.due_on for s in steps.filter(done_on__isnull=True)}
    assert open_steps == {TODAY + timedelta(days=2), TODAY - timedelta(days=5)}
    assert steps.filter(done_on__isnull=False).exists()


def test_the_caseload_shows_the_demo_steps(seeded, client, personas):
    client.force_login(personas.caseworker)

    page = client.get("/casework/")

    assert "Next step due 25 Nov: Call the school about attendance since October" in page.text
    assert "Next step overdue (due 18 Nov): Ask the pediatrician" in page.text


def test_the_units_have_supervision_notes_with_attendees(seeded, personas):
    home = SupervisionNote.objects.filter(unit=personas.unit)
    assert home.count() == 3
    assert {n.kind for n in home} == {"reflective", "group"}
    group = home.filter(kind="group").first()
    assert personas.caseworker in group.attendees.all()
    assert personas.supervisor not in group.attendees.all()
    assert SupervisionNote.objects.filter(unit=seeded["second"], kind="group").count() == 1
