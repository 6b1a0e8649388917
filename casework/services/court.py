"""Writes for court work: petitions (filing a termination of parental rights petition
also records the permanency decision that answers the 15-of-22-months rule), hearings
with the court report due before each, their outcomes and the next hearing, and the
reminder sweep for court reports.

The court report of a hearing is due `court_report_lead_days` (10 by default) calendar
days before the hearing's date: computed here when the hearing is scheduled, and again
whenever it moves. Each function validates first and raises
`ValidationError({field: [message]})` before anything is saved; every change bumps the
record's `version`, and a change sent with an older `version` is refused. Callers check
that the user may change the case (casework.permissions.access_case(..., "change")).
"""

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agency import clock
from agency.calendar import TIMEZONE
from casework.audit import with_actor
from casework.models import (
    Case,
    CaseMember,
    CourtHearing,
    CourtPetition,
    PermanencyDecision,
    Person,
)
from casework.selectors import rules
from casework.selectors.court import hearing_name, short_date
from casework.services.reminders import _send_new

PetitionKind = CourtPetition.Kind
PetitionStatus = CourtPetition.Status
HearingKind = CourtHearing.Kind
HearingStatus = CourtHearing.Status

PETITION_FIELDS = ("court", "docket_number", "filed_on", "status", "decided_on", "note")
HEARING_FIELDS = ("kind", "scheduled_for", "court", "child", "petition")
# How a scheduled hearing may be recorded.
OUTCOME_STATUSES = (HearingStatus.HELD, HearingStatus.CONTINUED, HearingStatus.CANCELLED)

STALE_MESSAGE = (
    "Someone else changed this {what} after you opened it. Reload the page to see their "
    "changes, then make yours again."
)


def petition_link(petition: CourtPetition) -> str:
    return reverse("casework:petition_detail", args=[petition.pk])


def hearing_link(hearing: CourtHearing) -> str:
    return reverse("casework:hearing_detail", args=[hearing.pk])


def report_due_on(scheduled_for: datetime, *, lead_days: int) -> date:
    """The day a hearing's court report is due: `lead_days` calendar days before the
    hearing's (Eastern) date."""
    return scheduled_for.astimezone(TIMEZONE).date() - timedelta(days=lead_days)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _locked(model, obj, version: Any, what: str):
    if version in (None, ""):
        raise ValidationError({"version": [f"Send the version of the {what} you read."]})
    locked = model.objects.select_for_update(of=("self",)).select_related("case").get(pk=obj.pk)
    try:
        stale = int(version) != locked.version
    except (TypeError, ValueError):
        stale = True
    if stale:
        raise ValidationError({"version": [STALE_MESSAGE.format(what=what)]})
    return locked


def _refuse_closed(case: Case) -> None:
    if case.status != Case.Status.OPEN:
        raise ValidationError({NON_FIELD_ERRORS: [f"Case {case.number} is closed."]})


def _max(errors: dict, model, name: str, value: str, label: str) -> None:
    limit = model._meta.get_field(name).max_length
    if len(value) > limit:
        errors[name] = [f"Keep the {label} to {limit} characters."]


def _child_errors(case: Case, child: Person | None, *, required: bool) -> list[str]:
    if child is None:
        return ["Choose the child."] if required else []
    if not CaseMember.objects.filter(case=case, person=child, role=CaseMember.Role.CHILD).exists():
        return [f"{child.full_name} is not a child on case {case.number}."]
    return []


# --- petitions -------------------------------------------------------------------------------


def _petition_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    today = clock.today()
    if not values["court"]:
        errors["court"] = ["Name the court (e.g. Superior Court for Juvenile Matters, Hartford)."]
    else:
        _max(errors, CourtPetition, "court", values["court"], "court's name")
    _max(errors, CourtPetition, "docket_number", values["docket_number"], "docket number")
    filed_on, decided_on = values["filed_on"], values["decided_on"]
    if filed_on is None:
        errors["filed_on"] = ["Say when the petition was filed."]
    elif filed_on > today:
        errors["filed_on"] = ["This is in the future: record the petition once it is filed."]
    status = values["status"]
    if status not in PetitionStatus.values:
        errors["status"] = ["Choose filed, granted, denied or withdrawn."]
    elif status == PetitionStatus.FILED and decided_on is not None:
        errors["decided_on"] = ["A petition still pending has no decision date."]
    elif status in (PetitionStatus.GRANTED, PetitionStatus.DENIED) and decided_on is None:
        errors["decided_on"] = ["Say when the court decided."]
    if decided_on is not None and "decided_on" not in errors:
        if decided_on > today:
            errors["decided_on"] = ["This is in the future."]
        elif filed_on is not None and decided_on < filed_on:
            errors["decided_on"] = ["The decision comes on or after the filing."]
    return errors


