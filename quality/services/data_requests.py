"""Writes for ORE data requests (DCF-5101), from receipt to close.

The lifecycle: received -> cataloged (catalog number, category, target) -> vetting:
approved, declined, or a DCF-5102 project scope asked for (the clock stops until it
arrives, then the request is back in vetting); research goes to the IRB after ORE's
assessment and the IRB's decision approves or declines it -> assigned to an analyst ->
in progress -> delivered (a note, and files and/or a link) -> closed.

Every function validates first and raises `ValidationError({field: [message]})` before
anything is saved (a refused attachment leaves nothing behind), checks the `version` the
user read (a conflicting change is refused), writes inside one transaction, and puts a
line on the request's timeline (DataRequestEvent; `internal` lines are ORE's own and the
requester never sees them). ORE's actions raise PermissionDenied for anyone who is not
ORE staff, whoever calls them.

The clock: `due_on` is `target_business_days + hold_business_days` business days after
the local date of receipt (agency.calendar, with the closure days admins enter). While a
project scope is awaited `on_hold_since` is set and no reminder goes; when it arrives the
business days on hold are added and `due_on` moves by exactly that many business days.
`search_document` (the catalog's search column) is kept current by every write that
changes what it covers.
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agency import clock
from agency.calendar import BusinessCalendar, add_business_days, business_days_between
from agency.selectors import business_calendar
from agency.services import notification_send, reference_next, reminder_key
from agency.uploads import DOCUMENTS, check_upload, stored_name
from quality.models import (
    DataRequest,
    DataRequestEvent,
    DataRequestFile,
    ProjectScope,
    QualityRules,
)
from quality.selectors import rules
from quality.selectors.data_requests import (
    day_label,
    is_ore_lead,
    is_ore_staff,
    ore_leads,
)

Status = DataRequest.Status
Category = DataRequest.Category

REFERENCE_PREFIX = "ORE"  # ORE-2026-000042, handed out at receipt
CATALOG_PREFIX = "ORC"  # ORC-2026-000017, handed out when ORE catalogs the request

# What a member of staff fills in on form DCF-5101.
REQUEST_FIELDS = (
    "title",
    "purpose",
    "questions",
    "data_elements",
    "population",
    "time_period",
    "geography",
    "format",
    "date_needed",
    "identifiable_data",
    "intended_use",
    "dissemination",
    "is_research",
)
# Who asks: prefilled from the member of staff submitting, who may correct them.
REQUESTER_FIELDS = ("requester_name", "organization", "requester_email")
# What ORE records of a request from outside the agency, besides the form.
EXTERNAL_FIELDS = (
    *REQUESTER_FIELDS,
    "requester_phone",
    "requester_address",
    "channel",
    "received_at",
)
SCOPE_FIELDS = (
    "objectives",
    "methodology",
    "data_sources",
    "timeline",
    "deliverables",
    "confidentiality",
)
EXTERNAL_CHANNELS = (DataRequest.Channel.EMAIL, DataRequest.Channel.MAIL, DataRequest.Channel.OTHER)

STALE_MESSAGE = (
    "Someone else changed this request after you opened it. Reload the page to see their "
    "changes, then try again."
)
NOT_ORE = "Only the Office for Research and Evaluation works data requests."

_TEXT_LIMITS = {
    "title": 200,
    "population": 300,
    "time_period": 200,
    "geography": 200,
    "requester_name": 150,
    "organization": 200,
    "requester_email": 254,
    "requester_phone": 30,
}


# --- small helpers -------------------------------------------------------------------------------


def display_name(user: Any) -> str:
    if user is None:
        return "nobody"
    return user.get_full_name() or user.get_username()


def is_research(data_request: DataRequest) -> bool:
    """Research goes to the IRB after ORE's assessment."""
    return data_request.is_research or data_request.category == Category.RESEARCH


def target_for(category: str, office_rules: QualityRules) -> int:
    """The target in business days for a category (ad hoc until the request is cataloged)."""
    return {
        Category.AD_HOC: office_rules.ore_target_ad_hoc,
        Category.FOIA: office_rules.ore_target_foia,
        Category.LEGISLATIVE: office_rules.ore_target_legislative,
        Category.FEDERAL_REPORTING: office_rules.ore_target_federal_reporting,
        Category.RESEARCH: office_rules.ore_target_research,
        Category.OTHER: office_rules.ore_target_other,
    }.get(category or Category.AD_HOC, office_rules.ore_target_ad_hoc)


def due_on_for(data_request: DataRequest, cal: BusinessCalendar) -> date:
    """Receipt + target + business days on hold (finished holds)."""
    received = timezone.localtime(data_request.received_at).date()
    return add_business_days(
        cal, received, data_request.target_business_days + data_request.hold_business_days
    )


