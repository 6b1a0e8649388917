"""Writes for the COOP registry: plans and their content, document versions, the three
quarterly duties, OPM's review, and the daily reminders.

Each function validates first and raises `ValidationError({field: [message]})` before
anything is saved, so the pages, the API and the admin show the message beside the right
field. Callers check who may act (coop.permissions): a plan's senior administrator keeps
it and records its duties; OPM creates plans, names their senior administrator, and
accepts or returns submissions. Edits carry the `version` the user read and are refused
when someone else changed the row since.
"""

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from agency import clock
from agency.models import Notification, WorkLocation
from agency.services import notification_send, reminder_key
from agency.uploads import PDF, check_upload, stored_name
from coop import duties as duty_rules
from coop.duties import day
from coop.models import (
    CoopPlan,
    EmergencyProcedure,
    KeyStaff,
    NotificationCriterion,
    PlanDocument,
    QuarterlyDuties,
)
from coop.quarters import Quarter
from coop.selectors import created_on, opm_users, rules

User = get_user_model()

PLAN_STALE_MESSAGE = (
    "Someone else changed this plan after you opened it. Reload the page to see their "
    "changes, then make yours again."
)
DUTIES_STALE_MESSAGE = (
    "Someone else recorded this quarter's duties after you opened the page. Reload the "
    "page to see what they recorded, then make your change again."
)

# The sections of a plan a senior administrator edits (plan_update's keywords).
CONTENT_FIELDS = (
    "hard_copy_location",
    "assembly_point",
    "key_staff",
    "procedures",
    "notifications",
)
_SECTION_NAMES = {
    "hard_copy_location": "where the hard copy is kept",
    "assembly_point": "assembly point",
    "key_staff": "key staff",
    "procedures": "emergency procedures",
    "notifications": "notification criteria",
}

Submission = QuarterlyDuties.Submission


def _name(user: Any) -> str:
    return user.get_full_name() or user.get_username()


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _text(value: Any) -> str:
    return str(value or "").strip()


# --- plans -----------------------------------------------------------------------------------


def plan_link(plan: CoopPlan) -> str:
    return reverse("coop:plan", args=[plan.pk])


def _check_places(hard_copy_location: str, assembly_point: str, errors: dict) -> None:
    for name, value in (
        ("hard_copy_location", hard_copy_location),
        ("assembly_point", assembly_point),
    ):
        if len(value) > _max_length(CoopPlan, name):
            errors[name] = [f"Keep it to {_max_length(CoopPlan, name)} characters."]


def _check_administrator(user: Any, errors: dict) -> None:
    if user is None:
        errors["senior_administrator"] = ["Choose the location's senior administrator."]
    elif not user.is_active:
        errors["senior_administrator"] = [f"{_name(user)} can no longer log in to Hearth."]


def _tell_administrator(plan: CoopPlan, actor: Any) -> None:
    """The person named senior administrator hears of it (unless they named themselves)."""
    admin = plan.senior_administrator
    if admin.pk == actor.pk:
        return
    location, version = plan.work_location.name, plan.version
    link = plan_link(plan)

    def send() -> None:
        notification_send(
            recipient=admin,
            kind="coop_administrator",
            subject=f"You keep the COOP plan of {location}",
            body=(
                f"{_name(actor)} named you the senior administrator of the Continuity of "
                f"Operations Plan of {location}. Every quarter you communicate it to all "
                "staff, revise it and submit the revision to OPM."
            ),
            link=link,
            dedupe_key=reminder_key(plan, "coop_administrator", str(version)),
        )

    transaction.on_commit(send)