def _tpr_note(petition: CourtPetition) -> str:
    docket = f", docket {petition.docket_number}" if petition.docket_number else ""
    return f"Termination of parental rights petition filed with {petition.court}{docket}."


@transaction.atomic
def petition_file(
    *,
    case: Case,
    actor: Any,
    child: Person | None,
    kind: str,
    filed_on: date | None,
    court: str,
    docket_number: str = "",
    note: str = "",
) -> CourtPetition:
    """Record a petition filed for a child of an open case. A termination of parental
    rights petition also records, in the same transaction, the permanency decision
    "termination petition filed" linked to it, which answers the child's
    15-of-22-months flag."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _refuse_closed(case)
    values = {
        "court": _text(court),
        "docket_number": _text(docket_number),
        "filed_on": filed_on,
        "status": PetitionStatus.FILED,
        "decided_on": None,
        "note": _text(note),
    }
    errors = _petition_errors(values)
    if kind not in PetitionKind.values:
        errors["kind"] = ["Choose the kind of petition."]
    child_errors = _child_errors(case, child, required=True)
    if child_errors:
        errors["child"] = child_errors
    if errors:
        raise ValidationError(errors)
    petition = CourtPetition(case=case, child=child, kind=kind, recorded_by=actor, **values)
    with_actor(petition, actor).save()
    if kind == PetitionKind.TPR:
        decision = PermanencyDecision(
            case=case,
            child=child,
            kind=PermanencyDecision.Kind.PETITION_FILED,
            decided_on=filed_on,
            note=_tpr_note(petition),
            petition=petition,
            recorded_by=actor,
        )
        with_actor(decision, actor).save()
    return petition


@transaction.atomic
def petition_update(
    *, petition: CourtPetition, actor: Any, version: Any, **fields: Any
) -> CourtPetition:
    """Change a petition (only the fields given): the court and docket, the filing day,
    the status with the decision day (granted or denied; withdrawn optionally), a note.
    A termination petition's filing day moves its permanency decision with it."""
    unknown = set(fields) - set(PETITION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown petition fields: {sorted(unknown)}")
    petition = _locked(CourtPetition, petition, version, "petition")
    _refuse_closed(petition.case)
    values = {name: getattr(petition, name) for name in PETITION_FIELDS} | fields
    for name in ("court", "docket_number", "note", "status"):
        values[name] = _text(values[name])
    errors = _petition_errors(values)
    if errors:
        raise ValidationError(errors)
    changed = [name for name in PETITION_FIELDS if getattr(petition, name) != values[name]]
    if not changed:
        return petition
    for name in changed:
        setattr(petition, name, values[name])
    petition.version += 1
    with_actor(petition, actor).save(update_fields=[*changed, "version"])
    if petition.kind == PetitionKind.TPR and {"filed_on", "court", "docket_number"} & set(changed):
        for decision in PermanencyDecision.objects.select_for_update().filter(petition=petition):
            decision.decided_on = petition.filed_on
            decision.note = _tpr_note(petition)
            with_actor(decision, actor).save(update_fields=["decided_on", "note"])
    return petition


# --- hearings --------------------------------------------------------------------------------


def _hearing_errors(case: Case, values: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if values["kind"] not in HearingKind.values:
        errors["kind"] = ["Choose the kind of hearing."]
    scheduled_for = values["scheduled_for"]
    if scheduled_for is None:
        errors["scheduled_for"] = ["Say when the hearing is (date and time)."]
    elif not isinstance(scheduled_for, datetime) or timezone.is_naive(scheduled_for):
        raise ValueError("scheduled_for must be an aware datetime.")
    if not values["court"]:
        errors["court"] = ["Name the court (e.g. Superior Court for Juvenile Matters, Hartford)."]
    else:
        _max(errors, CourtHearing, "court", values["court"], "court's name")
    child_errors = _child_errors(case, values["child"], required=False)
    if child_errors:
        errors["child"] = child_errors
    petition = values["petition"]
    if petition is not None:
        if petition.case_id != case.pk:
            errors["petition"] = ["Choose a petition of this case."]
        elif values["child"] is not None and petition.child_id != values["child"].pk:
            errors["petition"] = ["This petition is about another child."]
    return errors


def _hearing_values(fields: dict[str, Any], current: CourtHearing | None = None) -> dict:
    values = {name: getattr(current, name) if current else None for name in HEARING_FIELDS}
    values.update(fields)
    values["kind"] = _text(values["kind"])
    values["court"] = _text(values["court"])
    if values["petition"] is not None and values["child"] is None:
        values["child"] = values["petition"].child
    return values


def _schedule(case: Case, actor: Any, values: dict[str, Any]) -> CourtHearing:
    lead = rules().court_report_lead_days
    hearing = CourtHearing(
        case=case,
        status=HearingStatus.SCHEDULED,
        recorded_by=actor,
        created_at=clock.now(),
        report_due_on=report_due_on(values["scheduled_for"], lead_days=lead),
        **values,
    )
    with_actor(hearing, actor).save()
    return hearing


@transaction.atomic
def hearing_schedule(
    *,
    case: Case,
    actor: Any,
    kind: str,
    scheduled_for: datetime | None,
    court: str,
    child: Person | None = None,
    petition: CourtPetition | None = None,
) -> CourtHearing:
    """Schedule a hearing on an open case (kind, when, which court; the child and the
    petition it hears, if any). Its court report is due `court_report_lead_days` (10 by
    default) days before it."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _refuse_closed(case)
    values = _hearing_values(
        {
            "kind": kind,
            "scheduled_for": scheduled_for,
            "court": court,
            "child": child,
            "petition": petition,
        }
    )
    errors = _hearing_errors(case, values)
    if errors:
        raise ValidationError(errors)
    return _schedule(case, actor, values)


@transaction.atomic
def hearing_update(
    *, hearing: CourtHearing, actor: Any, version: Any, **fields: Any
) -> CourtHearing:
    """Change a scheduled hearing (only the fields given). Moving it moves the court
    report's due day with it."""
    unknown = set(fields) - set(HEARING_FIELDS)
    if unknown:
        raise TypeError(f"Unknown hearing fields: {sorted(unknown)}")
    hearing = _locked(CourtHearing, hearing, version, "hearing")
    _refuse_closed(hearing.case)
    if hearing.status != HearingStatus.SCHEDULED:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    f"This hearing is {hearing.get_status_display().lower()}; only a scheduled "
                    "hearing can be changed."
                ]
            }
        )
    values = _hearing_values(fields, hearing)
    errors = _hearing_errors(hearing.case, values)
    if errors:
        raise ValidationError(errors)
    changed = [name for name in HEARING_FIELDS if getattr(hearing, name) != values[name]]
    if not changed:
        return hearing
    for name in changed:
        setattr(hearing, name, values[name])
    if "scheduled_for" in changed:
        hearing.report_due_on = report_due_on(
            hearing.scheduled_for, lead_days=rules().court_report_lead_days
        )
        changed.append("report_due_on")
    hearing.version += 1
    with_actor(hearing, actor).save(update_fields=[*changed, "version"])
    return hearing