def max_upload_bytes(office_rules: QualityRules | None = None) -> int:
    return (office_rules or rules()).ore_max_file_mb * 1024 * 1024


def search_document_for(data_request: DataRequest, deliverable_names: Iterable[str] = ()) -> str:
    """The catalog's search text: what the request is, who asked, what ORE delivered."""
    requester_name = data_request.requester_name
    parts = [
        data_request.reference,
        data_request.catalog_number or "",
        data_request.title,
        data_request.purpose,
        data_request.questions,
        data_request.data_elements,
        data_request.population,
        data_request.organization,
        requester_name,
        data_request.delivery_note,
        *deliverable_names,
    ]
    return "\n".join(part for part in parts if part).lower()


def _deliverable_names(data_request: DataRequest) -> list[str]:
    return list(
        data_request.files.filter(kind=DataRequestFile.Kind.DELIVERABLE)
        .order_by("uploaded_at", "pk")
        .values_list("name", flat=True)
    )


def _require_ore(actor: Any) -> None:
    if not is_ore_staff(actor):
        raise PermissionDenied(NOT_ORE)


def _lock(data_request: DataRequest, version: int | None) -> DataRequest:
    """The request's row, locked for this transaction; refused when `version` (the one
    the user read) is not the stored one."""
    if version is None:
        raise ValidationError({"version": ["Send the version of the request you read."]})
    locked = (
        DataRequest.objects.select_for_update(of=("self",))
        .select_related("requester", "analyst")
        .get(pk=data_request.pk)
    )
    if int(version) != locked.version:
        raise ValidationError({"version": [STALE_MESSAGE]})
    return locked


def _save(data_request: DataRequest, actor: Any, fields: Iterable[str]) -> None:
    # The row is locked (`_lock`), so the increment cannot race.
    data_request.version += 1
    data_request._history_user = actor
    data_request.save(update_fields=[*fields, "version"])


def _event(
    data_request: DataRequest,
    *,
    actor: Any,
    note: str = "",
    internal: bool = False,
    at: datetime | None = None,
) -> DataRequestEvent:
    return DataRequestEvent.objects.create(
        request=data_request,
        at=at or clock.now(),
        actor=actor,
        status=data_request.status,
        note=note,
        internal=internal,
    )


def _require_status(data_request: DataRequest, allowed: Sequence[str], rule: str) -> None:
    """Refuse an impossible transition, saying why."""
    if data_request.status not in allowed:
        raise ValidationError(
            {
                "status": [
                    f"{data_request.reference} is {data_request.get_status_display().lower()}: "
                    f"{rule}."
                ]
            }
        )


def _link(data_request: DataRequest) -> str:
    return reverse("quality:data_request", args=[data_request.pk])


def _notify_requester(data_request: DataRequest, kind: str, subject: str, body: str) -> None:
    """Tell a requester on the staff (external requesters hear from ORE by email or mail).
    The notice says what happened and links to the request; it is emailed, so it repeats
    no more of the request than its reference and title."""
    if data_request.requester is None or not data_request.requester.is_active:
        return
    notification_send(
        recipient=data_request.requester,
        kind=kind,
        subject=f"{subject}: {data_request.reference}",
        body=body,
        link=_link(data_request),
    )


def _check_files(uploads: Sequence[UploadedFile], *, field: str, max_bytes: int) -> list[str]:
    """Check every file before any is kept; returns their content types."""
    return [
        check_upload(upload, field=field, allowed=DOCUMENTS, max_bytes=max_bytes)
        for upload in uploads
    ]


def _store_file(
    data_request: DataRequest,
    upload: UploadedFile,
    *,
    kind: str,
    content_type: str,
    actor: Any,
) -> DataRequestFile:
    name = stored_name(upload)
    item = DataRequestFile(
        request=data_request,
        kind=kind,
        name=name,
        content_type=content_type,
        size=upload.size,
        uploaded_by=actor,
        uploaded_at=clock.now(),
    )
    item.file.save(name, upload, save=False)
    item.save()
    return item


# Fields that hold text: None (from an API client) is kept as "".
_TEXT_FIELDS = frozenset(
    {*REQUEST_FIELDS, *EXTERNAL_FIELDS, *SCOPE_FIELDS}
    - {"date_needed", "identifiable_data", "is_research", "received_at"}
)


