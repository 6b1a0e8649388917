"""Writes for family team meetings: schedule one, change it, invite people, record it
or cancel it; and the reminder sweep for the meetings the rules ask for.

Each function validates first and raises `ValidationError({field: [message]})` before
anything is saved, so the pages, the API and the admin show the message beside the
right field. Every change to a meeting (its details, its invitations, the record)
bumps its `version`; a change sent with an older `version` is refused, so one
person's edit never silently overwrites another's. Callers check that the user may
change the case (casework.permissions.access_case(..., "change")).
"""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agency import clock
from agency.roles import Role
from casework import meetings as rules_
from casework.audit import with_actor
from casework.models import Case, CaseMember, FamilyMeeting, MeetingParticipant, Person, Placement
from casework.selectors import rules
from casework.selectors.meetings import meeting_dues
from casework.services.reminders import _send_new

Kind = FamilyMeeting.Kind
Status = FamilyMeeting.Status
Relation = MeetingParticipant.Relation

# Fields a user sets when scheduling a meeting or changing it before it is held.
DETAIL_FIELDS = (
    "kind",
    "child",
    "placement",
    "scheduled_for",
    "location",
    "facilitator",
    "purpose",
)
# Meetings about one child: the child is required.
CHILD_KINDS = (Kind.FTDM, Kind.SHARED_PLANNING)
# Meetings where the safety discussion is recorded every time.
SAFETY_KINDS = (Kind.FTDM, Kind.SHARED_PLANNING)
FACILITATOR_ROLES = (Role.CASEWORKER, Role.SUPERVISOR, Role.AREA_ADMINISTRATOR)

STALE_MESSAGE = (
    "Someone else changed this meeting after you opened it. Reload the page to see their "
    "changes, then make yours again."
)


def meeting_link(meeting: FamilyMeeting) -> str:
    return reverse("casework:meeting_detail", args=[meeting.pk])


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _locked(meeting: FamilyMeeting, version: Any) -> FamilyMeeting:
    """The meeting's row, locked, refused when `version` is not the current one."""
    if version in (None, ""):
        raise ValidationError({"version": ["Send the version of the meeting you read."]})
    locked = (
        FamilyMeeting.objects.select_for_update(of=("self",))
        .select_related("case")
        .get(pk=meeting.pk)
    )
    try:
        stale = int(version) != locked.version
    except (TypeError, ValueError):
        stale = True
    if stale:
        raise ValidationError({"version": [STALE_MESSAGE]})
    return locked


def _refuse_unless(meeting: FamilyMeeting, *statuses: str) -> None:
    if meeting.case.status != Case.Status.OPEN:
        raise ValidationError({NON_FIELD_ERRORS: [f"Case {meeting.case.number} is closed."]})
    if meeting.status not in statuses:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    f"This meeting is {meeting.get_status_display().lower()}; only a scheduled "
                    "meeting can be changed."
                ]
            }
        )


def _is_child_on(case: Case, person: Person) -> bool:
    return CaseMember.objects.filter(case=case, person=person, role=CaseMember.Role.CHILD).exists()


def _validate_details(case: Case, values: dict[str, Any]) -> dict[str, list[str]]:
    """Every rule a meeting's details meet, as a field map of errors."""
    errors: dict[str, list[str]] = {}
    kind = values["kind"]
    child, placement = values["child"], values["placement"]
    if kind not in Kind.values:
        errors["kind"] = ["Choose the kind of meeting."]
    scheduled_for = values["scheduled_for"]
    if scheduled_for is None:
        errors["scheduled_for"] = ["Say when the meeting is (date and time)."]
    elif not isinstance(scheduled_for, datetime) or timezone.is_naive(scheduled_for):
        raise ValueError("scheduled_for must be an aware datetime.")
    if child is not None and not _is_child_on(case, child):
        errors["child"] = [f"{child.full_name} is not a child on case {case.number}."]
    elif child is None and kind in CHILD_KINDS:
        label = "An FTDM" if kind == Kind.FTDM else "A shared planning meeting"
        errors["child"] = [f"{label} is about one child: choose the child."]
    errors.update(_placement_errors(case, kind, child, placement))
    if len(values["location"]) > FamilyMeeting._meta.get_field("location").max_length:
        errors["location"] = ["Keep the place to 200 characters."]
    facilitator = values["facilitator"]
    if facilitator is not None and not (
        facilitator.is_active
        and get_user_model()
        .objects.filter(pk=facilitator.pk, staff__role__in=FACILITATOR_ROLES)
        .exists()
    ):
        errors["facilitator"] = ["Choose a member of casework staff to facilitate."]
    return errors


