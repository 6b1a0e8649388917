"""The documents API (/api/casework/documents/...), through HTTP."""

import pytest

from agency.roles import Role
from casework.models import CaseDocument, DocumentDownload
from tests.casework.factories import add_member, make_case
from tests.casework.test_documents_services import NOW, PDF_BYTES, pdf, stored_files, upload
from tests.factories import make_user

API = "/api/casework/documents/"


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


def multipart(**fields):
    return {
        "kind": "court_report",
        "title": "Court report for the review hearing",
        "document_date": "2026-11-20",
        "file": pdf(),
    } | fields


ENDPOINTS = [
    ("get", API + "{}/", "document"),
    ("get", API + "{}/download/", "document"),
    ("post", API + "{}/remove/", "document"),
    ("get", API + "{}/downloads/", "document"),
]


@pytest.mark.parametrize("who", [None, "outsider"])
def test_anonymous_and_users_without_a_role_get_403(client, personas, document, case, who):
    if who:
        client.force_login(getattr(personas, who))

    assert client.get(API, {"case": case.pk}).status_code == 403
    assert client.post(API, multipart(case=case.pk)).status_code == 403
    for method, template, _ in ENDPOINTS:
        assert getattr(client, method)(template.format(document.pk)).status_code == 403
    assert DocumentDownload.objects.count() == 0


@pytest.mark.parametrize(("method", "template", "fixture"), ENDPOINTS)
def test_other_caseworkers_get_404(client, personas, request, document, method, template, fixture):
    client.force_login(personas.other_caseworker)

    response = getattr(client, method)(
        template.format(request.getfixturevalue(fixture).pk),
        {"reason": "x"},
        content_type="application/json",
    )

    assert response.status_code == 404
    document.refresh_from_db()
    assert document.removed_at is None and DocumentDownload.objects.count() == 0


def test_lists_are_filtered_and_need_a_case_or_a_person(client, personas, document, case):
    client.force_login(personas.other_caseworker)
    assert client.get(API, {"case": case.pk}).json()["count"] == 0
    assert client.post(API, multipart(case=case.pk)).status_code == 404

    client.force_login(personas.caseworker)
    assert client.get(API).status_code == 400
    body = client.get(API, {"case": case.pk}).json()
    assert [row["id"] for row in body["results"]] == [document.pk]
    assert body["results"][0]["download_url"] == f"{API}{document.pk}/download/"
    assert CaseDocument.objects.count() == 1


def test_upload_multipart_to_a_case_and_to_a_person(client, personas, case, child, media):
    client.force_login(personas.caseworker)

    on_case = client.post(API, multipart(case=case.pk, visibility="restricted"))
    on_person = client.post(API, multipart(person=child.pk, kind="medical", file=pdf("x.pdf")))

    assert on_case.status_code == 201, on_case.json()
    assert on_case.json()["visibility"] == "restricted"
    assert on_case.json()["case_number"] == case.number
    assert on_person.status_code == 201 and on_person.json()["person"] == child.pk
    assert len(stored_files(media)) == 2
    listed = client.get(API, {"person": child.pk}).json()["results"]
    assert [row["id"] for row in listed] == [on_person.json()["id"]]


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"file": pdf("notes.pdf", b"hello, I am text")}, {"file"}),
        ({"file": pdf("a.bin", b"\x00\x01", "application/octet-stream")}, {"file"}),
        ({"file": pdf("big.pdf", PDF_BYTES + b"0" * (21 * 1048576))}, {"file"}),
        ({"document_date": "2027-01-01", "title": "  "}, {"document_date", "title"}),
        ({"kind": "poem"}, {"kind"}),
    ],
    ids=["text-named-pdf", "wrong-type", "oversized", "date-and-title", "kind"],
)
def test_a_refused_upload_is_a_400_field_map_with_nothing_saved(
    client, personas, case, media, fields, errors
):
    client.force_login(personas.caseworker)

    response = client.post(API, multipart(case=case.pk, **fields))

    assert response.status_code == 400
    assert set(response.json()) == errors
    assert (CaseDocument.objects.count(), stored_files(media)) == (0, [])


def test_upload_needs_exactly_one_owner_and_a_role_that_writes(client, personas, case, child):
    client.force_login(personas.caseworker)
    both = client.post(API, multipart(case=case.pk, person=child.pk))
    neither = client.post(API, multipart())
    client.force_login(make_user(Role.QUALITY_REVIEWER, location=personas.central))
    reader = client.post(API, multipart(case=case.pk))

    assert (both.status_code, neither.status_code, reader.status_code) == (400, 400, 403)
    assert set(both.json()) == {"case"}
    assert CaseDocument.objects.count() == 0


def test_an_api_download_is_logged_with_its_channel(client, personas, document):
    client.force_login(personas.caseworker)

    response = client.get(f"{API}{document.pk}/download/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    download = DocumentDownload.objects.get()
    assert (download.user, download.channel) == (personas.caseworker, "api")


def test_the_download_log_is_for_the_supervisor(client, personas, document):
    DocumentDownload.objects.create(document=document, user=personas.caseworker, channel="page")
    client.force_login(personas.caseworker)
    assert client.get(f"{API}{document.pk}/downloads/").status_code == 403

    client.force_login(personas.supervisor)
    rows = client.get(f"{API}{document.pk}/downloads/").json()["results"]

    assert [(row["user"], row["channel"]) for row in rows] == [(personas.caseworker.pk, "page")]


def test_restricted_documents_are_404_to_colleagues(client, personas, case):
    restricted = upload(personas.supervisor, case=case, visibility="restricted")
    client.force_login(personas.caseworker)

    assert client.get(f"{API}{restricted.pk}/").status_code == 404
    assert client.get(f"{API}{restricted.pk}/download/").status_code == 404
    assert client.get(API, {"case": case.pk}).json()["count"] == 0
    assert DocumentDownload.objects.count() == 0


def test_remove_needs_a_reason_and_the_uploader_or_a_supervisor(client, personas, document):
    j = "application/json"
    client.force_login(make_user(Role.CASEWORKER, unit=personas.unit))
    assert (
        client.post(f"{API}{document.pk}/remove/", {"reason": "x"}, content_type=j).status_code
        == 403
    )

    client.force_login(personas.supervisor)
    missing = client.post(f"{API}{document.pk}/remove/", {}, content_type=j)
    done = client.post(f"{API}{document.pk}/remove/", {"reason": "Duplicate"}, content_type=j)

    assert (missing.status_code, set(missing.json())) == (400, {"reason"})
    assert done.status_code == 200
    assert client.get(f"{API}{document.pk}/").status_code == 404
    assert CaseDocument.objects.get().removed_at is not None