def _clean_text(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned = {}
    for name, value in fields.items():
        if value is None and name in _TEXT_FIELDS:
            value = ""
        cleaned[name] = value.strip() if isinstance(value, str) else value
    return cleaned


# --- receipt -------------------------------------------------------------------------------------


def _validate_request(
    fields: dict[str, Any], *, external: bool, received_at: datetime
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not fields.get("title"):
        errors["title"] = ["Give the request a short title."]
    if not fields.get("purpose"):
        errors["purpose"] = ["Say why the data are needed."]
    if not fields.get("questions"):
        errors["questions"] = ["Say which questions the data should answer."]
    if fields.get("format", DataRequest.Format.SPREADSHEET) not in DataRequest.Format.values:
        errors["format"] = ["Choose the format wanted."]
    for name, limit in _TEXT_LIMITS.items():
        value = fields.get(name) or ""
        if len(value) > limit and name not in errors:
            errors[name] = [f"Keep this to {limit} characters."]
    if not fields.get("requester_name"):
        errors["requester_name"] = ["Give the requester's name."]
    if not fields.get("organization"):
        errors["organization"] = ["Give the requester's organization, division or office."]
    email = fields.get("requester_email") or ""
    if email and "requester_email" not in errors:
        try:
            EmailValidator()(email)
        except ValidationError:
            errors["requester_email"] = ["Enter a valid email address."]
    if timezone.is_naive(received_at):
        raise ValueError("received_at must be an aware datetime.")
    if received_at > clock.now():
        errors["received_at"] = ["The time received cannot be in the future."]
    needed = fields.get("date_needed")
    received_day = timezone.localtime(received_at).date()
    if needed and needed < received_day:
        errors["date_needed"] = [
            f"The date needed cannot be in the past (before {day_label(received_day)})."
        ]
    if external:
        if fields.get("channel") not in EXTERNAL_CHANNELS:
            errors["channel"] = ["Say how the request arrived: email, mail or other."]
        if not (email or fields.get("requester_phone") or fields.get("requester_address")):
            errors.setdefault("requester_email", []).append(
                "Give an email address, a phone number or a postal address to answer the requester."
            )
    return errors


def _create(
    *,
    actor: Any,
    requester: Any,
    fields: dict[str, Any],
    attachments: Sequence[UploadedFile],
    external: bool,
) -> DataRequest:
    fields = _clean_text(fields)
    received_at = fields.pop("received_at", None) or clock.now()
    office_rules = rules()
    errors = _validate_request(fields, external=external, received_at=received_at)
    try:
        types = _check_files(
            attachments, field="attachments", max_bytes=max_upload_bytes(office_rules)
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    data_request = DataRequest(
        requester=requester,
        entered_by=actor,
        received_at=received_at,
        channel=fields.pop("channel", DataRequest.Channel.HEARTH),
        target_business_days=target_for("", office_rules),
        **fields,
    )
    data_request.due_on = due_on_for(data_request, business_calendar())
    data_request.reference = reference_next(prefix=REFERENCE_PREFIX)
    data_request.search_document = search_document_for(data_request)
    data_request._history_user = actor
    data_request.save()
    if external:
        how = data_request.get_channel_display().lower()
        note = (
            f"Received by {how} from {data_request.requester_name} "
            f"({data_request.organization}); entered by {display_name(actor)}."
        )
    else:
        note = f"Submitted in Hearth by {display_name(actor)}."
    _event(data_request, actor=actor, note=note, at=received_at)
    for upload, content_type in zip(attachments, types, strict=True):
        _store_file(
            data_request,
            upload,
            kind=DataRequestFile.Kind.ATTACHMENT,
            content_type=content_type,
            actor=actor,
        )
    return data_request


def _known(fields: dict[str, Any], allowed: Sequence[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown data request fields: {sorted(unknown)}")


def requester_defaults(user: Any) -> dict[str, str]:
    """Who a member of staff is, as the DCF-5101 form prefills it: their name, email and
    work location."""
    profile = getattr(user, "staff", None)
    location = profile.work_location.name if profile and profile.work_location_id else ""
    return {
        "requester_name": display_name(user),
        "requester_email": user.email or "",
        "organization": location,
    }


@transaction.atomic
def data_request_submit(
    *, actor: Any, attachments: Sequence[UploadedFile] = (), **fields: Any
) -> DataRequest:
    """A member of staff asks ORE for data (DCF-5101), with any attachments. The name,
    email and organization default to theirs. The answer is due 15 business days after
    receipt (the ad hoc target) until ORE catalogs the request."""
    _known(fields, (*REQUEST_FIELDS, *REQUESTER_FIELDS))
    if not actor.has_perm("quality.add_datarequest"):
        raise PermissionDenied("Your account may not ask ORE for data.")
    defaults = requester_defaults(actor)
    for name, value in defaults.items():
        if not (fields.get(name) or "").strip():
            fields[name] = value
    return _create(
        actor=actor, requester=actor, fields=fields, attachments=attachments, external=False
    )


@transaction.atomic
def data_request_enter(
    *, actor: Any, attachments: Sequence[UploadedFile] = (), **fields: Any
) -> DataRequest:
    """ORE records a request from outside the agency, received by email, mail or
    otherwise: the form, the requester's contact details, and when it arrived (the
    clock runs from then)."""
    _known(fields, (*REQUEST_FIELDS, *EXTERNAL_FIELDS))
    _require_ore(actor)
    return _create(
        actor=actor, requester=None, fields=fields, attachments=attachments, external=True
    )


# --- vetting -------------------------------------------------------------------------------------


@transaction.atomic
def data_request_catalog(
    *, data_request: DataRequest, actor: Any, version: int | None, category: str
) -> DataRequest:
    """Catalog a request just received: its catalog number (ORC-2026-000017) and
    category, whose target (QualityRules) sets the due date."""
    _require_ore(actor)
    locked = _lock(data_request, version)
    _require_status(locked, [Status.RECEIVED], "only a request just received is cataloged")
    if category not in Category.values:
        raise ValidationError({"category": ["Choose the category."]})
    office_rules = rules()
    locked.catalog_number = reference_next(prefix=CATALOG_PREFIX)
    locked.category = category
    locked.cataloged_at = clock.now()
    locked.target_business_days = target_for(category, office_rules)
    locked.due_on = due_on_for(locked, business_calendar())
    locked.status = Status.CATALOGED
    locked.search_document = search_document_for(locked, _deliverable_names(locked))
    _save(
        locked,
        actor,
        ["catalog_number", "category", "cataloged_at", "target_business_days", "due_on",
         "status", "search_document"],
    )  # fmt: skip
    _event(
        locked,
        actor=actor,
        note=f"Cataloged as {locked.catalog_number}, {locked.get_category_display().lower()}: "
        f"target {locked.target_business_days} business days from receipt, due "
        f"{day_label(locked.due_on)}.",
    )
    return locked


@transaction.atomic
def data_request_approve(
    *,
    data_request: DataRequest,
    actor: Any,
    version: int | None,
    irb_submitted_on: date | None = None,
) -> DataRequest:
    """Approve a cataloged request; it then waits for an analyst. Research (marked as
    research, or cataloged as such) goes to the agency's IRB after this assessment
    instead, submitted on `irb_submitted_on` (today by default)."""
    _require_ore(actor)
    locked = _lock(data_request, version)
    _require_status(
        locked,
        [Status.CATALOGED],
        "only a cataloged request being vetted is approved (a project scope asked for must "
        "arrive first)",
    )
    now = clock.now()
    locked.vetted_by = actor
    locked.vetted_at = now
    if is_research(locked):
        submitted = irb_submitted_on or timezone.localtime(now).date()
        if submitted > timezone.localtime(now).date():
            raise ValidationError(
                {"irb_submitted_on": ["The date sent to the IRB cannot be in the future."]}
            )
        locked.status = Status.IRB_REVIEW
        locked.irb_submitted_on = submitted
        _save(locked, actor, ["status", "vetted_by", "vetted_at", "irb_submitted_on"])
        note = (
            "ORE assessed the research proposal and sent it to the agency's Institutional "
            f"Review Board on {day_label(submitted)}. Work starts once the IRB approves it."
        )
    else:
        locked.status = Status.APPROVED
        _save(locked, actor, ["status", "vetted_by", "vetted_at"])
        note = "Approved by ORE; an analyst will be assigned."
    _event(locked, actor=actor, note=note)
    return locked


def _end_hold(data_request: DataRequest, until: datetime, cal: BusinessCalendar) -> int:
    """Stop a hold: its business days join the request's, and the due date moves."""
    days = business_days_between(cal, data_request.on_hold_since, until)
    data_request.hold_business_days += days
    data_request.on_hold_since = None
    data_request.due_on = due_on_for(data_request, cal)
    return days


@transaction.atomic
def data_request_decline(
    *, data_request: DataRequest, actor: Any, version: int | None, reason: str
) -> DataRequest:
    """Decline a request being vetted (or one waiting for a project scope), with the
    reason, which the requester sees."""
    _require_ore(actor)
    locked = _lock(data_request, version)
    _require_status(
        locked,
        [Status.CATALOGED, Status.SCOPE_REQUESTED],
        "only a cataloged request being vetted is declined",
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Give the reason; the requester sees it."]})
    now = clock.now()
    fields = ["status", "decline_reason", "vetted_by", "vetted_at"]
    if locked.on_hold_since:
        _end_hold(locked, now, business_calendar())
        fields += ["hold_business_days", "on_hold_since", "due_on"]
    locked.status = Status.DECLINED
    locked.decline_reason = reason
    locked.vetted_by = actor
    locked.vetted_at = now
    _save(locked, actor, fields)
    _event(locked, actor=actor, note=f"Declined: {reason}")
    _notify_requester(
        locked,
        "ore_declined",
        "ORE declined your data request",
        f"{locked.title}\nORE declined the request. The reason is on the request's page.",
    )
    return locked


@transaction.atomic
def data_request_scope_request(
    *, data_request: DataRequest, actor: Any, version: int | None, what_ore_needs: str
) -> ProjectScope:
    """Ask the requester for a DCF-5102 project scope, saying what it must clarify. The
    clock stops until it arrives."""
    _require_ore(actor)
    locked = _lock(data_request, version)
    _require_status(
        locked, [Status.CATALOGED], "a project scope is asked for while a request is vetted"
    )
    what_ore_needs = (what_ore_needs or "").strip()
    if not what_ore_needs:
        raise ValidationError(
            {"what_ore_needs": ["Say what the project scope must clarify; the requester sees it."]}
        )
    now = clock.now()
    scope = ProjectScope.objects.create(
        request=locked, requested_at=now, requested_by=actor, what_ore_needs=what_ore_needs
    )
    locked.status = Status.SCOPE_REQUESTED
    locked.on_hold_since = now
    _save(locked, actor, ["status", "on_hold_since"])
    how = (
        "The requester sends it in Hearth."
        if locked.requester_id
        else f"ORE asks {locked.requester_name} for it by {_contact(locked)}."
    )
    _event(
        locked,
        actor=actor,
        note=f"ORE asks for a project scope (DCF-5102): {what_ore_needs}\nThe clock is stopped "
        f"until it arrives. {how}",
    )
    _notify_requester(
        locked,
        "ore_scope_requested",
        "ORE asks for a project scope (DCF-5102)",
        f"{locked.title}\nORE needs a project scope before it can go on. Open the request "
        "to see what it must clarify and to send it; the clock is stopped until then.",
    )
    return scope


def _contact(data_request: DataRequest) -> str:
    if data_request.requester_email:
        return "email"
    if data_request.requester_phone:
        return "phone"
    return "mail"


@transaction.atomic
def data_request_scope_submit(
    *,
    data_request: DataRequest,
    actor: Any,
    version: int | None,
    upload: UploadedFile | None = None,
    received_at: datetime | None = None,
    **fields: Any,
) -> ProjectScope:
    """The project scope arrives: the requester fills in the DCF-5102 fields in Hearth,
    or ORE records one received by email (`received_at`, optionally the file). The
    objectives are required unless the scope itself is attached. The business days on
    hold are added to the request's and its due date moves by as many; the request is
    back in vetting."""
    _known(fields, SCOPE_FIELDS)
    ore = is_ore_staff(actor)
    if not ore and not (data_request.requester_id and data_request.requester_id == actor.pk):
        raise PermissionDenied("Only the requester, or ORE, sends the project scope.")
    locked = _lock(data_request, version)
    _require_status(
        locked, [Status.SCOPE_REQUESTED], "ORE is not waiting for a project scope for it"
    )
    scope = ProjectScope.objects.select_for_update().get(request=locked, received_at__isnull=True)
    fields = _clean_text({name: fields.get(name) or "" for name in SCOPE_FIELDS})
    now = clock.now()
    errors: dict[str, list[str]] = {}
    if received_at is not None and not ore:
        raise TypeError("Only ORE records when a project scope arrived.")
    received_at = received_at or now
    if timezone.is_naive(received_at):
        raise ValueError("received_at must be an aware datetime.")
    if received_at > now:
        errors["received_at"] = ["The time received cannot be in the future."]
    elif received_at < scope.requested_at:
        asked = day_label(timezone.localtime(scope.requested_at).date())
        errors["received_at"] = [
            f"The scope was asked for on {asked}; it cannot have arrived before."
        ]
    if not fields["objectives"] and upload is None:
        errors["objectives"] = ["Give the project's objectives (or attach the scope)."]
    if locked.identifiable_data and upload is None and not fields["confidentiality"]:
        errors["confidentiality"] = [
            "The request asks for identifiable data: say how they will be protected."
        ]
    content_type = ""
    if upload is not None:
        try:
            [content_type] = _check_files([upload], field="file", max_bytes=max_upload_bytes())
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    cal = business_calendar()
    held = business_days_between(cal, scope.requested_at, received_at)
    for name, value in fields.items():
        setattr(scope, name, value)
    scope.received_at = received_at
    scope.hold_business_days = held
    scope.save()
    before = locked.due_on
    locked.hold_business_days += held
    locked.on_hold_since = None
    locked.due_on = due_on_for(locked, cal)
    locked.status = Status.CATALOGED
    _save(locked, actor, ["hold_business_days", "on_hold_since", "due_on", "status"])
    if upload is not None:
        _store_file(
            locked, upload, kind=DataRequestFile.Kind.SCOPE, content_type=content_type, actor=actor
        )
    how = (
        f"sent in Hearth by {display_name(actor)}"
        if not ore or actor.pk == locked.requester_id
        else f"received by ORE and recorded by {display_name(actor)}"
    )
    _event(
        locked,
        actor=actor,
        at=received_at if ore else None,
        note=f"Project scope {how}. The clock stood still for {held} business "
        f"day{'' if held == 1 else 's'}; the answer is due {day_label(locked.due_on)} "
        f"(was {day_label(before)}). Back with ORE for vetting.",
    )
    if not ore and scope.requested_by.is_active:
        notification_send(
            recipient=scope.requested_by,
            kind="ore_scope_received",
            subject=f"Project scope received: {locked.reference}",
            body=f"{locked.title}\nThe requester sent the project scope you asked for.",
            link=_link(locked),
        )
    return scope


@transaction.atomic
def data_request_irb_decision(
    *,
    data_request: DataRequest,
    actor: Any,
    version: int | None,
    decision: str,
    decided_on: date | None = None,
    notes: str = "",
) -> DataRequest:
    """Record the IRB's decision on a research request: approved (with or without
    conditions) it waits for an analyst; not approved it is declined with the IRB's
    notes as the reason."""
    _require_ore(actor)
    locked = _lock(data_request, version)
    _require_status(locked, [Status.IRB_REVIEW], "only a request in IRB review gets a decision")
    notes = (notes or "").strip()
    today = clock.today()
    decided_on = decided_on or today
    errors: dict[str, list[str]] = {}
    Decision = DataRequest.IrbDecision
    if decision not in Decision.values:
        errors["decision"] = ["Choose the IRB's decision."]
    elif decision == Decision.NOT_APPROVED and not notes:
        errors["notes"] = ["Give the IRB's reasons; the requester sees them."]
    elif decision == Decision.APPROVED_WITH_CONDITIONS and not notes:
        errors["notes"] = ["State the IRB's conditions."]
    if decided_on > today:
        errors["decided_on"] = ["The decision date cannot be in the future."]
    elif locked.irb_submitted_on and decided_on < locked.irb_submitted_on:
        errors["decided_on"] = [
            f"The request went to the IRB on {day_label(locked.irb_submitted_on)}; the "
            "decision cannot come before."
        ]
    if errors:
        raise ValidationError(errors)
    locked.irb_decision = decision
    locked.irb_decided_on = decided_on
    locked.irb_notes = notes
    fields = ["irb_decision", "irb_decided_on", "irb_notes", "status"]
    label = Decision(decision).label.lower()
    if decision == Decision.NOT_APPROVED:
        locked.status = Status.DECLINED
        locked.decline_reason = notes
        fields.append("decline_reason")
        note = f"The IRB did not approve the research ({day_label(decided_on)}): {notes}"
    else:
        locked.status = Status.APPROVED
        note = f"The IRB decided on {day_label(decided_on)}: {label}."
        if notes:
            note += f"\n{notes}"
        note += "\nAn analyst will be assigned."
    _save(locked, actor, fields)
    _event(locked, actor=actor, note=note)
    if locked.status == Status.DECLINED:
        _notify_requester(
            locked,
            "ore_declined",
            "The IRB did not approve your research request",
            f"{locked.title}\nThe IRB's reasons are on the request's page.",
        )
    return locked


# --- the work ------------------------------------------------------------------------------------


@transaction.atomic
def data_request_assign(
    *, data_request: DataRequest, actor: Any, version: int | None, analyst: Any
) -> DataRequest:
    """Give an approved request to an analyst. The ORE lead assigns and reassigns anyone
    from ORE; an analyst takes an approved request nobody has yet."""
    _require_ore(actor)
    locked = _lock(data_request, version)
    _require_status(
        locked,
        [Status.APPROVED, Status.ASSIGNED, Status.IN_PROGRESS],
        "a request is assigned once approved, until it is delivered",
    )
    if analyst is None or not is_ore_staff(analyst):
        raise ValidationError({"analyst": ["Assign data requests to ORE staff only."]})
    lead = is_ore_lead(actor)
    if not lead:
        if analyst.pk != actor.pk:
            raise ValidationError(
                {"analyst": ["Only the ORE lead assigns requests to others; take it yourself."]}
            )
        if locked.analyst_id is not None:
            raise ValidationError(
                {
                    "analyst": [
                        f"{display_name(locked.analyst)} has this request; ask the ORE lead to "
                        "reassign it."
                    ]
                }
            )
    if locked.analyst_id == analyst.pk:
        raise ValidationError({"analyst": [f"{display_name(analyst)} already has this request."]})
    previous = locked.analyst
    locked.analyst = analyst
    locked.assigned_at = clock.now()
    if locked.status == Status.APPROVED:
        locked.status = Status.ASSIGNED
    _save(locked, actor, ["analyst", "assigned_at", "status"])
    if previous is not None:
        note = f"Reassigned from {display_name(previous)} to {display_name(analyst)}."
    elif analyst.pk == actor.pk:
        note = f"Taken by {display_name(analyst)}."
    else:
        note = f"Assigned to {display_name(analyst)}."
    _event(locked, actor=actor, note=note)
    if analyst.pk != actor.pk:
        notification_send(
            recipient=analyst,
            kind="ore_assigned",
            subject=f"Data request assigned to you: {locked.reference}",
            body=f"{locked.title}\nDue {day_label(locked.due_on)}.",
            link=_link(locked),
        )
    return locked


def _require_analyst(data_request: DataRequest, actor: Any, doing: str) -> None:
    if data_request.analyst_id != actor.pk and not is_ore_lead(actor):
        raise ValidationError(
            {"analyst": [f"Only the analyst assigned (or the ORE lead) {doing}."]}
        )


@transaction.atomic
def data_request_start(
    *, data_request: DataRequest, actor: Any, version: int | None
) -> DataRequest:
    """The analyst starts the work."""
    _require_ore(actor)
    locked = _lock(data_request, version)
    _require_status(locked, [Status.ASSIGNED], "work starts on a request assigned to an analyst")
    _require_analyst(locked, actor, "starts the work")
    locked.status = Status.IN_PROGRESS
    locked.started_at = clock.now()
    _save(locked, actor, ["status", "started_at"])
    _event(locked, actor=actor, note=f"{display_name(locked.analyst)} started the work.")
    return locked


@transaction.atomic
def data_request_deliver(
    *,
    data_request: DataRequest,
    actor: Any,
    version: int | None,
    note: str,
    files: Sequence[UploadedFile] = (),
    link: str = "",
) -> DataRequest:
    """Deliver the answer: a note for the requester, and the deliverable files, a link to
    them, or both. Records the business days from receipt to delivery, less the time on
    hold; the requester is notified."""
    _require_ore(actor)
    locked = _lock(data_request, version)
    _require_status(locked, [Status.IN_PROGRESS], "only a request in progress is delivered")
    _require_analyst(locked, actor, "delivers it")
    note = (note or "").strip()
    link = (link or "").strip()
    errors: dict[str, list[str]] = {}
    if not note:
        errors["note"] = ["Write the delivery note: what is delivered, and anything to know."]
    if link:
        if len(link) > 500:
            errors["link"] = ["Keep the link to 500 characters."]
        else:
            try:
                URLValidator(schemes=["https", "http"])(link)
            except ValidationError:
                errors["link"] = ["Enter a full web address (https://...)."]
    if not files and not link:
        errors["files"] = ["Attach the deliverable files, give a link to them, or both."]
    types: list[str] = []
    try:
        types = _check_files(files, field="files", max_bytes=max_upload_bytes())
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    cal = business_calendar()
    now = clock.now()
    locked.status = Status.DELIVERED
    locked.delivered_at = now
    locked.delivery_note = note
    locked.delivery_link = link
    locked.business_days_to_delivery = max(
        0, business_days_between(cal, locked.received_at, now) - locked.hold_business_days
    )
    for upload, content_type in zip(files, types, strict=True):
        _store_file(
            locked,
            upload,
            kind=DataRequestFile.Kind.DELIVERABLE,
            content_type=content_type,
            actor=actor,
        )
    locked.search_document = search_document_for(locked, _deliverable_names(locked))
    _save(
        locked,
        actor,
        ["status", "delivered_at", "delivery_note", "delivery_link",
         "business_days_to_delivery", "search_document"],
    )  # fmt: skip
    on_time = "on time" if timezone.localtime(now).date() <= locked.due_on else "after the due date"
    _event(
        locked,
        actor=actor,
        note=f"Delivered {on_time}, in {locked.business_days_to_delivery} business days of "
        f"work.\n{note}",
    )
    _notify_requester(
        locked,
        "ore_delivered",
        "ORE delivered your data request",
        f"{locked.title}\nThe answer is ready: open the request to read ORE's note and "
        "download what was delivered.",
    )
    return locked


@transaction.atomic
def data_request_close(
    *, data_request: DataRequest, actor: Any, version: int | None
) -> DataRequest:
    """File a delivered request away."""
    _require_ore(actor)
    locked = _lock(data_request, version)
    _require_status(locked, [Status.DELIVERED], "only a delivered request is closed")
    locked.status = Status.CLOSED
    locked.closed_at = clock.now()
    _save(locked, actor, ["status", "closed_at"])
    _event(locked, actor=actor, note="Closed.")
    return locked


@transaction.atomic
def data_request_file_add(
    *, data_request: DataRequest, actor: Any, upload: UploadedFile, kind: str
) -> DataRequestFile:
    """ORE adds a file: an attachment to the request, or a deliverable (once the work
    has started). A deliverable joins the catalog's search."""
    _require_ore(actor)
    locked = DataRequest.objects.select_for_update().get(pk=data_request.pk)
    if kind not in (DataRequestFile.Kind.ATTACHMENT, DataRequestFile.Kind.DELIVERABLE):
        raise ValidationError({"kind": ["Choose attachment or deliverable."]})
    if kind == DataRequestFile.Kind.DELIVERABLE:
        _require_status(
            locked,
            [Status.IN_PROGRESS, Status.DELIVERED, Status.CLOSED],
            "deliverables are added once the work has started",
        )
    [content_type] = _check_files([upload], field="file", max_bytes=max_upload_bytes())
    item = _store_file(locked, upload, kind=kind, content_type=content_type, actor=actor)
    fields: list[str] = []
    if kind == DataRequestFile.Kind.DELIVERABLE:
        locked.search_document = search_document_for(locked, _deliverable_names(locked))
        fields.append("search_document")
    _save(locked, actor, fields)
    _event(
        locked,
        actor=actor,
        note=f"{DataRequestFile.Kind(kind).label} added: {item.name}.",
    )
    return item


@transaction.atomic
def data_request_note_add(*, data_request: DataRequest, actor: Any, note: str) -> DataRequestEvent:
    """ORE's own note on the timeline; the requester never sees it."""
    _require_ore(actor)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": ["Write the note."]})
    return _event(data_request, actor=actor, note=note, internal=True)


# --- the calendar and reminders ------------------------------------------------------------------


@transaction.atomic
def data_request_due_dates_recompute(*, actor: Any = None, reason: str = "") -> int:
    """Recompute the due date of every open request (after a closure day is added or
    removed). Returns how many changed; each change is an internal line on the
    request's timeline."""
    cal, now = business_calendar(), clock.now()
    changed, events = [], []
    open_requests = DataRequest.objects.select_for_update().filter(status__in=DataRequest.OPEN)
    for data_request in open_requests.order_by("pk"):
        before = data_request.due_on
        data_request.due_on = due_on_for(data_request, cal)
        if data_request.due_on == before:
            continue
        data_request.version += 1
        changed.append(data_request)
        events.append(
            DataRequestEvent(
                request=data_request,
                at=now,
                actor=actor,
                status=data_request.status,
                internal=True,
                note=f"Due date {day_label(before)} → {day_label(data_request.due_on)}"
                + (f" ({reason})." if reason else "."),
            )
        )
    DataRequest.objects.bulk_update(changed, ["due_on", "version"], batch_size=500)
    DataRequestEvent.objects.bulk_create(events, batch_size=500)
    return len(changed)


def data_request_reminders_send(*, today: date | None = None) -> dict[str, int]:
    """Remind the analyst (when one is assigned) and every ORE lead of each open request
    due within `ore_due_soon_business_days` business days, and of each overdue one. None
    while the clock is stopped for a project scope. Each reminder is claimed through a
    unique key per request, threshold and due date, so a sweep run twice, or on two
    workers at once, sends it once; a due date that moves (after a hold) is a new one."""
    today = today or clock.today()
    cal, office_rules = business_calendar(), rules()
    soon_days = office_rules.ore_due_soon_business_days
    horizon = add_business_days(cal, today, soon_days)
    running = DataRequest.objects.filter(
        status__in=DataRequest.OPEN, on_hold_since__isnull=True
    ).select_related("analyst")
    leads = ore_leads()
    sent = {"due_soon": 0, "overdue": 0}

    def remind(data_request: DataRequest, kind: str, threshold: str, subject: str, body: str):
        recipients = {lead.pk: lead for lead in leads}
        if data_request.analyst is not None and data_request.analyst.is_active:
            recipients.setdefault(data_request.analyst_id, data_request.analyst)
        key = reminder_key(data_request, kind, threshold)
        for recipient in recipients.values():
            notice = notification_send(
                recipient=recipient,
                kind=kind,
                subject=f"{subject}: {data_request.reference}",
                body=body,
                link=_link(data_request),
                dedupe_key=key,
            )
            sent["due_soon" if kind == "ore_due_soon" else "overdue"] += notice is not None

    for data_request in running.filter(due_on__gte=today, due_on__lte=horizon).order_by("pk"):
        due = day_label(data_request.due_on)
        remind(
            data_request,
            "ore_due_soon",
            f"{soon_days}bd:{data_request.due_on.isoformat()}",
            f"Data request due {due}",
            f"{data_request.title}\nDue {due}; analyst: {display_name(data_request.analyst)}.",
        )
    for data_request in running.filter(due_on__lt=today).order_by("pk"):
        due = day_label(data_request.due_on)
        remind(
            data_request,
            "ore_overdue",
            f"due:{data_request.due_on.isoformat()}",
            "Data request overdue",
            f"{data_request.title}\nDue {due}; analyst: {display_name(data_request.analyst)}.",
        )
    return sent
