"""The inquiry pages, through HTTP: who may open them, what each action does, and how a
refused action keeps what the user typed (the queue is in test_queue.py)."""

import html
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from guardian.shortcuts import assign_perm

from agency import clock
from agency.models import Notification
from agency.roles import Role
from ombudsman import services
from ombudsman.models import Consultation, Inquiry, InquiryAttachment, InquiryEvent
from tests.casework.factories import make_case
from tests.factories import make_user
from tests.ombudsman.factories import make_inquiry, make_ombudsman

NOW = "2026-11-23 10:00:00-05:00"  # a Monday morning


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def staff(personas):
    return personas.ombudsman


@pytest.fixture
def lead(personas):
    return make_ombudsman(lead=True, location=personas.central, username="lead")


@pytest.fixture
def commissioner(personas):
    return make_user(Role.COMMISSIONERS_OFFICE, location=personas.central, username="cco")


@pytest.fixture
def inquiry(staff, now):
    return make_inquiry(
        actor=staff,
        contact_name="Dana Whitfield",
        subject="Visits with my grandson",
        retaliation_alleged=True,
    )


@pytest.fixture
def correspondence(staff, now):
    return make_inquiry(
        actor=staff,
        kind=Inquiry.Kind.COMMISSIONER_CORRESPONDENCE,
        source_type=Inquiry.SourceType.LEGISLATOR,
        subject="Senator asks about respite care",
    )


