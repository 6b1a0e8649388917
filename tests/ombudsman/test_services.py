"""The rules in ombudsman/services.py, called directly: what each write checks, what it
stores, what goes on the timeline, and who hears about it."""

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agency import services as agency_services
from agency.models import Notification
from agency.roles import Role
from casework.models import CaseMember
from ombudsman import services
from ombudsman.models import Consultation, Inquiry, InquiryAttachment, InquiryEvent
from tests.casework.factories import add_member, make_case
from tests.factories import make_location, make_region, make_user
from tests.ombudsman.factories import make_inquiry, make_ombudsman

pytestmark = pytest.mark.django_db

# Tuesday 3 March 2026, 10:00 in Connecticut.
NOW = timezone.make_aware(datetime(2026, 3, 3, 10, 0))


def local(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def staff(db):
    return make_ombudsman(first_name="Riley", last_name="Chen")


@pytest.fixture
def lead(db):
    return make_ombudsman(lead=True, first_name="Dana", last_name="Whitfield")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def events(inquiry, kind=None) -> list[InquiryEvent]:
    found = InquiryEvent.objects.filter(inquiry=inquiry).order_by("pk")
    return list(found.filter(kind=kind) if kind else found)


def field_errors(exc_info) -> dict:
    return exc_info.value.message_dict


# --- recording an inquiry ------------------------------------------------------------------


def test_create_computes_the_clock_and_hands_out_a_reference(staff):
    inquiry = make_inquiry(staff, subject="Visits stopped", received_at=local(2026, 3, 2, 17, 30))

    assert inquiry.reference == "OMB-2026-000001"
    assert inquiry.effective_received_at == local(2026, 3, 3, 8, 0)
    assert inquiry.initial_response_due_at == local(2026, 3, 5, 17, 0)
    assert inquiry.status == Inquiry.Status.NEW
    assert inquiry.created_by == staff
    assert inquiry.version == 1
    assert inquiry.reference.lower() in inquiry.search_document
    assert "visits stopped" in inquiry.search_document
    received = events(inquiry)
    assert [e.kind for e in received] == [InquiryEvent.Kind.RECEIVED]
    assert received[0].occurred_at == local(2026, 3, 2, 17, 30)
    assert received[0].summary == "Inquiry received by phone from client."


def test_references_count_up():
    first, second = make_inquiry(), make_inquiry()

    assert (first.reference, second.reference) == ("OMB-2026-000001", "OMB-2026-000002")


def test_an_anonymous_inquiry_needs_no_contact_details():
    inquiry = make_inquiry(actor=None, channel=Inquiry.Channel.WEB)

    assert inquiry.contact_name == inquiry.contact_email == ""
    assert inquiry.created_by is None


def test_an_immediate_inquiry_is_due_in_four_business_hours(staff):
    inquiry = make_inquiry(staff, urgency=Inquiry.Urgency.IMMEDIATE)

    assert inquiry.initial_response_due_at == local(2026, 3, 3, 14, 0)


def test_received_at_in_the_future_is_refused(staff):
    with pytest.raises(ValidationError) as exc:
        make_inquiry(staff, received_at=NOW + timedelta(minutes=1))

    assert field_errors(exc) == {"received_at": ["The date received cannot be in the future."]}
    assert not Inquiry.objects.exists()


def test_a_letter_that_arrived_last_week_is_clocked_from_its_arrival(staff):
    inquiry = make_inquiry(
        staff, channel=Inquiry.Channel.LETTER, received_at=local(2026, 2, 24, 11, 0)
    )

    assert inquiry.initial_response_due_at == local(2026, 2, 26, 17, 0)


def test_subject_and_description_are_required(staff):
    with pytest.raises(ValidationError) as exc:
        make_inquiry(staff, subject="  ", description="")

    assert set(field_errors(exc)) == {"subject", "description"}
    assert not Inquiry.objects.exists()


def test_an_unknown_channel_is_refused(staff):
    with pytest.raises(ValidationError) as exc:
        make_inquiry(staff, channel="pigeon")

    assert "channel" in field_errors(exc)


def test_the_work_location_must_be_in_the_region(staff):
    region, other = make_region(), make_region()
    office = make_location(other)

    with pytest.raises(ValidationError) as exc:
        make_inquiry(staff, region=region, work_location=office)

    assert field_errors(exc) == {
        "work_location": ["This work location is not in the region chosen."]
    }
    assert not Inquiry.objects.exists()


def test_a_case_the_user_may_not_see_cannot_be_linked(staff, personas):
    case = make_case(personas.unit, personas.caseworker)

    with pytest.raises(ValidationError) as exc:
        make_inquiry(staff, case=case)

    assert "case" in field_errors(exc)


def test_a_visible_case_and_its_people_are_linked_and_searchable(personas):
    supervisor = personas.supervisor  # sees the cases of the unit they supervise
    case = make_case(personas.unit, personas.caseworker)
    child = add_member(case, CaseMember.Role.CHILD).person

    inquiry = make_inquiry(supervisor, case=case, persons=[child])

    assert inquiry.case == case
    assert list(inquiry.persons.all()) == [child]
    assert child.full_name.lower() in inquiry.search_document


def test_people_the_user_may_not_see_cannot_be_linked(staff, personas):
    case = make_case(personas.unit, personas.caseworker)
    child = add_member(case, CaseMember.Role.CHILD).person

    with pytest.raises(ValidationError) as exc:
        make_inquiry(staff, persons=[child])

    assert "persons" in field_errors(exc)
    assert not Inquiry.objects.exists()


def test_create_refuses_fields_it_does_not_know():
    with pytest.raises(TypeError):
        make_inquiry(status=Inquiry.Status.CLOSED)


# --- editing -------------------------------------------------------------------------------


def test_changing_the_urgency_recomputes_the_due_time_and_says_so(staff):
    inquiry = make_inquiry(staff)
    assert inquiry.initial_response_due_at == local(2026, 3, 5, 17, 0)

    updated = services.inquiry_update(
        inquiry=inquiry, actor=staff, version=inquiry.version, urgency=Inquiry.Urgency.IMMEDIATE
    )

    assert updated.initial_response_due_at == local(2026, 3, 3, 14, 0)
    stored = Inquiry.objects.get(pk=inquiry.pk)
    assert stored.initial_response_due_at == local(2026, 3, 3, 14, 0)
    assert stored.version == 2
    line = events(inquiry, InquiryEvent.Kind.URGENCY)[0]
    assert line.actor == staff
    assert line.summary == (
        "Urgency routine → immediate; initial response due Thu 05 Mar 2026 17:00 → "
        "Tue 03 Mar 2026 14:00."
    )


def test_correcting_the_time_received_recomputes_the_due_time(staff):
    inquiry = make_inquiry(staff)

    services.inquiry_update(
        inquiry=inquiry, actor=staff, version=1, received_at=local(2026, 2, 27, 16, 0)
    )

    stored = Inquiry.objects.get(pk=inquiry.pk)
    assert stored.initial_response_due_at == local(2026, 3, 3, 17, 0)
    assert events(inquiry, InquiryEvent.Kind.DUE_RECOMPUTED)[0].summary.startswith(
        "Time received corrected; due Thu 05 Mar 2026 17:00 → Tue 03 Mar 2026 17:00"
    )


def test_editing_details_lists_what_changed_and_updates_the_search(staff):
    inquiry = make_inquiry(staff)

    services.inquiry_update(
        inquiry=inquiry, actor=staff, version=1, subject="Placement moved", contact_name="Ana"
    )

    stored = Inquiry.objects.get(pk=inquiry.pk)
    assert "placement moved" in stored.search_document
    assert "ana" in stored.search_document
    assert stored.initial_response_due_at == inquiry.initial_response_due_at
    assert events(inquiry, InquiryEvent.Kind.EDITED)[0].summary == "Changed: subject, contact name."


def test_a_stale_version_is_refused_and_nothing_is_written(staff):
    inquiry = make_inquiry(staff)
    services.inquiry_update(inquiry=inquiry, actor=staff, version=1, subject="First edit")
    before = events(inquiry)

    with pytest.raises(ValidationError) as exc:
        services.inquiry_update(
            inquiry=inquiry,
            actor=staff,
            version=1,
            subject="Second edit on an old page",
            urgency=Inquiry.Urgency.IMMEDIATE,
        )

    assert "version" in field_errors(exc)
    stored = Inquiry.objects.get(pk=inquiry.pk)
    assert (stored.subject, stored.urgency, stored.version) == ("First edit", "routine", 2)
    assert events(inquiry) == before


@pytest.mark.parametrize(
    "action",
    [
        lambda inquiry, user: services.inquiry_assign(
            inquiry=inquiry, assignee=user, actor=user, version=1
        ),
        lambda inquiry, user: services.inquiry_respond(
            inquiry=inquiry, actor=user, method="phone", summary="Called back", version=1
        ),
        lambda inquiry, user: services.inquiry_reopen(
            inquiry=inquiry, actor=user, reason="More to do", version=1
        ),
    ],
    ids=["assign", "respond", "reopen"],
)
def test_every_versioned_action_refuses_a_stale_version(staff, action):
    inquiry = make_inquiry(staff)
    services.inquiry_update(inquiry=inquiry, actor=staff, version=1, contact_name="Ana")
    before = events(inquiry)

    with pytest.raises(ValidationError) as exc:
        action(inquiry, staff)

    assert "version" in field_errors(exc)
    stored = Inquiry.objects.get(pk=inquiry.pk)
    assert (stored.version, stored.assignee, stored.initial_response_at) == (2, None, None)
    assert events(inquiry) == before


def test_the_hr_referral_cannot_be_undone_by_an_edit(staff):
    inquiry = make_inquiry(staff, retaliation_alleged=True)
    services.inquiry_refer_to_hr(inquiry=inquiry, actor=staff, notes="Sent to HR intake")

    with pytest.raises(ValidationError) as exc:
        services.inquiry_update(inquiry=inquiry, actor=staff, version=2, retaliation_alleged=False)

    assert "retaliation_alleged" in field_errors(exc)
    assert Inquiry.objects.get(pk=inquiry.pk).retaliation_alleged is True


# --- assigning -----------------------------------------------------------------------------


def test_the_lead_assigns_and_the_assignee_hears(lead, staff):
    inquiry = make_inquiry(lead)

    services.inquiry_assign(inquiry=inquiry, assignee=staff, actor=lead, version=1)

    stored = Inquiry.objects.get(pk=inquiry.pk)
    assert (stored.assignee, stored.status, stored.assigned_at) == (
        staff,
        Inquiry.Status.ASSIGNED,
        NOW,
    )
    assert events(inquiry, InquiryEvent.Kind.ASSIGNED)[0].summary == "Assigned to Riley Chen."
    notice = Notification.objects.get(recipient=staff)
    assert notice.kind == "ombudsman_assigned"
    assert inquiry.reference in notice.subject
    assert notice.link == f"/ombudsman/inquiries/{inquiry.pk}/"


def test_reassigning_names_both_people(lead, staff):
    other = make_ombudsman(first_name="Sam", last_name="Ortiz")
    inquiry = make_inquiry(lead)
    services.inquiry_assign(inquiry=inquiry, assignee=staff, actor=lead)

    services.inquiry_assign(inquiry=inquiry, assignee=other, actor=lead)

    assert events(inquiry, InquiryEvent.Kind.ASSIGNED)[-1].summary == (
        "Reassigned from Riley Chen to Sam Ortiz."
    )
    assert Inquiry.objects.get(pk=inquiry.pk).assignee == other


def test_staff_take_an_inquiry_themselves_without_notifying_themselves(staff):
    inquiry = make_inquiry(staff)

    services.inquiry_assign(inquiry=inquiry, assignee=staff, actor=staff)

    assert Inquiry.objects.get(pk=inquiry.pk).assignee == staff
    assert not Notification.objects.exists()


def test_staff_do_not_assign_to_others(staff):
    colleague = make_ombudsman()
    inquiry = make_inquiry(staff)

    with pytest.raises(ValidationError) as exc:
        services.inquiry_assign(inquiry=inquiry, assignee=colleague, actor=staff)

    assert "assignee" in field_errors(exc)
    assert Inquiry.objects.get(pk=inquiry.pk).assignee is None


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.COMMISSIONERS_OFFICE, None])
def test_only_ombudsman_staff_are_assigned(lead, role):
    outsider = make_user(role)
    inquiry = make_inquiry(lead)

    with pytest.raises(ValidationError) as exc:
        services.inquiry_assign(inquiry=inquiry, assignee=outsider, actor=lead)

    assert field_errors(exc) == {"assignee": ["Assign inquiries to Ombudsman staff only."]}
    assert not events(inquiry, InquiryEvent.Kind.ASSIGNED)


