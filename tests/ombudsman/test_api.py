"""The Ombudsman API (/api/ombudsman/inquiries/), through HTTP."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agency import clock
from agency.roles import Role
from ombudsman import services
from ombudsman.models import Inquiry, InquiryAttachment, InquiryEvent
from tests.casework.factories import make_case
from tests.factories import make_region, make_user
from tests.ombudsman.factories import make_inquiry, make_ombudsman

# A Monday, 10:00 Eastern: a routine inquiry is due Wednesday at 17:00.
NOW = "2026-11-23 10:00:00-05:00"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
LIST = reverse("ombudsman-inquiry-list")


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def staff(personas):
    return personas.ombudsman


@pytest.fixture
def lead(db):
    return make_ombudsman(lead=True)


@pytest.fixture
def commissioners_office(personas):
    return make_user(Role.COMMISSIONERS_OFFICE, location=personas.central)


@pytest.fixture
def as_staff(client, staff):
    client.force_login(staff)
    return client


def detail(inquiry, name="detail"):
    return reverse(f"ombudsman-inquiry-{name}", args=[inquiry.pk])


def new_body(**fields):
    return {
        "channel": "phone",
        "source_type": "foster_parent",
        "received_at": "2026-11-23T10:00:00-05:00",
        "subject": "No reply about respite care",
        "description": "The caller has asked the caseworker three times since October.",
        "urgency": "routine",
        "contact_name": "Dana Reyes",
        "contact_phone": "860-555-0142",
    } | fields


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def patch(client, url, body):
    return client.patch(url, body, content_type="application/json")


# --- recording an inquiry -------------------------------------------------------------------


def test_urls_are_under_api_ombudsman(db):
    assert LIST == "/api/ombudsman/inquiries/"
    assert reverse("ombudsman-inquiry-ingest-email") == "/api/ombudsman/inquiries/ingest-email/"
    assert reverse("ombudsman-inquiry-respond", args=[7]) == "/api/ombudsman/inquiries/7/respond/"


def test_create_returns_the_reference_due_time_with_offset_and_its_explanation(as_staff, staff):
    response = post(as_staff, LIST, new_body())

    assert response.status_code == 201, response.json()
    data = response.json()
    inquiry = Inquiry.objects.get()
    assert data["id"] == inquiry.pk
    assert data["reference"] == inquiry.reference
    assert data["reference"].startswith("OMB-2026-")
    assert data["initial_response_due_at"] == "2026-11-25T17:00:00-05:00"
    assert data["effective_received_at"] == "2026-11-23T10:00:00-05:00"
    assert data["sla_state"] == "on_track"
    assert data["sla_label"] == "On track"
    assert data["time_left"] == "2 business days 7 hours left"
    assert data["status"] == "new"
    assert data["version"] == 1
    assert data["assignee"] is None
    assert data["initial_response_at"] is None
    assert data["outcome"] == ""
    assert data["resolved_at"] is None
    explanation = data["due_explanation"]
    assert isinstance(explanation, list)
    assert all(isinstance(line, str) for line in explanation)
    assert "during business hours" in explanation[0]
    assert "Wednesday" in explanation[-1] and "17:00" in explanation[-1]
    assert inquiry.created_by == staff
    assert inquiry.events.get().kind == InquiryEvent.Kind.RECEIVED


def test_a_utc_time_received_is_answered_in_eastern_time(as_staff):
    response = post(as_staff, LIST, new_body(received_at="2026-11-20T23:30:00Z"))

    data = response.json()
    # Friday 18:30 Eastern: after hours, so received Monday 08:00; due Wednesday 17:00.
    assert data["received_at"] == "2026-11-20T18:30:00-05:00"
    assert data["effective_received_at"] == "2026-11-23T08:00:00-05:00"
    assert data["initial_response_due_at"] == "2026-11-25T17:00:00-05:00"
    assert any("at or after 17:00" in line for line in data["due_explanation"])


def test_an_immediate_inquiry_is_due_four_business_hours_later(as_staff):
    response = post(as_staff, LIST, new_body(urgency="immediate"))

    assert response.json()["initial_response_due_at"] == "2026-11-23T14:00:00-05:00"
    assert response.json()["sla_state"] == "due_today"


def test_create_without_the_required_fields_answers_a_field_map(as_staff):
    response = post(as_staff, LIST, {"channel": "pigeon", "subject": "x" * 201})

    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"channel", "source_type", "subject", "description"}
    assert all(isinstance(messages, list) for messages in errors.values())
    assert Inquiry.objects.count() == 0


def test_a_future_time_received_is_refused_by_the_service_as_a_field_error(as_staff):
    later = (clock.now() + timedelta(hours=1)).isoformat()

    response = post(as_staff, LIST, new_body(received_at=later))

    assert response.status_code == 400
    assert response.json() == {"received_at": ["The date received cannot be in the future."]}
    assert Inquiry.objects.count() == 0


def test_a_case_or_person_the_caller_may_not_see_is_refused(as_staff, personas):
    case = make_case(personas.unit, personas.caseworker)

    response = post(as_staff, LIST, new_body(case=case.pk, persons=[987654]))

    assert response.status_code == 400
    assert response.json()["case"] == ["No case you may see has this id."]
    assert response.json()["persons"] == ["Link only people on cases you may see."]
    assert Inquiry.objects.count() == 0


def test_create_with_attachments_in_multipart(client, staff):
    client.force_login(staff)
    body = new_body() | {
        "attachments": [SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf")]
    }

    response = client.post(LIST, body)

    assert response.status_code == 201, response.json()
    (attachment,) = response.json()["attachments"]
    assert attachment["name"] == "letter.pdf"
    assert attachment["content_type"] == "application/pdf"
    stored = InquiryAttachment.objects.get()
    assert stored.file.read() == PDF


def test_a_bad_attachment_stores_nothing(client, staff):
    client.force_login(staff)
    body = new_body() | {
        "attachments": [
            SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf"),
            SimpleUploadedFile("run.exe", b"MZ\x90\x00", content_type="application/x-msdownload"),
        ]
    }

    response = client.post(LIST, body)

    assert response.status_code == 400
    assert "run.exe" in response.json()["attachments"][0]
    assert Inquiry.objects.count() == 0
    assert InquiryAttachment.objects.count() == 0
    assert InquiryEvent.objects.count() == 0


# --- the queue ------------------------------------------------------------------------------


def test_list_filters_like_the_queue(as_staff, staff):
    region = make_region()
    mine = make_inquiry(subject="Visits with grandmother", region=region)
    other = make_inquiry(channel="letter", source_type="legislator", urgency="immediate")
    correspondence = make_inquiry(kind="commissioner_correspondence", channel="email")
    services.inquiry_assign(inquiry=mine, assignee=staff, actor=staff)

    def refs(query=""):
        response = as_staff.get(LIST + query)
        assert response.status_code == 200, response.json()
        return [row["reference"] for row in response.json()["results"]]

    assert refs("?view=mine") == [mine.reference]
    assert set(refs("?view=unassigned")) == {other.reference, correspondence.reference}
    assert refs("?urgency=immediate") == [other.reference]
    assert refs("?channel=letter") == [other.reference]
    assert refs("?source_type=legislator") == [other.reference]
    assert refs("?kind=commissioner_correspondence") == [correspondence.reference]
    assert refs(f"?region={region.pk}") == [mine.reference]
    assert refs(f"?assignee={staff.pk}") == [mine.reference]
    assert refs("?q=GRANDMOTHER") == [mine.reference]
    assert refs(f"?q={other.reference}") == [other.reference]
    assert refs("?status=assigned") == [mine.reference]
    assert refs("?sla=due_today") == [other.reference]  # immediate: due 14:00 today
    # Most urgent first by default; newest received first on request.
    assert refs()[0] == other.reference
    assert refs("?sort=reference") == sorted(refs())


def test_list_rows_carry_the_clock(as_staff):
    make_inquiry(received_at=clock.now() - timedelta(days=7))

    (row,) = as_staff.get(LIST).json()["results"]

    assert row["sla_state"] == "overdue"
    assert row["time_left"].startswith("overdue by")
    assert row["initial_response_due_at"].endswith("-05:00")


def test_resolved_inquiries_are_listed_only_when_asked_for(as_staff, staff):
    done = make_inquiry()
    services.inquiry_respond(inquiry=done, actor=staff, method="phone", summary="Called back.")
    services.inquiry_resolve(inquiry=done, actor=staff, outcome="referred", summary="To DSS.")

    assert as_staff.get(LIST).json()["count"] == 0
    assert as_staff.get(LIST + "?include_closed=true").json()["count"] == 1
    assert as_staff.get(LIST + "?status=resolved").json()["count"] == 1
    assert as_staff.get(LIST + "?sla=met&include_closed=1").json()["count"] == 1


def test_unknown_filter_values_answer_a_field_map(as_staff):
    response = as_staff.get(LIST + "?status=lost&sla=late&view=theirs&region=north&sort=x")

    assert response.status_code == 400
    assert set(response.json()) == {"status", "sla", "view", "region", "sort"}


def _bulk_inquiries(template: Inquiry, count: int) -> None:
    """`count` copies of `template` (bulk_create: no service, for speed)."""
    start = Inquiry.objects.count()
    rows = []
    for n in range(start, start + count):
        row = Inquiry(
            **{
                field.attname: getattr(template, field.attname)
                for field in Inquiry._meta.concrete_fields
                if not field.primary_key
            }
        )
        row.reference = f"OMB-BULK-{n:06d}"
        row.initial_response_due_at = template.initial_response_due_at + timedelta(minutes=n)
        rows.append(row)
    Inquiry.objects.bulk_create(rows, batch_size=500)


@pytest.mark.parametrize("query", ["", "?view=unassigned&sla=on_track&q=visits&sort=-due"])
def test_list_query_count_does_not_grow_with_the_queue(
    as_staff, staff, django_assert_max_num_queries, query
):
    template = make_inquiry()
    _bulk_inquiries(template, 9)
    as_staff.get(LIST + query)  # the first request of a session loads it once
    with django_assert_max_num_queries(50) as few:
        assert as_staff.get(LIST + query).json()["count"] == 10
    _bulk_inquiries(template, 990)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = as_staff.get(LIST + query)
    assert response.json()["count"] == 1000
    assert len(response.json()["results"]) == 25
    assert len(many.captured_queries) == len(few.captured_queries)


# --- one inquiry ----------------------------------------------------------------------------


def test_retrieve_has_the_explanation_people_and_attachments(as_staff):
    inquiry = make_inquiry()

    data = as_staff.get(detail(inquiry)).json()

    assert data["reference"] == inquiry.reference
    assert data["persons"] == [] and data["attachments"] == []
    assert data["due_explanation"]


def test_patch_changes_details_and_recomputes_the_due_time(as_staff, staff):
    inquiry = make_inquiry()

    response = patch(
        as_staff,
        detail(inquiry),
        {"version": 1, "urgency": "immediate", "contact_email": "dana@example.org"},
    )

    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["version"] == 2
    assert data["urgency"] == "immediate"
    assert data["contact_email"] == "dana@example.org"
    assert data["initial_response_due_at"] == "2026-11-23T14:00:00-05:00"
    assert "4 business hours" in data["due_explanation"][0]
    kinds = set(inquiry.events.values_list("kind", flat=True))
    assert {InquiryEvent.Kind.URGENCY, InquiryEvent.Kind.EDITED} <= kinds


def test_patch_on_a_stale_version_is_refused(as_staff, staff):
    inquiry = make_inquiry()
    assert patch(as_staff, detail(inquiry), {"version": 1, "subject": "First"}).status_code == 200

    response = patch(as_staff, detail(inquiry), {"version": 1, "subject": "Second"})

    assert response.status_code == 400
    assert list(response.json()) == ["version"]
    assert "Someone else changed this inquiry" in response.json()["version"][0]
    inquiry.refresh_from_db()
    assert (inquiry.subject, inquiry.version) == ("First", 2)


def test_patch_needs_the_version(as_staff):
    inquiry = make_inquiry()

    response = patch(as_staff, detail(inquiry), {"subject": "Changed"})

    assert response.status_code == 400
    assert list(response.json()) == ["version"]
    inquiry.refresh_from_db()
    assert inquiry.subject != "Changed"


def test_patch_with_bad_values_answers_a_field_map(as_staff):
    inquiry = make_inquiry()

    response = patch(
        as_staff, detail(inquiry), {"version": 1, "subject": "  ", "urgency": "whenever"}
    )

    assert response.status_code == 400
    assert set(response.json()) == {"subject", "urgency"}


def test_put_and_delete_are_not_offered(as_staff):
    inquiry = make_inquiry()

    assert as_staff.put(detail(inquiry), {}, content_type="application/json").status_code == 405
    assert as_staff.delete(detail(inquiry)).status_code == 405
    assert Inquiry.objects.filter(pk=inquiry.pk).exists()


# --- the work -------------------------------------------------------------------------------


def test_a_day_of_work_through_the_api(as_staff, staff, lead, client):
    inquiry = make_inquiry()

    taken = post(as_staff, detail(inquiry, "assign"), {"assignee": staff.pk, "version": 1})
    assert taken.status_code == 200, taken.json()
    assert (taken.json()["status"], taken.json()["assignee"]) == ("assigned", staff.pk)
    assert taken.json()["assignee_name"] == staff.get_full_name()

    answered = post(
        as_staff,
        detail(inquiry, "respond"),
        {"method": "phone", "summary": "Called the foster parent back."},
    )
    assert answered.status_code == 200, answered.json()
    data = answered.json()
    assert data["status"] == "initial_response_sent"
    assert data["sla_state"] == "met"
    assert data["time_left"] == ""
    assert data["initial_response_method"] == "phone"
    assert data["initial_response_by"] == staff.pk
    assert data["initial_response_at"] == "2026-11-23T10:00:00-05:00"

    logged = post(
        as_staff,
        detail(inquiry, "log"),
        {"kind": "referral", "summary": "Respite list sent.", "party": "Regional office"},
    )
    assert logged.status_code == 201, logged.json()
    assert logged.json()["kind"] == "referral"
    assert logged.json()["party"] == "Regional office"

    resolved = post(
        as_staff,
        detail(inquiry, "resolve"),
        {"outcome": "resolved_with_agency", "summary": "Respite arranged."},
    )
    assert resolved.status_code == 200, resolved.json()
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["outcome"] == "resolved_with_agency"

    closed = post(as_staff, detail(inquiry, "close"))
    assert (closed.status_code, closed.json()["status"]) == (200, "closed")

    reopened = post(as_staff, detail(inquiry, "reopen"), {"reason": "The respite fell through."})
    assert reopened.status_code == 200, reopened.json()
    assert reopened.json()["status"] == "in_progress"

    timeline = as_staff.get(detail(inquiry, "timeline")).json()
    assert [event["kind"] for event in timeline] == [
        "reopened", "closed", "resolved", "referral", "initial_response", "assigned", "received",
    ]  # fmt: skip
    assert timeline[0]["summary"] == "The respite fell through."
    assert timeline[0]["actor_name"] == staff.get_full_name()


def test_staff_take_inquiries_but_only_the_lead_assigns_others(client, staff, lead):
    inquiry = make_inquiry()
    colleague = make_ombudsman()
    client.force_login(staff)

    refused = post(client, detail(inquiry, "assign"), {"assignee": colleague.pk})

    assert refused.status_code == 400
    assert "Only the Ombudsman lead" in refused.json()["assignee"][0]
    client.force_login(lead)
    assigned = post(client, detail(inquiry, "assign"), {"assignee": colleague.pk})
    assert assigned.json()["assignee"] == colleague.pk


def test_assigning_someone_outside_the_office_is_refused(as_staff, personas):
    inquiry = make_inquiry()

    response = post(as_staff, detail(inquiry, "assign"), {"assignee": personas.caseworker.pk})

    assert response.status_code == 400
    assert response.json() == {"assignee": ["Assign inquiries to Ombudsman staff only."]}


def test_actions_on_a_stale_version_are_refused(as_staff, staff):
    inquiry = make_inquiry()
    post(as_staff, detail(inquiry, "assign"), {"assignee": staff.pk})

    response = post(
        as_staff,
        detail(inquiry, "respond"),
        {"method": "email", "summary": "Wrote back.", "version": 1},
    )

    assert response.status_code == 400
    assert list(response.json()) == ["version"]
    inquiry.refresh_from_db()
    assert inquiry.initial_response_at is None


@pytest.mark.parametrize(
    ("action", "body", "fields"),
    [
        ("respond", {"method": "pigeon", "summary": ""}, {"method", "summary"}),
        ("respond", {"method": "phone", "summary": "x", "responded_at": "2030-01-01T00:00Z"},
         {"responded_at"}),
        ("resolve", {"outcome": "referred", "summary": "Done."}, {"initial_response_at"}),
        ("reopen", {"reason": "Again."}, {"status"}),
        ("close", {}, {"status"}),
        ("log", {"kind": "contact", "summary": "Called."}, {"method"}),
        ("log", {"kind": "received", "summary": ""}, {"kind", "summary"}),
        ("refer-to-hr", {"notes": "Sent to HR."}, {"retaliation_alleged"}),
    ],
)  # fmt: skip
def test_refused_actions_answer_a_field_map(as_staff, action, body, fields):
    inquiry = make_inquiry()

    response = post(as_staff, detail(inquiry, action), body)

    assert response.status_code == 400
    assert set(response.json()) == fields
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.version) == ("new", 1)


def test_retaliation_is_referred_to_hr(as_staff):
    inquiry = make_inquiry(retaliation_alleged=True)

    response = post(as_staff, detail(inquiry, "refer-to-hr"), {"notes": "Sent to J. Moss, HR."})

    assert response.status_code == 200, response.json()
    assert response.json()["hr_referred_at"] == "2026-11-23T10:00:00-05:00"
    assert response.json()["hr_referral_notes"] == "Sent to J. Moss, HR."


# --- who may call what ----------------------------------------------------------------------


def endpoints(inquiry):
    """(method, URL, body, writes) of every endpoint; `writes` is False for reads."""
    return [
        ("get", LIST, None, False),
        ("post", LIST, new_body(), True),
        ("post", reverse("ombudsman-inquiry-ingest-email"), None, True),
        ("get", detail(inquiry), None, False),
        ("patch", detail(inquiry), {"version": 1, "subject": "Changed"}, True),
        ("get", detail(inquiry, "timeline"), None, False),
        ("post", detail(inquiry, "assign"), {"assignee": 1}, True),
        ("post", detail(inquiry, "respond"), {"method": "phone", "summary": "x"}, True),
        ("post", detail(inquiry, "log"), {"kind": "note", "summary": "x"}, True),
        ("post", detail(inquiry, "refer-to-hr"), {"notes": "x"}, True),
        ("post", detail(inquiry, "resolve"), {"outcome": "other", "summary": "x"}, True),
        ("post", detail(inquiry, "close"), {}, True),
        ("post", detail(inquiry, "reopen"), {"reason": "x"}, True),
    ]


def call(client, method, url, body):
    if method == "get":
        return client.get(url)
    if url == reverse("ombudsman-inquiry-ingest-email"):
        return client.post(url, b"From: a@example.org\n\nHello", content_type="message/rfc822")
    return getattr(client, method)(url, body or {}, content_type="application/json")


def assert_untouched(inquiry, count=1):
    assert Inquiry.objects.count() == count
    inquiry.refresh_from_db()
    assert (inquiry.version, inquiry.status, inquiry.subject) == (1, "new", "Confidential")
    assert inquiry.events.count() == 1


def test_anonymous_and_role_less_callers_get_403_everywhere(client, personas):
    inquiry = make_inquiry(subject="Confidential")
    for user in (None, personas.outsider):
        if user:
            client.force_login(user)
        for method, url, body, _ in endpoints(inquiry):
            response = call(client, method, url, body)
            assert response.status_code == 403, (user, method, url)
            assert "Confidential" not in response.text
    assert_untouched(inquiry)


@pytest.mark.parametrize(
    "role", [Role.CASEWORKER, Role.SUPERVISOR, Role.QUALITY_REVIEWER, Role.SYSTEM_ADMINISTRATOR]
)
def test_other_roles_get_403_on_the_queue_and_404_on_any_inquiry(client, personas, role):
    inquiry = make_inquiry(subject="Confidential")
    client.force_login(make_user(role, location=personas.office))

    for method, url, body, _ in endpoints(inquiry):
        response = call(client, method, url, body)
        expected = 404 if f"/{inquiry.pk}/" in url else 403
        assert response.status_code == expected, (method, url, response.status_code)
        assert "Confidential" not in response.text
    assert_untouched(inquiry)


def test_commissioners_office_reads_its_correspondence_only_and_changes_nothing(
    client, commissioners_office
):
    theirs = make_inquiry(kind="commissioner_correspondence", subject="Confidential")
    other = make_inquiry(subject="Confidential")
    client.force_login(commissioners_office)

    listed = client.get(LIST + "?view=all").json()
    assert [row["id"] for row in listed["results"]] == [theirs.pk]
    for method, url, body, writes in endpoints(other):
        response = call(client, method, url, body)
        if f"/{other.pk}/" in url:
            assert response.status_code == 404, (method, url)
        else:
            assert response.status_code == (403 if writes else 200), (method, url)
    for method, url, body, writes in endpoints(theirs):
        if f"/{theirs.pk}/" not in url:
            continue
        response = call(client, method, url, body)
        assert response.status_code == (403 if writes else 200), (method, url)
    assert Inquiry.objects.count() == 2
    for inquiry in (theirs, other):
        inquiry.refresh_from_db()
        assert (inquiry.version, inquiry.status) == (1, "new")


def test_a_missing_or_malformed_id_is_404(as_staff):
    assert as_staff.get("/api/ombudsman/inquiries/987654/").status_code == 404
    assert post(as_staff, "/api/ombudsman/inquiries/987654/close/").status_code == 404


def test_the_lead_and_a_superuser_work_inquiries(client, lead):
    for user in (lead, make_user(is_superuser=True)):
        client.force_login(user)
        assert post(client, LIST, new_body()).status_code == 201
    assert Inquiry.objects.count() == 2
