"""Writes for the Ombudsman's office: every rule about inquiries lives here.

Views, API views, admin actions, the email-intake command and Celery tasks all call
these functions. Each one validates first (raising ValidationError with a field map),
then writes inside one transaction and adds a line to the inquiry's timeline. Edits
carry the version the user saw; an edit made on an older version is refused.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from agency import clock
from agency.calendar import BusinessCalendar
from agency.roles import Role
from agency.selectors import business_calendar
from agency.services import notification_send, reference_next, reminder_key
from ombudsman.deadlines import initial_response_due
from ombudsman.models import (
    Consultation,
    Inquiry,
    InquiryAttachment,
    InquiryEvent,
    OmbudsmanRules,
)
from ombudsman.selectors import is_lead

REFERENCE_PREFIX = "OMB"
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ALLOWED_ATTACHMENT_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG image",
    "image/png": "PNG image",
    "image/tiff": "TIFF image (fax)",
    "text/plain": "text",
    "application/msword": "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
    "message/rfc822": "email message",
}

# Fields staff may set when recording or editing an inquiry.
DETAIL_FIELDS = (
    "channel",
    "source_type",
    "kind",
    "scope",
    "urgency",
    "contact_name",
    "contact_organization",
    "contact_email",
    "contact_phone",
    "contact_address",
    "preferred_language",
    "received_at",
    "subject",
    "description",
    "region",
    "work_location",
    "case",
    "retaliation_alleged",
)


def rules() -> OmbudsmanRules:
    """The office's clock settings (one row, created with the defaults on first use)."""
    return OmbudsmanRules.objects.get_or_create(pk=1)[0]


def is_ombudsman(user: Any) -> bool:
    profile = getattr(user, "staff", None)
    return bool(
        user.is_authenticated
        and profile is not None
        and profile.role in (Role.OMBUDSMAN_STAFF, Role.OMBUDSMAN_LEAD)
    )


def leads() -> list[Any]:
    """Everyone who leads the office (the recipients of escalations and the digest)."""
    return list(
        get_user_model()
        .objects.filter(is_active=True, staff__role=Role.OMBUDSMAN_LEAD)
        .order_by("pk")
    )


# --- the clock ---------------------------------------------------------------------------


def _due(inquiry: Inquiry, cal: BusinessCalendar, office_rules: OmbudsmanRules):
    return initial_response_due(
        cal,
        inquiry.received_at,
        inquiry.urgency,
        routine_business_days=office_rules.routine_business_days,
        immediate_business_hours=office_rules.immediate_business_hours,
    )


def due_explanation(inquiry: Inquiry, cal: BusinessCalendar | None = None) -> list[str]:
    """The inquiry's due time in words, step by step (which days were skipped and why)."""
    return _due(inquiry, cal or business_calendar(), rules()).explanation


def _set_due(inquiry: Inquiry, cal: BusinessCalendar, office_rules: OmbudsmanRules) -> bool:
    due = _due(inquiry, cal, office_rules)
    changed = (
        inquiry.initial_response_due_at != due.due_at
        or inquiry.effective_received_at != due.effective_received_at
    )
    inquiry.effective_received_at = due.effective_received_at
    inquiry.initial_response_due_at = due.due_at
    return changed


@transaction.atomic
def due_times_recompute(*, actor: Any = None, reason: str = "") -> int:
    """Recompute the due time of every inquiry still waiting for its initial response
    (after a closure day is added or removed, or the rules change). Returns how many
    changed; each change is on the inquiry's timeline."""
    cal, office_rules, now = business_calendar(), rules(), clock.now()
    waiting = Inquiry.objects.select_for_update().filter(
        initial_response_at__isnull=True, status__in=Inquiry.OPEN_STATUSES
    )
    changed, events = [], []
    for inquiry in waiting.order_by("pk"):
        before = inquiry.initial_response_due_at
        if _set_due(inquiry, cal, office_rules):
            inquiry.version += 1
            changed.append(inquiry)
            events.append(
                InquiryEvent(
                    inquiry=inquiry,
                    kind=InquiryEvent.Kind.DUE_RECOMPUTED,
                    occurred_at=now,
                    actor=actor,
                    summary=f"Due {_format(before)} → {_format(inquiry.initial_response_due_at)}"
                    + (f" ({reason})" if reason else "."),
                )
            )
    Inquiry.objects.bulk_update(
        changed, ["effective_received_at", "initial_response_due_at", "version"], batch_size=500
    )
    InquiryEvent.objects.bulk_create(events, batch_size=500)
    return len(changed)


