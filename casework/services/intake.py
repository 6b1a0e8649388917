"""Writes for intake, differential response (DRS) and initial face-to-face contacts (IFF).

Each function is one business action: keyword-only, atomic, validating first (a
ValidationError keyed by field, nothing saved) and naming its actor in the history.
Callers pass objects they have already authorised through the gatekeeper
(casework.permissions); the services still refuse what the rules forbid whoever calls.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from agency import clock
from agency.calendar import TIMEZONE
from agency.models import Unit
from agency.roles import Role
from agency.services import notification_send, reference_next
from casework.audit import with_actor
from casework.models import (
    Allegation,
    Case,
    CaseMember,
    ExceptionalCircumstance,
    IffAttempt,
    IffContact,
    IffExtension,
    Intake,
    Person,
)
from casework.selectors import rules as casework_rules
from casework.selectors import supervises

APPROVE_PERM = "casework.approve_casework"

# The tracks a case opened from an intake may still switch between; once it has moved
# on (in-home services, out-of-home care) an override no longer changes the case type.
_TRACK_CASE_TYPES = {
    Intake.Track.INVESTIGATION: Case.Type.INVESTIGATION,
    Intake.Track.FAMILY_ASSESSMENT: Case.Type.FAMILY_ASSESSMENT,
}
_FAR_RISKS = {Intake.Risk.LOW, Intake.Risk.MODERATE}


@dataclass
class ChildAllegations:
    """One alleged victim of an intake: an existing `person` (already checked visible by
    the caller) or the fields of a new one, and the kinds of allegation about them."""

    allegations: Sequence[str]
    person: Person | None = None
    first_name: str = ""
    last_name: str = ""
    date_of_birth: date | None = None
    sex: str = Person.Sex.UNKNOWN

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> "ChildAllegations":
        return cls(
            allegations=list(data.get("allegations") or []),
            person=data.get("person"),
            first_name=(data.get("first_name") or "").strip(),
            last_name=(data.get("last_name") or "").strip(),
            date_of_birth=data.get("date_of_birth"),
            sex=data.get("sex") or Person.Sex.UNKNOWN,
        )


# --- pure rules ----------------------------------------------------------------------------


def recommend_track(
    *, response_time: str, risk_level: str, has_exceptional_circumstance: bool
) -> str:
    """The DRS rule: Family Assessment Response when the response time is 72 hours, the
    risk is low or moderate and no exceptional circumstance applies; otherwise an
    investigation."""
    if (
        response_time == Intake.ResponseTime.H72
        and risk_level in _FAR_RISKS
        and not has_exceptional_circumstance
    ):
        return Intake.Track.FAMILY_ASSESSMENT
    return Intake.Track.INVESTIGATION


def iff_window_hours(response_time: str, rules) -> int | None:
    """Hours in the IFF window of a response time (None for same day: end of that day)."""
    if response_time == Intake.ResponseTime.H24:
        return rules.iff_hours_24h
    if response_time == Intake.ResponseTime.H72:
        return rules.iff_hours_72h
    if response_time == Intake.ResponseTime.SAME_DAY:
        return None
    raise ValueError(f"Unknown response time {response_time!r}.")


def iff_due_at(*, accepted_at: datetime, response_time: str, rules) -> datetime:
    """When every alleged victim must have been seen.

    Same day: 23:59:59 Eastern on the local date the report was accepted. 24 and 72
    hours (CaseworkRules may change the numbers): calendar hours after acceptance,
    counted in UTC so a daylight-saving change neither adds nor removes an hour."""
    if timezone.is_naive(accepted_at):
        raise ValueError("accepted_at must be timezone-aware.")
    hours = iff_window_hours(response_time, rules)
    if hours is None:
        local_day = accepted_at.astimezone(TIMEZONE).date()
        return datetime.combine(local_day, time(23, 59, 59), tzinfo=TIMEZONE)
    return accepted_at.astimezone(UTC) + timedelta(hours=hours)


# --- intake ----------------------------------------------------------------------------------


def _worker_fits_unit(worker: Any, unit: Unit) -> bool:
    if worker is None or not worker.is_active:
        return False
    if unit.supervisor_id is not None and unit.supervisor_id == worker.pk:
        return True
    profile = getattr(worker, "staff", None)
    return (
        profile is not None
        and profile.role in (Role.CASEWORKER, Role.SUPERVISOR)
        and profile.unit_id == unit.pk
    )


def _may_override(actor: Any, unit: Unit) -> bool:
    """A supervisor (approve permission) over the unit the case goes to."""
    return actor.has_perm(APPROVE_PERM) and supervises(actor, Case(unit=unit))


def _validate_children(children: Sequence[ChildAllegations], errors: dict) -> None:
    kinds = set(Allegation.Kind.values)
    sexes = set(Person.Sex.values)
    messages: list[str] = []
    seen_people: set[int] = set()
    if not children:
        errors["children"] = ["Add at least one child with at least one allegation."]
        return
    for n, child in enumerate(children, start=1):
        if not child.allegations:
            messages.append(f"Child {n}: choose at least one allegation.")
        unknown = [k for k in child.allegations if k not in kinds]
        if unknown:
            messages.append(f"Child {n}: unknown allegation {', '.join(map(str, unknown))}.")
        if child.person is not None:
            if child.person.pk in seen_people:
                messages.append(f"Child {n}: {child.person} is listed twice.")
            seen_people.add(child.person.pk)
            continue
        if not child.first_name or not child.last_name:
            messages.append(f"Child {n}: give a first and last name.")
        if child.sex not in sexes:
            messages.append(f"Child {n}: unknown sex {child.sex!r}.")
        if child.date_of_birth and child.date_of_birth > clock.today():
            messages.append(f"Child {n}: the date of birth is in the future.")
    if messages:
        errors["children"] = messages


@transaction.atomic
def intake_accept(
    *,
    actor: Any,
    accepted_at: datetime,
    reporter_type: str,
    reporter_name: str = "",
    narrative: str,
    response_time: str,
    risk_level: str,
    exceptional_circumstances: Iterable[ExceptionalCircumstance] = (),
    children: Sequence[ChildAllegations | Mapping[str, Any]],
    unit: Unit,
    worker: Any,
    case_name: str,
    candidacy: str = "",
    track: str | None = None,
    override_reason: str = "",
) -> Intake:
    """Record a report accepted at the Careline and open its case.

    Creates the case (investigation or family assessment, per the track) assigned to
    `unit` and `worker`, the intake with Hearth's recommended track, the new people, each
    child's case membership as an alleged victim, the allegations, and one IFF contact
    per alleged victim due within the response time."""
    children = [
        c if isinstance(c, ChildAllegations) else ChildAllegations.from_mapping(c) for c in children
    ]
    circumstances = list(exceptional_circumstances)
    narrative = (narrative or "").strip()
    case_name = (case_name or "").strip()
    override_reason = (override_reason or "").strip()
    errors: dict[str, list[str]] = {}

    if accepted_at is None:
        errors["accepted_at"] = ["Give the date and time the Careline accepted the report."]
    elif timezone.is_naive(accepted_at):
        errors["accepted_at"] = ["Give the time with its time zone."]
    elif accepted_at > clock.now():
        errors["accepted_at"] = ["The acceptance time cannot be in the future."]
    if reporter_type not in Intake.ReporterType.values:
        errors["reporter_type"] = ["Choose the reporter type."]
    if not narrative:
        errors["narrative"] = ["Write what the reporter said."]
    if response_time not in Intake.ResponseTime.values:
        errors["response_time"] = ["Choose same day, 24 hours or 72 hours."]
    if risk_level not in Intake.Risk.values:
        errors["risk_level"] = ["Choose low, moderate, high or very high."]
    inactive = [c.name for c in circumstances if not c.active]
    if inactive:
        errors["exceptional_circumstances"] = [
            f"No longer in use: {', '.join(inactive)}. Choose from the current list."
        ]
    _validate_children(children, errors)
    if unit is None:
        errors["unit"] = ["Choose the unit the case goes to."]
    elif not _worker_fits_unit(worker, unit):
        errors["worker"] = ["Choose a caseworker or supervisor of the chosen unit."]
    if not case_name:
        errors["case_name"] = ['Name the case the way staff will refer to it ("Rivera family").']
    candidacy = candidacy or Case.Candidacy.ACCEPTED_CARELINE
    if candidacy not in Case.Candidacy.values:
        errors["candidacy"] = ["Choose a Family First candidacy."]

    recommended = recommend_track(
        response_time=response_time,
        risk_level=risk_level,
        has_exceptional_circumstance=bool(circumstances),
    )
    track = track or recommended
    if track not in Intake.Track.values:
        errors["track"] = ["Choose investigation or family assessment."]
    elif track != recommended:
        if unit is not None and not _may_override(actor, unit):
            errors["track"] = [
                f"Hearth recommends {Intake.Track(recommended).label}; only the unit's "
                "supervisor may choose another track."
            ]
        elif not override_reason:
            errors["override_reason"] = ["Say why the recommended track does not fit."]
    if errors:
        raise ValidationError(errors)

    case = Case(
        number=reference_next(prefix="C"),
        name=case_name,
        case_type=_TRACK_CASE_TYPES[Intake.Track(track)],
        unit=unit,
        primary_worker=worker,
        candidacy=candidacy,
        opened_on=accepted_at.astimezone(TIMEZONE).date(),
    )
    with_actor(case, actor).save()
    intake = Intake(
        reference=reference_next(prefix="INT"),
        accepted_at=accepted_at,
        reporter_type=reporter_type,
        reporter_name=(reporter_name or "").strip(),
        narrative=narrative,
        response_time=response_time,
        risk_level=risk_level,
        recommended_track=recommended,
        track=track,
        track_override_reason=override_reason if track != recommended else "",
        track_overridden_by=actor if track != recommended else None,
        case=case,
        created_by=actor,
    )
    with_actor(intake, actor).save()
    intake.exceptional_circumstances.set(circumstances)

    due_at = iff_due_at(
        accepted_at=accepted_at, response_time=response_time, rules=casework_rules()
    )
    for child in children:
        person = child.person
        if person is None:
            person = Person(
                first_name=child.first_name,
                last_name=child.last_name,
                date_of_birth=child.date_of_birth,
                sex=child.sex,
            )
            with_actor(person, actor).save()
        member = CaseMember(
            case=case, person=person, role=CaseMember.Role.CHILD, alleged_victim=True
        )
        with_actor(member, actor).save()
        for kind in dict.fromkeys(child.allegations):  # in order, once each
            with_actor(Allegation(intake=intake, child=person, kind=kind), actor).save()
        with_actor(IffContact(intake=intake, child=person, due_at=due_at), actor).save()
    return intake


@transaction.atomic
def intake_override_track(*, intake: Intake, actor: Any, track: str, reason: str) -> Intake:
    """A supervisor puts the intake on another track than the current one, with a reason.
    The recommendation stays as Hearth made it; the case follows the new track while it
    is still an investigation or a family assessment."""
    case = intake.case
    if not (actor.has_perm(APPROVE_PERM) and supervises(actor, case)):
        raise PermissionDenied("Only the case's supervisor may change the track.")
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if track not in Intake.Track.values:
        errors["track"] = ["Choose investigation or family assessment."]
    elif track == intake.track:
        errors["track"] = [f"The intake is already on {Intake.Track(track).label}."]
    if not reason:
        errors["reason"] = ["Say why the track changes."]
    if errors:
        raise ValidationError(errors)

    intake.track = track
    intake.track_override_reason = reason
    intake.track_overridden_by = actor
    with_actor(intake, actor).save(
        update_fields=["track", "track_override_reason", "track_overridden_by"]
    )
    if case.case_type in _TRACK_CASE_TYPES.values():
        case.case_type = _TRACK_CASE_TYPES[Intake.Track(track)]
        with_actor(case, actor).save(update_fields=["case_type"])
    return intake


# --- initial face-to-face contacts ------------------------------------------------------------


def _not_future(value: datetime | None, field: str, what: str, errors: dict) -> bool:
    if value is None:
        errors[field] = [f"Give the date and time {what}."]
        return False
    if timezone.is_naive(value):
        errors[field] = ["Give the time with its time zone."]
        return False
    if value > clock.now():
        errors[field] = [f"The time {what} cannot be in the future."]
        return False
    return True


@transaction.atomic
def iff_record_contact(
    *, iff: IffContact, actor: Any, seen_at: datetime, note: str = ""
) -> IffContact:
    """The worker saw the child face to face. Recorded once."""
    iff = IffContact.objects.select_for_update().select_related("intake").get(pk=iff.pk)
    errors: dict[str, list[str]] = {}
    if iff.seen_at is not None:
        seen = timezone.localtime(iff.seen_at)
        raise ValidationError(
            {"seen_at": f"{iff.child} was already seen on {seen:%Y-%m-%d %H:%M}."}
        )
    if _not_future(seen_at, "seen_at", "the child was seen", errors) and (
        seen_at < iff.intake.accepted_at
    ):
        errors["seen_at"] = ["The contact cannot be before the report was accepted."]
    if errors:
        raise ValidationError(errors)
    iff.seen_at = seen_at
    iff.seen_by = actor
    iff.note = (note or "").strip()
    with_actor(iff, actor).save(update_fields=["seen_at", "seen_by", "note"])
    return iff


def _intake_link(intake_id: int) -> str:
    return reverse("casework:intake_detail", args=[intake_id])


@transaction.atomic
def iff_extension_request(
    *, iff: IffContact, actor: Any, reason: str, explanation: str
) -> IffExtension:
    """Ask the supervisor for more time to see the child. One pending request at a time;
    the case's supervisor is told."""
    explanation = (explanation or "").strip()
    errors: dict[str, list[str]] = {}
    if iff.seen_at is not None:
        errors[NON_FIELD_ERRORS] = [f"{iff.child} has been seen; no extension is needed."]
    elif iff.extensions.filter(status=IffExtension.Status.PENDING).exists():
        errors[NON_FIELD_ERRORS] = [
            "An extension for this child is already waiting for the supervisor's decision."
        ]
    if reason not in IffExtension.Reason.values:
        errors["reason"] = ["Choose one of the reasons policy allows."]
    if not explanation:
        errors["explanation"] = ["Explain the efforts made and why more time is needed."]
    if errors:
        raise ValidationError(errors)
    extension = IffExtension(
        iff=iff,
        reason=reason,
        explanation=explanation,
        requested_by=actor,
        requested_at=clock.now(),
    )
    try:
        with transaction.atomic():  # two requests at once: the unique index decides
            with_actor(extension, actor).save()
    except IntegrityError:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    "An extension for this child is already waiting for the supervisor's decision."
                ]
            }
        ) from None
    supervisor = iff.intake.case.unit.supervisor
    if supervisor is not None and supervisor.pk != getattr(actor, "pk", None):
        notification_send(
            recipient=supervisor,
            kind="iff_extension_requested",
            subject=f"IFF extension requested: {iff.child} ({iff.intake.case.number})",
            body=f"{extension.get_reason_display()}. {explanation}",
            link=_intake_link(iff.intake_id),
        )
    return extension