@transaction.atomic
def hearing_record(
    *,
    hearing: CourtHearing,
    actor: Any,
    version: Any,
    status: str,
    outcome: str,
    next_hearing: dict[str, Any] | None = None,
) -> CourtHearing:
    """Record what became of a scheduled hearing: held (with what the court ordered),
    continued (to a later date: `next_hearing` is required) or cancelled (why).
    `next_hearing` ({"kind", "scheduled_for", "court"}; the court defaults to this
    one's) schedules the next hearing and links it, its court report due as usual."""
    hearing = _locked(CourtHearing, hearing, version, "hearing")
    case = hearing.case
    _refuse_closed(case)
    errors: dict[str, list[str]] = {}
    if hearing.status != HearingStatus.SCHEDULED:
        raise ValidationError(
            {NON_FIELD_ERRORS: [f"This hearing is already {hearing.get_status_display().lower()}."]}
        )
    outcome = _text(outcome)
    if status not in OUTCOME_STATUSES:
        errors["status"] = ["Choose held, continued or cancelled."]
    elif status != HearingStatus.CANCELLED and hearing.scheduled_for > clock.now():
        errors["status"] = [
            "This hearing has not happened yet: record its outcome once it has been held "
            "(or cancel it)."
        ]
    if not outcome:
        errors["outcome"] = [
            "Say why it was cancelled."
            if status == HearingStatus.CANCELLED
            else "Say what the court decided or ordered."
        ]
    following = None
    if next_hearing:
        following = _hearing_values(
            {
                "kind": next_hearing.get("kind"),
                "scheduled_for": next_hearing.get("scheduled_for"),
                "court": next_hearing.get("court") or hearing.court,
                "child": hearing.child,
                "petition": hearing.petition,
            }
        )
        for name, messages in _hearing_errors(case, following).items():
            errors[f"next_{name}"] = messages
        when = following["scheduled_for"]
        late = "next_scheduled_for" not in errors and when is not None
        if late and when <= hearing.scheduled_for:
            errors["next_scheduled_for"] = ["The next hearing comes after this one."]
    elif status == HearingStatus.CONTINUED:
        errors["next_scheduled_for"] = ["Say when the hearing was continued to."]
    if errors:
        raise ValidationError(errors)
    hearing.status = status
    hearing.outcome = outcome
    update = ["status", "outcome", "version"]
    if following is not None:
        hearing.next_hearing = _schedule(case, actor, following)
        update.append("next_hearing")
    hearing.version += 1
    with_actor(hearing, actor).save(update_fields=update)
    return hearing


