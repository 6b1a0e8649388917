"""The ORE data-requests API (/api/quality/data-requests/) through HTTP: who sees and
does what, bad input as 400 field maps with nothing saved, the version check, the
lifecycle's actions, and files."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agency.roles import Role
from quality.models import DataRequest, DataRequestFile
from quality.selectors import rules
from tests.factories import make_user
from tests.quality.factories_data_requests import (
    advance,
    csv_file,
    fresh,
    make_ore,
    pdf_file,
    submit,
)

EASTERN = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=EASTERN)  # a Monday
LIST = "/api/quality/data-requests/"
Status = DataRequest.Status


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def lead(db):
    return make_ore(lead=True, username="orelead")


@pytest.fixture
def analyst(db):
    return make_ore(username="analyst", first_name="Kim", last_name="Ng")


@pytest.fixture
def mine(personas):
    return submit(personas.caseworker, attachments=[pdf_file()])


def body(**fields) -> dict:
    return {
        "title": "Kinship placements by region",
        "purpose": "Plan the kinship navigator program.",
        "questions": "How many children entering care went first to relatives?",
        "format": "spreadsheet",
        **fields,
    }


def post(client, path, data=None):
    return client.post(path, data or {}, content_type="application/json")


def act(client, r, name, **data):
    data.setdefault("version", fresh(r).version)
    return post(client, f"{LIST}{r.pk}/{name}/", data)


def test_the_routes_and_their_names(db):
    assert reverse("datarequest-list") == LIST
    assert reverse("datarequest-request-scope", args=[3]) == f"{LIST}3/request-scope/"
    assert reverse("datarequest-irb-decision", args=[3]) == f"{LIST}3/irb-decision/"
    assert reverse("datarequest-files", args=[3]) == f"{LIST}3/files/"
    assert reverse("datarequest-file-download", args=[3, 9]) == f"{LIST}3/files/9/"


# --- reading -----------------------------------------------------------------------------------


def test_ore_lists_every_open_request_and_requesters_only_their_own(
    client, personas, mine, analyst
):
    other = submit(personas.other_caseworker)
    client.force_login(analyst)
    data = client.get(LIST).json()
    assert data["count"] == 2
    row = next(item for item in data["results"] if item["id"] == mine.pk)
    assert row["reference"] == mine.reference and row["status"] == "received"
    assert row["clock_state"] == "on_track" and row["due_on"] == "2026-12-15"
    assert row["clock_label"] == "Due 15 Dec 2026 (15 business days left)"

    client.force_login(personas.caseworker)
    data = client.get(LIST).json()
    assert [item["id"] for item in data["results"]] == [mine.pk]
    assert client.get(f"{LIST}{other.pk}/").status_code == 404
    detail = client.get(f"{LIST}{mine.pk}/").json()
    assert detail["purpose"] == mine.purpose and detail["files"][0]["name"] == "letter.pdf"
    assert detail["events"][0]["status"] == "received"


@pytest.mark.parametrize("who", ["outsider", "sysadmin"])
def test_accounts_that_may_not_ask_for_data_are_refused(client, personas, mine, who):
    user = personas.outsider if who == "outsider" else make_user(Role.SYSTEM_ADMINISTRATOR)
    client.force_login(user)
    assert client.get(LIST).status_code == 403
    assert post(client, LIST, body()).status_code == 403
    # No role at all: 403 everywhere; a role without the permission: the request is 404.
    assert client.get(f"{LIST}{mine.pk}/").status_code == (403 if who == "outsider" else 404)
    assert not DataRequest.objects.exclude(pk=mine.pk).exists()


def test_anonymous_callers_are_refused(client, mine):
    assert client.get(LIST).status_code in (401, 403)
    assert client.get(f"{LIST}{mine.pk}/").status_code in (401, 403)


def test_ore_filters_the_queue(client, personas, lead, analyst):
    late = advance(submit(personas.caseworker), lead, Status.IN_PROGRESS)
    fresh_one = submit(personas.caseworker)
    client.force_login(lead)
    ids = [r["id"] for r in client.get(LIST, {"mine": "true"}).json()["results"]]
    assert ids == [late.pk]
    ids = [r["id"] for r in client.get(LIST, {"status": "received"}).json()["results"]]
    assert ids == [fresh_one.pk]
    assert client.get(LIST, {"status": "nonsense"}).status_code == 400


def test_internal_notes_are_left_out_for_the_requester(client, personas, mine, analyst):
    from quality.services.data_requests import data_request_note_add

    data_request_note_add(data_request=mine, actor=analyst, note="Check with Legal Affairs.")
    client.force_login(analyst)
    assert len(client.get(f"{LIST}{mine.pk}/").json()["events"]) == 2
    client.force_login(personas.caseworker)
    assert len(client.get(f"{LIST}{mine.pk}/").json()["events"]) == 1


# --- creating ----------------------------------------------------------------------------------


def test_a_member_of_staff_submits_a_request(client, personas):
    client.force_login(personas.caseworker)
    response = post(client, LIST, body(date_needed="2026-12-18"))
    assert response.status_code == 201, response.json()
    data = response.json()
    r = DataRequest.objects.get()
    assert data["id"] == r.pk and data["reference"].startswith("ORE-2026-")
    assert data["requester"] == personas.caseworker.pk
    assert data["organization"] == "Hartford Area Office"
    assert data["due_on"] == "2026-12-15" and data["version"] == 1


def test_a_request_with_no_purpose_is_a_400_with_the_field_and_nothing_saved(client, personas):
    client.force_login(personas.caseworker)
    response = post(client, LIST, body(purpose=""))
    assert response.status_code == 400
    assert response.json() == {"purpose": ["Say why the data are needed."]}
    missing = body()
    del missing["purpose"]
    assert post(client, LIST, missing).json() == {"purpose": ["Say why the data are needed."]}
    past = post(client, LIST, body(date_needed="2026-11-01"))
    assert past.status_code == 400 and "date_needed" in past.json()
    assert not DataRequest.objects.exists()


def test_multipart_attachments_are_checked_before_anything_is_saved(client, personas):
    client.force_login(personas.caseworker)
    response = client.post(LIST, body(attachments=[pdf_file(), csv_file()]))
    assert response.status_code == 201, response.json()
    assert DataRequest.objects.get().files.count() == 2

    office_rules = rules()
    office_rules.ore_max_file_mb = 1
    office_rules.save()
    big = SimpleUploadedFile("big.csv", b"x" * (1024 * 1024 + 1), content_type="text/csv")
    response = client.post(LIST, body(attachments=[pdf_file(), big]))
    assert response.status_code == 400
    assert response.json() == {"attachments": ["big.csv is 1.0 MB; the limit is 1 MB."]}
    wrong = SimpleUploadedFile("run.exe", b"MZ", content_type="application/x-msdownload")
    assert client.post(LIST, body(attachments=[wrong])).status_code == 400
    assert DataRequest.objects.count() == 1 and DataRequestFile.objects.count() == 2


def test_ore_enters_external_requests_and_nobody_else_does(client, personas, analyst):
    external = body(
        channel="email",
        requester_name="Grace Huang",
        organization="Yale Child Study Center",
        requester_email="grace@yale.example",
        received_at="2026-11-20T09:30:00-05:00",
    )
    client.force_login(personas.caseworker)
    assert post(client, LIST, external).status_code == 403
    assert post(client, LIST, body(requester_phone="860-555-0100")).json() == {
        "requester_phone": ["Only for an external request (channel email, mail or other)."]
    }
    client.force_login(analyst)
    response = post(client, LIST, external)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["requester"] is None and data["channel"] == "email"
    assert data["received_at"] == "2026-11-20T09:30:00-05:00"
    no_contact = post(client, LIST, external | {"requester_email": ""})
    assert no_contact.status_code == 400 and "requester_email" in no_contact.json()


# --- the lifecycle -----------------------------------------------------------------------------


def test_an_analyst_works_a_request_through_the_api(client, personas, mine, lead, analyst):
    client.force_login(analyst)
    response = act(client, mine, "catalog", category="federal_reporting")
    assert response.status_code == 200, response.json()
    assert response.json()["catalog_number"] == "ORC-2026-000001"
    assert response.json()["target_business_days"] == 20

    response = act(client, mine, "request-scope", what_ore_needs="The measures.")
    assert response.json()["status"] == "scope_requested"
    assert response.json()["clock_state"] == "stopped"

    client.force_login(personas.caseworker)
    assert act(client, mine, "catalog", category="foia").status_code == 403
    response = act(client, mine, "scope", objectives="Permanency within 12 months.")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "cataloged"
    refused = act(client, mine, "scope", objectives="x", received_at="2026-11-23T09:00:00-05:00")
    assert refused.status_code == 400

    client.force_login(analyst)
    assert act(client, mine, "approve").json()["status"] == "approved"
    response = act(client, mine, "assign", analyst=analyst.pk)  # takes it
    assert response.json()["analyst_name"] == "Kim Ng"
    assert act(client, mine, "start").json()["status"] == "in_progress"
    response = client.post(
        f"{LIST}{mine.pk}/deliver/",
        {"version": fresh(mine).version, "note": "Tables.", "files": [csv_file("t.csv")]},
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["status"] == "delivered" and data["business_days_to_delivery"] == 0
    [deliverable] = [f for f in data["files"] if f["kind"] == "deliverable"]
    assert deliverable["download_url"] == f"{LIST}{mine.pk}/files/{deliverable['id']}/"
    assert act(client, mine, "close").json()["status"] == "closed"

    client.force_login(personas.caseworker)
    download = client.get(deliverable["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"region,children\nR1,12\n"


def test_research_and_the_irb_decision(client, personas, analyst):
    r = submit(personas.caseworker, is_research=True)
    client.force_login(analyst)
    act(client, r, "catalog", category="research")
    response = act(client, r, "approve", irb_submitted_on="2026-11-20")
    assert response.json()["status"] == "irb_review"
    bad = act(client, r, "irb-decision", decision="not_approved")
    assert bad.status_code == 400 and bad.json() == {
        "notes": ["Give the IRB's reasons; the requester sees them."]
    }
    response = act(client, r, "irb-decision", decision="not_approved", notes="Too intrusive.")
    assert response.json()["status"] == "declined"
    assert response.json()["decline_reason"] == "Too intrusive."


def test_decline_needs_a_reason(client, mine, analyst):
    client.force_login(analyst)
    act(client, mine, "catalog", category="other")
    response = act(client, mine, "decline", reason="")
    assert response.status_code == 400
    assert response.json() == {"reason": ["Give the reason; the requester sees it."]}


def test_the_version_is_required_and_checked(client, mine, analyst):
    client.force_login(analyst)
    missing = post(client, f"{LIST}{mine.pk}/catalog/", {"category": "foia"})
    assert missing.status_code == 400
    assert missing.json() == {"version": ["Send the version of the request you read."]}
    act(client, mine, "catalog", category="foia")
    stale = act(client, mine, "approve", version=1)
    assert stale.status_code == 400 and "Someone else changed" in stale.json()["version"][0]
    impossible = act(client, mine, "close")
    assert impossible.status_code == 400
    assert impossible.json()["status"][0].endswith("only a delivered request is closed.")


def test_an_analyst_cannot_assign_others(client, personas, mine, lead, analyst):
    r = advance(mine, lead, Status.APPROVED)
    client.force_login(analyst)
    response = act(client, r, "assign", analyst=lead.pk)
    assert response.status_code == 400
    assert response.json() == {
        "analyst": ["Only the ORE lead assigns requests to others; take it yourself."]
    }
    client.force_login(lead)
    response = act(client, r, "assign", analyst=personas.caseworker.pk)
    assert response.json() == {"analyst": ["Assign data requests to ORE staff only."]}
    assert act(client, r, "assign", analyst=analyst.pk).json()["analyst"] == analyst.pk


@pytest.mark.parametrize(
    "name", ["catalog", "approve", "decline", "request-scope", "scope", "irb-decision",
             "assign", "start", "deliver", "close", "files"],
)  # fmt: skip
def test_someone_elses_request_is_404_for_every_action(client, personas, mine, name):
    client.force_login(personas.other_caseworker)
    assert post(client, f"{LIST}{mine.pk}/{name}/", {"version": 1}).status_code == 404
    attachment = mine.files.get()
    assert client.get(f"{LIST}{mine.pk}/files/{attachment.pk}/").status_code == 404
    assert fresh(mine).version == 1


# --- files -------------------------------------------------------------------------------------


def test_ore_uploads_files_and_requesters_download_them(client, personas, mine, lead):
    client.force_login(personas.caseworker)
    assert (
        client.post(
            f"{LIST}{mine.pk}/files/", {"kind": "attachment", "file": csv_file()}
        ).status_code
        == 403
    )

    client.force_login(lead)
    response = client.post(
        f"{LIST}{mine.pk}/files/", {"kind": "attachment", "file": pdf_file("more.pdf")}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["name"] == "more.pdf"
    early = client.post(f"{LIST}{mine.pk}/files/", {"kind": "deliverable", "file": csv_file()})
    assert early.status_code == 400 and "status" in early.json()
    wrong = client.post(
        f"{LIST}{mine.pk}/files/",
        {
            "kind": "attachment",
            "file": SimpleUploadedFile("x.exe", b"MZ", content_type="application/x-msdownload"),
        },
    )
    assert wrong.status_code == 400 and "file" in wrong.json()
    assert mine.files.count() == 2

    client.force_login(personas.caseworker)
    item = mine.files.get(name="more.pdf")
    download = client.get(
        f"{LIST}{mine.pk}/files/{item.pk}/", HTTP_ACCEPT="application/octet-stream"
    )
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert client.get(f"{LIST}{mine.pk}/files/999999/").status_code == 404


def test_the_schema_documents_the_endpoints(client, analyst):
    client.force_login(analyst)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert "/api/quality/data-requests/" in paths
    assert "/api/quality/data-requests/{id}/deliver/" in paths
    assert "/api/quality/data-requests/{id}/files/{file_pk}/" in paths
    assert (
        "multipart/form-data"
        in paths["/api/quality/data-requests/"]["post"]["requestBody"]["content"]
    )