def pdf(
    name: str = "letter.pdf", body: bytes = b"%PDF-1.4 the scanned letter"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def main_text(response) -> str:
    """The visible text of the page's <main>, with whitespace collapsed."""
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    text = re.sub(r"<[^>]+>", " ", main)
    return re.sub(r"\s+", " ", text).replace("&#x27;", "'").replace("&quot;", '"')


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- who may open what -----------------------------------------------------------------------


ACTIONS = [
    "inquiry_take",
    "inquiry_assign",
    "inquiry_respond",
    "inquiry_log",
    "inquiry_consult",
    "inquiry_hr_referral",
    "inquiry_resolve",
    "inquiry_close",
    "inquiry_reopen",
    "inquiry_attachment",
]


def inquiry_pages(inquiry, attachment):
    """(URL, method) of every page about one inquiry."""
    return [
        (reverse("ombudsman:inquiry", args=[inquiry.pk]), "get"),
        (reverse("ombudsman:inquiry_edit", args=[inquiry.pk]), "get"),
        (reverse("ombudsman:inquiry_edit", args=[inquiry.pk]), "post"),
        (reverse("ombudsman:attachment", args=[inquiry.pk, attachment.pk]), "get"),
        *((reverse(f"ombudsman:{name}", args=[inquiry.pk]), "post") for name in ACTIONS),
    ]


@pytest.fixture
def attachment(inquiry, staff):
    return services.attachment_add(inquiry=inquiry, actor=staff, upload=pdf())


def test_anonymous_is_sent_to_log_in_from_every_page(client, inquiry, attachment):
    urls = [
        *inquiry_pages(inquiry, attachment),
        (reverse("ombudsman:inquiry_new"), "get"),
        (reverse("ombudsman:inquiry_new"), "post"),
        (reverse("ombudsman:consultations"), "get"),
    ]
    for url, method in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302, (url, method)
        assert response["Location"].startswith("/accounts/login/"), url


@pytest.mark.parametrize("who", ["outsider", "caseworker", "supervisor"])
def test_other_staff_get_404_for_every_inquiry_page(client, personas, inquiry, attachment, who):
    client.force_login(getattr(personas, who))
    for url, method in inquiry_pages(inquiry, attachment):
        assert getattr(client, method)(url).status_code == 404, (url, method)
    assert client.get(reverse("ombudsman:inquiry_new")).status_code == 403
    inquiry.refresh_from_db()
    assert inquiry.assignee is None and inquiry.version == 2  # the attachment's bump only


def test_a_missing_inquiry_is_404_for_the_office_too(client, staff, inquiry):
    client.force_login(staff)
    assert client.get(reverse("ombudsman:inquiry", args=[inquiry.pk + 999])).status_code == 404


def test_commissioners_office_gets_404_for_other_inquiries(
    client, commissioner, inquiry, attachment
):
    client.force_login(commissioner)
    for url, method in inquiry_pages(inquiry, attachment):
        assert getattr(client, method)(url).status_code == 404, (url, method)


def test_commissioners_office_reads_its_correspondence_and_cannot_act(
    client, commissioner, staff, correspondence
):
    letter = services.attachment_add(inquiry=correspondence, actor=staff, upload=pdf("senator.pdf"))
    client.force_login(commissioner)

    page = client.get(reverse("ombudsman:inquiry", args=[correspondence.pk]))
    download = client.get(reverse("ombudsman:attachment", args=[correspondence.pk, letter.pk]))

    assert page.status_code == 200
    text = main_text(page)
    assert "Senator asks about respite care" in text
    assert "You can read this correspondence" in text
    assert "Work on this inquiry" not in text and "Edit details" not in text
    assert 'action="/ombudsman/inquiries/' not in page.content.decode()
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    for name in ACTIONS:
        url = reverse(f"ombudsman:{name}", args=[correspondence.pk])
        assert client.post(url, {"respond-method": "phone"}).status_code == 403, name
    edit = reverse("ombudsman:inquiry_edit", args=[correspondence.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"subject": "Changed"}).status_code == 403
    assert client.get(reverse("ombudsman:inquiry_new")).status_code == 403
    correspondence.refresh_from_db()
    assert correspondence.subject == "Senator asks about respite care"
    assert correspondence.assignee is None


def test_actions_refuse_get(client, staff, inquiry):
    client.force_login(staff)
    for name in ACTIONS:
        assert client.get(reverse(f"ombudsman:{name}", args=[inquiry.pk])).status_code == 405


# --- the inquiry page ------------------------------------------------------------------------


def test_inquiry_page_explains_the_due_time_and_shows_the_timeline(client, staff, inquiry):
    client.force_login(staff)

    response = client.get(reverse("ombudsman:inquiry", args=[inquiry.pk]))

    assert response.status_code == 200
    text = main_text(response)
    assert f"{inquiry.reference}: Visits with my grandson" in text
    assert "Due Wed 25 Nov 2026, 17:00" in text
    assert "On track" in text and "hearth-sla--on_track" in response.content.decode()
    # The step-by-step explanation from the service.
    for step in services.due_explanation(inquiry):
        assert step in text
    assert "Tuesday 24 November 2026 is business day 1." in text
    # Timeline with its actor; the retaliation allegation is flagged.
    assert "Inquiry received by phone from client." in text
    assert staff.get_full_name() in text
    assert "It has not yet been referred to Human Resource Management." in text
    assert "Dana Whitfield" in text


def test_inquiry_page_runs_a_fixed_number_of_queries(
    client, staff, inquiry, django_assert_max_num_queries
):
    client.force_login(staff)
    url = reverse("ombudsman:inquiry", args=[inquiry.pk])
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for n in range(5):
        services.inquiry_log(
            inquiry=inquiry, actor=staff, kind="note", summary=f"Note {n}", occurred_at=None
        )
        services.attachment_add(inquiry=inquiry, actor=staff, upload=pdf(f"scan{n}.pdf"))
        services.consultation_request(
            inquiry=inquiry,
            actor=staff,
            consulted=make_user(Role.CASEWORKER),
            question=f"Question {n}",
        )
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert "Note 4" in main_text(response) and "scan4.pdf" in main_text(response)


# --- taking and assigning --------------------------------------------------------------------


def test_staff_take_an_inquiry(client, staff, inquiry):
    client.force_login(staff)

    response = client.post(reverse("ombudsman:inquiry_take", args=[inquiry.pk]), follow=True)

    inquiry.refresh_from_db()
    assert inquiry.assignee == staff and inquiry.status == Inquiry.Status.ASSIGNED
    assert f"{inquiry.reference} is now assigned to you." in messages_of(response)
    assert "Assign to me" not in main_text(response)


def test_only_the_lead_is_offered_to_take_over_a_colleagues_inquiry(client, staff, lead, inquiry):
    colleague = make_ombudsman()
    services.inquiry_assign(inquiry=inquiry, assignee=colleague, actor=lead)
    url = reverse("ombudsman:inquiry", args=[inquiry.pk])

    client.force_login(staff)
    staff_page = main_text(client.get(url))
    client.force_login(lead)
    lead_page = main_text(client.get(url))

    assert "Assign to me" not in staff_page and "Assign or reassign" not in staff_page
    assert "Assign to me" in lead_page and "Assign or reassign" in lead_page


def test_staff_cannot_assign_to_others(client, staff, inquiry, lead):
    client.force_login(staff)
    url = reverse("ombudsman:inquiry_assign", args=[inquiry.pk])

    response = client.post(url, {"assign-assignee": lead.pk})

    assert response.status_code == 403
    inquiry.refresh_from_db()
    assert inquiry.assignee is None


def test_lead_assigns_and_the_assignee_is_notified(client, lead, staff, inquiry):
    client.force_login(lead)
    url = reverse("ombudsman:inquiry_assign", args=[inquiry.pk])

    missing = client.post(url, {})
    not_staff = client.post(url, {"assign-assignee": make_user(Role.CASEWORKER).pk})
    done = client.post(url, {"assign-assignee": staff.pk}, follow=True)

    assert missing.status_code == 200
    assert "Choose whom to assign it to." in main_text(missing)
    assert "Select a valid choice" in main_text(not_staff)
    inquiry.refresh_from_db()
    assert inquiry.assignee == staff
    assert f"{inquiry.reference} assigned to {staff.get_full_name()}." in messages_of(done)
    assert Notification.objects.filter(recipient=staff, kind="ombudsman_assigned").count() == 1


# --- the initial response --------------------------------------------------------------------


def test_logging_the_initial_response_stops_the_clock(client, staff, inquiry, time_machine):
    time_machine.move_to("2026-11-24 09:30:00-05:00", tick=False)  # the next morning
    client.force_login(staff)
    url = reverse("ombudsman:inquiry_respond", args=[inquiry.pk])

    response = client.post(
        url, {"respond-method": "phone", "respond-summary": "Explained the visit schedule."},
        follow=True,
    )  # fmt: skip

    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.RESPONDED
    assert inquiry.initial_response_by == staff and inquiry.assignee == staff
    assert "Initial response logged: within the deadline of Wed 25 Nov 2026, 17:00." in messages_of(
        response
    )
    html = response.content.decode()
    assert "hearth-sla--met" in html and ">Met</span>" in html
    assert "Explained the visit schedule." in main_text(response)
    assert "Log the initial response" not in main_text(response)


def test_initial_response_errors_keep_what_was_typed(client, staff, inquiry):
    client.force_login(staff)
    url = reverse("ombudsman:inquiry_respond", args=[inquiry.pk])

    blank = client.post(url, {"respond-summary": "Called back, left details."})
    future = client.post(
        url,
        {
            "respond-method": "email",
            "respond-responded_at": "2026-11-23T15:00",
            "respond-summary": "Wrote back.",
        },
    )
    before = client.post(
        url,
        {
            "respond-method": "email",
            "respond-responded_at": "2026-11-20T15:00",
            "respond-summary": "Wrote back.",
        },
    )

    assert blank.status_code == 200
    assert "Choose how the inquirer was answered." in main_text(blank)
    assert "Called back, left details." in blank.content.decode()  # kept
    assert 'id="action-respond" open' in blank.content.decode()
    assert "The response cannot be in the future." in main_text(future)
    assert "The response cannot come before the inquiry was received." in main_text(before)
    inquiry.refresh_from_db()
    assert inquiry.initial_response_at is None


# --- contacts, consultations, HR -------------------------------------------------------------


def test_log_a_contact_a_referral_and_a_note(client, staff, inquiry):
    client.force_login(staff)
    url = reverse("ombudsman:inquiry_log", args=[inquiry.pk])

    no_method = client.post(url, {"log-kind": "contact", "log-summary": "Spoke again."})
    no_party = client.post(url, {"log-kind": "referral", "log-summary": "Sent on."})
    no_summary = client.post(url, {"log-kind": "note"})
    referral = client.post(
        url,
        {"log-kind": "referral", "log-party": "Legal aid", "log-summary": "Gave the number."},
        follow=True,
    )

    assert "Choose how the contact happened." in main_text(no_method)
    assert "Say where the inquirer was referred." in main_text(no_party)
    assert "Say what happened." in main_text(no_summary)
    assert "Referral logged." in messages_of(referral)
    event = inquiry.events.get(kind=InquiryEvent.Kind.REFERRAL)
    assert (event.party, event.actor) == ("Legal aid", staff)
    assert "Referral: Legal aid" in main_text(referral)


def test_consult_agency_staff(client, staff, inquiry, personas, lead):
    client.force_login(staff)
    url = reverse("ombudsman:inquiry_consult", args=[inquiry.pk])

    office_member = client.post(url, {"consult-consulted": lead.pk, "consult-question": "?"})
    no_question = client.post(url, {"consult-consulted": personas.supervisor.pk})
    done = client.post(
        url,
        {"consult-consulted": personas.supervisor.pk, "consult-question": "When is the visit?"},
        follow=True,
    )

    assert "Select a valid choice" in main_text(office_member)
    assert "Ask your question." in main_text(no_question)
    consultation = Consultation.objects.get(inquiry=inquiry)
    assert consultation.consulted == personas.supervisor
    assert any(m.startswith("Question sent to") for m in messages_of(done))
    assert "When is the visit?" in main_text(done) and "No answer yet." in main_text(done)
    assert Notification.objects.filter(
        recipient=personas.supervisor, kind="ombudsman_consultation"
    ).exists()


def test_refer_a_retaliation_allegation_to_hr(client, staff, inquiry):
    client.force_login(staff)
    url = reverse("ombudsman:inquiry_hr_referral", args=[inquiry.pk])

    blank = client.post(url, {})
    done = client.post(url, {"hr-referral-notes": "Emailed J. Ortiz at HRM."}, follow=True)
    again = client.post(url, {"hr-referral-notes": "Twice."}, follow=True)

    assert "Say who at HR received the referral and how." in main_text(blank)
    inquiry.refresh_from_db()
    assert inquiry.hr_referred_at is not None
    assert "Referral to Human Resource Management recorded." in messages_of(done)
    assert "Referred to Human Resource Management on" in main_text(done)
    assert "That action no longer applies to this inquiry." in messages_of(again)
    assert inquiry.events.filter(kind=InquiryEvent.Kind.HR_REFERRAL).count() == 1


def test_no_hr_referral_without_an_allegation(client, staff, now):
    plain = make_inquiry(actor=staff)
    client.force_login(staff)

    page = client.get(reverse("ombudsman:inquiry", args=[plain.pk]))
    response = client.post(
        reverse("ombudsman:inquiry_hr_referral", args=[plain.pk]),
        {"hr-referral-notes": "x"},
        follow=True,
    )

    assert "Record the referral to Human Resource Management" not in main_text(page)
    assert "That action no longer applies to this inquiry." in messages_of(response)
    plain.refresh_from_db()
    assert plain.hr_referred_at is None


# --- resolution ------------------------------------------------------------------------------


def test_resolve_close_and_reopen(client, staff, inquiry):
    client.force_login(staff)
    resolve = reverse("ombudsman:inquiry_resolve", args=[inquiry.pk])

    # Not before the initial response: the form is not offered.
    early = client.post(
        resolve, {"resolve-outcome": "referred", "resolve-summary": "x"}, follow=True
    )
    assert "That action no longer applies to this inquiry." in messages_of(early)
    services.inquiry_respond(inquiry=inquiry, actor=staff, method="phone", summary="Called.")

    no_outcome = client.post(resolve, {"resolve-summary": "Visits restored."})
    resolved = client.post(
        resolve,
        {"resolve-outcome": "resolved_with_agency", "resolve-summary": "Visits restored."},
        follow=True,
    )
    closed = client.post(reverse("ombudsman:inquiry_close", args=[inquiry.pk]), follow=True)
    reopen = reverse("ombudsman:inquiry_reopen", args=[inquiry.pk])
    no_reason = client.post(reopen, {})
    reopened = client.post(reopen, {"reopen-reason": "Visits stopped again."}, follow=True)

    assert "Choose the outcome." in main_text(no_outcome)
    assert "Visits restored." in no_outcome.content.decode()
    assert f"{inquiry.reference} resolved: resolved with agency staff." in messages_of(resolved)
    assert f"{inquiry.reference} closed." in messages_of(closed)
    assert "Say why the inquiry is reopened." in main_text(no_reason)
    assert f"{inquiry.reference} reopened; it is in progress again." in messages_of(reopened)
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.IN_PROGRESS and inquiry.closed_at is None
    kinds = list(inquiry.events.values_list("kind", flat=True))
    assert {"resolved", "closed", "reopened"} <= set(kinds)
    assert "Visits stopped again." in main_text(reopened)


# --- attachments -----------------------------------------------------------------------------


def test_add_and_download_an_attachment(client, staff, inquiry, lead, personas):
    client.force_login(staff)
    url = reverse("ombudsman:inquiry_attachment", args=[inquiry.pk])

    nothing = client.post(url, {})
    wrong = client.post(
        url,
        {"attachment-file": SimpleUploadedFile("run.exe", b"MZ", "application/x-msdownload")},
    )
    added = client.post(url, {"attachment-file": pdf("fax.pdf")}, follow=True)

    assert "Choose a file to add." in main_text(nothing)
    assert "run.exe: files of this type are not accepted" in main_text(wrong)
    assert "fax.pdf added." in messages_of(added)
    attachment = InquiryAttachment.objects.get(inquiry=inquiry, name="fax.pdf")
    download = reverse("ombudsman:attachment", args=[inquiry.pk, attachment.pk])
    assert download in added.content.decode()
    assert settings_media_url_not_used(added)

    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="fax.pdf"')
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 the scanned letter"

    # Another inquiry's id with this attachment: 404.
    other = make_inquiry(actor=staff)
    assert (
        client.get(reverse("ombudsman:attachment", args=[other.pk, attachment.pk])).status_code
        == 404
    )
    client.force_login(lead)
    assert client.get(download).status_code == 200
    client.force_login(personas.caseworker)
    assert client.get(download).status_code == 404


def settings_media_url_not_used(response) -> bool:
    """No link to the file's storage path: files are only served through the view."""
    return "/media/" not in response.content.decode()


# --- recording an inquiry --------------------------------------------------------------------


def test_record_an_inquiry_with_the_quick_fields(client, staff, now):
    client.force_login(staff)
    url = reverse("ombudsman:inquiry_new")

    form = client.get(url)
    response = client.post(
        url,
        {
            "channel": "phone",
            "source_type": "foster_parent",
            "received_at": "2026-11-23T09:40",
            "urgency": "routine",
            "subject": "Clothing allowance",
            "description": "Asks when the clothing allowance will be paid.",
            "kind": "inquiry",
            "scope": "case_related",
        },
        follow=True,
    )

    assert 'value="2026-11-23T10:00"' in form.content.decode()  # received: now
    inquiry = Inquiry.objects.get(subject="Clothing allowance")
    assert response.redirect_chain[-1][0] == reverse("ombudsman:inquiry", args=[inquiry.pk])
    assert (
        f"Inquiry {inquiry.reference} recorded. Initial response due Wed 25 Nov 2026, 17:00."
        in messages_of(response)
    )
    assert inquiry.created_by == staff and inquiry.channel == "phone"
    assert inquiry.contact_name == "" and inquiry.case is None


def test_record_an_inquiry_with_details_and_attachments(client, staff, personas, now):
    case = make_case(personas.unit, personas.caseworker)
    assign_perm("casework.view_case", staff, case)  # shared with the Ombudsman
    client.force_login(staff)

    response = client.post(
        reverse("ombudsman:inquiry_new"),
        {
            "channel": "letter",
            "source_type": "legislator",
            "received_at": "2026-11-21T11:00",  # a Saturday: counts from Monday 08:00
            "urgency": "immediate",
            "subject": "Constituent's placement",
            "description": "The senator forwards a constituent's letter.",
            "contact_name": "Sen. Alvarez",
            "contact_organization": "State Senate",
            "contact_email": "alvarez@senate.example",
            "kind": "commissioner_correspondence",
            "scope": "systemic",
            "region": personas.region.pk,
            "work_location": personas.office.pk,
            "case_number": case.number.lower(),
            "retaliation_alleged": "on",
            "attachments": [pdf("letter.pdf"), pdf("envelope.pdf", b"%PDF envelope")],
        },
        follow=True,
    )

    inquiry = Inquiry.objects.get(subject="Constituent's placement")
    assert response.status_code == 200
    assert (inquiry.case, inquiry.region, inquiry.work_location) == (
        case,
        personas.region,
        personas.office,
    )
    assert inquiry.retaliation_alleged and inquiry.urgency == "immediate"
    assert inquiry.kind == "commissioner_correspondence" and inquiry.scope == "systemic"
    assert sorted(inquiry.attachments.values_list("name", flat=True)) == [
        "envelope.pdf",
        "letter.pdf",
    ]
    # Immediate: four business hours after Monday 08:00.
    assert "Initial response due Mon 23 Nov 2026, 12:00." in " ".join(messages_of(response))


def test_intake_errors_are_beside_the_fields_and_nothing_is_saved(client, staff, personas, now):
    hidden_case = make_case(personas.other_unit, personas.other_caseworker)
    client.force_login(staff)

    response = client.post(
        reverse("ombudsman:inquiry_new"),
        {
            "channel": "fax",
            "source_type": "",
            "received_at": "2026-11-24T09:00",
            "urgency": "routine",
            "subject": "Fax about a home visit",
            "description": "",
            "kind": "inquiry",
            "scope": "case_related",
            "case_number": hidden_case.number,
            "attachments": [pdf()],
        },
    )
    future = client.post(
        reverse("ombudsman:inquiry_new"),
        {
            "channel": "fax",
            "source_type": "provider",
            "received_at": "2026-11-24T09:00",
            "urgency": "routine",
            "subject": "Fax about a home visit",
            "description": "Tomorrow's fax.",
            "kind": "inquiry",
            "scope": "case_related",
        },
    )

    assert response.status_code == 200
    text = main_text(response)
    assert "This field is required." in text
    assert "No case you may see has this number." in text
    assert "Choose the files again" in text
    assert 'value="Fax about a home visit"' in response.content.decode()
    assert "The date received cannot be in the future." in main_text(future)
    assert 'value="Tomorrow' not in future.content.decode()  # a textarea keeps it instead
    assert "Tomorrow's fax." in html.unescape(future.content.decode())
    assert not Inquiry.objects.exists()
    assert not InquiryAttachment.objects.exists()


def test_intake_refuses_a_forbidden_attachment_and_saves_nothing(client, staff, now):
    client.force_login(staff)

    response = client.post(
        reverse("ombudsman:inquiry_new"),
        {
            "channel": "email",
            "source_type": "client",
            "received_at": "2026-11-23T09:00",
            "urgency": "routine",
            "subject": "With a program",
            "description": "See attached.",
            "kind": "inquiry",
            "scope": "case_related",
            "attachments": [pdf(), SimpleUploadedFile("x.exe", b"MZ", "application/x-msdownload")],
        },
    )

    assert "x.exe: files of this type are not accepted" in main_text(response)
    assert not Inquiry.objects.exists() and not InquiryAttachment.objects.exists()


# --- editing ---------------------------------------------------------------------------------


def edit_data(inquiry, **changes) -> dict:
    data = {
        "channel": inquiry.channel,
        "source_type": inquiry.source_type,
        "received_at": "2026-11-23T10:00",
        "urgency": inquiry.urgency,
        "subject": inquiry.subject,
        "description": inquiry.description,
        "contact_name": inquiry.contact_name,
        "kind": inquiry.kind,
        "scope": inquiry.scope,
        "version": inquiry.version,
    }
    if inquiry.retaliation_alleged:
        data["retaliation_alleged"] = "on"
    return data | changes


def test_edit_details_and_the_due_time_follows_the_urgency(client, staff, inquiry):
    client.force_login(staff)
    url = reverse("ombudsman:inquiry_edit", args=[inquiry.pk])

    form = client.get(url)
    response = client.post(
        url, edit_data(inquiry, urgency="immediate", contact_phone="860-555-0101"), follow=True
    )

    assert f'name="version" value="{inquiry.version}"' in form.content.decode()
    assert 'value="Dana Whitfield"' in form.content.decode()
    inquiry.refresh_from_db()
    assert inquiry.urgency == "immediate" and inquiry.contact_phone == "860-555-0101"
    assert f"{inquiry.reference} updated." in messages_of(response)
    assert "Due Mon 23 Nov 2026, 14:00" in main_text(response)
    assert inquiry.events.filter(kind=InquiryEvent.Kind.URGENCY).exists()


def test_saving_untouched_details_changes_nothing(client, staff, inquiry, time_machine):
    # Received with seconds: the form shows minutes, and saving keeps the stored instant.
    time_machine.move_to("2026-11-23 10:05:37-05:00", tick=False)
    seconds = make_inquiry(actor=staff)
    client.force_login(staff)

    client.post(
        reverse("ombudsman:inquiry_edit", args=[seconds.pk]),
        edit_data(seconds, received_at="2026-11-23T10:05"),
    )

    seconds.refresh_from_db()
    assert seconds.received_at.second == 37
    assert not seconds.events.exclude(kind=InquiryEvent.Kind.RECEIVED).exists()


def test_a_stale_edit_is_refused_and_the_input_kept(client, staff, lead, inquiry):
    client.force_login(staff)
    url = reverse("ombudsman:inquiry_edit", args=[inquiry.pk])
    opened_version = inquiry.version
    # Meanwhile the lead assigns the inquiry (a new version).
    services.inquiry_assign(inquiry=inquiry, assignee=staff, actor=lead)

    response = client.post(
        url,
        edit_data(inquiry, version=opened_version, subject="Visits with my grandson, Leo"),
    )

    assert response.status_code == 200
    text = main_text(response)
    assert "Someone else changed this inquiry after you opened it." in text
    assert 'value="Visits with my grandson, Leo"' in response.content.decode()
    inquiry.refresh_from_db()
    assert inquiry.subject == "Visits with my grandson"


def test_edit_field_errors(client, staff, inquiry):
    client.force_login(staff)
    response = client.post(
        reverse("ombudsman:inquiry_edit", args=[inquiry.pk]),
        edit_data(inquiry, subject="", contact_email="not-an-email", received_at="tomorrow"),
    )
    text = main_text(response)
    assert "Enter a valid email address." in text
    assert "Enter a valid date/time." in text
    assert "This field is required." in text
    inquiry.refresh_from_db()
    assert inquiry.subject == "Visits with my grandson"


def test_unlinking_retaliation_after_the_hr_referral_is_refused(client, staff, inquiry):
    services.inquiry_refer_to_hr(inquiry=inquiry, actor=staff, notes="Sent to HRM.")
    inquiry.refresh_from_db()
    client.force_login(staff)
    data = edit_data(inquiry)
    del data["retaliation_alleged"]

    response = client.post(reverse("ombudsman:inquiry_edit", args=[inquiry.pk]), data)

    assert "This inquiry was referred to HR for retaliation." in main_text(response)


# --- consultations, for the people consulted -------------------------------------------------


@pytest.fixture
def consultation(inquiry, staff, personas):
    return services.consultation_request(
        inquiry=inquiry,
        actor=staff,
        consulted=personas.supervisor,
        question="Has the visit schedule changed?",
    )


def test_the_person_consulted_sees_the_question_and_nothing_else(
    client, personas, inquiry, consultation
):
    client.force_login(personas.supervisor)

    listing = client.get(reverse("ombudsman:consultations"))
    page = client.get(reverse("ombudsman:consultation", args=[consultation.pk]))

    assert listing.status_code == 200 and page.status_code == 200
    assert inquiry.reference in main_text(listing)
    text = main_text(page)
    assert "Has the visit schedule changed?" in text
    assert inquiry.reference in text and inquiry.subject in text
    # Nothing else of the inquiry: not its description, inquirer, or a link to it.
    assert inquiry.description not in text
    assert "Dana Whitfield" not in text
    assert reverse("ombudsman:inquiry", args=[inquiry.pk]) not in page.content.decode()
    # And the inquiry itself stays out of reach.
    assert client.get(reverse("ombudsman:inquiry", args=[inquiry.pk])).status_code == 404


def test_the_person_consulted_replies(client, personas, staff, consultation):
    client.force_login(personas.supervisor)
    url = reverse("ombudsman:consultation", args=[consultation.pk])

    blank = client.post(url, {"reply": "  "})
    done = client.post(url, {"reply": "Yes: Thursdays from January."}, follow=True)
    again = client.post(url, {"reply": "Second answer."})

    assert "Write your answer." in main_text(blank)
    assert "Thank you: your answer was sent to the Ombudsman." in messages_of(done)
    assert "Yes: Thursdays from January." in main_text(done)
    assert again.status_code == 403
    consultation.refresh_from_db()
    assert consultation.reply == "Yes: Thursdays from January."
    assert (
        Notification.objects.filter(recipient=staff, kind="ombudsman_consultation_reply").count()
        == 1
    )


@pytest.mark.parametrize("who", ["outsider", "caseworker", "other_caseworker"])
def test_consultations_are_404_for_anyone_else(client, personas, consultation, who):
    client.force_login(getattr(personas, who))
    url = reverse("ombudsman:consultation", args=[consultation.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, {"reply": "Me too."}).status_code == 404
    listing = client.get(reverse("ombudsman:consultations"))
    assert listing.status_code == 200
    assert consultation.inquiry.reference not in main_text(listing)
    consultation.refresh_from_db()
    assert consultation.replied_at is None


def test_commissioners_office_cannot_open_a_consultation(client, commissioner, consultation):
    client.force_login(commissioner)
    url = reverse("ombudsman:consultation", args=[consultation.pk])
    assert client.get(url).status_code == 404


def test_the_office_reads_a_consultation_but_does_not_answer_it(
    client, staff, consultation, inquiry
):
    client.force_login(staff)
    url = reverse("ombudsman:consultation", args=[consultation.pk])

    page = client.get(url)
    reply = client.post(url, {"reply": "Answering for them."})

    assert page.status_code == 200
    assert reverse("ombudsman:inquiry", args=[inquiry.pk]) in page.content.decode()
    assert "Send the answer" not in main_text(page)
    assert reply.status_code == 403
    consultation.refresh_from_db()
    assert consultation.replied_at is None


def test_consultations_list_shows_waiting_ones_first(client, personas, staff, now, time_machine):
    first = make_inquiry(actor=staff, subject="First matter")
    second = make_inquiry(actor=staff, subject="Second matter")
    older = services.consultation_request(
        inquiry=first, actor=staff, consulted=personas.caseworker, question="Old question"
    )
    time_machine.move_to(clock.now() + timedelta(hours=1), tick=False)
    services.consultation_request(
        inquiry=second, actor=staff, consulted=personas.caseworker, question="New question"
    )
    services.consultation_reply(consultation=older, actor=personas.caseworker, reply="Done.")
    client.force_login(personas.caseworker)

    text = main_text(client.get(reverse("ombudsman:consultations")))

    assert text.index("Second matter") < text.index("First matter")
    assert "Waiting for your answer" in text and "Answered" in text


def test_people_on_the_linked_case_are_chosen_on_the_edit_page(client, staff, personas, now):
    from casework.models import CaseMember
    from tests.casework.factories import add_member

    case = make_case(personas.unit, personas.caseworker, name="Rivera family")
    child = add_member(case, CaseMember.Role.CHILD).person
    mother = add_member(case, CaseMember.Role.MOTHER).person
    stranger = add_member(make_case(personas.unit, personas.caseworker)).person
    assign_perm("casework.view_case", staff, case)  # shared with the Ombudsman
    linked = make_inquiry(actor=staff, case=case)
    client.force_login(staff)
    url = reverse("ombudsman:inquiry_edit", args=[linked.pk])

    form = client.get(url).content.decode()
    data = edit_data(linked, case_number=case.number)
    refused = client.post(url, {**data, "persons": [stranger.pk]})
    saved = client.post(url, {**data, "persons": [child.pk]}, follow=True)

    assert "People concerned" in form
    assert child.full_name in form and mother.full_name in form
    assert stranger.full_name not in form
    assert "Select a valid choice." in main_text(refused)
    linked.refresh_from_db()
    assert linked.case == case
    assert list(linked.persons.all()) == [child]
    assert f"People concerned {child.full_name}" in main_text(saved)


def test_no_people_to_choose_without_a_case_the_user_may_see(client, staff, inquiry):
    client.force_login(staff)

    form = client.get(reverse("ombudsman:inquiry_edit", args=[inquiry.pk]))

    assert "People concerned" not in form.content.decode()
