"""Reads for the Ombudsman's screens. Every list of inquiries starts from
`visible_inquiries(user)`; consultations from `visible_consultations(user)`."""

from datetime import datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from agency import clock
from agency.calendar import BusinessCalendar
from agency.roles import Role
from agency.selectors import business_calendar
from ombudsman import deadlines
from ombudsman.models import WAITING_FIRST, Consultation, Inquiry


def _role(user: Any) -> str | None:
    profile = getattr(user, "staff", None)
    return getattr(profile, "role", None)


def is_lead(user: Any) -> bool:
    return user.is_authenticated and (user.is_superuser or _role(user) == Role.OMBUDSMAN_LEAD)


def visible_inquiries(user: Any) -> QuerySet[Inquiry]:
    """Ombudsman staff and the lead see every inquiry; the Commissioner's office sees
    the correspondence handled on the Commissioner's behalf; everyone else, none."""
    inquiries = Inquiry.objects.all()
    if not user.is_authenticated or not user.is_active:
        return inquiries.none()
    role = _role(user)
    if user.is_superuser or role in (Role.OMBUDSMAN_STAFF, Role.OMBUDSMAN_LEAD):
        return inquiries
    if role == Role.COMMISSIONERS_OFFICE:
        return inquiries.filter(kind=Inquiry.Kind.COMMISSIONER_CORRESPONDENCE)
    return inquiries.none()


def can_work(user: Any) -> bool:
    """Whether the user works inquiries (assign, respond, log, resolve)."""
    return user.is_authenticated and (
        user.is_superuser or _role(user) in (Role.OMBUDSMAN_STAFF, Role.OMBUDSMAN_LEAD)
    )


def visible_consultations(user: Any) -> QuerySet[Consultation]:
    """Consultations addressed to the user; the Ombudsman's office sees them all."""
    consultations = Consultation.objects.select_related("inquiry", "consulted", "requested_by")
    if not user.is_authenticated or not user.is_active:
        return consultations.none()
    if can_work(user):
        return consultations
    return consultations.filter(consulted=user)


# --- the queue ---------------------------------------------------------------------------

QUEUE_VIEWS = ("mine", "unassigned", "all")
QUEUE_SORTS = {
    # Most urgent first: the earliest due time among those still waiting for a response.
    "due": ("waiting", "initial_response_due_at", "pk"),
    "-due": ("waiting", "-initial_response_due_at", "-pk"),
    "received": ("-received_at", "-pk"),
    "reference": ("reference",),
}


def sla_filter(state: str, *, now: datetime, cal: BusinessCalendar) -> Q:
    """The SLA state as a SQL condition on the stored due time (uses its index)."""
    tomorrow = deadlines.end_of_local_day(cal, now)
    waiting = Q(initial_response_at__isnull=True)
    return {
        deadlines.OVERDUE: waiting & Q(initial_response_due_at__lt=now),
        deadlines.DUE_TODAY: waiting
        & Q(initial_response_due_at__gte=now, initial_response_due_at__lt=tomorrow),
        deadlines.ON_TRACK: waiting & Q(initial_response_due_at__gte=tomorrow),
        deadlines.MET: Q(
            initial_response_at__isnull=False,
            initial_response_at__lte=F("initial_response_due_at"),
        ),
        deadlines.MISSED: Q(
            initial_response_at__isnull=False,
            initial_response_at__gt=F("initial_response_due_at"),
        ),
    }[state]


# What a row of the queue page shows (selectors.decorate included): the page reads only
# these columns, not every inquiry's description and search document.
QUEUE_ROW_FIELDS = (
    "reference",
    "urgency",
    "subject",
    "source_type",
    "channel",
    "status",
    "received_at",
    "initial_response_due_at",
    "initial_response_at",
    "region__name",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
)


def queue(
    user: Any,
    *,
    view: str = "all",
    status: str = "",
    sla: str = "",
    urgency: str = "",
    source_type: str = "",
    channel: str = "",
    region: int | None = None,
    kind: str = "",
    assignee: int | None = None,
    query: str = "",
    sort: str = "due",
    open_only: bool | None = None,
) -> QuerySet[Inquiry]:
    """The inquiry queue, filtered and sorted in SQL with the assignee and region
    joined: one query for the page whatever the number of inquiries.

    By default only open inquiries are listed (pick a status to see closed ones)."""
    now = clock.now()
    inquiries = visible_inquiries(user)
    if view == "mine":
        inquiries = inquiries.filter(assignee=user)
    elif view == "unassigned":
        inquiries = inquiries.filter(assignee__isnull=True)
    if status:
        inquiries = inquiries.filter(status=status)
    elif open_only is not False:
        inquiries = inquiries.filter(status__in=Inquiry.OPEN_STATUSES)
    if sla:
        inquiries = inquiries.filter(sla_filter(sla, now=now, cal=business_calendar()))
    for name, value in (
        ("urgency", urgency),
        ("source_type", source_type),
        ("channel", channel),
        ("kind", kind),
        ("region_id", region),
        ("assignee_id", assignee),
    ):
        if value:
            inquiries = inquiries.filter(**{name: value})
    if query:
        # The search document holds the reference too (lower-cased, trigram-indexed).
        inquiries = inquiries.filter(search_document__contains=query.strip().lower())
    # Inquiries still waiting for their initial response come first (an indexed
    # expression: the first page of the queue is read straight from the index).
    inquiries = inquiries.annotate(waiting=WAITING_FIRST)
    ordering = QUEUE_SORTS.get(sort, QUEUE_SORTS["due"])
    return inquiries.select_related("assignee", "region").order_by(*ordering)


def decorate(inquiries, *, now: datetime | None = None, cal: BusinessCalendar | None = None):
    """Set `sla_state`, `sla_label`, `sla_class` (its tag's colour) and `time_left` on
    each inquiry of a page (pure Python over the stored due time: no queries)."""
    now = now or clock.now()
    cal = cal or business_calendar()
    for inquiry in inquiries:
        state = deadlines.sla_state(
            cal, inquiry.initial_response_due_at, inquiry.initial_response_at, now
        )
        inquiry.sla_state = state
        inquiry.sla_label = deadlines.SLA_LABELS[state]
        inquiry.sla_class = deadlines.SLA_TAG_CLASSES[state]
        if inquiry.initial_response_at is None:
            inquiry.time_left = deadlines.time_left(cal, inquiry.initial_response_due_at, now)
        else:
            inquiry.time_left = ""
    return inquiries


def digest_counts(*, now: datetime) -> dict[str, int]:
    """The lead's morning numbers, in one query."""
    cal = business_calendar()
    open_inquiries = Inquiry.objects.filter(status__in=Inquiry.OPEN_STATUSES)
    counts = open_inquiries.aggregate(
        overdue=Count("pk", filter=sla_filter(deadlines.OVERDUE, now=now, cal=cal)),
        due_today=Count("pk", filter=sla_filter(deadlines.DUE_TODAY, now=now, cal=cal)),
        unassigned=Count("pk", filter=Q(assignee__isnull=True)),
        open=Count("pk"),
    )
    return {
        "Overdue (no initial response)": counts["overdue"],
        "Initial response due today": counts["due_today"],
        "Unassigned": counts["unassigned"],
        "Open in all": counts["open"],
    }


def ombudsman_staff() -> QuerySet:
    """Who inquiries can be assigned to."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, staff__role__in=[Role.OMBUDSMAN_STAFF, Role.OMBUDSMAN_LEAD])
        .order_by("last_name", "first_name", "username")
    )
