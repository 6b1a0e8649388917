"""The COOP API: the pages' permissions (404 for a plan out of reach, 403 for OPM's
actions to others), 400 with a field map and nothing saved, the version check, uploads
and downloads, and the quarterly duties with their status in words."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from agency.models import Notification
from agency.roles import Role
from coop import services
from coop.models import CoopRules, PlanDocument, QuarterlyDuties
from coop.quarters import Quarter
from tests.coop.conftest import NOW
from tests.coop.factories import PDF, pdf_upload
from tests.factories import make_user

Q4 = Quarter(2026, 4)
PLANS = "/api/coop/plans/"
DUTIES = "/api/coop/duties/"


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def sysadmin(personas):
    return make_user(Role.SYSTEM_ADMINISTRATOR, location=personas.central)


def revise(plan, actor):
    return services.revision_record(
        plan=plan,
        actor=actor,
        quarter=Q4,
        revised_on=date(2026, 11, 20),
        revision="no_changes",
        note="Reviewed.",
    )


# --- plans -----------------------------------------------------------------------------------


def test_opm_and_sysadmins_list_every_plan_others_their_own(
    api, personas, plan, other_plan, opm, sysadmin, area_admin
):
    for user in (opm, sysadmin):
        api.force_authenticate(user)
        listing = api.get(PLANS).json()
        assert listing["count"] == 2
    api.force_authenticate(opm)
    only = api.get(PLANS, {"region": personas.region.code}).json()
    assert [p["work_location_name"] for p in only["results"]] == ["Hartford Area Office"]

    for user in (area_admin, personas.caseworker, personas.supervisor):
        api.force_authenticate(user)
        assert [p["id"] for p in api.get(PLANS).json()["results"]] == [plan.pk]
    api.force_authenticate(personas.ombudsman)  # Central Office has no plan
    assert api.get(PLANS).json()["count"] == 0


def test_a_plan_answers_with_its_content(api, personas, plan, document_v1):
    api.force_authenticate(personas.caseworker)
    body = api.get(f"{PLANS}{plan.pk}/").json()
    assert body["work_location_name"] == "Hartford Area Office" and body["version"] == 1
    assert [p["kind"] for p in body["procedures"]][:2] == ["medical", "fire"]
    assert body["key_staff"][0]["duty_label"] == "Manages the overall response"
    assert body["documents"][0]["number"] == 1
    assert body["documents"][0]["download_url"].endswith(
        f"/api/coop/plans/{plan.pk}/documents/{document_v1.pk}/download/"
    )


@pytest.fixture
def document_v1(plan, area_admin):
    return services.document_upload(plan=plan, actor=area_admin, upload=pdf_upload())


@pytest.mark.parametrize("name", ["other_caseworker", "other_admin", "ombudsman"])
def test_a_plan_out_of_reach_is_404(api, request, personas, plan, other_admin, name):
    user = getattr(personas, name, None) or request.getfixturevalue(name)
    api.force_authenticate(user)
    assert api.get(f"{PLANS}{plan.pk}/").status_code == 404
    assert api.get(f"{PLANS}{plan.pk}/documents/").status_code == 404


def test_the_administrator_patches_with_the_version(api, plan, area_admin):
    api.force_authenticate(area_admin)
    response = api.patch(
        f"{PLANS}{plan.pk}/",
        {
            "version": 1,
            "assembly_point": "Lot B",
            "notifications": [
                {"audience": "emergency_service", "who": "911", "conditions": "Fire."}
            ],
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 2 and response.json()["assembly_point"] == "Lot B"
    stale = api.patch(f"{PLANS}{plan.pk}/", {"version": 1, "assembly_point": "X"}, format="json")
    assert stale.status_code == 400
    assert stale.json()["version"][0].startswith("Someone else changed this plan")
    plan.refresh_from_db()
    assert plan.assembly_point == "Lot B"


def test_bad_content_is_400_with_a_field_map_and_nothing_saved(api, plan, area_admin):
    api.force_authenticate(area_admin)
    response = api.patch(
        f"{PLANS}{plan.pk}/",
        {
            "version": 1,
            "procedures": [{"kind": "fire", "procedure": "Leave."}],
            "key_staff": [{"duty": "nobody", "name": "", "phone": "1"}],
        },
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"key_staff"}  # the serializer's own checks come first
    response = api.patch(
        f"{PLANS}{plan.pk}/",
        {"version": 1, "procedures": [{"kind": "fire", "procedure": "Leave."}]},
        format="json",
    )
    assert response.status_code == 400
    assert "missing: medical emergency" in response.json()["procedures"][0]
    assert plan.procedures.count() == 5
    assert api.patch(f"{PLANS}{plan.pk}/", {}, format="json").json() == {
        "version": ["This field is required."]
    }


@pytest.mark.parametrize("name", ["opm", "caseworker", "other_admin"])
def test_only_the_administrator_edits_a_plan(api, request, personas, plan, other_admin, name):
    user = getattr(personas, name, None) or request.getfixturevalue(name)
    api.force_authenticate(user)
    response = api.patch(f"{PLANS}{plan.pk}/", {"version": 1, "assembly_point": "X"}, format="json")
    assert response.status_code == 404
    upload = api.post(f"{PLANS}{plan.pk}/documents/", {"file": pdf_upload()}, format="multipart")
    assert upload.status_code == 404
    for action in ("communication", "revision", "submit"):
        assert api.post(f"{PLANS}{plan.pk}/{action}/", {"quarter": "2026-Q4"}).status_code == 404
    assert not PlanDocument.objects.exists() and not QuarterlyDuties.objects.exists()


# --- documents -------------------------------------------------------------------------------


def test_upload_list_and_download(api, personas, plan, area_admin):
    api.force_authenticate(area_admin)
    response = api.post(
        f"{PLANS}{plan.pk}/documents/",
        {"file": pdf_upload("revised.pdf"), "summary": "New alternates"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["number"] == 1 and response.json()["name"] == "revised.pdf"
    api.force_authenticate(personas.caseworker)
    listing = api.get(f"{PLANS}{plan.pk}/documents/").json()
    assert [d["summary"] for d in listing] == ["New alternates"]
    download = api.get(listing[0]["download_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    api.force_authenticate(personas.other_caseworker)
    assert api.get(listing[0]["download_url"]).status_code == 404


def test_a_text_file_named_pdf_is_400_and_nothing_saved(api, plan, area_admin, media):
    api.force_authenticate(area_admin)
    fake = SimpleUploadedFile("plan.pdf", b"hello, not a pdf", content_type="application/pdf")
    response = api.post(f"{PLANS}{plan.pk}/documents/", {"file": fake}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"file": ["plan.pdf is not a real PDF file (allowed: PDF)."]}
    assert not PlanDocument.objects.exists()
    assert not (media.exists() and any(p.is_file() for p in media.rglob("*")))


def test_an_oversized_upload_is_400(api, plan, area_admin):
    CoopRules.objects.update_or_create(pk=1, defaults={"max_document_mb": 1})
    api.force_authenticate(area_admin)
    big = pdf_upload("big.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 * 3))
    response = api.post(f"{PLANS}{plan.pk}/documents/", {"file": big}, format="multipart")
    assert response.status_code == 400
    assert response.json()["file"] == ["big.pdf is 3.0 MB; the limit is 1 MB."]


# --- quarterly duties ------------------------------------------------------------------------


def test_recording_communication_revision_and_submission(
    api, plan, area_admin, opm, django_capture_on_commit_callbacks
):
    api.force_authenticate(area_admin)
    communicated = api.post(
        f"{PLANS}{plan.pk}/communication/",
        {
            "quarter": "2026-Q4",
            "communicated_on": "2026-11-18",
            "communication_channel": "email",
            "staff_count": 30,
            "communication_evidence": "Email with read receipts",
            "version": 0,
        },
        format="json",
    )
    assert communicated.status_code == 200, communicated.json()
    body = communicated.json()
    assert body["quarter"] == "2026-Q4" and body["version"] == 1
    assert body["status"]["communicated"]["label"] == "Done"
    assert body["status"]["revised"]["label"] == "Due 31 Dec 2026"

    revised = api.post(
        f"{PLANS}{plan.pk}/revision/",
        {"quarter": "2026-Q4", "revised_on": "2026-11-20", "revision": "new_version",
         "file": pdf_upload("v2.pdf"), "revision_note": "New route", "version": 1},
        format="multipart",
    )  # fmt: skip
    assert revised.status_code == 200, revised.json()
    assert revised.json()["revision_document"] == PlanDocument.objects.get().pk

    with django_capture_on_commit_callbacks(execute=True):
        submitted = api.post(f"{PLANS}{plan.pk}/submit/", {"quarter": "2026-Q4"}, format="json")
    assert submitted.json()["status"]["submitted"]["state"] == "awaiting_opm"
    assert Notification.objects.filter(recipient=opm, kind="coop_submitted").count() == 1


def test_a_communication_in_the_future_is_400_and_nothing_saved(api, plan, area_admin):
    api.force_authenticate(area_admin)
    response = api.post(
        f"{PLANS}{plan.pk}/communication/",
        {
            "quarter": "2026-Q4",
            "communicated_on": "2026-11-30",
            "communication_channel": "email",
            "staff_count": 30,
            "communication_evidence": "Email",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"communicated_on": ["The date cannot be in the future."]}
    assert not QuarterlyDuties.objects.exists()
    bad_quarter = api.post(f"{PLANS}{plan.pk}/submit/", {"quarter": "Q4"}, format="json")
    assert bad_quarter.json() == {"quarter": ['Give a quarter as "2026-Q4".']}


def test_opm_lists_duties_by_region_and_quarter(
    api, personas, plan, other_plan, area_admin, other_admin, opm
):
    revise(plan, area_admin)
    revise(other_plan, other_admin)
    api.force_authenticate(opm)
    assert api.get(DUTIES).json()["count"] == 2
    region = api.get(DUTIES, {"region": personas.region.code, "quarter": "2026-Q4"}).json()
    assert [d["work_location_name"] for d in region["results"]] == ["Hartford Area Office"]
    assert api.get(DUTIES, {"quarter": "2026-Q3"}).json()["count"] == 0
    assert api.get(DUTIES, {"quarter": "nonsense"}).status_code == 400
    api.force_authenticate(personas.caseworker)
    assert [d["plan"] for d in api.get(DUTIES).json()["results"]] == [plan.pk]


def test_opm_returns_then_accepts(api, personas, plan, area_admin, opm):
    revise(plan, area_admin)
    duties = services.duties_submit(plan=plan, actor=area_admin, quarter=Q4)
    url = f"{DUTIES}{duties.pk}/"
    # The administrator, a reader, may not decide (403); someone out of reach gets 404.
    api.force_authenticate(area_admin)
    assert api.post(f"{url}accept/").status_code == 403
    api.force_authenticate(personas.other_caseworker)
    assert api.post(f"{url}accept/").status_code == 404
    assert api.get(url).status_code == 404

    api.force_authenticate(opm)
    empty = api.post(f"{url}return/", {"opm_comments": ""}, format="json")
    assert empty.status_code == 400 and "opm_comments" in empty.json()
    returned = api.post(f"{url}return/", {"opm_comments": "Update the alternates."})
    assert returned.status_code == 200
    assert returned.json()["status"]["submitted"]["state"] == "returned"
    assert returned.json()["returns"][0]["comments"] == "Update the alternates."
    assert api.post(f"{url}accept/").status_code == 400  # nothing awaits OPM now

    revise(plan, area_admin)
    services.duties_submit(plan=plan, actor=area_admin, quarter=Q4)
    stale = api.post(f"{url}accept/", {"version": 4}, format="json")  # read before the resubmission
    assert stale.status_code == 400 and "version" in stale.json()
    accepted = api.post(f"{url}accept/", {"version": 5}, format="json")
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["submission"] == "accepted"
    assert len(accepted.json()["returns"]) == 1


def test_the_plan_list_runs_a_fixed_number_of_queries(
    api, personas, opm, area_admin, django_assert_max_num_queries
):
    from tests.coop.factories import fill_plan, make_plan
    from tests.factories import make_location

    def add(n):
        for _ in range(n):
            fill_plan(make_plan(make_location(personas.region), area_admin))

    add(2)
    api.force_authenticate(opm)
    api.get(PLANS)
    with django_assert_max_num_queries(12) as first:
        api.get(PLANS)
    add(20)
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert api.get(PLANS).json()["count"] == 22