def _placement_errors(case: Case, kind: str, child: Person | None, placement) -> dict:
    if placement is None:
        return {}
    if kind != Kind.FTDM:
        return {"placement": ["Only a Family Team Decision Making meeting has a placement."]}
    if placement.case_id != case.pk or placement.entered_in_error:
        return {"placement": ["Choose a placement of this case."]}
    if child is not None and placement.child_id != child.pk:
        return {"placement": [f"This placement is not {child.first_name}'s."]}
    return {}


def _detail_values(fields: dict[str, Any], current: FamilyMeeting | None = None) -> dict:
    values = {name: getattr(current, name) if current else None for name in DETAIL_FIELDS}
    if current is None:
        values.update(location="", purpose="")
    values.update(fields)
    values["location"] = _text(values["location"])
    values["purpose"] = _text(values["purpose"])
    values["kind"] = _text(values["kind"])
    return values


@transaction.atomic
def meeting_schedule(
    *,
    case: Case,
    actor: Any,
    kind: str,
    scheduled_for: datetime | None,
    child: Person | None = None,
    placement: Placement | None = None,
    location: str = "",
    facilitator: Any = None,
    purpose: str = "",
) -> FamilyMeeting:
    """Schedule a family meeting on an open case: kind, when (aware), where, who
    facilitates, what it is for; the child for an FTDM or a shared planning meeting, and
    for an FTDM the placement it decides on or follows (it may be linked later: an FTDM
    held before a placement is often recorded before the placement is). A time in the
    past is allowed, to record a meeting after the fact."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != Case.Status.OPEN:
        raise ValidationError({NON_FIELD_ERRORS: [f"Case {case.number} is closed."]})
    values = _detail_values(
        {
            "kind": kind,
            "child": child,
            "placement": placement,
            "scheduled_for": scheduled_for,
            "location": location,
            "facilitator": facilitator,
            "purpose": purpose,
        }
    )
    if values["placement"] is not None and values["child"] is None:
        values["child"] = values["placement"].child
    errors = _validate_details(case, values)
    if errors:
        raise ValidationError(errors)
    meeting = FamilyMeeting(
        case=case, status=Status.SCHEDULED, recorded_by=actor, created_at=clock.now(), **values
    )
    with_actor(meeting, actor).save()
    return meeting


@transaction.atomic
def meeting_update(
    *, meeting: FamilyMeeting, actor: Any, version: Any, **fields: Any
) -> FamilyMeeting:
    """Change a scheduled meeting's details (only the fields given). Refused when
    `version` is not the one the user read, or once the meeting is held or cancelled."""
    unknown = set(fields) - set(DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown meeting fields: {sorted(unknown)}")
    meeting = _locked(meeting, version)
    _refuse_unless(meeting, Status.SCHEDULED)
    values = _detail_values(fields, meeting)
    if values["kind"] != Kind.FTDM:
        values["placement"] = None
    errors = _validate_details(meeting.case, values)
    if errors:
        raise ValidationError(errors)
    changed = [name for name in DETAIL_FIELDS if getattr(meeting, name) != values[name]]
    if not changed:
        return meeting
    for name in changed:
        setattr(meeting, name, values[name])
    meeting.version += 1
    with_actor(meeting, actor).save(update_fields=[*changed, "version"])
    return meeting


def _invitee(case: Case, invitee: dict, taken: set[int], today: date) -> tuple[dict, list[str]]:
    """One invitation's fields, or its errors."""
    person = invitee.get("person")
    relation = _text(invitee.get("relation"))
    name = _text(invitee.get("name"))
    invited_on = invitee.get("invited_on") or today
    errors = []
    if person is not None:
        if not CaseMember.objects.filter(case=case, person=person).exists():
            errors.append(f"{person.full_name} is not on case {case.number}.")
        elif person.pk in taken:
            errors.append(f"{person.full_name} is already invited.")
        name = name or person.full_name
    if not name:
        errors.append("Give the name of the person invited.")
    elif len(name) > MeetingParticipant._meta.get_field("name").max_length:
        errors.append("Keep the name to 150 characters.")
    if relation not in Relation.values:
        errors.append(f"Choose how {name or 'they'} relate to the family.")
    if invited_on > today:
        errors.append("The invitation date cannot be in the future.")
    values = {"person": person, "name": name, "relation": relation, "invited_on": invited_on}
    return values, errors