@transaction.atomic
def hearing_report_filed(
    *, hearing: CourtHearing, actor: Any, version: Any, filed_on: date | None
) -> CourtHearing:
    """Record the day the hearing's court report was filed (not in the future). Filed
    after its due day, it counts as filed late."""
    hearing = _locked(CourtHearing, hearing, version, "hearing")
    _refuse_closed(hearing.case)
    if hearing.status == HearingStatus.CANCELLED:
        raise ValidationError(
            {NON_FIELD_ERRORS: ["This hearing was cancelled: no court report is due."]}
        )
    if filed_on is None:
        raise ValidationError({"report_filed_on": ["Say when the court report was filed."]})
    if filed_on > clock.today():
        raise ValidationError({"report_filed_on": ["This is in the future."]})
    hearing.report_filed_on = filed_on
    hearing.version += 1
    with_actor(hearing, actor).save(update_fields=["report_filed_on", "version"])
    return hearing


# --- reminders -------------------------------------------------------------------------------


def court_report_reminders_send(*, today: date) -> int:
    """Court reports not yet filed for scheduled hearings still ahead (today included):
    the case's primary worker hears when one is due within the reminder days (5 by
    default); when one is overdue, the worker and the unit supervisor hear. Once per
    hearing, threshold and due day (a hearing that moves is announced again). Returns
    the number of notices sent."""
    settings = rules()
    days = settings.court_report_reminder_days
    start_of_today = datetime.combine(today, datetime.min.time(), tzinfo=TIMEZONE)
    hearings = CourtHearing.objects.filter(
        status=HearingStatus.SCHEDULED,
        report_filed_on__isnull=True,
        report_due_on__lte=today + timedelta(days=days),
        scheduled_for__gte=start_of_today,
        case__status=Case.Status.OPEN,
    ).select_related("case__primary_worker", "case__unit__supervisor")
    notices = []
    for hearing in hearings:
        case = hearing.case
        overdue = hearing.report_due_on < today
        state = "overdue" if overdue else "due_soon"
        hearing_day = hearing.scheduled_for.astimezone(TIMEZONE).date()
        name = hearing_name(hearing.kind)
        if overdue:
            subject = f"Court report overdue (due {short_date(hearing.report_due_on)})"
        else:
            subject = f"Court report due {short_date(hearing.report_due_on)}"
        recipients = [case.primary_worker] + ([case.unit.supervisor] if overdue else [])
        for recipient in recipients:
            notices.append(
                {
                    "recipient": recipient,
                    "kind": f"court_report_{state}",
                    "subject": f"{subject}: {case.number} {case.name}",
                    "body": f"Case {case.number}: the court report for the {name} on "
                    f"{hearing_day.day} {hearing_day:%b %Y} is due "
                    f"{hearing.report_due_on.day} {hearing.report_due_on:%b %Y} "
                    f"({settings.court_report_lead_days} days before the hearing).",
                    "link": hearing_link(hearing),
                    "dedupe_key": f"casework.courthearing:{hearing.pk}:court_report:{state}:"
                    f"{hearing.report_due_on:%Y-%m-%d}",
                }
            )
    return _send_new(notices)