@transaction.atomic
def iff_extension_decide(
    *, extension: IffExtension, actor: Any, approve: bool, comment: str
) -> IffExtension:
    """The case's supervisor approves or denies a pending extension, with a comment; the
    worker who asked is told."""
    extension = (
        IffExtension.objects.select_for_update(of=("self",))
        .select_related("iff__intake__case__unit", "iff__child", "requested_by")
        .get(pk=extension.pk)
    )
    case = extension.iff.intake.case
    if not (actor.has_perm(APPROVE_PERM) and supervises(actor, case)):
        raise PermissionDenied("Only the case's supervisor decides extensions.")
    comment = (comment or "").strip()
    errors: dict[str, list[str]] = {}
    if extension.status != IffExtension.Status.PENDING:
        errors[NON_FIELD_ERRORS] = [
            f"This extension was already {extension.get_status_display().lower()}."
        ]
    elif extension.requested_by_id == actor.pk:
        errors[NON_FIELD_ERRORS] = [
            "You asked for this extension; another supervisor must decide it."
        ]
    if not comment:
        errors["comment"] = ["Write a comment for the worker (why it is approved or denied)."]
    if errors:
        raise ValidationError(errors)
    extension.status = IffExtension.Status.APPROVED if approve else IffExtension.Status.DENIED
    extension.decided_by = actor
    extension.decided_at = clock.now()
    extension.decision_comment = comment
    with_actor(extension, actor).save(
        update_fields=["status", "decided_by", "decided_at", "decision_comment"]
    )
    notification_send(
        recipient=extension.requested_by,
        kind="iff_extension_decided",
        subject=(
            f"IFF extension {extension.get_status_display().lower()}: "
            f"{extension.iff.child} ({case.number})"
        ),
        body=comment,
        link=_intake_link(extension.iff.intake_id),
    )
    return extension


@transaction.atomic
def iff_attempt_record(
    *, iff: IffContact, actor: Any, attempted_at: datetime, outcome: str
) -> IffAttempt:
    """A follow-up attempt to see the child, after an extension was requested."""
    outcome = (outcome or "").strip()
    errors: dict[str, list[str]] = {}
    if not iff.extensions.filter(
        status__in=[IffExtension.Status.PENDING, IffExtension.Status.APPROVED]
    ).exists():
        errors[NON_FIELD_ERRORS] = [
            "Follow-up attempts are recorded after an extension: request one first."
        ]
    if _not_future(attempted_at, "attempted_at", "of the attempt", errors) and (
        attempted_at < iff.intake.accepted_at
    ):
        errors["attempted_at"] = ["The attempt cannot be before the report was accepted."]
    if not outcome:
        errors["outcome"] = ["Say what happened."]
    if errors:
        raise ValidationError(errors)
    attempt = IffAttempt(iff=iff, attempted_at=attempted_at, outcome=outcome, recorded_by=actor)
    with_actor(attempt, actor).save()
    return attempt
