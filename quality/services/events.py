"""Writes for significant events: record one, correct it, and notify the officials the
agency designated for its kind.

Each function validates first and raises `ValidationError({field: [message]})` before
anything is saved, so the pages, the API and the admin show the message beside the right
field. Callers check that the user may record or change events at all (a model
permission); the rules about what may be linked (a case the user can see, people on
that case) live here.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agency import clock
from agency.models import WorkLocation
from agency.services import notification_send, reference_next, reminder_key
from casework.models import Case, CaseMember, Person
from quality.models import EventNotificationRule, SignificantEvent

REFERENCE_PREFIX = "SE"
NOTIFICATION_KIND = "significant_event"

# Fields a user sets when recording or correcting an event.
DETAIL_FIELDS = (
    "kind",
    "occurred_at",
    "work_location",
    "facility",
    "case",
    "persons",
    "description",
    "reporter",
)

STALE_MESSAGE = (
    "Someone else changed this event after you opened it. Reload the page to see their "
    "changes, then make yours again."
)


def _unique(persons: Iterable[Person] | None) -> list[Person]:
    seen: dict[int, Person] = {}
    for person in persons or ():
        seen.setdefault(person.pk, person)
    return list(seen.values())


def _validate(
    *,
    actor: Any,
    kind: str,
    occurred_at: datetime | None,
    work_location: WorkLocation | None,
    facility: str,
    case: Case | None,
    persons: Sequence[Person],
    description: str,
    reporter: str,
    check_case: bool = True,
) -> None:
    """Every rule an event's details must meet, as one field map of errors."""
    errors: dict[str, list[str]] = {}
    if kind not in SignificantEvent.Kind.values:
        errors["kind"] = ["Choose the kind of event."]
    if occurred_at is None:
        errors["occurred_at"] = ["Say when the event happened."]
    elif timezone.is_naive(occurred_at):
        raise ValueError("occurred_at must be an aware datetime.")
    elif occurred_at > clock.now():
        errors["occurred_at"] = ["The time of the event cannot be in the future."]
    if work_location is None and not facility:
        errors["facility"] = [
            "Say where it happened: choose the agency location, or name the facility, home "
            "or place."
        ]
    if len(facility) > SignificantEvent._meta.get_field("facility").max_length:
        errors["facility"] = ["Keep the place to 200 characters."]
    if not description:
        errors["description"] = ["Describe what happened."]
    if not reporter:
        errors["reporter"] = ["Say who reported it, and their role or relationship."]
    elif len(reporter) > SignificantEvent._meta.get_field("reporter").max_length:
        errors["reporter"] = ["Keep the reporter to 200 characters."]

    from casework.selectors import visible_cases, visible_people

    if case is not None and check_case and not visible_cases(actor).filter(pk=case.pk).exists():
        errors["case"] = ["No case you may see has this number."]
    ids = {person.pk for person in persons}
    if ids and "case" not in errors:
        if case is not None:
            on_case = set(
                CaseMember.objects.filter(case=case, person__in=ids).values_list(
                    "person_id", flat=True
                )
            )
            strangers = [p for p in persons if p.pk not in on_case]
            if strangers:
                names = ", ".join(p.full_name for p in strangers)
                errors["persons"] = [f"Not on case {case.number}: {names}."]
        elif visible_people(actor).filter(pk__in=ids).count() != len(ids):
            errors["persons"] = ["Name only people on cases you may see."]
    if errors:
        raise ValidationError(errors)


def event_check(
    *,
    actor: Any,
    kind: str,
    occurred_at: datetime | None,
    work_location: WorkLocation | None,
    facility: str,
    case: Case | None,
    persons: Iterable[Person],
    description: str,
    reporter: str,
    check_case: bool = True,
) -> None:
    """The checks event_record and event_update make, for a form that shows their errors
    before saving (the Django admin). Raises ValidationError with a field map."""
    _validate(
        actor=actor,
        kind=kind,
        occurred_at=occurred_at,
        work_location=work_location,
        facility=(facility or "").strip(),
        case=case,
        persons=_unique(persons),
        description=(description or "").strip(),
        reporter=(reporter or "").strip(),
        check_case=check_case,
    )


def event_link(event: SignificantEvent) -> str:
    return reverse("quality:event", args=[event.pk])