def test_an_inactive_member_of_staff_is_not_assigned(lead):
    gone = make_ombudsman(is_active=False)

    with pytest.raises(ValidationError):
        services.inquiry_assign(inquiry=make_inquiry(lead), assignee=gone, actor=lead)


def test_bulk_assignment_skips_closed_inquiries_and_says_why(lead, staff):
    open_one = make_inquiry(lead)
    closed = close(make_inquiry(lead), staff)

    result = services.inquiries_assign(inquiries=[open_one, closed], assignee=staff, actor=lead)

    assert [i.pk for i in result.assigned] == [open_one.pk]
    assert [(i.pk, why) for i, why in result.skipped] == [(closed.pk, "closed")]


def test_bulk_assignment_to_a_non_member_assigns_nothing(lead, personas):
    inquiries = [make_inquiry(lead), make_inquiry(lead)]

    with pytest.raises(ValidationError):
        services.inquiries_assign(inquiries=inquiries, assignee=personas.caseworker, actor=lead)

    assert not Inquiry.objects.filter(assignee__isnull=False).exists()


# --- the initial response ------------------------------------------------------------------


def test_the_initial_response_stops_the_clock_within_the_deadline(staff):
    inquiry = make_inquiry(staff)

    services.inquiry_respond(
        inquiry=inquiry, actor=staff, method="phone", summary="Explained the visit schedule."
    )

    stored = Inquiry.objects.get(pk=inquiry.pk)
    assert stored.status == Inquiry.Status.RESPONDED
    assert (stored.initial_response_at, stored.initial_response_by) == (NOW, staff)
    assert stored.assignee == staff  # whoever answered an unassigned inquiry takes it
    line = events(inquiry, InquiryEvent.Kind.INITIAL_RESPONSE)[0]
    assert line.method == InquiryEvent.ContactMethod.PHONE
    assert line.summary == (
        "Explained the visit schedule. (within the deadline of Thu 05 Mar 2026 17:00)."
    )


