"""Reads for significant events: who sees which event, the list, one event's history,
and the aggregate report by kind and place for a month or a calendar year.

Who sees an event (`visible_events`):
- quality reviewers, the Commissioner's office and superusers: every event;
- area administrators: events at their office, or on cases of their office's units;
- supervisors: events on cases of the units they supervise (and their own), or at their
  work location;
- caseworkers: events on cases they can see (their unit, their assignments, grants);
- and anyone who recorded an event sees it (the page they land on after recording).
Everyone else sees none. The ids the filters need are read first (the gatekeeper's
small queries), so the list filters on literal lists and indexed columns.
"""

import calendar as month_calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf, TruncMonth
from django.utils import timezone

from agency.models import Unit
from agency.periods import Period
from agency.permissions import access_object, user_role
from agency.roles import Role
from agency.selectors import granted_ids, units_in_scope_ids, visible_unit_ids
from casework.models import Case
from quality.models import SignificantEvent

# Roles that see every event and read the statewide report.
ALL_EVENTS_ROLES = frozenset({Role.QUALITY_REVIEWER, Role.COMMISSIONERS_OFFICE})
# Roles that read the aggregate report (area administrators for their office).
REPORT_ROLES = ALL_EVENTS_ROLES | {Role.AREA_ADMINISTRATOR}


# --- the gatekeeper --------------------------------------------------------------------------


def sees_all_events(user: Any) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user_role(user) in ALL_EVENTS_ROLES


def _scope(user: Any) -> Q | None:
    """The condition on the events the user may see; None for every event."""
    if sees_all_events(user):
        return None
    role = user_role(user)
    profile = getattr(user, "staff", None)
    mine = Q(recorded_by=user)
    if role == Role.AREA_ADMINISTRATOR:
        office = profile.work_location_id
        return mine | Q(work_location_id=office) | Q(case__unit__work_location_id=office)
    if role == Role.SUPERVISOR:
        units = sorted(units_in_scope_ids(user))
        return mine | Q(case__unit_id__in=units) | Q(work_location_id=profile.work_location_id)
    if role == Role.CASEWORKER:
        # The same conditions as casework.selectors.visible_cases, on the event's case.
        grants = granted_ids(user, ("agency.view_unit", Unit), ("casework.view_case", Case))
        units = visible_unit_ids(user, shared=grants["agency.view_unit"]) or []
        return (
            mine
            | Q(case__unit_id__in=units)
            | Q(case__primary_worker=user)
            | Q(case__secondary_worker=user)
            | Q(case_id__in=grants["casework.view_case"])
        )
    return Q(pk__in=[])


def visible_events(user: Any) -> QuerySet[SignificantEvent]:
    """The events the user may see (see the module's docstring)."""
    events = SignificantEvent.objects.all()
    if not user.is_authenticated or not user.is_active:
        return events.none()
    scope = _scope(user)
    return events if scope is None else events.filter(scope)


def access_event(user: Any, pk: Any) -> SignificantEvent:
    """One event the user may see, or 404 (missing and forbidden alike)."""
    events = visible_events(user).select_related(
        "work_location__region", "case__unit__work_location", "recorded_by"
    )
    return access_object(events, pk)


def can_record_events(user: Any) -> bool:
    return user.is_authenticated and user.has_perm("quality.add_significantevent")


def can_list_events(user: Any) -> bool:
    return user.is_authenticated and user.has_perm("quality.view_significantevent")


def can_change_event(user: Any, event: SignificantEvent) -> bool:
    """Quality staff correct any event they see; whoever recorded one corrects their own."""
    if not user.is_authenticated:
        return False
    if user.has_perm("quality.change_significantevent"):
        return True
    return event.recorded_by_id == user.pk and can_record_events(user)


def can_read_report(user: Any) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user_role(user) in REPORT_ROLES


def reportable_events(user: Any) -> QuerySet[SignificantEvent]:
    """The events the user's report counts: every one for quality staff, the
    Commissioner's office and superusers; an area administrator's office's (at it, or on
    its cases); none for anyone else."""
    events = SignificantEvent.objects.all()
    if sees_all_events(user):
        return events
    if user.is_authenticated and user.is_active and user_role(user) == Role.AREA_ADMINISTRATOR:
        office = user.staff.work_location_id
        return events.filter(Q(work_location_id=office) | Q(case__unit__work_location_id=office))
    return events.none()


# --- the list --------------------------------------------------------------------------------


def _local_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def event_list(
    user: Any,
    *,
    kind: str = "",
    location: int | None = None,
    region: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    query: str = "",
) -> QuerySet[SignificantEvent]:
    """The events the user sees, newest first, with what a row shows. `location` and
    `region` filter on the event's agency location; the dates on the local day it
    happened; `query` searches the reference and the description."""
    events = visible_events(user)
    if kind:
        events = events.filter(kind=kind)
    if location:
        events = events.filter(work_location_id=location)
    if region:
        events = events.filter(work_location__region_id=region)
    if date_from:
        events = events.filter(occurred_at__gte=_local_start(date_from))
    if date_to:
        events = events.filter(occurred_at__lt=_local_start(date_to + timedelta(days=1)))
    query = (query or "").strip()
    if query:
        events = events.filter(Q(reference__icontains=query) | Q(description__icontains=query))
    return events.select_related("work_location", "case", "recorded_by").order_by(
        "-occurred_at", "-pk"
    )


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    what: str
    changes: list[str] = field(default_factory=list)


