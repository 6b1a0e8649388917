"""The document pages, through HTTP: uploading from the case and the person pages,
the access-checked and logged download, restricted documents, removal, and who gets
403 or 404."""

from datetime import date
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from agency.roles import Role
from casework.models import CaseDocument, DocumentDownload, RecordView
from tests.casework.factories import add_member, make_case
from tests.casework.test_documents_services import NOW, PDF_BYTES, pdf, stored_files, upload
from tests.factories import make_user


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def case(personas):
    return make_case(personas.unit, personas.caseworker)


@pytest.fixture
def child(case):
    return add_member(case).person


@pytest.fixture
def document(personas, case):
    return upload(personas.caseworker, case=case)


@pytest.fixture
def person_document(personas, child):
    return upload(personas.caseworker, person=child, title="Well-child visit")


def url(name, *args):
    return reverse(f"casework:{name}", args=args)


def form_data(**fields):
    return {
        "kind": "court_order",
        "title": "Order of temporary custody",
        "document_date": "2026-11-20",
        "visibility": "case_team",
        "file": pdf(),
    } | fields


PAGES = [
    ("get", "document_upload", "case"),
    ("post", "document_upload", "case"),
    ("get", "person_document_upload", "child"),
    ("post", "person_document_upload", "child"),
    ("get", "person_documents", "child"),
    ("get", "document_detail", "document"),
    ("get", "document_download", "document"),
    ("get", "document_download", "person_document"),
    ("post", "document_remove", "document"),
]


def path_for(request, name, fixture):
    return url(name, request.getfixturevalue(fixture).pk)