def test_a_late_initial_response_is_marked_after_the_deadline(staff, time_machine):
    inquiry = make_inquiry(staff)
    time_machine.move_to(local(2026, 3, 6, 9, 0), tick=False)

    services.inquiry_respond(inquiry=inquiry, actor=staff, method="email", summary="Apologised.")

    assert "after the deadline" in events(inquiry, InquiryEvent.Kind.INITIAL_RESPONSE)[0].summary
    stored = Inquiry.objects.get(pk=inquiry.pk)
    assert stored.initial_response_at > stored.initial_response_due_at


def test_a_response_logged_afterwards_keeps_its_real_time(staff, time_machine):
    inquiry = make_inquiry(staff)
    time_machine.move_to(local(2026, 3, 9, 9, 0), tick=False)

    services.inquiry_respond(
        inquiry=inquiry,
        actor=staff,
        method="letter",
        summary="Letter mailed.",
        responded_at=local(2026, 3, 5, 16, 0),
    )

    assert "within the deadline" in events(inquiry, InquiryEvent.Kind.INITIAL_RESPONSE)[0].summary


def test_the_initial_response_is_logged_once(staff):
    inquiry = make_inquiry(staff)
    services.inquiry_respond(inquiry=inquiry, actor=staff, method="phone", summary="Called.")

    with pytest.raises(ValidationError) as exc:
        services.inquiry_respond(inquiry=inquiry, actor=staff, method="phone", summary="Again.")

    assert "initial_response_at" in field_errors(exc)
    assert len(events(inquiry, InquiryEvent.Kind.INITIAL_RESPONSE)) == 1


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"method": "carrier_pigeon", "summary": "x"}, "method"),
        ({"method": "phone", "summary": " "}, "summary"),
        ({"method": "phone", "summary": "x", "responded_at": NOW + timedelta(hours=1)},
         "responded_at"),
        ({"method": "phone", "summary": "x", "responded_at": NOW - timedelta(days=30)},
         "responded_at"),
    ],
    ids=["method", "summary", "future", "before-receipt"],
)  # fmt: skip
def test_the_initial_response_needs_method_summary_and_a_sensible_time(staff, fields, error):
    inquiry = make_inquiry(staff)

    with pytest.raises(ValidationError) as exc:
        services.inquiry_respond(inquiry=inquiry, actor=staff, **fields)

    assert error in field_errors(exc)
    assert Inquiry.objects.get(pk=inquiry.pk).initial_response_at is None


