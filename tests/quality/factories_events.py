"""Builders for significant-event tests."""

from datetime import datetime

from agency import clock
from quality.models import EventNotificationRule, SignificantEvent
from quality.services import events as services


def record_event(actor, **fields) -> SignificantEvent:
    """An event recorded through the service (reference, history, notifications)."""
    defaults = {
        "kind": SignificantEvent.Kind.SERIOUS_OCCURRENCE,
        "occurred_at": clock.now(),
        "work_location": None,
        "facility": "Licensed foster home",
        "case": None,
        "persons": [],
        "description": "The youth left placement overnight and came back in the morning.",
        "reporter": "Foster parent",
    }
    return services.event_record(actor=actor, **(defaults | fields))


_n = iter(range(1, 1_000_000))


def make_event(recorded_by, *, occurred_at: datetime, **fields) -> SignificantEvent:
    """An event written directly (for lists and report numbers built by hand)."""
    n = next(_n)
    return SignificantEvent.objects.create(
        **{
            "reference": f"SE-TEST-{n:06d}",
            "kind": SignificantEvent.Kind.SERIOUS_OCCURRENCE,
            "occurred_at": occurred_at,
            "facility": "",
            "description": f"Event {n}.",
            "reporter": "Foster parent",
            "recorded_by": recorded_by,
        }
        | fields
    )


def notify(official, *kinds: str) -> None:
    for kind in kinds:
        EventNotificationRule.objects.create(kind=kind, official=official)