@pytest.mark.parametrize(("method", "name", "fixture"), PAGES)
def test_anonymous_is_sent_to_the_login_page(
    client, request, document, person_document, method, name, fixture
):
    path = path_for(request, name, fixture)

    response = getattr(client, method)(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={quote(path)}"


@pytest.mark.parametrize(("method", "name", "fixture"), PAGES)
@pytest.mark.parametrize("who", ["other_caseworker", "outsider", "ombudsman"])
def test_people_outside_the_case_get_404_and_nothing_changes(
    client, personas, request, media, document, person_document, method, name, fixture, who
):
    client.force_login(getattr(personas, who))
    data = form_data(reason="Wrong case") if method == "post" else None

    response = getattr(client, method)(path_for(request, name, fixture), data)

    assert response.status_code == 404
    assert CaseDocument.objects.filter(removed_at__isnull=True).count() == 2
    assert DocumentDownload.objects.count() == 0
    assert len(stored_files(media)) == 2


def test_a_read_only_role_sees_documents_but_cannot_add_or_remove(
    client, personas, document, person_document, child
):
    reviewer = make_user(Role.QUALITY_REVIEWER, location=personas.central)
    client.force_login(reviewer)

    assert client.get(url("document_detail", document.pk)).status_code == 200
    assert client.get(url("document_upload", document.case_id)).status_code == 403
    assert client.post(url("person_document_upload", child.pk), form_data()).status_code == 403
    assert client.post(url("document_remove", document.pk), {"reason": "x"}).status_code == 403
    assert CaseDocument.objects.count() == 2


def test_a_caseworker_adds_a_document_from_the_case_page(client, personas, case, media):
    client.force_login(personas.caseworker)
    page = client.get(url("case_detail", case.pk))
    assert url("document_upload", case.pk) in page.text
    form = client.get(url("document_upload", case.pk))
    assert "up to 20 MB" in form.text and 'enctype="multipart/form-data"' in form.text

    response = client.post(url("document_upload", case.pk), form_data())

    assert response.status_code == 302
    assert response["Location"] == f"{url('case_detail', case.pk)}#documents"
    document = CaseDocument.objects.get()
    assert (document.case, document.uploaded_by, document.title) == (
        case,
        personas.caseworker,
        "Order of temporary custody",
    )
    page = client.get(url("case_detail", case.pk))
    assert "Order of temporary custody" in page.text
    assert url("document_download", document.pk) in page.text


@pytest.mark.parametrize(
    ("file", "error"),
    [
        (pdf("huge.pdf", PDF_BYTES + b"0" * (21 * 1048576)), "the limit is 20 MB"),
        (pdf("notes.pdf", b"plain text, renamed"), "notes.pdf is not a real PDF file"),
        (pdf("clip.mp4", b"\x00\x00\x00 ftyp", "video/mp4"), "files of this type are not"),
    ],
    ids=["oversized", "text-named-pdf", "wrong-type"],
)
def test_a_refused_upload_shows_the_error_beside_the_file_and_saves_nothing(
    client, personas, case, media, file, error
):
    client.force_login(personas.caseworker)

    response = client.post(url("document_upload", case.pk), form_data(file=file))

    assert response.status_code == 400
    assert error in " ".join(response.context["form"].errors["file"])
    assert 'class="usa-error-message"' in response.text
    assert (CaseDocument.objects.count(), stored_files(media)) == (0, [])


def test_the_form_keeps_the_other_fields_errors(client, personas, case, media):
    client.force_login(personas.caseworker)

    response = client.post(
        url("document_upload", case.pk), form_data(document_date="2026-12-01", title="")
    )

    errors = response.context["form"].errors
    assert set(errors) == {"title", "document_date"}
    response = client.post(url("document_upload", case.pk), form_data(document_date="2026-11-24"))
    assert response.context["form"].errors == {
        "document_date": ["The date on the document cannot be in the future."]
    }
    assert (CaseDocument.objects.count(), stored_files(media)) == (0, [])


def test_a_download_streams_the_file_and_is_logged_for_the_supervisor(client, personas, document):
    client.force_login(personas.caseworker)

    response = client.get(url("document_download", document.pk))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"
    download = DocumentDownload.objects.get()
    assert (download.user, download.channel, download.at) == (personas.caseworker, "page", NOW)
    # The worker does not see the log; the supervisor does, on the case and the document.
    assert "Who downloaded what" not in client.get(url("case_detail", document.case_id)).text
    assert client.get(url("document_detail", document.pk)).context["downloads"] is None
    client.force_login(personas.supervisor)
    case_page = client.get(url("case_detail", document.case_id))
    assert "Who downloaded what" in case_page.text
    assert list(case_page.context["case_document_downloads"]) == [download]
    detail = client.get(url("document_detail", document.pk))
    assert list(detail.context["downloads"]) == [download]


def test_a_restricted_document_is_404_to_a_colleague_and_hidden_on_the_case_page(
    client, personas, case
):
    restricted = upload(personas.supervisor, case=case, visibility="restricted", title="Eval")
    colleague = make_user(Role.CASEWORKER, unit=personas.unit)
    client.force_login(colleague)

    assert client.get(url("document_detail", restricted.pk)).status_code == 404
    assert client.get(url("document_download", restricted.pk)).status_code == 404
    assert "Eval" not in client.get(url("case_detail", case.pk)).text
    assert DocumentDownload.objects.count() == 0
    client.force_login(personas.caseworker)  # neither uploader nor supervisor
    assert client.get(url("document_download", restricted.pk)).status_code == 404
    client.force_login(make_user(Role.AREA_ADMINISTRATOR, location=personas.office))
    response = client.get(url("document_download", restricted.pk))
    response.close()
    assert response.status_code == 200


def test_documents_on_a_person_are_on_the_person_page(client, personas, child, media):
    client.force_login(personas.caseworker)
    person_page = client.get(url("person_detail", child.pk))
    assert f'hx-get="{url("person_documents", child.pk)}?fragment=1"' in person_page.text

    response = client.post(
        url("person_document_upload", child.pk), form_data(kind="medical", title="Dental exam")
    )

    assert response.status_code == 302
    assert response["Location"] == url("person_documents", child.pk)
    document = CaseDocument.objects.get()
    assert (document.person, document.case) == (child, None)
    fragment = client.get(url("person_documents", child.pk), {"fragment": 1})
    assert "Dental exam" in fragment.text and "<html" not in fragment.text
    page = client.get(url("person_documents", child.pk))
    assert "Dental exam" in page.text and "<html" in page.text


def test_the_uploader_removes_a_document_as_entered_in_error(client, personas, document, media):
    client.force_login(personas.caseworker)

    refused = client.post(url("document_remove", document.pk), {"reason": ""})
    assert refused.status_code == 400
    assert "reason" in refused.context["remove_form"].errors
    response = client.post(url("document_remove", document.pk), {"reason": "Wrong family"})

    assert response.status_code == 302
    document.refresh_from_db()
    assert document.removed_at is not None
    assert client.get(url("document_detail", document.pk)).status_code == 404
    assert "Order of temporary custody" not in client.get(url("case_detail", document.case_id)).text
    assert len(stored_files(media)) == 1


def test_a_colleague_cannot_remove_anothers_document(client, personas, document):
    client.force_login(make_user(Role.CASEWORKER, unit=personas.unit))

    response = client.post(url("document_remove", document.pk), {"reason": "Mine now"})

    assert response.status_code == 403
    document.refresh_from_db()
    assert document.removed_at is None


def test_a_closed_case_offers_no_upload(client, personas):
    closed = make_case(personas.unit, personas.caseworker, status="closed", closed_on=date.today())
    client.force_login(personas.caseworker)

    page = client.get(url("document_upload", closed.pk))
    refused = client.post(url("document_upload", closed.pk), form_data())

    assert "is closed" in page.text and '<form method="post" enctype' not in page.text
    assert refused.status_code == 400 and CaseDocument.objects.count() == 0


def test_admin_lists_documents_read_only_with_the_download_log(client, personas, document):
    DocumentDownload.objects.create(document=document, user=personas.caseworker, channel="api")
    root = get_user_model().objects.create_superuser("root", "root@hearth.example", "x")
    client.force_login(root)

    listing = client.get(reverse("admin:casework_casedocument_changelist"))
    change = client.get(reverse("admin:casework_casedocument_change", args=[document.pk]))
    log = client.get(reverse("admin:casework_documentdownload_changelist"))

    assert listing.status_code == change.status_code == log.status_code == 200
    assert url("document_download", document.pk) in change.text
    assert "/media/" not in change.text
    assert client.get(reverse("admin:casework_casedocument_add")).status_code == 403
    delete = reverse("admin:casework_casedocument_delete", args=[document.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert RecordView.objects.count() == 0
