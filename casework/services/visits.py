"""Writes for purposeful visits: plan one from the case plan, record what happened, and
mark one entered in error (visits are never deleted).

Each function validates first and raises `ValidationError({field: message})` before
anything is saved, so the page and the API show the message beside the right field.
Callers pass objects the gatekeeper has already let the user change.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone

from agency import clock
from casework.audit import with_actor
from casework.models import Case, CaseMember, Person, Visit, VisitParticipant

# What a visit covered: key -> the Visit field that stores it.
TOPICS: dict[str, str] = {
    "case_plan_goals": "topic_case_plan_goals",
    "services": "topic_services",
    "well_being": "topic_well_being",
    "safety_risk": "topic_safety_risk",
    "family_feedback": "topic_family_feedback",
}
TOPIC_CHOICES: list[tuple[str, str]] = [
    (key, str(Visit._meta.get_field(field).verbose_name)) for key, field in TOPICS.items()
]

RECORDED_STATUSES = (Visit.Status.COMPLETED, Visit.Status.ATTEMPTED, Visit.Status.CANCELLED)
RECORDED_STATUS_CHOICES = [(s.value, s.label) for s in RECORDED_STATUSES]

# Marks the reason appended to the narrative when a visit is entered in error.
ENTERED_IN_ERROR_MARKER = "[Entered in error]"


@transaction.atomic
def visit_plan(
    *,
    case: Case,
    actor: Any,
    planned_for: datetime,
    location: str,
    location_detail: str = "",
    announced: bool = True,
    discussion_points: str,
    participants: Iterable[Person],
) -> Visit:
    """Plan a visit on an open case: when, where, announced or not, who takes part
    (active members of the case) and the discussion points written beforehand from the
    case plan. The date may be in the past (a visit planned late) or the future."""
    errors: dict[str, str] = {}
    people = _unique(participants)
    discussion_points = (discussion_points or "").strip()
    location_detail = (location_detail or "").strip()

    if case.status != Case.Status.OPEN:
        errors[NON_FIELD_ERRORS] = (
            f"Case {case.number} is closed; visits are planned on open cases."
        )
    if planned_for is None:
        errors["planned_for"] = "Say when the visit is planned."
    elif timezone.is_naive(planned_for):
        raise ValueError("planned_for must be an aware datetime.")
    if location not in Visit.Location.values:
        errors["location"] = "Choose where the visit takes place."
    elif location == Visit.Location.OTHER and not location_detail:
        errors["location_detail"] = 'Say where the visit takes place when the place is "Other".'
    if len(location_detail) > Visit._meta.get_field("location_detail").max_length:
        errors["location_detail"] = "Keep the place to 200 characters."
    if not discussion_points:
        errors["discussion_points"] = (
            "Write the discussion points before the visit, from the case plan."
        )
    if not people:
        errors["participants"] = "Choose at least one person to visit."
    else:
        active = set(
            CaseMember.objects.filter(
                case=case, active=True, person__in=[p.pk for p in people]
            ).values_list("person_id", flat=True)
        )
        strangers = [p for p in people if p.pk not in active]
        if strangers:
            names = ", ".join(p.full_name for p in strangers)
            errors["participants"] = f"Not an active member of this case: {names}."
    if errors:
        raise ValidationError(errors)

    visit = Visit(
        case=case,
        planned_for=planned_for,
        location=location,
        location_detail=location_detail,
        announced=announced,
        discussion_points=discussion_points,
        planned_by=actor,
    )
    with_actor(visit, actor).save()
    for person in people:
        with_actor(VisitParticipant(visit=visit, person=person), actor).save()
    return visit


@transaction.atomic
def visit_record(
    *,
    visit: Visit,
    actor: Any,
    status: str,
    occurred_at: datetime | None,
    barrier: str = "",
    barrier_note: str = "",
    topics: Iterable[str] = (),
    narrative: str = "",
    seen: Mapping[int, tuple[bool, bool]] | None = None,
) -> Visit:
    """Record what happened to a planned visit: completed (somebody was seen), attempted
    or cancelled (with the barrier). `seen` maps a participant's person id to (seen,
    seen privately); participants left out were not seen. Only children are seen
    privately. A visit is recorded once; a wrong record is marked entered in error and
    the visit planned again."""
    seen = dict(seen or {})
    topics = set(topics)
    barrier = barrier or ""
    barrier_note = (barrier_note or "").strip()
    narrative = (narrative or "").strip()
    errors: dict[str, Any] = {}

    # Lock the row: two people recording the same visit at once must not both succeed.
    current = (
        Visit.objects.select_for_update()
        .filter(pk=visit.pk)
        .values("status", "entered_in_error")
        .first()
    )
    if current is None:
        raise ValidationError({NON_FIELD_ERRORS: "This visit no longer exists."})
    if current["entered_in_error"]:
        raise ValidationError(
            {NON_FIELD_ERRORS: "This visit was entered in error; plan a new visit instead."}
        )
    if current["status"] != Visit.Status.PLANNED:
        label = Visit.Status(current["status"]).label.lower()
        raise ValidationError(
            {
                NON_FIELD_ERRORS: f"This visit was already recorded as {label}. Mark it "
                "entered in error and plan a new visit to correct it."
            }
        )

    if status not in RECORDED_STATUSES:
        errors["status"] = "Choose completed, attempted or cancelled."
    if occurred_at is None:
        errors["occurred_at"] = "Say when the visit took place (or was attempted or cancelled)."
    elif timezone.is_naive(occurred_at):
        raise ValueError("occurred_at must be an aware datetime.")
    elif occurred_at > clock.now():
        errors["occurred_at"] = "This is in the future: record a visit once it has happened."

    if status == Visit.Status.COMPLETED:
        if barrier:
            errors["barrier"] = "A completed visit has no barrier; leave it empty."
    elif status in RECORDED_STATUSES:
        if not barrier:
            errors["barrier"] = "Say why the visit did not happen."
        elif barrier not in Visit.Barrier.values:
            errors["barrier"] = "Choose a barrier from the list."
        elif barrier == Visit.Barrier.OTHER and not barrier_note:
            errors["barrier_note"] = 'Describe the barrier when it is "Other".'
    if len(barrier_note) > Visit._meta.get_field("barrier_note").max_length:
        errors["barrier_note"] = "Keep the note to 300 characters."

    unknown_topics = topics - TOPICS.keys()
    if unknown_topics:
        errors["topics"] = f"Unknown topic: {', '.join(sorted(map(str, unknown_topics)))}."

    participants = list(visit.participants.select_related("person"))
    by_person = {p.person_id: p for p in participants}
    roles = dict(
        CaseMember.objects.filter(case_id=visit.case_id, person__in=by_person).values_list(
            "person_id", "role"
        )
    )
    seen_errors: list[str] = []
    strangers = [pid for pid in seen if pid not in by_person]
    if strangers:
        seen_errors.append(
            "Not a participant of this visit: "
            + ", ".join(f"person {pid}" for pid in sorted(strangers, key=str))
            + "."
        )
    for person_id, (was_seen, privately) in seen.items():
        participant = by_person.get(person_id)
        if participant is None or not privately:
            continue
        name = participant.person.full_name
        if roles.get(person_id) != CaseMember.Role.CHILD:
            seen_errors.append(f"Only children are seen privately: {name} is not a child.")
        elif not was_seen:
            seen_errors.append(f"{name} cannot be seen privately without being seen.")
    anyone_seen = any(was_seen for pid, (was_seen, _) in seen.items() if pid in by_person)
    if status == Visit.Status.COMPLETED and not anyone_seen:
        seen_errors.append("A completed visit saw at least one person: tick who was seen.")
    if status in (Visit.Status.ATTEMPTED, Visit.Status.CANCELLED) and anyone_seen:
        seen_errors.append(
            "Nobody is seen at an attempted or cancelled visit; "
            "record it as completed if you saw someone."
        )
    if seen_errors:
        errors["seen"] = seen_errors
    if errors:
        raise ValidationError(errors)

    visit.status = status
    visit.occurred_at = occurred_at
    visit.barrier = barrier if status != Visit.Status.COMPLETED else ""
    visit.barrier_note = barrier_note if status != Visit.Status.COMPLETED else ""
    for key, field in TOPICS.items():
        setattr(visit, field, key in topics)
    visit.narrative = narrative
    visit.recorded_by = actor
    with_actor(visit, actor).save(
        update_fields=[
            "status",
            "occurred_at",
            "barrier",
            "barrier_note",
            *TOPICS.values(),
            "narrative",
            "recorded_by",
        ]
    )
    for participant in participants:
        was_seen, privately = seen.get(participant.person_id, (False, False))
        was_seen, privately = bool(was_seen), bool(was_seen and privately)
        if (participant.seen, participant.seen_privately) != (was_seen, privately):
            participant.seen, participant.seen_privately = was_seen, privately
            with_actor(participant, actor).save(update_fields=["seen", "seen_privately"])
    return visit


@transaction.atomic
def visit_mark_entered_in_error(*, visit: Visit, actor: Any, reason: str) -> Visit:
    """Take a visit out of every count (the monthly grid, reminders, indicators) without
    deleting it: the flag is set and the reason, with who and when, is appended to the
    narrative. The history keeps the visit as it was."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why this visit was entered in error."})
    already = (
        Visit.objects.select_for_update()
        .filter(pk=visit.pk)
        .values_list("entered_in_error", flat=True)
        .first()
    )
    if already:
        raise ValidationError({NON_FIELD_ERRORS: "This visit is already marked entered in error."})
    who = (actor.get_full_name() or actor.get_username()) if actor is not None else "Hearth"
    when = timezone.localtime(clock.now())
    note = f"{ENTERED_IN_ERROR_MARKER} {when:%Y-%m-%d %H:%M} by {who}: {reason}"
    visit.narrative = f"{visit.narrative}\n\n{note}" if visit.narrative else note
    visit.entered_in_error = True
    with_actor(visit, actor).save(update_fields=["entered_in_error", "narrative"])
    return visit


def _unique(people: Iterable[Person]) -> list[Person]:
    """The people in order, each once."""
    out: dict[int, Person] = {}
    for person in people or ():
        out.setdefault(person.pk, person)
    return list(out.values())
