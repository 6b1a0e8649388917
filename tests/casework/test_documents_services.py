"""Documents on cases and people: the upload checks (size, type, signature) that leave
nothing behind, removal as entered in error, who sees restricted documents, and the
download log (casework.services / selectors .documents)."""

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from agency.roles import Role
from casework.models import CaseDocument, DocumentDownload
from casework.selectors import documents as selectors
from casework.selectors import rules
from casework.services import documents as services
from tests.casework.factories import add_member, make_case
from tests.factories import make_unit, make_user

EASTERN = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=EASTERN)
PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list[Path]:
    return [path for path in Path(media).rglob("*") if path.is_file()]


def pdf(name="order.pdf", content=PDF_BYTES, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def upload(actor, *, case=None, person=None, **fields):
    values = {
        "kind": CaseDocument.Kind.COURT_ORDER,
        "title": "Order of temporary custody",
        "document_date": date(2026, 11, 20),
        "visibility": CaseDocument.Visibility.CASE_TEAM,
        "upload": pdf(),
    } | fields
    return services.document_upload(actor=actor, case=case, person=person, **values)


@pytest.fixture
def case(personas):
    return make_case(personas.unit, personas.caseworker)


def area_admin(personas):
    return make_user(Role.AREA_ADMINISTRATOR, location=personas.office)


# --- uploading ---------------------------------------------------------------------------


def test_a_pdf_is_kept_through_the_storage_with_its_details(personas, case, media):
    document = upload(personas.caseworker, case=case, upload=pdf("Custody order.pdf"))

    document.refresh_from_db()
    assert (document.name, document.content_type, document.size) == (
        "Custody order.pdf",
        "application/pdf",
        len(PDF_BYTES),
    )
    assert document.uploaded_by == personas.caseworker
    # The stored name is random: nothing the user typed is in the path.
    assert document.file.name.startswith(f"casework/documents/cases/{case.pk}/")
    assert "Custody" not in document.file.name and document.file.name.endswith(".pdf")
    with document.file.open("rb") as stored:
        assert stored.read() == PDF_BYTES
    assert len(stored_files(media)) == 1
    assert document.history.get().history_user == personas.caseworker


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (
            pdf("big.pdf", PDF_BYTES + b"0" * (2 * 1048576)),
            "big.pdf is 2.0 MB; the limit is 2 MB.",
        ),
        (
            pdf("notes.pdf", b"just some notes, not a PDF at all"),
            "notes.pdf is not a real PDF file",
        ),
        (
            pdf("tool.exe", b"MZ\x90\x00", "application/x-msdownload"),
            "tool.exe: files of this type are not accepted",
        ),
        (pdf("empty.pdf", b""), "empty.pdf is empty."),
    ],
    ids=["oversized", "text-named-pdf", "wrong-type", "empty"],
)
def test_a_refused_file_leaves_no_row_and_no_file(personas, case, media, file, message):
    limits = rules()
    limits.max_document_mb = 2
    limits.save()

    with pytest.raises(ValidationError) as refused:
        upload(personas.caseworker, case=case, upload=file)

    assert message in refused.value.message_dict["file"][0]
    assert CaseDocument.objects.count() == 0
    assert stored_files(media) == []


def test_every_field_is_checked_at_once_and_nothing_is_saved(personas, case, media):
    with pytest.raises(ValidationError) as refused:
        upload(
            personas.caseworker, case=case, kind="poem", title=" ", visibility="secret",
            document_date=date(2026, 11, 24), upload=None,
        )  # fmt: skip

    assert refused.value.message_dict == {
        "kind": ["Choose the kind of document."],
        "title": ["Give the document a title, e.g. “Order of temporary custody”."],
        "document_date": ["The date on the document cannot be in the future."],
        "visibility": ["Choose who may see the document."],
        "file": ["Choose the file to upload."],
    }
    assert (CaseDocument.objects.count(), stored_files(media)) == (0, [])


def test_closed_cases_take_no_documents_and_read_only_roles_none_at_all(personas, media):
    closed = make_case(personas.unit, personas.caseworker, status="closed", closed_on=date.today())
    reviewer = make_user(Role.QUALITY_REVIEWER, location=personas.central)

    with pytest.raises(ValidationError) as on_closed:
        upload(personas.caseworker, case=closed)
    with pytest.raises(PermissionDenied):
        upload(reviewer, case=make_case(personas.unit, personas.caseworker))

    assert "is closed" in on_closed.value.messages[0]
    assert (CaseDocument.objects.count(), stored_files(media)) == (0, [])


def test_a_document_on_a_person_is_kept_under_the_person(personas, case):
    child = add_member(case).person

    document = upload(personas.caseworker, person=child, kind=CaseDocument.Kind.MEDICAL)

    assert document.file.name.startswith(f"casework/documents/people/{child.pk}/")
    assert list(selectors.visible_documents(personas.caseworker)) == [document]
    assert list(selectors.visible_documents(personas.other_caseworker)) == []