def _format(instant: datetime | None) -> str:
    if instant is None:
        return "—"
    local = timezone.localtime(instant)
    return f"{local:%a %d %b %Y %H:%M}"


# --- recording and editing ---------------------------------------------------------------


def _search_document(inquiry: Inquiry, person_names: Iterable[str] = ()) -> str:
    parts = [
        inquiry.reference,
        inquiry.contact_name,
        inquiry.contact_organization,
        *person_names,
        inquiry.subject,
        inquiry.description,
    ]
    return "\n".join(part for part in parts if part).lower()


def _validate(
    inquiry: Inquiry, *, actor: Any, persons: Sequence[Any], check_case: bool = True
) -> None:
    errors: dict[str, list[str]] = {}
    now = clock.now()
    if inquiry.received_at and inquiry.received_at > now:
        errors["received_at"] = ["The date received cannot be in the future."]
    if not (inquiry.subject or "").strip():
        errors["subject"] = ["Give the inquiry a subject."]
    if not (inquiry.description or "").strip():
        errors["description"] = ["Describe the inquiry or complaint."]
    if (
        inquiry.work_location_id
        and inquiry.region_id
        and inquiry.work_location.region_id != inquiry.region_id
    ):
        errors["work_location"] = ["This work location is not in the region chosen."]
    if (inquiry.case_id and check_case) or persons:
        from casework.selectors import visible_cases, visible_people

        if (
            inquiry.case_id
            and check_case
            and not visible_cases(actor).filter(pk=inquiry.case_id).exists()
        ):
            errors["case"] = ["No case you may see has this id."]
        ids = [person.pk for person in persons]
        if ids and visible_people(actor).filter(pk__in=ids).count() != len(set(ids)):
            errors["persons"] = ["Link only people on cases you may see."]
    if errors:
        raise ValidationError(errors)
    try:
        inquiry.full_clean(
            exclude=[
                "reference",
                "effective_received_at",
                "initial_response_due_at",
                "persons",
                "case",
            ]
        )
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc


def inquiry_check(inquiry: Inquiry, *, actor: Any, persons: Sequence[Any] = ()) -> None:
    """The checks inquiry_create and inquiry_update make, for a form that shows their
    errors before saving (the Django admin). Raises ValidationError with a field map."""
    _validate(inquiry, actor=actor, persons=persons)


def _event(
    inquiry: Inquiry,
    kind: str,
    *,
    actor: Any,
    summary: str = "",
    at: datetime | None = None,
    method: str = "",
    party: str = "",
) -> InquiryEvent:
    return InquiryEvent.objects.create(
        inquiry=inquiry,
        kind=kind,
        occurred_at=at or clock.now(),
        actor=actor,
        summary=summary,
        method=method,
        party=party,
    )