# --- further work --------------------------------------------------------------------------


def responded(inquiry, user):
    return services.inquiry_respond(inquiry=inquiry, actor=user, method="phone", summary="Hi.")


def test_logging_a_contact_after_the_response_moves_the_inquiry_in_progress(staff):
    inquiry = responded(make_inquiry(staff), staff)

    event = services.inquiry_log(
        inquiry=inquiry, actor=staff, kind="contact", method="email", summary="Sent the policy."
    )

    assert (event.kind, event.method, event.actor) == ("contact", "email", staff)
    assert Inquiry.objects.get(pk=inquiry.pk).status == Inquiry.Status.IN_PROGRESS


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"kind": "contact", "summary": "Called", "method": ""}, "method"),
        ({"kind": "referral", "summary": "Sent on", "party": " "}, "party"),
        ({"kind": "note", "summary": ""}, "summary"),
        ({"kind": "resolved", "summary": "Sneaky"}, "kind"),
        ({"kind": "note", "summary": "Later", "occurred_at": NOW + timedelta(days=1)},
         "occurred_at"),
    ],
    ids=["contact-method", "referral-party", "summary", "kind", "future"],
)  # fmt: skip
def test_log_checks_what_each_kind_needs(staff, fields, error):
    inquiry = make_inquiry(staff)

    with pytest.raises(ValidationError) as exc:
        services.inquiry_log(inquiry=inquiry, actor=staff, **fields)

    assert error in field_errors(exc)
    assert events(inquiry) == events(inquiry, InquiryEvent.Kind.RECEIVED)