@transaction.atomic
def plan_create(
    *,
    actor: Any,
    work_location: WorkLocation | None,
    senior_administrator: Any,
    hard_copy_location: str = "",
    assembly_point: str = "",
) -> CoopPlan:
    """Create a location's plan and name its senior administrator, who keeps it from
    now on. The quarter it is created in counts: its duties are owed by the quarter's
    due day."""
    hard_copy_location, assembly_point = _text(hard_copy_location), _text(assembly_point)
    errors: dict[str, list[str]] = {}
    if work_location is None:
        errors["work_location"] = ["Choose the work location."]
    else:
        location = WorkLocation.objects.select_for_update().get(pk=work_location.pk)
        if not location.active:
            errors["work_location"] = [f"{location.name} is no longer an active location."]
        elif CoopPlan.objects.filter(work_location=location).exists():
            errors["work_location"] = [f"{location.name} already has a COOP plan."]
    _check_administrator(senior_administrator, errors)
    _check_places(hard_copy_location, assembly_point, errors)
    if errors:
        raise ValidationError(errors)
    now = clock.now()
    plan = CoopPlan(
        work_location=work_location,
        senior_administrator=senior_administrator,
        hard_copy_location=hard_copy_location,
        assembly_point=assembly_point,
        created_at=now,
        updated_at=now,
    )
    plan._history_user = actor
    plan.save()
    _tell_administrator(plan, actor)
    return plan


def _lock_plan(plan: CoopPlan, version: Any) -> CoopPlan:
    if version in (None, ""):
        raise ValidationError({"version": ["Send the version of the plan you read."]})
    locked = CoopPlan.objects.select_for_update().select_related("work_location").get(pk=plan.pk)
    try:
        stale = int(version) != locked.version
    except (TypeError, ValueError):
        stale = True
    if stale:
        raise ValidationError({"version": [PLAN_STALE_MESSAGE]})
    return locked


@transaction.atomic
def plan_administrator_change(
    *, plan: CoopPlan, actor: Any, senior_administrator: Any, version: Any
) -> CoopPlan:
    """Name another senior administrator (OPM). They keep the plan from now on."""
    locked = _lock_plan(plan, version)
    errors: dict[str, list[str]] = {}
    _check_administrator(senior_administrator, errors)
    if errors:
        raise ValidationError(errors)
    if senior_administrator.pk == locked.senior_administrator_id:
        return locked
    locked.senior_administrator = senior_administrator
    locked.version += 1
    locked.updated_at = clock.now()
    locked._history_user = actor
    locked._change_reason = f"Senior administrator: {_name(senior_administrator)}"
    locked.save(update_fields=["senior_administrator", "version", "updated_at"])
    _tell_administrator(locked, actor)
    return locked


# --- the plan's content ----------------------------------------------------------------------


def _row_errors(errors: dict, field: str, number: int, message: str) -> None:
    errors.setdefault(field, []).append(f"Row {number}: {message}")


def _clean_key_staff(rows: Iterable[Mapping[str, Any]], errors: dict) -> list[dict]:
    cleaned = []
    for number, row in enumerate(rows, start=1):
        person = {
            "duty": _text(row.get("duty")),
            "alternate": bool(row.get("alternate")),
            "user": row.get("user"),
            "name": _text(row.get("name")),
            "title": _text(row.get("title")),
            "phone": _text(row.get("phone")),
            "email": _text(row.get("email")),
        }
        if person["duty"] not in KeyStaff.Duty.values:
            _row_errors(errors, "key_staff", number, "choose what the person does.")
        if not person["name"]:
            _row_errors(errors, "key_staff", number, "give the person's name.")
        if not person["phone"]:
            _row_errors(errors, "key_staff", number, "give a phone number to reach them.")
        for name in ("name", "title", "phone"):
            if len(person[name]) > _max_length(KeyStaff, name):
                _row_errors(errors, "key_staff", number, f"the {name} is too long.")
        if person["email"]:
            try:
                validate_email(person["email"])
            except ValidationError:
                _row_errors(errors, "key_staff", number, "the email address is not valid.")
        cleaned.append(person)
    # A Hearth login may come as a user or as an id (the pages keep it in a hidden field).
    ids = {p["user"] for p in cleaned if p["user"] is not None and not isinstance(p["user"], User)}
    users = {u.pk: u for u in User.objects.filter(pk__in=[i for i in ids if str(i).isdigit()])}
    for number, person in enumerate(cleaned, start=1):
        user = person["user"]
        if user is not None and not isinstance(user, User):
            person["user"] = users.get(int(user)) if str(user).isdigit() else None
            if person["user"] is None:
                _row_errors(errors, "key_staff", number, "no Hearth login has this id.")
    return cleaned