@transaction.atomic
def meeting_invite(
    *, meeting: FamilyMeeting, actor: Any, invitees: Iterable[dict], version: Any = None
) -> list[MeetingParticipant]:
    """Invite people to a scheduled meeting: each invitee is {"person": a person on the
    case, "relation": ...} or {"name": ..., "relation": ...} for someone not on the
    case (a provider, a natural support, agency staff), with an optional "invited_on"
    (today by default). All or none are invited. `version`, when given, must be the
    current one; the meeting's version moves on either way, so a record form opened
    before the invitations is refused."""
    if version in (None, ""):
        version = FamilyMeeting.objects.values_list("version", flat=True).get(pk=meeting.pk)
    meeting = _locked(meeting, version)
    _refuse_unless(meeting, Status.SCHEDULED)
    invitees = list(invitees)
    if not invitees:
        raise ValidationError({"invitees": ["Choose at least one person to invite."]})
    taken = set(
        MeetingParticipant.objects.filter(meeting=meeting, person__isnull=False).values_list(
            "person_id", flat=True
        )
    )
    today = clock.today()
    rows, errors = [], []
    for invitee in invitees:
        values, problems = _invitee(meeting.case, invitee, taken, today)
        errors += problems
        if values["person"] is not None:
            taken.add(values["person"].pk)
        rows.append(MeetingParticipant(meeting=meeting, **values))
    if errors:
        raise ValidationError({"invitees": errors})
    MeetingParticipant.objects.bulk_create(rows)
    meeting.version += 1
    meeting._change_reason = "Invited: " + ", ".join(row.name for row in rows)
    with_actor(meeting, actor).save(update_fields=["version"])
    return rows


@transaction.atomic
def meeting_uninvite(*, participant: MeetingParticipant, actor: Any) -> FamilyMeeting:
    """Take someone off a scheduled meeting's invitations."""
    meeting = FamilyMeeting.objects.select_for_update(of=("self",)).select_related("case")
    meeting = meeting.get(pk=participant.meeting_id)
    _refuse_unless(meeting, Status.SCHEDULED)
    name = participant.name
    participant.delete()
    meeting.version += 1
    meeting._change_reason = f"No longer invited: {name}"
    with_actor(meeting, actor).save(update_fields=["version"])
    return meeting


@transaction.atomic
def meeting_record(
    *,
    meeting: FamilyMeeting,
    actor: Any,
    version: Any,
    held_at: datetime | None,
    attended: Iterable[int] = (),
    decisions: str = "",
    safety_discussion: str = "",
    conditions_for_return: str = "",
    plan_changes: str = "",
) -> FamilyMeeting:
    """Record a scheduled meeting as held: when (not in the future), who of those
    invited came (`attended`: their participant ids; the others did not), what was
    decided, the safety discussion (required for FTDMs and shared planning meetings),
    the conditions for the child's return home and the changes to the case plan."""
    meeting = _locked(meeting, version)
    _refuse_unless(meeting, Status.SCHEDULED)
    decisions = _text(decisions)
    safety_discussion = _text(safety_discussion)
    errors: dict[str, list[str]] = {}
    if held_at is None:
        errors["held_at"] = ["Say when the meeting was held."]
    elif timezone.is_naive(held_at):
        raise ValueError("held_at must be an aware datetime.")
    elif held_at > clock.now():
        errors["held_at"] = ["This is in the future: record the meeting once it has been held."]
    if not decisions:
        errors["decisions"] = ["Record what was decided."]
    if meeting.kind in SAFETY_KINDS and not safety_discussion:
        errors["safety_discussion"] = [
            "Record the safety discussion: the safety threats talked about and how they "
            "are managed."
        ]
    participants = {p.pk: p for p in MeetingParticipant.objects.filter(meeting=meeting)}
    came = set()
    for value in attended:
        try:
            came.add(int(getattr(value, "pk", value)))
        except (TypeError, ValueError):
            came.add(-1)
    if came - set(participants):
        errors["attended"] = ["Mark only people invited to this meeting."]
    if errors:
        raise ValidationError(errors)
    for pk, participant in participants.items():
        participant.attended = pk in came
    MeetingParticipant.objects.bulk_update(participants.values(), ["attended"])
    meeting.status = Status.HELD
    meeting.held_at = held_at
    meeting.decisions = decisions
    meeting.safety_discussion = safety_discussion
    meeting.conditions_for_return = _text(conditions_for_return)
    meeting.plan_changes = _text(plan_changes)
    meeting.version += 1
    with_actor(meeting, actor).save(
        update_fields=[
            "status",
            "held_at",
            "decisions",
            "safety_discussion",
            "conditions_for_return",
            "plan_changes",
            "version",
        ]
    )
    return meeting