def test_a_referral_records_where_to(staff):
    inquiry = make_inquiry(staff)

    event = services.inquiry_log(
        inquiry=inquiry,
        actor=staff,
        kind="referral",
        summary="Legal question",
        party="Center for Children's Advocacy",
    )

    assert event.party == "Center for Children's Advocacy"
    assert Inquiry.objects.get(pk=inquiry.pk).status == Inquiry.Status.NEW


def test_hr_referral_only_when_retaliation_is_alleged(staff):
    inquiry = make_inquiry(staff)

    with pytest.raises(ValidationError) as exc:
        services.inquiry_refer_to_hr(inquiry=inquiry, actor=staff, notes="To HR")

    assert "retaliation_alleged" in field_errors(exc)
    assert Inquiry.objects.get(pk=inquiry.pk).hr_referred_at is None


def test_hr_referral_of_a_retaliation_allegation_is_recorded_once(staff):
    inquiry = make_inquiry(staff, retaliation_alleged=True)

    services.inquiry_refer_to_hr(inquiry=inquiry, actor=staff, notes="Emailed HR intake.")

    stored = Inquiry.objects.get(pk=inquiry.pk)
    assert (stored.hr_referred_at, stored.hr_referral_notes) == (NOW, "Emailed HR intake.")
    line = events(inquiry, InquiryEvent.Kind.HR_REFERRAL)[0]
    assert line.party == "Human Resource Management"
    with pytest.raises(ValidationError) as exc:
        services.inquiry_refer_to_hr(inquiry=inquiry, actor=staff, notes="Again")
    assert "hr_referred_at" in field_errors(exc)


def test_hr_referral_needs_notes(staff):
    inquiry = make_inquiry(staff, retaliation_alleged=True)

    with pytest.raises(ValidationError) as exc:
        services.inquiry_refer_to_hr(inquiry=inquiry, actor=staff, notes=" ")

    assert "notes" in field_errors(exc)


# --- consultations -------------------------------------------------------------------------


def test_a_consultation_notifies_the_person_consulted(staff, personas):
    inquiry = make_inquiry(staff)

    consultation = services.consultation_request(
        inquiry=inquiry,
        actor=staff,
        consulted=personas.supervisor,
        question="When was the last visit?",
    )

    assert consultation.requested_at == NOW
    notice = Notification.objects.get(recipient=personas.supervisor)
    assert notice.kind == "ombudsman_consultation"
    assert notice.link == f"/ombudsman/consultations/{consultation.pk}/"
    assert inquiry.reference in notice.subject
    assert events(inquiry, InquiryEvent.Kind.CONSULTATION)[0].party == (
        personas.supervisor.get_full_name()
    )