# The history's fields, as the event page names them.
HISTORY_LABELS = {
    "reference": "Reference",
    "kind": "Kind",
    "occurred_at": "When",
    "work_location_id": "Agency location",
    "facility": "Facility, home or place",
    "case_id": "Case",
    "description": "What happened",
    "reporter": "Reported by",
    "recorded_by_id": "Recorded by",
    "recorded_at": "Recorded at",
}


def event_history(event: SignificantEvent) -> list[HistoryEntry]:
    """Every change to the event, newest first: who, when, which fields (and the people
    concerned, noted with the change). One query."""
    records = list(event.history.select_related("history_user").order_by("history_id"))
    entries, previous = [], None
    for record in records:
        user = record.history_user
        who = (user.get_full_name() or user.get_username()) if user else "Hearth"
        if record.history_type == "+":
            entry = HistoryEntry(record.history_date, who, "Recorded")
        else:
            changes = []
            if previous is not None:
                changes = [
                    label
                    for name, label in HISTORY_LABELS.items()
                    if getattr(previous, name) != getattr(record, name)
                ]
            if record.history_change_reason:
                changes.append(record.history_change_reason)
            entry = HistoryEntry(record.history_date, who, "Changed", changes)
        entries.append(entry)
        previous = record
    return list(reversed(entries))


# --- the report ------------------------------------------------------------------------------


@dataclass
class PlaceRow:
    """One place's events by kind: an agency location, or a facility named in words."""

    label: str
    location_id: int | None
    counts: list[int]
    total: int = 0


@dataclass
class MonthRow:
    month: date
    counts: list[int]
    total: int = 0

    @property
    def label(self) -> str:
        return f"{month_calendar.month_name[self.month.month]} {self.month.year}"


@dataclass
class EventReport:
    period: Period
    kinds: list[tuple[str, str]]  # (value, label) in the columns' order
    places: list[PlaceRow]
    totals: list[int]  # per kind, over every place
    total: int
    months: list[MonthRow]  # the 12 months ending with the period's last month

    @property
    def summary(self) -> str:
        """The table in one or two sentences, for the page and for screen readers."""
        if not self.total:
            return f"No significant events were recorded as happening in {self.period.label}."
        kinds = "; ".join(
            f"{label.lower()}: {count}"
            for (_, label), count in zip(self.kinds, self.totals, strict=True)
            if count
        )
        noun = "event" if self.total == 1 else "events"
        text = f"{self.total} significant {noun} in {self.period.label} ({kinds})"
        top = self.places[0]
        if len(self.places) > 1:
            text += f", at {len(self.places)} places; the most at {top.label} ({top.total})."
        else:
            text += f", all at {top.label}."
        return text

    @property
    def trend_summary(self) -> str:
        busiest = max(self.months, key=lambda m: (m.total, m.month))
        total = sum(m.total for m in self.months)
        if not total:
            return "No significant events in the 12 months shown."
        return (
            f"{total} event{'s' if total != 1 else ''} in the 12 months from "
            f"{self.months[0].label} to {self.months[-1].label}; the most in "
            f"{busiest.label} ({busiest.total})."
        )


NO_PLACE = "Place not given"


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def event_report(user: Any, period: Period) -> EventReport:
    """Counts of the events that happened in `period` (local time) by kind and place,
    and by kind for each of the 12 months ending with the period: two GROUP BY queries,
    over the events the user's report counts (`reportable_events`)."""
    events = reportable_events(user)
    kinds = list(SignificantEvent.Kind.choices)
    column = {value: n for n, (value, _) in enumerate(kinds)}

    by_place = (
        events.filter(occurred_at__gte=period.start, occurred_at__lt=period.end)
        .annotate(place=Coalesce(F("work_location__name"), NullIf(F("facility"), Value(""))))
        .values("kind", "work_location_id", "place")
        .annotate(n=Count("pk"))
        .order_by()
    )
    places: dict[tuple[int | None, str], PlaceRow] = {}
    totals = [0] * len(kinds)
    for row in by_place:
        label = row["place"] or NO_PLACE
        key = (row["work_location_id"], label if row["work_location_id"] is None else "")
        place = places.setdefault(key, PlaceRow(label, row["work_location_id"], [0] * len(kinds)))
        place.counts[column[row["kind"]]] += row["n"]
        place.total += row["n"]
        totals[column[row["kind"]]] += row["n"]
    ordered = sorted(places.values(), key=lambda p: (-p.total, p.label.lower()))

    first_month = _add_months(period.last.replace(day=1), -11)
    months = [MonthRow(_add_months(first_month, n), [0] * len(kinds)) for n in range(12)]
    by_month = {m.month: m for m in months}
    trend = (
        events.filter(
            occurred_at__gte=_local_start(first_month),
            occurred_at__lt=_local_start(_add_months(first_month, 12)),
        )
        .annotate(month=TruncMonth("occurred_at", tzinfo=timezone.get_default_timezone()))
        .values("month", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in trend:
        month = row["month"]
        day = timezone.localtime(month).date() if isinstance(month, datetime) else month
        target = by_month[day.replace(day=1)]
        target.counts[column[row["kind"]]] += row["n"]
        target.total += row["n"]
    return EventReport(
        period=period,
        kinds=kinds,
        places=ordered,
        totals=totals,
        total=sum(totals),
        months=months,
    )