def _clean_procedures(rows: Iterable[Mapping[str, Any]], errors: dict) -> list[dict]:
    cleaned, seen = [], set()
    for number, row in enumerate(rows, start=1):
        procedure = {
            "kind": _text(row.get("kind")),
            "title": _text(row.get("title")),
            "procedure": _text(row.get("procedure")),
        }
        kind = procedure["kind"]
        if kind not in EmergencyProcedure.Kind.values:
            _row_errors(errors, "procedures", number, "choose the kind of emergency.")
            continue
        if kind == EmergencyProcedure.Kind.OTHER:
            if not procedure["title"]:
                _row_errors(errors, "procedures", number, 'name the "Other" emergency.')
        else:
            procedure["title"] = ""
            if kind in seen:
                label = EmergencyProcedure.Kind(kind).label
                _row_errors(errors, "procedures", number, f"{label} is already covered.")
            seen.add(kind)
        if len(procedure["title"]) > _max_length(EmergencyProcedure, "title"):
            _row_errors(errors, "procedures", number, "the title is too long.")
        if not procedure["procedure"] and kind == EmergencyProcedure.Kind.OTHER:
            _row_errors(errors, "procedures", number, "say what staff do.")
        cleaned.append(procedure)
    missing = [
        EmergencyProcedure.Kind(kind).label.lower()
        for kind in EmergencyProcedure.STANDARD
        if not any(p["kind"] == kind and p["procedure"] for p in cleaned)
    ]
    if missing:
        errors.setdefault("procedures", []).append(
            f"Every plan says what staff do in each standard emergency; missing: "
            f"{', '.join(missing)}."
        )
    return cleaned


def _clean_notifications(rows: Iterable[Mapping[str, Any]], errors: dict) -> list[dict]:
    cleaned = []
    for number, row in enumerate(rows, start=1):
        criterion = {
            "audience": _text(row.get("audience")),
            "who": _text(row.get("who")),
            "contact": _text(row.get("contact")),
            "conditions": _text(row.get("conditions")),
        }
        if criterion["audience"] not in NotificationCriterion.Audience.values:
            _row_errors(
                errors, "notifications", number, "choose an agency official or an outside service."
            )
        if not criterion["who"]:
            _row_errors(errors, "notifications", number, "say whom to notify.")
        if not criterion["conditions"]:
            _row_errors(errors, "notifications", number, "say when to notify them.")
        for name in ("who", "contact"):
            if len(criterion[name]) > _max_length(NotificationCriterion, name):
                _row_errors(errors, "notifications", number, f"the {name} is too long.")
        cleaned.append(criterion)
    return cleaned


def _current_rows(plan: CoopPlan) -> dict[str, list[dict]]:
    return {
        "key_staff": [
            {
                "duty": p.duty,
                "alternate": p.alternate,
                "user": p.user_id,
                "name": p.name,
                "title": p.title,
                "phone": p.phone,
                "email": p.email,
            }
            for p in plan.key_staff.order_by("pk")
        ],
        "procedures": [
            {"kind": p.kind, "title": p.title, "procedure": p.procedure}
            for p in plan.procedures.order_by("position", "pk")
        ],
        "notifications": [
            {"audience": n.audience, "who": n.who, "contact": n.contact, "conditions": n.conditions}
            for n in plan.notifications.order_by("pk")
        ],
    }


def _comparable(name: str, rows: list[dict]) -> list[dict]:
    if name != "key_staff":
        return rows
    return [row | {"user": getattr(row["user"], "pk", row["user"])} for row in rows]