def test_ombudsman_staff_are_not_consulted(staff):
    colleague = make_ombudsman()

    with pytest.raises(ValidationError) as exc:
        services.consultation_request(
            inquiry=make_inquiry(staff), actor=staff, consulted=colleague, question="?"
        )

    assert "consulted" in field_errors(exc)
    assert not Consultation.objects.exists()


def test_a_consultation_needs_a_question(staff, personas):
    with pytest.raises(ValidationError) as exc:
        services.consultation_request(
            inquiry=make_inquiry(staff), actor=staff, consulted=personas.supervisor, question=""
        )

    assert "question" in field_errors(exc)
    assert not Notification.objects.exists()


def test_only_the_person_consulted_replies(staff, personas):
    consultation = services.consultation_request(
        inquiry=make_inquiry(staff), actor=staff, consulted=personas.supervisor, question="?"
    )

    with pytest.raises(ValidationError) as exc:
        services.consultation_reply(
            consultation=consultation, actor=personas.caseworker, reply="I know!"
        )

    assert "consulted" in field_errors(exc)
    assert Consultation.objects.get(pk=consultation.pk).replied_at is None


def test_the_reply_goes_on_the_timeline_and_to_the_asker(staff, personas):
    inquiry = make_inquiry(staff)
    consultation = services.consultation_request(
        inquiry=inquiry, actor=staff, consulted=personas.supervisor, question="Last visit?"
    )

    services.consultation_reply(
        consultation=consultation, actor=personas.supervisor, reply="Last Tuesday."
    )

    stored = Consultation.objects.get(pk=consultation.pk)
    assert (stored.reply, stored.replied_at) == ("Last Tuesday.", NOW)
    assert events(inquiry, InquiryEvent.Kind.CONSULTATION_REPLY)[0].summary == "Last Tuesday."
    notice = Notification.objects.get(recipient=staff)
    assert notice.kind == "ombudsman_consultation_reply"
    assert notice.link == f"/ombudsman/inquiries/{inquiry.pk}/"
    with pytest.raises(ValidationError) as exc:
        services.consultation_reply(
            consultation=consultation, actor=personas.supervisor, reply="And again."
        )
    assert "reply" in field_errors(exc)


# --- resolving, closing, reopening ---------------------------------------------------------


def close(inquiry, user):
    responded(inquiry, user)
    services.inquiry_resolve(inquiry=inquiry, actor=user, outcome="information_provided",
                             summary="Explained.")  # fmt: skip
    return services.inquiry_close(inquiry=inquiry, actor=user)


def test_resolving_needs_the_initial_response_first(staff):
    inquiry = make_inquiry(staff)

    with pytest.raises(ValidationError) as exc:
        services.inquiry_resolve(
            inquiry=inquiry, actor=staff, outcome="referred", summary="Referred on."
        )

    assert "initial_response_at" in field_errors(exc)
    assert Inquiry.objects.get(pk=inquiry.pk).status == Inquiry.Status.NEW


def test_resolving_needs_an_outcome_and_a_summary(staff):
    inquiry = responded(make_inquiry(staff), staff)

    with pytest.raises(ValidationError) as exc:
        services.inquiry_resolve(inquiry=inquiry, actor=staff, outcome="", summary="")

    assert set(field_errors(exc)) == {"outcome", "summary"}


def test_resolve_then_close(staff):
    inquiry = responded(make_inquiry(staff), staff)

    services.inquiry_resolve(
        inquiry=inquiry, actor=staff, outcome="practice_changed", summary="Visits restored."
    )
    services.inquiry_close(inquiry=inquiry, actor=staff)

    stored = Inquiry.objects.get(pk=inquiry.pk)
    assert (stored.status, stored.outcome, stored.resolved_at, stored.closed_at) == (
        Inquiry.Status.CLOSED,
        "practice_changed",
        NOW,
        NOW,
    )
    assert events(inquiry, InquiryEvent.Kind.RESOLVED)[0].summary == (
        "Agency practice or policy changed: Visits restored."
    )
    assert events(inquiry, InquiryEvent.Kind.CLOSED)