# --- who sees what -----------------------------------------------------------------------


def test_a_restricted_document_is_seen_by_its_uploader_the_supervisors_only(personas, case):
    colleague = make_user(Role.CASEWORKER, unit=personas.unit)
    restricted = upload(personas.caseworker, case=case, visibility="restricted")
    team = upload(colleague, case=case, title="Court report")
    admin = area_admin(personas)
    other_supervisor = make_user(Role.SUPERVISOR, unit=make_unit(personas.office))

    def seen(user):
        return set(selectors.visible_documents(user))

    assert seen(personas.caseworker) == {restricted, team}
    assert seen(personas.supervisor) == {restricted, team}
    assert seen(admin) == {restricted, team}
    assert seen(colleague) == {team}
    assert seen(personas.other_caseworker) == set()
    assert seen(other_supervisor) == set()
    context = selectors.case_documents_context(case, user=colleague, today=NOW.date())
    assert context["case_documents"] == [team]
    assert context["case_document_downloads"] is None


def test_a_restricted_document_on_a_person_is_for_the_supervisors_of_their_cases(personas, case):
    child = add_member(case).person
    colleague = make_user(Role.CASEWORKER, unit=personas.unit)
    document = upload(personas.caseworker, person=child, visibility="restricted")

    assert selectors.access_document(personas.supervisor, document.pk) == document
    assert selectors.access_document(area_admin(personas), document.pk) == document
    assert list(selectors.visible_documents(colleague)) == []


# --- removal -----------------------------------------------------------------------------


def test_the_uploader_removes_a_document_entered_in_error_and_it_is_kept(personas, case, media):
    document = upload(personas.caseworker, case=case)

    services.document_remove(
        document=document, actor=personas.caseworker, reason="Uploaded to the wrong case"
    )

    document.refresh_from_db()
    assert document.removed_at == NOW
    assert list(selectors.visible_documents(personas.caseworker)) == []
    assert len(stored_files(media)) == 1  # hidden, never deleted
    latest = document.history.order_by("-history_id").first()
    assert latest.history_change_reason == "Entered in error: Uploaded to the wrong case"
    assert latest.history_user == personas.caseworker


def test_only_the_uploader_or_a_supervisor_removes_and_a_reason_is_needed(personas, case):
    colleague = make_user(Role.CASEWORKER, unit=personas.unit)
    document = upload(personas.caseworker, case=case)

    with pytest.raises(PermissionDenied):
        services.document_remove(document=document, actor=colleague, reason="Wrong")
    with pytest.raises(PermissionDenied):
        services.document_remove(document=document, actor=area_admin(personas), reason="x")
    with pytest.raises(ValidationError) as no_reason:
        services.document_remove(document=document, actor=personas.supervisor, reason=" ")
    services.document_remove(document=document, actor=personas.supervisor, reason="Duplicate")
    with pytest.raises(ValidationError) as twice:
        services.document_remove(document=document, actor=personas.supervisor, reason="Again")

    assert set(no_reason.value.message_dict) == {"reason"}
    assert twice.value.messages == ["This document was already removed."]


# --- the download log --------------------------------------------------------------------


def test_downloads_are_logged_and_the_supervisor_sees_them_on_the_case(personas, case):
    document = upload(personas.caseworker, case=case)
    services.document_download_record(document=document, user=personas.caseworker, channel="page")
    services.document_download_record(document=document, user=personas.supervisor, channel="api")

    context = selectors.case_documents_context(case, user=personas.supervisor, today=NOW.date())

    assert [(d.user, d.channel) for d in context["case_document_downloads"]] == [
        (personas.supervisor, "api"),
        (personas.caseworker, "page"),
    ]
    assert DocumentDownload.objects.filter(document=document).count() == 2
    with pytest.raises(ValueError):
        services.document_download_record(document=document, user=personas.caseworker, channel="x")


def test_the_case_page_part_reads_two_queries_whatever_the_number(
    personas, case, django_assert_max_num_queries
):
    for n in range(6):
        upload(personas.caseworker, case=case, title=f"Report {n}")
        services.document_download_record(
            document=CaseDocument.objects.last(), user=personas.caseworker, channel="page"
        )
    # The role and the permissions are read once per request, before this part.
    personas.supervisor.has_perm("casework.change_case")
    personas.supervisor.staff  # noqa: B018

    with django_assert_max_num_queries(2):
        context = selectors.case_documents_context(case, user=personas.supervisor, today=NOW.date())

    assert len(context["case_documents"]) == 6 and len(context["case_document_downloads"]) == 6