@transaction.atomic
def inquiry_create(
    *,
    actor: Any,
    persons: Sequence[Any] = (),
    attachments: Sequence[UploadedFile] = (),
    **fields: Any,
) -> Inquiry:
    """Record a new inquiry (staff intake, the public form, email intake). Computes the
    effective receipt and the initial-response due time, hands out the reference, and
    puts "Received" on the timeline. `actor` is None for the public form and email."""
    unknown = set(fields) - set(DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown inquiry fields: {sorted(unknown)}")
    fields.setdefault("received_at", clock.now())
    inquiry = Inquiry(created_by=actor if actor and actor.is_authenticated else None, **fields)
    _validate(inquiry, actor=actor, persons=persons)
    for upload in attachments:
        _check_attachment(upload)
    _set_due(inquiry, business_calendar(), rules())
    inquiry.reference = reference_next(prefix=REFERENCE_PREFIX)
    inquiry.search_document = _search_document(inquiry, (p.full_name for p in persons))
    inquiry.save()
    if persons:
        inquiry.persons.set(persons)
    _event(
        inquiry,
        InquiryEvent.Kind.RECEIVED,
        actor=inquiry.created_by,
        at=inquiry.received_at,
        method=_CHANNEL_METHOD.get(inquiry.channel, ""),
        summary=f"{inquiry.get_kind_display()} received by {inquiry.get_channel_display().lower()} "
        f"from {inquiry.get_source_type_display().lower()}.",
    )
    for upload in attachments:
        _attach(inquiry, upload, actor=inquiry.created_by)
    return inquiry


_CHANNEL_METHOD = {
    Inquiry.Channel.PHONE: InquiryEvent.ContactMethod.PHONE,
    Inquiry.Channel.EMAIL: InquiryEvent.ContactMethod.EMAIL,
    Inquiry.Channel.LETTER: InquiryEvent.ContactMethod.LETTER,
    Inquiry.Channel.FAX: InquiryEvent.ContactMethod.FAX,
    Inquiry.Channel.WALK_IN: InquiryEvent.ContactMethod.IN_PERSON,
}


def _lock(inquiry: Inquiry, version: int | None) -> Inquiry:
    """The inquiry's row, locked for this transaction; refused when `version` (the
    version the user saw) is older than the stored one."""
    locked = Inquiry.objects.select_for_update().get(pk=inquiry.pk)
    if version is not None and int(version) != locked.version:
        raise ValidationError(
            {
                "version": [
                    "Someone else changed this inquiry after you opened it. Reload the "
                    "page to see their changes, then make yours again."
                ]
            }
        )
    return locked


def _save(inquiry: Inquiry, fields: Iterable[str]) -> None:
    # The row is locked (`_lock`), so the increment cannot race.
    inquiry.version += 1
    inquiry.save(update_fields=[*fields, "version"])


@transaction.atomic
def inquiry_update(
    *,
    inquiry: Inquiry,
    actor: Any,
    version: int | None,
    persons: Sequence[Any] | None = None,
    **fields: Any,
) -> Inquiry:
    """Change an inquiry's details. Changing the urgency or the time received recomputes
    the due time (and says so on the timeline)."""
    unknown = set(fields) - set(DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown inquiry fields: {sorted(unknown)}")
    inquiry = _lock(inquiry, version)
    before = {name: getattr(inquiry, name) for name in fields}
    for name, value in fields.items():
        setattr(inquiry, name, value)
    # Before _validate: the model's constraint would say the same without the field.
    if inquiry.hr_referred_at and not inquiry.retaliation_alleged:
        raise ValidationError(
            {"retaliation_alleged": ["This inquiry was referred to HR for retaliation."]}
        )
    changed = [name for name in fields if before[name] != getattr(inquiry, name)]
    # Links are checked when they change: a colleague may edit the details of an
    # inquiry linked to a case they cannot open.
    new_persons = []
    if persons is not None:
        linked = set(inquiry.persons.values_list("pk", flat=True))
        new_persons = [person for person in persons if person.pk not in linked]
    _validate(inquiry, actor=actor, persons=new_persons, check_case="case" in changed)
    clock_changed = False
    if {"urgency", "received_at"} & set(changed):
        old_due = inquiry.initial_response_due_at
        clock_changed = _set_due(inquiry, business_calendar(), rules())
        if "urgency" in changed:
            _event(
                inquiry,
                InquiryEvent.Kind.URGENCY,
                actor=actor,
                summary=f"Urgency {Inquiry.Urgency(before['urgency']).label.lower()} → "
                f"{inquiry.get_urgency_display().lower()}; initial response due "
                f"{_format(old_due)} → {_format(inquiry.initial_response_due_at)}.",
            )
        elif clock_changed:
            _event(
                inquiry,
                InquiryEvent.Kind.DUE_RECOMPUTED,
                actor=actor,
                summary=f"Time received corrected; due {_format(old_due)} → "
                f"{_format(inquiry.initial_response_due_at)}.",
            )
    others = [name for name in changed if name != "urgency"]
    if persons is not None and {p.pk for p in persons} != set(
        inquiry.persons.values_list("pk", flat=True)
    ):
        inquiry.persons.set(persons)
        others.append("persons")
    if others:
        labels = ", ".join(str(Inquiry._meta.get_field(name).verbose_name) for name in others)
        _event(inquiry, InquiryEvent.Kind.EDITED, actor=actor, summary=f"Changed: {labels}.")
    inquiry.search_document = _search_document(
        inquiry, (p.full_name for p in inquiry.persons.all())
    )
    update = [*changed, "search_document"]
    if clock_changed:
        update += ["effective_received_at", "initial_response_due_at"]
    _save(inquiry, update)
    return inquiry


# --- triage and work ---------------------------------------------------------------------


def _check_assignee(assignee: Any, actor: Any) -> None:
    if assignee is None or not is_ombudsman(assignee) or not assignee.is_active:
        raise ValidationError({"assignee": ["Assign inquiries to Ombudsman staff only."]})
    if not is_lead(actor) and assignee != actor:
        raise ValidationError(
            {"assignee": ["Only the Ombudsman lead assigns inquiries to others; take it yourself."]}
        )


def _check_take(inquiry: Inquiry, actor: Any) -> None:
    if not is_lead(actor) and inquiry.assignee_id is not None and inquiry.assignee_id != actor.pk:
        raise ValidationError(
            {
                "assignee": [
                    f"{display_name(inquiry.assignee)} has this inquiry; ask the lead to reassign."
                ]
            }
        )


def _require_open(inquiry: Inquiry, action: str) -> None:
    if not inquiry.is_open:
        raise ValidationError(
            {
                "status": [
                    f"This inquiry is {inquiry.get_status_display().lower()}: reopen it "
                    f"before you {action}."
                ]
            }
        )


@transaction.atomic
def inquiry_assign(
    *, inquiry: Inquiry, assignee: Any, actor: Any, version: int | None = None
) -> Inquiry:
    """Assign or reassign an open inquiry to a member of the Ombudsman's staff, and tell
    them."""
    _check_assignee(assignee, actor)
    inquiry = _lock(inquiry, version)
    _require_open(inquiry, "assign it")
    _check_take(inquiry, actor)
    if inquiry.assignee_id == assignee.pk:
        return inquiry
    previous = inquiry.assignee
    inquiry.assignee = assignee
    inquiry.assigned_at = clock.now()
    fields = ["assignee", "assigned_at"]
    if inquiry.status == Inquiry.Status.NEW:
        inquiry.status = Inquiry.Status.ASSIGNED
        fields.append("status")
    _save(inquiry, fields)
    what = (
        f"Reassigned from {display_name(previous)} to {display_name(assignee)}"
        if previous
        else (f"Assigned to {display_name(assignee)}")
    )
    _event(inquiry, InquiryEvent.Kind.ASSIGNED, actor=actor, summary=f"{what}.")
    if assignee != actor:
        notification_send(
            recipient=assignee,
            kind="ombudsman_assigned",
            subject=f"Inquiry assigned to you: {inquiry.reference} {inquiry.subject}",
            body=f"Initial response due {_format(inquiry.initial_response_due_at)}.",
            link=reverse("ombudsman:inquiry", args=[inquiry.pk]),
        )
    return inquiry


@dataclass
class BulkResult:
    assigned: list[Inquiry]
    skipped: list[tuple[Inquiry, str]]


@transaction.atomic
def inquiries_assign(*, inquiries: Sequence[Inquiry], assignee: Any, actor: Any) -> BulkResult:
    """Assign several inquiries at once. Closed or resolved ones are skipped (and said
    so); nothing is assigned when the assignee is not Ombudsman staff."""
    _check_assignee(assignee, actor)
    result = BulkResult([], [])
    for inquiry in inquiries:
        if not inquiry.is_open:
            result.skipped.append((inquiry, f"{inquiry.get_status_display().lower()}"))
            continue
        result.assigned.append(inquiry_assign(inquiry=inquiry, assignee=assignee, actor=actor))
    return result


@transaction.atomic
def inquiry_respond(
    *,
    inquiry: Inquiry,
    actor: Any,
    method: str,
    summary: str,
    responded_at: datetime | None = None,
    version: int | None = None,
) -> Inquiry:
    """Log the initial response: this stops the SLA clock. An unassigned inquiry is
    assigned to whoever responded."""
    inquiry = _lock(inquiry, version)
    _require_open(inquiry, "respond")
    responded_at = responded_at or clock.now()
    errors: dict[str, list[str]] = {}
    if inquiry.initial_response_at is not None:
        errors["initial_response_at"] = [
            f"The initial response was already logged ({_format(inquiry.initial_response_at)}); "
            "log a contact instead."
        ]
    if method not in Inquiry.ResponseMethod.values:
        errors["method"] = ["Choose how the inquirer was answered."]
    if not summary.strip():
        errors["summary"] = ["Summarize the response."]
    if responded_at > clock.now():
        errors["responded_at"] = ["The response cannot be in the future."]
    elif responded_at < inquiry.received_at:
        errors["responded_at"] = ["The response cannot come before the inquiry was received."]
    if errors:
        raise ValidationError(errors)
    inquiry.initial_response_at = responded_at
    inquiry.initial_response_method = method
    inquiry.initial_response_by = actor
    inquiry.initial_response_summary = summary.strip()
    inquiry.status = Inquiry.Status.RESPONDED
    fields = [
        "initial_response_at",
        "initial_response_method",
        "initial_response_by",
        "initial_response_summary",
        "status",
    ]
    if inquiry.assignee_id is None:
        inquiry.assignee, inquiry.assigned_at = actor, clock.now()
        fields += ["assignee", "assigned_at"]
    _save(inquiry, fields)
    met = "within" if responded_at <= inquiry.initial_response_due_at else "after"
    _event(
        inquiry,
        InquiryEvent.Kind.INITIAL_RESPONSE,
        actor=actor,
        at=responded_at,
        method=_RESPONSE_CONTACT.get(method, InquiryEvent.ContactMethod.OTHER),
        summary=f"{summary.strip()} ({met} the deadline of "
        f"{_format(inquiry.initial_response_due_at)}).",
    )
    return inquiry


_RESPONSE_CONTACT = {
    Inquiry.ResponseMethod.PHONE: InquiryEvent.ContactMethod.PHONE,
    Inquiry.ResponseMethod.VOICEMAIL: InquiryEvent.ContactMethod.PHONE,
    Inquiry.ResponseMethod.EMAIL: InquiryEvent.ContactMethod.EMAIL,
    Inquiry.ResponseMethod.LETTER: InquiryEvent.ContactMethod.LETTER,
    Inquiry.ResponseMethod.IN_PERSON: InquiryEvent.ContactMethod.IN_PERSON,
    Inquiry.ResponseMethod.FAX: InquiryEvent.ContactMethod.FAX,
}

LOGGABLE = (InquiryEvent.Kind.CONTACT, InquiryEvent.Kind.REFERRAL, InquiryEvent.Kind.NOTE)


@transaction.atomic
def inquiry_log(
    *,
    inquiry: Inquiry,
    actor: Any,
    kind: str,
    summary: str,
    occurred_at: datetime | None = None,
    method: str = "",
    party: str = "",
) -> InquiryEvent:
    """Log a further contact with the inquirer, a referral, or a note. Work after the
    initial response moves the inquiry to "in progress"."""
    inquiry = _lock(inquiry, None)
    occurred_at = occurred_at or clock.now()
    errors: dict[str, list[str]] = {}
    if kind not in LOGGABLE:
        errors["kind"] = ["Log a contact, a referral or a note."]
    if not summary.strip():
        errors["summary"] = ["Say what happened."]
    if kind == InquiryEvent.Kind.CONTACT and method not in InquiryEvent.ContactMethod.values:
        errors["method"] = ["Choose how the contact happened."]
    if kind == InquiryEvent.Kind.REFERRAL and not party.strip():
        errors["party"] = ["Say where the inquirer was referred."]
    if occurred_at > clock.now():
        errors["occurred_at"] = ["This cannot be in the future."]
    if errors:
        raise ValidationError(errors)
    event = _event(
        inquiry,
        kind,
        actor=actor,
        at=occurred_at,
        summary=summary.strip(),
        method=method,
        party=party.strip(),
    )
    _mark_in_progress(inquiry)
    return event


def _mark_in_progress(inquiry: Inquiry) -> None:
    if inquiry.status == Inquiry.Status.RESPONDED:
        inquiry.status = Inquiry.Status.IN_PROGRESS
        _save(inquiry, ["status"])
    else:
        _save(inquiry, [])


@transaction.atomic
def inquiry_refer_to_hr(
    *, inquiry: Inquiry, actor: Any, notes: str, referred_at: datetime | None = None
) -> Inquiry:
    """Record that a retaliation allegation went to Human Resource Management."""
    inquiry = _lock(inquiry, None)
    referred_at = referred_at or clock.now()
    errors: dict[str, list[str]] = {}
    if not inquiry.retaliation_alleged:
        errors["retaliation_alleged"] = ["Only an allegation of retaliation goes to HR."]
    if inquiry.hr_referred_at:
        errors["hr_referred_at"] = [f"Already referred {_format(inquiry.hr_referred_at)}."]
    if not notes.strip():
        errors["notes"] = ["Say who at HR received the referral and how."]
    if referred_at > clock.now():
        errors["referred_at"] = ["The referral cannot be in the future."]
    if errors:
        raise ValidationError(errors)
    inquiry.hr_referred_at = referred_at
    inquiry.hr_referral_notes = notes.strip()
    _save(inquiry, ["hr_referred_at", "hr_referral_notes"])
    _event(
        inquiry,
        InquiryEvent.Kind.HR_REFERRAL,
        actor=actor,
        at=referred_at,
        party="Human Resource Management",
        summary=notes.strip(),
    )
    return inquiry


@transaction.atomic
def consultation_request(
    *, inquiry: Inquiry, actor: Any, consulted: Any, question: str
) -> Consultation:
    """Consult Regional, facility or Central Office staff. They are notified and see
    this consultation only."""
    inquiry = _lock(inquiry, None)
    errors: dict[str, list[str]] = {}
    if consulted is None or not consulted.is_active or is_ombudsman(consulted):
        errors["consulted"] = ["Consult an active member of agency staff outside the office."]
    if not question.strip():
        errors["question"] = ["Ask your question."]
    if errors:
        raise ValidationError(errors)
    consultation = Consultation.objects.create(
        inquiry=inquiry,
        consulted=consulted,
        question=question.strip(),
        requested_by=actor,
        requested_at=clock.now(),
    )
    _event(
        inquiry,
        InquiryEvent.Kind.CONSULTATION,
        actor=actor,
        party=display_name(consulted),
        summary=question.strip(),
    )
    _mark_in_progress(inquiry)
    notification_send(
        recipient=consulted,
        kind="ombudsman_consultation",
        subject=f"The Ombudsman asks for your input: {inquiry.reference}",
        body=question.strip()[:500],
        link=reverse("ombudsman:consultation", args=[consultation.pk]),
    )
    return consultation


@transaction.atomic
def consultation_reply(*, consultation: Consultation, actor: Any, reply: str) -> Consultation:
    """The consulted member of staff answers; the question's author is notified."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    errors: dict[str, list[str]] = {}
    if consultation.consulted_id != actor.pk:
        errors["consulted"] = ["Only the person consulted answers."]
    if consultation.replied_at:
        errors["reply"] = ["You already answered this consultation."]
    elif not reply.strip():
        errors["reply"] = ["Write your answer."]
    if errors:
        raise ValidationError(errors)
    consultation.reply = reply.strip()
    consultation.replied_at = clock.now()
    consultation.save(update_fields=["reply", "replied_at"])
    inquiry = consultation.inquiry
    _event(
        inquiry,
        InquiryEvent.Kind.CONSULTATION_REPLY,
        actor=actor,
        party=display_name(actor),
        summary=consultation.reply,
    )
    Inquiry.objects.filter(pk=inquiry.pk).update(version=F("version") + 1)
    notification_send(
        recipient=consultation.requested_by,
        kind="ombudsman_consultation_reply",
        subject=f"{display_name(actor)} answered your consultation on {inquiry.reference}",
        body=consultation.reply[:500],
        link=reverse("ombudsman:inquiry", args=[inquiry.pk]),
    )
    return consultation


@transaction.atomic
def inquiry_resolve(
    *,
    inquiry: Inquiry,
    actor: Any,
    outcome: str,
    summary: str,
    version: int | None = None,
) -> Inquiry:
    """Resolve an inquiry with an outcome category and summary. The initial response
    must have been logged first."""
    inquiry = _lock(inquiry, version)
    _require_open(inquiry, "resolve it")
    errors: dict[str, list[str]] = {}
    if inquiry.initial_response_at is None:
        errors["initial_response_at"] = ["Log the initial response before resolving."]
    if outcome not in Inquiry.Outcome.values:
        errors["outcome"] = ["Choose the outcome."]
    if not summary.strip():
        errors["summary"] = ["Summarize the resolution."]
    if errors:
        raise ValidationError(errors)
    inquiry.status = Inquiry.Status.RESOLVED
    inquiry.outcome = outcome
    inquiry.resolution_summary = summary.strip()
    inquiry.resolved_at = clock.now()
    _save(inquiry, ["status", "outcome", "resolution_summary", "resolved_at"])
    _event(
        inquiry,
        InquiryEvent.Kind.RESOLVED,
        actor=actor,
        summary=f"{inquiry.get_outcome_display()}: {inquiry.resolution_summary}",
    )
    return inquiry


@transaction.atomic
def inquiry_close(*, inquiry: Inquiry, actor: Any, version: int | None = None) -> Inquiry:
    """Close a resolved inquiry."""
    inquiry = _lock(inquiry, version)
    if inquiry.status != Inquiry.Status.RESOLVED:
        raise ValidationError({"status": ["Only a resolved inquiry is closed."]})
    inquiry.status = Inquiry.Status.CLOSED
    inquiry.closed_at = clock.now()
    _save(inquiry, ["status", "closed_at"])
    _event(inquiry, InquiryEvent.Kind.CLOSED, actor=actor)
    return inquiry


@transaction.atomic
def inquiry_reopen(
    *, inquiry: Inquiry, actor: Any, reason: str, version: int | None = None
) -> Inquiry:
    """Reopen a resolved or closed inquiry, with the reason. Its initial response stays
    logged; work resumes "in progress"."""
    inquiry = _lock(inquiry, version)
    errors: dict[str, list[str]] = {}
    if inquiry.is_open:
        errors["status"] = ["This inquiry is still open."]
    if not reason.strip():
        errors["reason"] = ["Say why the inquiry is reopened."]
    if errors:
        raise ValidationError(errors)
    inquiry.status = Inquiry.Status.IN_PROGRESS
    inquiry.closed_at = None
    inquiry.resolved_at = None
    _save(inquiry, ["status", "closed_at", "resolved_at"])
    _event(inquiry, InquiryEvent.Kind.REOPENED, actor=actor, summary=reason.strip())
    return inquiry


def display_name(user: Any) -> str:
    """How Hearth names a member of staff in messages and on timelines."""
    if user is None:
        return "nobody"
    return user.get_full_name() or user.get_username()


# --- attachments -------------------------------------------------------------------------


def _check_attachment(upload: UploadedFile) -> None:
    name = upload.name or "attachment"
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            {
                "attachments": [
                    f"{name} is {upload.size / 1048576:.1f} MB; the limit is "
                    f"{MAX_ATTACHMENT_BYTES // 1048576} MB."
                ]
            }
        )
    content_type = (upload.content_type or "").split(";")[0].strip().lower()
    if content_type not in ALLOWED_ATTACHMENT_TYPES:
        kinds = ", ".join(sorted(set(ALLOWED_ATTACHMENT_TYPES.values())))
        raise ValidationError(
            {"attachments": [f"{name}: files of this type are not accepted (allowed: {kinds})."]}
        )


def _attach(inquiry: Inquiry, upload: UploadedFile, *, actor: Any) -> InquiryAttachment:
    name = (upload.name or "attachment").rsplit("/", 1)[-1][:200]
    attachment = InquiryAttachment(
        inquiry=inquiry,
        name=name,
        content_type=(upload.content_type or "").split(";")[0].strip().lower(),
        size=upload.size,
        uploaded_by=actor,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def attachment_add(*, inquiry: Inquiry, actor: Any, upload: UploadedFile) -> InquiryAttachment:
    """Add a file to an inquiry (size and type checked)."""
    inquiry = _lock(inquiry, None)
    _check_attachment(upload)
    attachment = _attach(inquiry, upload, actor=actor)
    _event(inquiry, InquiryEvent.Kind.ATTACHMENT, actor=actor, summary=attachment.name)
    _save(inquiry, [])
    return attachment


# --- reminders ---------------------------------------------------------------------------


def reminders_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Notify the assignee when the due-soon threshold of business hours remains; the
    lead(s) when an inquiry is overdue, and when one stays unassigned past the
    threshold. Each notice is claimed through a unique key per inquiry and threshold,
    so running the sweep twice, or on two workers at once, sends it once."""
    from datetime import timedelta

    from agency.calendar import add_business_hours

    now = now or clock.now()
    cal, office_rules = business_calendar(), rules()
    sent = {"due_soon": 0, "overdue": 0, "unassigned": 0}
    waiting = Inquiry.objects.filter(
        initial_response_at__isnull=True, status__in=Inquiry.OPEN_STATUSES
    ).select_related("assignee")
    # Due within the threshold: the due time is at most N business hours from now.
    horizon = add_business_hours(cal, now, timedelta(hours=office_rules.due_soon_business_hours))
    due_soon = list(
        waiting.filter(
            initial_response_due_at__gt=now,
            initial_response_due_at__lte=horizon,
            assignee__isnull=False,
        ).iterator()
    )
    lead_list = leads()
    # Strictly past the due time, as in sla_state: a response at the due time is on time.
    overdue = list(waiting.filter(initial_response_due_at__lt=now).iterator())
    unassigned = [
        inquiry
        for inquiry in waiting.filter(assignee__isnull=True, effective_received_at__lte=now)
        if add_business_hours(
            cal,
            inquiry.effective_received_at,
            timedelta(hours=office_rules.unassigned_alert_business_hours),
        )
        <= now
    ]
    soon_key = f"{office_rules.due_soon_business_hours}h"
    unassigned_key = f"{office_rules.unassigned_alert_business_hours}h"
    # Notices already sent are skipped here (one query), so a sweep that finds nothing
    # new writes nothing; the unique key still settles two sweeps racing.
    used = _used_reminder_keys(
        {lead.pk for lead in lead_list} | {i.assignee_id for i in due_soon},
        {reminder_key(i, "due_soon", soon_key) for i in due_soon}
        | {reminder_key(i, "overdue", "due") for i in overdue}
        | {reminder_key(i, "unassigned", unassigned_key) for i in unassigned},
    )
    for inquiry in due_soon:
        key = reminder_key(inquiry, "due_soon", soon_key)
        if (inquiry.assignee_id, key) in used:
            continue
        sent["due_soon"] += bool(
            notification_send(
                recipient=inquiry.assignee,
                kind="ombudsman_due_soon",
                subject=f"Initial response due {_format(inquiry.initial_response_due_at)}: "
                f"{inquiry.reference}",
                body=f"{inquiry.subject}\nLess than {office_rules.due_soon_business_hours} "
                "business hours remain to make the initial response.",
                link=reverse("ombudsman:inquiry", args=[inquiry.pk]),
                dedupe_key=key,
            )
        )
    for lead in lead_list:
        for inquiry in overdue:
            key = reminder_key(inquiry, "overdue", "due")
            if (lead.pk, key) in used:
                continue
            sent["overdue"] += bool(
                notification_send(
                    recipient=lead,
                    kind="ombudsman_overdue",
                    subject=f"Overdue: no initial response to {inquiry.reference}",
                    body=f"{inquiry.subject}\nDue {_format(inquiry.initial_response_due_at)}; "
                    f"assigned to {display_name(inquiry.assignee)}.",
                    link=reverse("ombudsman:inquiry", args=[inquiry.pk]),
                    dedupe_key=key,
                )
            )
        for inquiry in unassigned:
            key = reminder_key(inquiry, "unassigned", unassigned_key)
            if (lead.pk, key) in used:
                continue
            sent["unassigned"] += bool(
                notification_send(
                    recipient=lead,
                    kind="ombudsman_unassigned",
                    subject=f"Unassigned for {office_rules.unassigned_alert_business_hours} "
                    f"business hour(s): {inquiry.reference}",
                    body=f"{inquiry.subject}\nInitial response due "
                    f"{_format(inquiry.initial_response_due_at)}.",
                    link=reverse("ombudsman:inquiry", args=[inquiry.pk]),
                    dedupe_key=key,
                )
            )
    return sent


def _used_reminder_keys(recipients: set[int], keys: set[str]) -> set[tuple[int, str]]:
    """(recipient id, key) of the reminders among `keys` already sent to `recipients`
    (the notifications' unique index on recipient and key serves it)."""
    from agency.models import Notification

    ordered, used = sorted(keys), set()
    for start in range(0, len(ordered), 1000):
        used |= set(
            Notification.objects.filter(
                recipient_id__in=recipients, dedupe_key__in=ordered[start : start + 1000]
            ).values_list("recipient_id", "dedupe_key")
        )
    return used


def digest_send(*, now: datetime | None = None) -> int:
    """The lead's daily digest, at 08:00 on business days: what is overdue, due today,
    and unassigned. Once per lead and day (a unique key), whatever the schedule."""
    from ombudsman.selectors import digest_counts

    now = now or clock.now()
    cal = business_calendar()
    today = timezone.localtime(now).date()
    if not cal.is_business_day(today):
        return 0
    counts = digest_counts(now=now)
    body = "\n".join(f"{label}: {count}" for label, count in counts.items())
    sent = 0
    for lead in leads():
        sent += bool(
            notification_send(
                recipient=lead,
                kind="ombudsman_digest",
                subject=f"Ombudsman queue for {today:%A %d %B %Y}",
                body=body,
                link=reverse("ombudsman:queue") + "?view=all",
                dedupe_key=f"ombudsman:digest:{lead.pk}:{today.isoformat()}",
            )
        )
    return sent