def test_only_a_resolved_inquiry_is_closed(staff):
    inquiry = make_inquiry(staff)

    with pytest.raises(ValidationError) as exc:
        services.inquiry_close(inquiry=inquiry, actor=staff)

    assert "status" in field_errors(exc)


def test_a_closed_inquiry_takes_no_new_work_until_reopened(staff):
    inquiry = close(make_inquiry(staff), staff)

    with pytest.raises(ValidationError) as exc:
        services.inquiry_assign(inquiry=inquiry, assignee=staff, actor=staff)

    assert "reopen it" in field_errors(exc)["status"][0]


def test_reopening_needs_a_reason(staff):
    inquiry = close(make_inquiry(staff), staff)

    with pytest.raises(ValidationError) as exc:
        services.inquiry_reopen(inquiry=inquiry, actor=staff, reason="  ")

    assert "reason" in field_errors(exc)
    assert Inquiry.objects.get(pk=inquiry.pk).status == Inquiry.Status.CLOSED


def test_reopening_resumes_work_and_keeps_the_initial_response(staff):
    inquiry = close(make_inquiry(staff), staff)

    services.inquiry_reopen(inquiry=inquiry, actor=staff, reason="The visits stopped again.")

    stored = Inquiry.objects.get(pk=inquiry.pk)
    assert stored.status == Inquiry.Status.IN_PROGRESS
    assert (stored.closed_at, stored.resolved_at) == (None, None)
    assert stored.initial_response_at == NOW
    assert events(inquiry, InquiryEvent.Kind.REOPENED)[0].summary == "The visits stopped again."


def test_an_open_inquiry_is_not_reopened(staff):
    with pytest.raises(ValidationError) as exc:
        services.inquiry_reopen(inquiry=make_inquiry(staff), actor=staff, reason="Why not")

    assert "status" in field_errors(exc)


# --- closure days move the clocks ----------------------------------------------------------


def test_adding_a_closure_day_recomputes_open_inquiries_waiting_for_a_response(staff):
    waiting = make_inquiry(staff)  # received Tue 3 March 10:00: due Thu 5 March 17:00
    answered = responded(make_inquiry(staff), staff)
    finished = close(make_inquiry(staff), staff)
    due_before = {i.pk: i.initial_response_due_at for i in (answered, finished)}

    agency_services.closure_day_add(day=date(2026, 3, 4), reason="Ice storm", actor=staff)

    stored = Inquiry.objects.get(pk=waiting.pk)
    assert stored.initial_response_due_at == local(2026, 3, 6, 17, 0)
    assert stored.version == 2
    line = events(waiting, InquiryEvent.Kind.DUE_RECOMPUTED)[0]
    assert line.actor == staff
    assert line.summary == (
        "Due Thu 05 Mar 2026 17:00 → Fri 06 Mar 2026 17:00 (closure day 04 Mar 2026 added)"
    )
    for inquiry in (answered, finished):
        assert Inquiry.objects.get(pk=inquiry.pk).initial_response_due_at == due_before[inquiry.pk]
        assert not events(inquiry, InquiryEvent.Kind.DUE_RECOMPUTED)


def test_removing_the_closure_day_puts_the_due_time_back(staff):
    agency_services.closure_day_add(day=date(2026, 3, 4), reason="Forecast storm")
    inquiry = make_inquiry(staff)
    assert inquiry.initial_response_due_at == local(2026, 3, 6, 17, 0)

    agency_services.closure_day_remove(day=date(2026, 3, 4), actor=staff)

    assert Inquiry.objects.get(pk=inquiry.pk).initial_response_due_at == local(2026, 3, 5, 17, 0)
    assert "closure day 04 Mar 2026 removed" in (
        events(inquiry, InquiryEvent.Kind.DUE_RECOMPUTED)[0].summary
    )


def test_a_closure_day_that_does_not_change_a_due_time_leaves_no_line(staff):
    inquiry = make_inquiry(staff)  # due Thu 5 March

    agency_services.closure_day_add(day=date(2026, 3, 20), reason="Later storm")

    assert Inquiry.objects.get(pk=inquiry.pk).version == 1
    assert not events(inquiry, InquiryEvent.Kind.DUE_RECOMPUTED)