@transaction.atomic
def plan_update(*, plan: CoopPlan, actor: Any, version: Any, **fields: Any) -> CoopPlan:
    """Change a plan's content (its senior administrator). Give only the sections that
    change: `hard_copy_location`, `assembly_point`, and the lists `key_staff` (dicts of
    duty, alternate, user, name, title, phone, email), `procedures` (kind, title,
    procedure; the five standard emergencies always, others with a title) and
    `notifications` (audience, who, contact, conditions). A list replaces the section
    whole. `version` is the plan's as the user read it: the change is refused when
    someone else changed the plan since."""
    unknown = set(fields) - set(CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown plan fields: {sorted(unknown)}")
    locked = _lock_plan(plan, version)
    errors: dict[str, list[str]] = {}
    places = {
        name: _text(fields[name])
        for name in ("hard_copy_location", "assembly_point")
        if name in fields
    }
    _check_places(places.get("hard_copy_location", ""), places.get("assembly_point", ""), errors)
    lists = {}
    if "key_staff" in fields:
        lists["key_staff"] = _clean_key_staff(fields["key_staff"] or [], errors)
    if "procedures" in fields:
        lists["procedures"] = _clean_procedures(fields["procedures"] or [], errors)
    if "notifications" in fields:
        lists["notifications"] = _clean_notifications(fields["notifications"] or [], errors)
    if errors:
        raise ValidationError(errors)

    changed = [name for name, value in places.items() if getattr(locked, name) != value]
    current = _current_rows(locked) if lists else {}
    changed += [name for name, rows in lists.items() if _comparable(name, rows) != current[name]]
    if not changed:
        return locked
    for name in changed:
        if name in places:
            setattr(locked, name, places[name])
    if "key_staff" in changed:
        locked.key_staff.all().delete()
        KeyStaff.objects.bulk_create(KeyStaff(plan=locked, **row) for row in lists["key_staff"])
    if "procedures" in changed:
        locked.procedures.all().delete()
        EmergencyProcedure.objects.bulk_create(
            EmergencyProcedure(plan=locked, position=position, **row)
            for position, row in enumerate(lists["procedures"])
        )
    if "notifications" in changed:
        locked.notifications.all().delete()
        NotificationCriterion.objects.bulk_create(
            NotificationCriterion(plan=locked, **row) for row in lists["notifications"]
        )
    locked.version += 1
    locked.updated_at = clock.now()
    locked._history_user = actor
    sections = [_SECTION_NAMES[name] for name in changed]
    locked._change_reason = f"Changed: {', '.join(sections)}"[:100]
    locked.save(update_fields=[*(n for n in changed if n in places), "version", "updated_at"])
    return locked


# --- document versions -----------------------------------------------------------------------


def _check_document(upload: UploadedFile | None, summary: str, errors: dict) -> None:
    if upload is None:
        errors.setdefault("file", []).append("Choose the plan document (PDF) to upload.")
    else:
        max_mb = rules().max_document_mb
        try:
            check_upload(upload, field="file", allowed=PDF, max_bytes=max_mb * 1048576)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if len(summary) > _max_length(PlanDocument, "summary"):
        errors.setdefault("summary", []).append(
            f"Keep what changed to {_max_length(PlanDocument, 'summary')} characters."
        )


def _add_document(
    plan: CoopPlan, upload: UploadedFile, *, actor: Any, summary: str
) -> PlanDocument:
    """Store the next version (the plan's row is locked by the caller)."""
    number = (plan.documents.aggregate(top=Max("number"))["top"] or 0) + 1
    name = stored_name(upload)
    document = PlanDocument(
        plan=plan,
        number=number,
        name=name,
        size=upload.size,
        summary=summary,
        uploaded_by=actor,
        uploaded_at=clock.now(),
    )
    # The file goes last, once everything else was checked, so a refusal stores nothing.
    document.file.save(f"v{number}-{name}", upload, save=False)
    document.save()
    return document


@transaction.atomic
def document_upload(
    *, plan: CoopPlan, actor: Any, upload: UploadedFile | None, summary: str = ""
) -> PlanDocument:
    """Add a new version of the plan document (PDF only, within the size OPM set). Every
    earlier version is kept; the newest is the current plan."""
    summary = _text(summary)
    errors: dict[str, list[str]] = {}
    _check_document(upload, summary, errors)
    if errors:
        raise ValidationError(errors)
    locked = CoopPlan.objects.select_for_update().get(pk=plan.pk)
    assert upload is not None
    return _add_document(locked, upload, actor=actor, summary=summary)


# --- the quarterly duties --------------------------------------------------------------------


def _check_quarter(plan: CoopPlan, quarter: Quarter, today: date, errors: dict) -> None:
    current, previous = duty_rules.recordable_quarters(today)
    if quarter not in (current, previous):
        errors["quarter"] = [
            f"Duties are recorded for the current quarter ({current}) or the one before "
            f"({previous}) only."
        ]
    elif not duty_rules.applies(quarter, created_on(plan)):
        errors["quarter"] = [
            f"The plan was created on {day(created_on(plan))}: it owes nothing for {quarter}."
        ]


def _check_day(
    field: str, value: date | None, *, quarter: Quarter, today: date, what: str, errors: dict
) -> None:
    if value is None:
        errors[field] = [f"Give the date of the {what}."]
    elif value > today:
        errors[field] = ["The date cannot be in the future."]
    elif value < quarter.starts_on:
        errors[field] = [
            f"A {what} before {day(quarter.starts_on)} does not count for {quarter}, which "
            "began that day."
        ]


def _lock_duties(plan: CoopPlan, quarter: Quarter, version: Any) -> QuarterlyDuties:
    """The quarter's row, locked (a new unsaved one when nothing was recorded yet). The
    plan's row is locked first, so two first recordings of a quarter queue up."""
    CoopPlan.objects.select_for_update().filter(pk=plan.pk).first()
    duties = (
        QuarterlyDuties.objects.select_for_update()
        .filter(plan_id=plan.pk, quarter=quarter.starts_on)
        .first()
    )
    if version not in (None, ""):
        try:
            stale = int(version) != (duties.version if duties else 0)
        except (TypeError, ValueError):
            stale = True
        if stale:
            raise ValidationError({"version": [DUTIES_STALE_MESSAGE]})
    return duties or QuarterlyDuties(plan=plan, quarter=quarter.starts_on)


def _save_duties(duties: QuarterlyDuties, actor: Any, fields: list[str], reason: str) -> None:
    duties._history_user = actor
    duties._change_reason = reason
    if duties.pk is None:
        duties.save()
    else:
        duties.version += 1
        duties.save(update_fields=[*fields, "version"])


@transaction.atomic
def communication_record(
    *,
    plan: CoopPlan,
    actor: Any,
    quarter: Quarter,
    communicated_on: date | None,
    channel: str,
    staff_count: int | None,
    evidence: str,
    version: Any = None,
    today: date | None = None,
) -> QuarterlyDuties:
    """Record that the plan was communicated to all staff in `quarter` (the current one
    or the one before): when (from the quarter's first day to today), how, to how many
    staff, and the evidence. Recording it again corrects it; the history keeps both."""
    today = today or clock.today()
    evidence = _text(evidence)
    errors: dict[str, list[str]] = {}
    _check_quarter(plan, quarter, today, errors)
    _check_day(
        "communicated_on",
        communicated_on,
        quarter=quarter,
        today=today,
        what="communication",
        errors=errors,
    )
    if channel not in QuarterlyDuties.Channel.values:
        errors["communication_channel"] = ["Say how the plan was communicated."]
    if staff_count is None or staff_count < 1:
        errors["staff_count"] = ["Say how many staff it reached (at least 1)."]
    if not evidence:
        errors["communication_evidence"] = [
            'Say what shows it happened, e.g. "Sign-in sheet of the 14 October staff meeting".'
        ]
    if errors:
        raise ValidationError(errors)
    duties = _lock_duties(plan, quarter, version)
    duties.communicated_on = communicated_on
    duties.communication_channel = channel
    duties.staff_count = staff_count
    duties.communication_evidence = evidence
    duties.communicated_by = actor
    fields = [
        "communicated_on",
        "communication_channel",
        "staff_count",
        "communication_evidence",
        "communicated_by",
    ]
    _save_duties(duties, actor, fields, "Communicated to all staff")
    return duties


@transaction.atomic
def revision_record(
    *,
    plan: CoopPlan,
    actor: Any,
    quarter: Quarter,
    revised_on: date | None,
    revision: str,
    note: str = "",
    upload: UploadedFile | None = None,
    version: Any = None,
    today: date | None = None,
) -> QuarterlyDuties:
    """Record the quarter's revision: a new version of the plan document (`upload`, a
    PDF; `note` says what changed), or an attestation that the plan was reviewed and
    needed no change (`note` required). Not once the quarter is with OPM or accepted."""
    today = today or clock.today()
    note = _text(note)
    errors: dict[str, list[str]] = {}
    _check_quarter(plan, quarter, today, errors)
    _check_day(
        "revised_on", revised_on, quarter=quarter, today=today, what="revision", errors=errors
    )
    if revision == QuarterlyDuties.Revision.NEW_VERSION:
        _check_document(upload, note[: _max_length(PlanDocument, "summary")], errors)
    elif revision == QuarterlyDuties.Revision.NO_CHANGES:
        if not note:
            errors["revision_note"] = [
                "Say who reviewed the plan, and that nothing in it needed to change."
            ]
    else:
        errors["revision"] = ["Choose: a new version, or reviewed with no changes."]
    if errors:
        raise ValidationError(errors)
    duties = _lock_duties(plan, quarter, version)
    if duties.submission in (Submission.SUBMITTED, Submission.ACCEPTED):
        raise ValidationError(
            {
                "revision": [
                    f"The revision of {quarter} is {duties.get_submission_display().lower()}; "
                    "it can no longer change. Record the next revision in the next quarter."
                ]
            }
        )
    document = None
    if revision == QuarterlyDuties.Revision.NEW_VERSION:
        assert upload is not None
        locked = CoopPlan.objects.get(pk=plan.pk)
        document = _add_document(
            locked, upload, actor=actor, summary=note[: _max_length(PlanDocument, "summary")]
        )
    duties.revised_on = revised_on
    duties.revision = revision
    duties.revision_document = document
    duties.revision_note = note
    duties.revised_by = actor
    fields = ["revised_on", "revision", "revision_document", "revision_note", "revised_by"]
    reason = "Revised: new version" if document else "Reviewed: no changes needed"
    _save_duties(duties, actor, fields, reason)
    return duties


@transaction.atomic
def duties_submit(
    *,
    plan: CoopPlan,
    actor: Any,
    quarter: Quarter,
    version: Any = None,
    today: date | None = None,
) -> QuarterlyDuties:
    """Submit the quarter's revision to OPM (once it is recorded), or submit it again
    after OPM returned it. Every OPM member hears of it."""
    today = today or clock.today()
    duties = _lock_duties(plan, quarter, version)
    if duties.pk is None or duties.revised_on is None:
        raise ValidationError(
            {"quarter": [f"Record the revision of {quarter} before submitting it to OPM."]}
        )
    if duties.submission not in (Submission.NOT_SUBMITTED, Submission.RETURNED):
        raise ValidationError(
            {
                "quarter": [
                    f"The revision of {quarter} is already "
                    f"{duties.get_submission_display().lower()}."
                ]
            }
        )
    again = duties.submission == Submission.RETURNED
    duties.submission = Submission.SUBMITTED
    duties.submitted_on = today
    duties.submitted_by = actor
    # The comments of a return stay in the history; the page lists every return.
    duties.opm_comments = ""
    duties.opm_decided_by = None
    duties.opm_decided_at = None
    fields = [
        "submission",
        "submitted_on",
        "submitted_by",
        "opm_comments",
        "opm_decided_by",
        "opm_decided_at",
    ]
    _save_duties(duties, actor, fields, "Submitted to OPM again" if again else "Submitted to OPM")
    _notify_submission(duties, plan, actor, again=again)
    return duties


def _notify_submission(duties: QuarterlyDuties, plan: CoopPlan, actor: Any, *, again: bool):
    location = plan.work_location.name
    quarter = Quarter.starting(duties.quarter)
    link, key_version = plan_link(plan), str(duties.version)

    def send() -> None:
        for user in opm_users():
            notification_send(
                recipient=user,
                kind="coop_submitted",
                subject=f"COOP plan {'resubmitted' if again else 'submitted'}: {location}, "
                f"{quarter}",
                body=(
                    f"{_name(actor)} submitted the {quarter} revision of the COOP plan of "
                    f"{location}{' again, after it was returned' if again else ''}. Accept it, "
                    "or return it with your comments."
                ),
                link=link,
                dedupe_key=reminder_key(duties, "coop_submitted", key_version),
            )

    transaction.on_commit(send)


def _lock_for_review(duties: QuarterlyDuties, version: Any) -> QuarterlyDuties:
    locked = (
        QuarterlyDuties.objects.select_for_update()
        .select_related("plan__work_location", "plan__senior_administrator")
        .get(pk=duties.pk)
    )
    if version not in (None, ""):
        try:
            stale = int(version) != locked.version
        except (TypeError, ValueError):
            stale = True
        if stale:
            raise ValidationError({"version": [DUTIES_STALE_MESSAGE]})
    if locked.submission != Submission.SUBMITTED:
        raise ValidationError(
            {
                "submission": [
                    "Only a plan awaiting OPM can be accepted or returned; this one is "
                    f"{locked.get_submission_display().lower()}."
                ]
            }
        )
    return locked


@transaction.atomic
def duties_accept(
    *, duties: QuarterlyDuties, actor: Any, comments: str = "", version: Any = None
) -> QuarterlyDuties:
    """OPM accepts a submitted quarter (comments optional)."""
    locked = _lock_for_review(duties, version)
    locked.submission = Submission.ACCEPTED
    locked.opm_comments = _text(comments)
    locked.opm_decided_by = actor
    locked.opm_decided_at = clock.now()
    fields = ["submission", "opm_comments", "opm_decided_by", "opm_decided_at"]
    _save_duties(locked, actor, fields, "Accepted by OPM")
    return locked


@transaction.atomic
def duties_return(
    *, duties: QuarterlyDuties, actor: Any, comments: str, version: Any = None
) -> QuarterlyDuties:
    """OPM returns a submitted quarter with comments: it goes back to the location, whose
    senior administrator hears of it, and is open until submitted again."""
    comments = _text(comments)
    if not comments:
        raise ValidationError(
            {"opm_comments": ["Say what the location must change: your comments go back to it."]}
        )
    locked = _lock_for_review(duties, version)
    locked.submission = Submission.RETURNED
    locked.opm_comments = comments
    locked.opm_decided_by = actor
    locked.opm_decided_at = clock.now()
    fields = ["submission", "opm_comments", "opm_decided_by", "opm_decided_at"]
    _save_duties(locked, actor, fields, "Returned by OPM")
    plan = locked.plan
    admin, location = plan.senior_administrator, plan.work_location.name
    quarter, link, key_version = Quarter.starting(locked.quarter), plan_link(plan), locked.version

    def send() -> None:
        notification_send(
            recipient=admin,
            kind="coop_returned",
            subject=f"COOP plan returned by OPM: {location}, {quarter}",
            body=(
                f"OPM returned the {quarter} revision of the COOP plan of {location}. Read "
                "their comments on the plan's page, make the changes and submit it again."
            ),
            link=link,
            dedupe_key=reminder_key(locked, "coop_returned", str(key_version)),
        )

    transaction.on_commit(send)
    return locked


# --- reminders -------------------------------------------------------------------------------


def _plans_with_open_duties(quarter: Quarter, today: date, coop_rules) -> list[tuple]:
    """(plan, open duty statuses) of every plan owing `quarter`'s duties with some still
    open. Two queries."""
    quarter_end = timezone.make_aware(datetime.combine(quarter.next().starts_on, time.min))
    plans = list(
        CoopPlan.objects.select_related("work_location", "senior_administrator").filter(
            created_at__lt=quarter_end
        )
    )
    rows = {
        d.plan_id: d
        for d in QuarterlyDuties.objects.filter(
            plan__in=[p.pk for p in plans], quarter=quarter.starts_on
        )
    }
    found = []
    for plan in plans:
        status = duty_rules.quarter_status(
            rows.get(plan.pk),
            quarter=quarter,
            created_on=created_on(plan),
            today=today,
            rules=coop_rules,
        )
        if status.applies and status.open:
            found.append((plan, status.open))
    return found


def _duty_list(statuses: list[duty_rules.DutyStatus]) -> str:
    return "; ".join(
        f"{duty_rules.DUTY_DESCRIPTIONS[s.duty].lower()} ({s.label.lower()})" for s in statuses
    )


def coop_reminders_send(*, today: date) -> dict[str, int]:
    """The daily sweep. For the quarter falling due, each senior administrator with
    duties still open hears once when `first_reminder_days` (30) remain before the due
    day and once more at `second_reminder_days` (7). When a quarter's due day has passed
    with duties open, every OPM member hears once per plan and quarter. Each notice is
    claimed through a unique key (plan, kind, quarter and threshold), so running the
    sweep twice, or on two workers at once, sends it once."""
    coop_rules = rules()
    notices: list[dict[str, Any]] = []
    current = Quarter.of(today)
    for quarter in (current.previous(), current):
        due = quarter.due_on(coop_rules.grace_days)
        days_left = (due - today).days
        if 0 <= days_left <= coop_rules.first_reminder_days:
            second = days_left <= coop_rules.second_reminder_days
            threshold = "second" if second else "first"
            for plan, statuses in _plans_with_open_duties(quarter, today, coop_rules):
                admin = plan.senior_administrator
                if not admin.is_active:
                    continue
                notices.append(
                    {
                        "recipient": admin,
                        "kind": "coop_duties_due",
                        "subject": f"COOP duties due {day(due)}: {plan.work_location.name}, "
                        f"{quarter}",
                        "body": (
                            f"The {quarter} duties of the COOP plan of "
                            f"{plan.work_location.name} fall due on {day(due)} ({days_left} "
                            f"day{'s' if days_left != 1 else ''} left). Still to do: "
                            f"{_duty_list(statuses)}."
                        ),
                        "link": plan_link(plan),
                        "dedupe_key": reminder_key(
                            plan, "coop_duties_due", f"{quarter.slug}:{threshold}"
                        ),
                    }
                )
        elif days_left < 0:
            behind = _plans_with_open_duties(quarter, today, coop_rules)
            opm = list(opm_users()) if behind else []
            for plan, statuses in behind:
                for user in opm:
                    notices.append(
                        {
                            "recipient": user,
                            "kind": "coop_duties_overdue",
                            "subject": f"COOP duties overdue: {plan.work_location.name}, {quarter}",
                            "body": (
                                f"The {quarter} duties of the COOP plan of "
                                f"{plan.work_location.name} were due on {day(due)} and are "
                                f"still open: {_duty_list(statuses)}. Senior administrator: "
                                f"{_name(plan.senior_administrator)}."
                            ),
                            "link": plan_link(plan),
                            "dedupe_key": reminder_key(plan, "coop_duties_overdue", quarter.slug),
                        }
                    )
    sent = _send_new(notices)
    return sent


def _send_new(notices: list[dict]) -> dict[str, int]:
    """Send the notices whose (recipient, key) was not used yet: the keys already used
    are read in one query, the unique index settles any race."""
    used = set(
        Notification.objects.filter(dedupe_key__in={n["dedupe_key"] for n in notices}).values_list(
            "recipient_id", "dedupe_key"
        )
    )
    sent = {"reminded": 0, "escalated": 0}
    for notice in notices:
        if (notice["recipient"].pk, notice["dedupe_key"]) in used:
            continue
        used.add((notice["recipient"].pk, notice["dedupe_key"]))
        if notification_send(**notice) is not None:
            sent["escalated" if notice["kind"] == "coop_duties_overdue" else "reminded"] += 1
    return sent