def _notify_officials(event_id: int, kind: str) -> None:
    """Tell every official designated for `kind` about the event, once each (the key
    holds the event and the kind, so a reclassified event reaches the new kind's
    officials and nobody twice for the same kind)."""
    event = (
        SignificantEvent.objects.select_related("work_location", "case", "recorded_by")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return
    rules = EventNotificationRule.objects.filter(kind=kind, official__is_active=True)
    label = SignificantEvent.Kind(kind).label
    where = event.work_location.name if event.work_location else event.facility
    recorder = event.recorded_by.get_full_name() or event.recorded_by.get_username()
    # The notice names no one and describes nothing: emails leave the agency's systems.
    body = "\n".join(
        line
        for line in (
            f"{label} recorded in Hearth as {event.reference}.",
            f"When: {timezone.localtime(event.occurred_at):%a %d %b %Y %H:%M} (Eastern).",
            f"Where: {where}.",
            f"Case: {event.case.number}." if event.case else "",
            f"Recorded by {recorder}.",
            "Open the event in Hearth for the details.",
        )
        if line
    )
    for rule in rules.select_related("official"):
        notification_send(
            recipient=rule.official,
            kind=NOTIFICATION_KIND,
            subject=f"{label}: {event.reference}",
            body=body,
            link=event_link(event),
            dedupe_key=reminder_key(event, NOTIFICATION_KIND, kind),
        )


def _notify_on_commit(event: SignificantEvent) -> None:
    event_id, kind = event.pk, event.kind
    transaction.on_commit(lambda: _notify_officials(event_id, kind))


@transaction.atomic
def event_record(
    *,
    actor: Any,
    kind: str,
    occurred_at: datetime | None,
    work_location: WorkLocation | None = None,
    facility: str = "",
    case: Case | None = None,
    persons: Iterable[Person] = (),
    description: str,
    reporter: str,
) -> SignificantEvent:
    """Record a significant event: what, when, where (an agency location, or a facility,
    home or place), the case and the people on it concerned, what happened and who
    reported it. The event gets its reference (SE-2026-000123) and the officials
    designated for its kind are notified as soon as it is saved."""
    facility = (facility or "").strip()
    description = (description or "").strip()
    reporter = (reporter or "").strip()
    people = _unique(persons)
    _validate(
        actor=actor,
        kind=kind,
        occurred_at=occurred_at,
        work_location=work_location,
        facility=facility,
        case=case,
        persons=people,
        description=description,
        reporter=reporter,
    )
    event = SignificantEvent(
        reference=reference_next(prefix=REFERENCE_PREFIX),
        kind=kind,
        occurred_at=occurred_at,
        work_location=work_location,
        facility=facility,
        case=case,
        description=description,
        reporter=reporter,
        recorded_by=actor,
        recorded_at=clock.now(),
    )
    event._history_user = actor
    event.save()
    if people:
        event.persons.set(people)
    _notify_on_commit(event)
    return event


@transaction.atomic
def event_update(
    *, event: SignificantEvent, actor: Any, version: int | None, **fields: Any
) -> SignificantEvent:
    """Correct an event's details. `version` is the one the user read: the change is
    refused when someone else changed the event since. A new kind notifies the officials
    designated for it. The case is checked only when it changes (a reviewer may correct
    an event on a case they cannot open); people always against the linked case."""
    unknown = set(fields) - set(DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown event fields: {sorted(unknown)}")
    if version is None:
        raise ValidationError({"version": ["Send the version of the event you read."]})
    locked = SignificantEvent.objects.select_for_update().get(pk=event.pk)
    if int(version) != locked.version:
        raise ValidationError({"version": [STALE_MESSAGE]})
    for name in ("facility", "description", "reporter"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    current_persons = list(locked.persons.all())
    persons = _unique(fields.pop("persons")) if "persons" in fields else current_persons
    before = {name: getattr(locked, name) for name in fields}
    for name, value in fields.items():
        setattr(locked, name, value)
    changed = [name for name in fields if before[name] != getattr(locked, name)]
    persons_changed = {p.pk for p in persons} != {p.pk for p in current_persons}
    _validate(
        actor=actor,
        kind=locked.kind,
        occurred_at=locked.occurred_at,
        work_location=locked.work_location,
        facility=locked.facility,
        case=locked.case,
        persons=persons if (persons_changed or "case" in changed) else [],
        description=locked.description,
        reporter=locked.reporter,
        check_case="case" in changed,
    )
    if not changed and not persons_changed:
        return locked
    locked.version += 1
    locked._history_user = actor
    if persons_changed:
        names = ", ".join(sorted(p.full_name for p in persons)) or "none"
        locked._change_reason = f"People concerned: {names}"
    locked.save(update_fields=[*changed, "version"])
    if persons_changed:
        locked.persons.set(persons)
    if "kind" in changed:
        _notify_on_commit(locked)
    return locked