def test_a_closure_on_the_day_of_receipt_moves_the_effective_receipt(staff):
    inquiry = make_inquiry(staff)  # Tuesday 3 March, 10:00

    agency_services.closure_day_add(day=date(2026, 3, 3), reason="Power cut")

    stored = Inquiry.objects.get(pk=inquiry.pk)
    assert stored.effective_received_at == local(2026, 3, 4, 8, 0)
    assert stored.initial_response_due_at == local(2026, 3, 6, 17, 0)


def test_changing_the_rules_recomputes_through_the_same_service(staff):
    inquiry = make_inquiry(staff)
    office = services.rules()
    office.routine_business_days = 3
    office.save()

    assert services.due_times_recompute(reason="rules changed") == 1

    assert Inquiry.objects.get(pk=inquiry.pk).initial_response_due_at == local(2026, 3, 6, 17, 0)


def test_due_explanation_uses_the_stored_inquiry(staff):
    inquiry = make_inquiry(staff, received_at=local(2026, 2, 27, 18, 0))

    lines = services.due_explanation(inquiry)

    assert lines[0] == (
        "Received Friday 27 February 2026 at 18:00, at or after 17:00: counts as received "
        "at 08:00 on Monday 2 March 2026."
    )
    assert lines[-1] == "Initial response due Wednesday 4 March 2026 at 17:00."


# --- attachments ---------------------------------------------------------------------------


def upload(name="letter.pdf", content_type="application/pdf", size=1000):
    return SimpleUploadedFile(name, b"%" * size, content_type=content_type)


def test_an_attachment_is_stored_and_on_the_timeline(staff, media):
    inquiry = make_inquiry(staff)

    attachment = services.attachment_add(inquiry=inquiry, actor=staff, upload=upload())

    assert (attachment.name, attachment.content_type, attachment.size) == (
        "letter.pdf",
        "application/pdf",
        1000,
    )
    assert attachment.file.name.startswith(f"ombudsman/{inquiry.reference}/")
    assert len(stored_files(media)) == 1
    assert events(inquiry, InquiryEvent.Kind.ATTACHMENT)[0].summary == "letter.pdf"


def test_an_oversized_attachment_is_refused_and_nothing_is_stored(staff, media):
    inquiry = make_inquiry(staff)
    big = upload(size=services.MAX_ATTACHMENT_BYTES + 1)

    with pytest.raises(ValidationError) as exc:
        services.attachment_add(inquiry=inquiry, actor=staff, upload=big)

    assert "the limit is 10 MB" in field_errors(exc)["attachments"][0]
    assert not InquiryAttachment.objects.exists()
    assert stored_files(media) == []
    assert not events(inquiry, InquiryEvent.Kind.ATTACHMENT)


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("run.exe", "application/x-msdownload"), ("page.html", "text/html"), ("x", "")],
)
def test_an_attachment_of_a_type_not_accepted_is_refused(staff, media, name, content_type):
    inquiry = make_inquiry(staff)

    with pytest.raises(ValidationError) as exc:
        services.attachment_add(
            inquiry=inquiry, actor=staff, upload=upload(name, content_type=content_type)
        )

    assert "not accepted" in field_errors(exc)["attachments"][0]
    assert not InquiryAttachment.objects.exists()
    assert stored_files(media) == []


def test_a_content_type_with_parameters_is_accepted(staff, media):
    attachment = services.attachment_add(
        inquiry=make_inquiry(staff),
        actor=staff,
        upload=upload("note.txt", content_type="text/plain; charset=utf-8"),
    )

    assert attachment.content_type == "text/plain"


def test_an_inquiry_with_one_bad_attachment_is_not_recorded_at_all(staff, media):
    with pytest.raises(ValidationError):
        make_inquiry(
            staff,
            attachments=[upload(), upload("virus.exe", content_type="application/x-msdownload")],
        )

    assert not Inquiry.objects.exists()
    assert stored_files(media) == []


def test_attachments_received_with_an_inquiry_are_kept(media):
    inquiry = make_inquiry(None, channel="email", attachments=[upload(), upload("scan.png",
                           content_type="image/png")])  # fmt: skip

    assert sorted(a.name for a in inquiry.attachments.all()) == ["letter.pdf", "scan.png"]
    assert len(stored_files(media)) == 2
