"""The Ombudsman's clock, as pure functions over the business calendar (no ORM, no now).

- Effective receipt: an inquiry received on a business day before 17:00 is received
  that day (before 08:00 counts as 08:00 that day); one received at or after 17:00, or
  on a day that is not a business day, counts as received at 08:00 on the next
  business day.
- Routine: the initial response is due at 17:00 on the second business day after the
  day of effective receipt.
- Immediate: due 4 business hours after effective receipt.
Both numbers come from OmbudsmanRules. SLA states are computed from the stored due time.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from agency.calendar import (
    BusinessCalendar,
    business_days_between,
    business_hours_between,
    deadline,
    format_date,
    format_time,
    skipped_days,
    start_of_business,
)

ROUTINE = "routine"
IMMEDIATE = "immediate"


@dataclass(frozen=True)
class Due:
    effective_received_at: datetime
    due_at: datetime
    explanation: list[str]


def _moment(cal: BusinessCalendar, instant: datetime) -> str:
    local = instant.astimezone(cal.tz)
    return f"{format_date(local.date())} at {format_time(local)}"


def initial_response_due(
    cal: BusinessCalendar,
    received_at: datetime,
    urgency: str,
    *,
    routine_business_days: int = 2,
    immediate_business_hours: int = 4,
) -> Due:
    """When the initial response to an inquiry received at `received_at` is due, with
    the steps that explain it in words."""
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware.")
    effective = start_of_business(cal, received_at)
    local_received = received_at.astimezone(cal.tz)
    if urgency == IMMEDIATE:
        # From the actual receipt, so the steps say when it arrived and which days were
        # skipped before the clock started (the clock itself starts at `effective`).
        due_at, steps = deadline(cal, received_at, business_hours=immediate_business_hours)
        lines = [
            f"Immediate inquiries are due {immediate_business_hours} business hours after "
            "effective receipt.",
            *steps,
        ]
        return Due(effective, due_at, lines)
    if urgency != ROUTINE:
        raise ValueError(f"Unknown urgency {urgency!r}.")
    if effective == local_received:
        receipt = f"Received {_moment(cal, received_at)}, during business hours: received that day."
    elif effective.date() == local_received.date():
        receipt = f"Received {_moment(cal, received_at)}, before opening: received that day."
    else:
        reason = cal.non_business_reason(local_received.date())
        why = (
            "at or after 17:00"
            if reason is None
            else f"on a day that is not a business day ({reason})"
        )
        receipt = (
            f"Received {_moment(cal, received_at)}, {why}: counts as received at "
            f"{format_time(effective)} on {format_date(effective.date())}."
        )
    # The days between the receipt and the effective receipt, each with its reason.
    before_receipt = [
        f"{format_date(day)} skipped: {reason}."
        for day, reason in skipped_days(cal, local_received.date(), effective.date())
    ]
    due_at, steps = deadline(cal, effective, business_days=routine_business_days)
    lines = [
        receipt,
        *before_receipt,
        f"Routine inquiries are due at {format_time(cal.closes)} on business day "
        f"{routine_business_days} after the day of receipt.",
        *steps,
        f"Initial response due {_moment(cal, due_at)}.",
    ]
    return Due(effective, due_at, lines)


# --- SLA state ---------------------------------------------------------------------------

ON_TRACK = "on_track"
DUE_TODAY = "due_today"
OVERDUE = "overdue"
MET = "met"
MISSED = "missed"
SLA_LABELS = {
    ON_TRACK: "On track",
    DUE_TODAY: "Due today",
    OVERDUE: "Overdue",
    MET: "Met",
    MISSED: "Missed",
}
# The colour of each state's tag (USWDS utility classes); the words above say it too.
SLA_TAG_CLASSES = {
    ON_TRACK: "bg-primary",
    DUE_TODAY: "bg-gold text-ink",
    OVERDUE: "bg-secondary-dark",
    MET: "bg-green",
    MISSED: "bg-secondary-darker",
}


def sla_state(
    cal: BusinessCalendar,
    due_at: datetime,
    responded_at: datetime | None,
    now: datetime,
) -> str:
    """on_track, due_today or overdue while no initial response is logged; met or missed
    once it is."""
    if responded_at is not None:
        return MET if responded_at <= due_at else MISSED
    if now > due_at:
        return OVERDUE
    if due_at.astimezone(cal.tz).date() == now.astimezone(cal.tz).date():
        return DUE_TODAY
    return ON_TRACK


def end_of_local_day(cal: BusinessCalendar, now: datetime) -> datetime:
    """The first instant of tomorrow, local time: the boundary between due today and on
    track, for filtering in SQL."""
    today = now.astimezone(cal.tz).date()
    return datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=cal.tz)


def time_left(cal: BusinessCalendar, due_at: datetime, now: datetime) -> str:
    """Business time left until `due_at` (or past it), in words: "3 business hours
    left", "1 business day 2 business hours left", "overdue by 5 business hours"."""
    if now <= due_at:
        return f"{_business_duration(cal, now, due_at)} left"
    return f"overdue by {_business_duration(cal, due_at, now)}"


def _business_duration(cal: BusinessCalendar, start: datetime, end: datetime) -> str:
    hours = business_hours_between(cal, start, end)
    day_length = datetime.combine(datetime.min, cal.closes) - datetime.combine(
        datetime.min, cal.opens
    )
    days, rest = divmod(hours, day_length)
    minutes = int(rest.total_seconds() // 60)
    whole_hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(_plural(days, "business day"))
    if whole_hours:
        parts.append(_plural(whole_hours, "business hour" if not days else "hour"))
    if minutes and not days:
        parts.append(_plural(minutes, "minute"))
    return " ".join(parts) or "less than a minute"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def business_days_taken(cal: BusinessCalendar, start: datetime, end: datetime) -> int:
    """Whole business days from `start` to `end` (for the reports' medians)."""
    return business_days_between(cal, start, end)
