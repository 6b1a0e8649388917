"""Synthetic significant events for the demo agency (`manage.py seed`).

About thirty events over the last 18 months on existing demo cases (a few on the demo
caseworker's), each naming a child on the case, at the case's office or at a facility,
recorded by the case's worker a few hours after it happened; and notification rules so
the Commissioner's office hears at once of every child fatality and near fatality (the
demo login "commissioner" of every kind). Written directly, with history rows, and
without sending notices about events of the past; references are numbered by the year
each event was recorded, and the reference counters moved on, so events recorded later
continue the sequence.
"""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from agency import clock
from agency.models import ReferenceCounter, WorkLocation
from agency.roles import Role
from casework.models import Case, CaseMember
from quality.models import EventNotificationRule, SignificantEvent
from quality.services.events import REFERENCE_PREFIX

User = get_user_model()

KINDS = (
    [SignificantEvent.Kind.SERIOUS_OCCURRENCE] * 10
    + [SignificantEvent.Kind.EMERGENCY_SAFETY_INTERVENTION] * 8
    + [SignificantEvent.Kind.NEAR_FATALITY] * 3
    + [SignificantEvent.Kind.CHILD_FATALITY]
    + [SignificantEvent.Kind.ADVERSE_EVENT_RESEARCH]
)
PLACES = [
    "Connecticut Children's Medical Center, Hartford",
    "Yale New Haven Children's Hospital",
    "Licensed foster home",
    "Relative caregiver's home",
    "Family home",
    "School",
]
REPORTERS = [
    "Hospital social worker",
    "Foster parent",
    "Relative caregiver",
    "Facility shift supervisor",
    "School principal",
    "Police officer",
    "Caseworker on the case",
]
DESCRIPTIONS = {
    SignificantEvent.Kind.CHILD_FATALITY: (
        "The child was found unresponsive and pronounced dead at the hospital. The medical "
        "examiner has been notified; cause of death pending."
    ),
    SignificantEvent.Kind.NEAR_FATALITY: (
        "The child was admitted to intensive care in critical condition after an "
        "ingestion at home. Now stable."
    ),
    SignificantEvent.Kind.EMERGENCY_SAFETY_INTERVENTION: (
        "Staff used a brief physical hold to stop the youth harming themselves. No injury; "
        "the youth was checked by the nurse and the guardian was told the same day."
    ),
    SignificantEvent.Kind.SERIOUS_OCCURRENCE: (
        "The youth left placement without permission overnight and returned the next "
        "morning. Police were notified; the youth was seen by a nurse on return."
    ),
    SignificantEvent.Kind.ADVERSE_EVENT_RESEARCH: (
        "A participant in the approved caregiver-support study reported distress after an "
        "interview. The interview was stopped and the IRB informed."
    ),
}
DEMO_WORKER, DEMO_WORKER_EVENTS = "caseworker", 4
DEFAULT_RULES = (SignificantEvent.Kind.CHILD_FATALITY, SignificantEvent.Kind.NEAR_FATALITY)


def seed_events(rng: random.Random, *, count: int = 30, months: int = 18) -> dict[str, int]:
    """Create `count` events over the last `months` months on existing demo cases, and the
    notification rules for the Commissioner's office. Returns what was made."""
    rules = _seed_rules()
    members = list(
        CaseMember.objects.filter(role=CaseMember.Role.CHILD)
        .select_related("case__unit__work_location", "case__primary_worker", "person")
        .order_by("pk")[:2000]
    )
    if not members:
        return {"events": 0, "rules": rules}
    # A few on the demo caseworker's cases, so the demo caseworker, supervisor and
    # area administrator have events of their own to open.
    favourites = list(
        CaseMember.objects.filter(
            role=CaseMember.Role.CHILD, case__primary_worker__username=DEMO_WORKER
        )
        .select_related("case__unit__work_location", "case__primary_worker", "person")
        .order_by("pk")
    )
    facilities = list(WorkLocation.objects.filter(kind=WorkLocation.Kind.FACILITY).order_by("pk"))
    now = clock.now()
    span = timedelta(days=round(months * 30.4))
    events, people = [], []
    for n in range(count):
        member = rng.choice(favourites if favourites and n < DEMO_WORKER_EVENTS else members)
        case: Case = member.case
        kind = rng.choice(KINDS)
        occurred_at = now - span + timedelta(seconds=rng.randrange(int(span.total_seconds())))
        occurred_at = occurred_at.replace(second=0, microsecond=0)
        recorded_at = min(now, occurred_at + timedelta(hours=rng.randint(1, 20)))
        where = rng.random()
        if kind == SignificantEvent.Kind.EMERGENCY_SAFETY_INTERVENTION and facilities:
            location, facility = rng.choice(facilities), ""
        elif where < 0.2:
            location, facility = None, rng.choice(PLACES)
        else:
            location = case.unit.work_location
            facility = rng.choice(PLACES) if where < 0.6 else ""
        events.append(
            SignificantEvent(
                reference="",
                kind=kind,
                occurred_at=occurred_at,
                work_location=location,
                facility=facility,
                case=case,
                description=DESCRIPTIONS[kind],
                reporter=rng.choice(REPORTERS),
                recorded_by=case.primary_worker,
                recorded_at=recorded_at,
            )
        )
        people.append(member.person)
    _number(events)
    created = bulk_create_with_history(
        events, SignificantEvent, default_user=None, default_date=None
    )
    saved = SignificantEvent.objects.filter(reference__in=[e.reference for e in created])
    by_reference = {event.reference: event.pk for event in saved}
    SignificantEvent.persons.through.objects.bulk_create(
        SignificantEvent.persons.through(
            significantevent_id=by_reference[event.reference], person_id=person.pk
        )
        for event, person in zip(events, people, strict=True)
    )
    return {"events": len(events), "rules": rules}


def _number(events: list[SignificantEvent]) -> None:
    """References in the order recorded, per year, after any already handed out; the
    counters move on so the next event recorded continues the sequence."""
    for event in sorted(events, key=lambda e: e.recorded_at):
        year = timezone.localtime(event.recorded_at).year
        counter, _ = ReferenceCounter.objects.get_or_create(prefix=REFERENCE_PREFIX, year=year)
        counter.last += 1
        counter.save(update_fields=["last"])
        event.reference = f"{REFERENCE_PREFIX}-{year}-{counter.last:06d}"


def _seed_rules() -> int:
    """The Commissioner's office hears of child fatalities and near fatalities; the demo
    login "commissioner" of every kind of event."""
    officials = list(User.objects.filter(staff__role=Role.COMMISSIONERS_OFFICE, is_active=True))
    wanted = set()
    for official in officials:
        every_kind = official.username == "commissioner"
        kinds = SignificantEvent.Kind.values if every_kind else DEFAULT_RULES
        wanted |= {(kind, official.pk) for kind in kinds}
    existing = set(EventNotificationRule.objects.values_list("kind", "official_id"))
    new = [
        EventNotificationRule(kind=kind, official_id=official_id)
        for kind, official_id in sorted(wanted - existing)
    ]
    EventNotificationRule.objects.bulk_create(new)
    return len(new)
