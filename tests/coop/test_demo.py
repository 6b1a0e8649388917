"""The demo COOP plans (`manage.py seed`): every active location but two has a plan kept
by its area administrator (Hartford's by the demo login "areaadmin"), with the five
standard procedures, key staff, whom to notify, a valid PDF, and a realistic mix of
quarterly duties; Hartford's communication for this quarter is left to record."""

import random
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agency.management.commands.seed import SCALES, Builder
from agency.models import WorkLocation
from agency.uploads import PDF, check_upload
from coop import selectors
from coop.demo import pdf_bytes, seed_coop
from coop.duties import State
from coop.models import CoopPlan, EmergencyProcedure, PlanDocument, QuarterlyDuties
from coop.quarters import Quarter
from tests.coop.conftest import NOW


@pytest.fixture
def seeded(db, time_machine):
    time_machine.move_to(NOW, tick=False)
    rng = random.Random(7)
    Builder(rng, SCALES["demo"]).build()
    return seed_coop(rng)


def test_every_location_but_two_has_a_plan(seeded):
    locations = WorkLocation.objects.filter(active=True).count()
    assert seeded == {
        "plans": locations - 2,
        "without": 2,
        "duties": QuarterlyDuties.objects.count(),
    }
    hartford = CoopPlan.objects.get(work_location__name="Hartford Area Office")
    assert hartford.senior_administrator.username == "areaadmin"
    for plan in CoopPlan.objects.prefetch_related("procedures", "key_staff", "notifications"):
        kinds = {p.kind for p in plan.procedures.all()}
        assert set(EmergencyProcedure.STANDARD) <= kinds
        duties = {(k.duty, k.alternate) for k in plan.key_staff.all()}
        assert len(duties) == 4, plan
        assert {n.audience for n in plan.notifications.all()} == {
            "agency_official",
            "emergency_service",
        }
        assert plan.documents.exists()


def test_the_documents_are_real_pdfs(seeded):
    for document in PlanDocument.objects.all()[:5]:
        content = document.file.read()
        upload = SimpleUploadedFile(document.name, content, content_type="application/pdf")
        assert check_upload(upload, field="file", allowed=PDF, max_bytes=10**6)
        assert content.rstrip().endswith(b"%%EOF") and document.size == len(content)


def test_the_duties_are_a_realistic_mix(seeded):
    registry = selectors.registry(today=date(2026, 11, 23))
    states = [s.state for row in registry.rows for q in row.quarters for s in q.duties]
    for state in (State.DONE, State.DONE_LATE, State.DUE, State.OVERDUE, State.ACCEPTED,
                  State.NOT_APPLICABLE):  # fmt: skip
        assert state in states, state
    assert states.count(State.RETURNED) == 1
    assert states.count(State.AWAITING_OPM) == 1
    # No plan (2), the returned submission, two plans with a past quarter undone.
    assert registry.without_plan == 2 and registry.behind == 5
    returned = QuarterlyDuties.objects.get(submission="returned")
    assert returned.opm_comments and returned.history.exists()
    assert selectors.returns_by_quarter(returned.plan)[returned.quarter][0].comments


def test_hartford_has_this_quarters_communication_to_record(seeded):
    row = QuarterlyDuties.objects.get(
        plan__work_location__name="Hartford Area Office", quarter=Quarter(2026, 4).starts_on
    )
    assert row.communicated_on is None and row.revised_on is not None
    assert row.submission == "not_submitted"


def test_pdf_bytes_escape_text():
    content = pdf_bytes("Plan (draft)", ["back\\slash", "Solnit Children's Center"])
    assert content.startswith(b"%PDF-1.4") and b"Plan \\(draft\\)" in content
