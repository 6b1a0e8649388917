"""The demo directory, documents and transfers `manage.py seed` loads
(casework.demo_files.seed_files) on a small hand-built agency shaped like the demo's."""

import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agency.roles import Role
from agency.uploads import PDF, check_upload
from casework.demo_files import PROVIDERS, demo_pdf, seed_files
from casework.models import (
    Case,
    CaseDocument,
    CaseTransfer,
    DocumentDownload,
    PlanService,
    Provider,
    ProviderService,
)
from casework.selectors import transfers as transfer_selectors
from casework.selectors import visible_cases
from tests.casework.factories import add_member, make_case
from tests.casework.test_plan_services import NOW, approved
from tests.factories import make_unit, make_user


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(personas):
    ongoing = make_unit(personas.office, name="Ongoing Services Unit 1")
    ongoing.supervisor = make_user(Role.SUPERVISOR, unit=ongoing)
    ongoing.save()
    ongoing_worker = make_user(Role.CASEWORKER, unit=ongoing)
    personas.other_unit.supervisor = make_user(Role.SUPERVISOR, unit=personas.other_unit)
    personas.other_unit.save()
    make_user(Role.CASEWORKER, unit=personas.other_unit, username="caseworker2")
    colleague = make_user(Role.CASEWORKER, unit=personas.unit)
    mine = [make_case(personas.unit, personas.caseworker) for _ in range(3)]
    add_member(mine[0])
    plan = approved(personas, mine[1])
    PlanService.objects.filter(plan=plan).update(
        provider="Family Support Center", service_type="Parenting education (Triple P)"
    )
    investigation = make_case(personas.unit, colleague, case_type=Case.Type.INVESTIGATION)
    other = make_case(personas.unit, colleague)
    incoming = make_case(personas.other_unit, personas.other_caseworker)
    summary = seed_files(random.Random(3))
    return locals()


def test_the_summary_counts_what_was_made(world):
    assert world["summary"] == {
        "providers": 15,
        "services": ProviderService.objects.count(),
        "linked": 1,
        "documents": 5,
        "downloads": 3,
        "transfers": 3,
    }
    assert Provider.objects.count() == len(PROVIDERS) == 15


def test_the_directory_has_evidence_based_models_languages_and_a_waitlist(world):
    models = set(ProviderService.objects.values_list("model_name", flat=True))
    assert {"Triple P", "Multisystemic Therapy (MST)", "Parent-Child Interaction Therapy (PCIT)",
            "Functional Family Therapy (FFT)"} <= models  # fmt: skip
    assert ProviderService.objects.filter(capacity_note__icontains="waitlist").exists()
    assert ProviderService.objects.filter(languages__icontains="Spanish").count() >= 5
    assert Provider.objects.filter(active=False).count() == 1
    linked = PlanService.objects.get(plan__case=world["mine"][1])
    assert linked.provider_service.provider.name == "Family Support Center"


def test_documents_are_real_pdfs_with_a_restricted_one_and_logged_downloads(world, personas):
    documents = list(CaseDocument.objects.all())
    for document in documents:
        with document.file.open("rb") as stored:
            content = stored.read()
        upload = SimpleUploadedFile(document.name, content, content_type="application/pdf")
        assert check_upload(upload, field="file", allowed=PDF, max_bytes=10**6)
        assert document.size == len(content) and content.endswith(b"%%EOF\n")
    assert sum(d.visibility == "restricted" for d in documents) == 1
    assert sum(d.person_id is not None for d in documents) == 1
    assert {d.channel for d in DocumentDownload.objects.all()} == {"page", "api"}
    assert b"(Order \\(draft\\)) Tj" in demo_pdf("Order (draft)", [])


def test_transfers_accepted_declined_and_one_waiting_for_the_supervisor(world, personas):
    by_status = {t.status: t for t in CaseTransfer.objects.all()}
    assert set(by_status) == {"accepted", "declined", "requested"}

    accepted = by_status["accepted"]
    case = Case.objects.get(pk=accepted.case_id)
    assert case == world["investigation"]
    assert (case.unit, case.case_type, case.primary_worker) == (
        world["ongoing"],
        "in_home",
        world["ongoing_worker"],
    )
    assert not visible_cases(personas.caseworker).filter(pk=case.pk).exists()
    history = list(accepted.history.order_by("history_id"))
    assert [row.status for row in history] == ["requested", "accepted"]
    assert history[0].history_date < history[1].history_date < NOW

    declined = by_status["declined"]
    assert declined.case == world["other"] and declined.decision_comment
    assert Case.objects.get(pk=declined.case_id).unit == personas.unit

    waiting = by_status["requested"]
    assert (waiting.case, waiting.to_unit) == (world["incoming"], personas.unit)
    assert transfer_selectors.pending_transfer_for(personas.supervisor, waiting.case_id) == waiting
    incoming = transfer_selectors.transfer_list(personas.supervisor, box="incoming")
    assert list(incoming) == [waiting]