@transaction.atomic
def meeting_link_placement(
    *, meeting: FamilyMeeting, actor: Any, version: Any, placement: Placement | None
) -> FamilyMeeting:
    """Link an FTDM to the placement it decided on or followed, scheduled or already
    held: an FTDM held before a child moves is usually recorded before the placement
    is, and counts for the placement's rule only once linked. The placement must be
    the meeting's child's (the child is taken from it when the meeting names none);
    `placement=None` takes a wrong link off."""
    meeting = _locked(meeting, version)
    _refuse_unless(meeting, Status.SCHEDULED, Status.HELD)
    child = meeting.child
    if placement is not None and child is None:
        child = placement.child
    errors = _placement_errors(meeting.case, meeting.kind, child, placement)
    if meeting.kind != Kind.FTDM:
        errors = {"placement": ["Only a Family Team Decision Making meeting has a placement."]}
    if errors:
        raise ValidationError(errors)
    if meeting.placement_id == getattr(placement, "pk", None):
        return meeting
    meeting.child = child
    meeting.placement = placement
    meeting.version += 1
    with_actor(meeting, actor).save(update_fields=["child", "placement", "version"])
    return meeting


@transaction.atomic
def meeting_cancel(
    *, meeting: FamilyMeeting, actor: Any, version: Any, reason: str
) -> FamilyMeeting:
    """Cancel a scheduled meeting, saying why. A cancelled meeting satisfies no rule."""
    meeting = _locked(meeting, version)
    _refuse_unless(meeting, Status.SCHEDULED)
    reason = _text(reason)
    if not reason:
        raise ValidationError({"cancel_reason": ["Say why the meeting is cancelled."]})
    if len(reason) > FamilyMeeting._meta.get_field("cancel_reason").max_length:
        raise ValidationError({"cancel_reason": ["Keep the reason to 300 characters."]})
    meeting.status = Status.CANCELLED
    meeting.cancel_reason = reason
    meeting.version += 1
    with_actor(meeting, actor).save(update_fields=["status", "cancel_reason", "version"])
    return meeting


# --- reminders -------------------------------------------------------------------------------

_SWEEP_PAGE = 2000
_LINK = "/casework/cases/{pk}/#meetings"


def _reminder_key(case: Case, due: rules_.MeetingDue) -> str:
    """One key per meeting the rules ask for, state and due day: the same due item is
    announced once per threshold, and again only when its due day moves."""
    if due.kind == rules_.FTDM:
        subject = f"casework.placement:{due.placement_id}"
    elif due.kind == rules_.SHARED_PLANNING:
        subject = f"casework.case:{case.pk}:child:{due.child_id}"
    else:
        subject = f"casework.case:{case.pk}"
    return f"{subject}:meeting_{due.kind}:{due.state}:{due.due_on:%Y-%m-%d}"


def meeting_reminders_send(*, today: date) -> int:
    """The family meetings the rules ask for: the case's primary worker hears when one
    is due within the reminder days (7 by default); when one is overdue, the worker and
    the unit supervisor hear. Once per meeting, threshold and due day (safe to run
    twice); statewide, in pages of open cases. Returns the number of notices sent."""
    settings = rules()
    days = settings.meeting_reminder_days
    open_cases = (
        Case.objects.filter(status=Case.Status.OPEN)
        .select_related("primary_worker", "unit__supervisor")
        .order_by("pk")
    )
    notices = []
    last_pk = 0
    while True:
        page = list(open_cases.filter(pk__gt=last_pk)[:_SWEEP_PAGE])
        if not page:
            break
        last_pk = page[-1].pk
        by_id = {case.pk: case for case in page}
        for case_id, (dues, open_ids) in meeting_dues(page, today=today, settings=settings).items():
            case = by_id[case_id]
            for due in dues.actionable():
                if due.kind == rules_.FTDM and due.placement_id not in open_ids:
                    continue
                overdue = due.state == rules_.OVERDUE
                recipients = [case.primary_worker]
                if overdue:
                    recipients.append(case.unit.supervisor)
                for recipient in recipients:
                    notices.append(
                        {
                            "recipient": recipient,
                            "kind": f"meeting_{due.state}",
                            "subject": f"{due.text}: {case.number} {case.name}",
                            "body": f"Case {case.number}: {due.text}. {due.rule}"
                            + ("" if overdue else f" (Reminder {days} days ahead.)"),
                            "link": _LINK.format(pk=case.pk),
                            "dedupe_key": _reminder_key(case, due),
                        }
                    )
    return _send_new(notices)
