"""Reads for ORE data requests: who works them, who sees which request, the ORE queue,
a requester's own list, one request's timeline, and its clock in words.

Who sees a request (`visible_data_requests`):
- ORE staff (holders of `quality.work_datarequest`, the ORE Analyst role) and superusers:
  every request;
- anyone else: the requests they made themselves (`requester` is them). A request made by
  someone else answers 404, like one that does not exist.
The ORE lead holds `quality.lead_datarequest` (a user permission): they assign analysts and
receive the due-soon and overdue reminders.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from agency import clock
from agency.calendar import BusinessCalendar, add_business_days, business_days_between
from agency.permissions import access_object
from quality.models import DataRequest, DataRequestEvent, DataRequestFile

Status = DataRequest.Status

# The columns a queue row never shows (long texts and the catalog's search column).
_LIST_DEFERRED = (
    "search_document",
    "purpose",
    "questions",
    "data_elements",
    "intended_use",
    "dissemination",
    "requester_address",
    "decline_reason",
    "irb_notes",
    "delivery_note",
)


# --- who is who --------------------------------------------------------------------------------


def _active(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_ore_staff(user: Any) -> bool:
    """ORE staff work every request (the ORE Analyst role; superusers too)."""
    return _active(user) and user.has_perm("quality.work_datarequest")


def is_ore_lead(user: Any) -> bool:
    """The ORE lead assigns analysts and receives the reminders."""
    return is_ore_staff(user) and user.has_perm("quality.lead_datarequest")


def can_request_data(user: Any) -> bool:
    """Any member of staff asks ORE for data (every role holds the permission)."""
    return _active(user) and user.has_perm("quality.add_datarequest")


def _holders(codename: str) -> QuerySet:
    """Active users holding quality.<codename> directly or through a group (superusers
    only when they were given it: the reminders go to the office, not to every admin)."""
    direct = Q(
        user_permissions__codename=codename, user_permissions__content_type__app_label="quality"
    )
    through_group = Q(
        groups__permissions__codename=codename,
        groups__permissions__content_type__app_label="quality",
    )
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(direct | through_group)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def ore_analysts() -> QuerySet:
    """Everyone who works data requests: the people a request may be assigned to."""
    return _holders("work_datarequest")


def ore_leads() -> list[Any]:
    """Every ORE lead (the recipients of the reminders)."""
    leads = _holders("lead_datarequest")
    return [user for user in leads if user.has_perm("quality.work_datarequest")]


# --- the gatekeeper ----------------------------------------------------------------------------


def visible_data_requests(user: Any) -> QuerySet[DataRequest]:
    """Every request for ORE staff; a requester's own for anyone else."""
    requests = DataRequest.objects.all()
    if not _active(user):
        return requests.none()
    if is_ore_staff(user):
        return requests
    return requests.filter(requester=user)


def access_data_request(user: Any, pk: Any) -> DataRequest:
    """One request the user may see, or 404 (missing and forbidden alike)."""
    requests = visible_data_requests(user).select_related(
        "requester", "entered_by", "vetted_by", "analyst"
    )
    return access_object(requests, pk)


def access_data_request_file(user: Any, request_pk: Any, pk: Any) -> DataRequestFile:
    """A file of a request the user may see, or 404."""
    data_request = access_data_request(user, request_pk)
    return access_object(DataRequestFile.objects.filter(request=data_request), pk)


# --- lists ---------------------------------------------------------------------------------------


def data_request_queue(
    *,
    user: Any,
    status: str = "",
    mine: bool = False,
    overdue: bool = False,
    category: str = "",
    today: date | None = None,
) -> QuerySet[DataRequest]:
    """ORE's queue: open requests (or those of `status`; "all" for every one), the
    soonest due first. `mine`: assigned to `user`. `overdue`: past the due date with the
    clock running (not waiting for a project scope)."""
    requests = DataRequest.objects.all()
    if status == "all":
        pass
    elif status:
        requests = requests.filter(status=status)
    else:
        requests = requests.filter(status__in=DataRequest.OPEN)
    if mine:
        requests = requests.filter(analyst=user)
    if overdue:
        requests = requests.filter(
            status__in=DataRequest.OPEN,
            on_hold_since__isnull=True,
            due_on__lt=today or clock.today(),
        )
    if category:
        requests = requests.filter(category=category)
    return (
        requests.select_related("analyst")
        .defer(*_LIST_DEFERRED)
        .order_by("due_on", "received_at", "pk")
    )


def my_data_requests(user: Any) -> QuerySet[DataRequest]:
    """The requests the user made, newest first."""
    if not _active(user):
        return DataRequest.objects.none()
    return (
        DataRequest.objects.filter(requester=user)
        .defer(*_LIST_DEFERRED)
        .order_by("-received_at", "-pk")
    )


def data_request_timeline(data_request: DataRequest, *, internal: bool) -> QuerySet:
    """The request's steps, newest first; ORE's internal notes only when `internal`."""
    events = data_request.events.select_related("actor").order_by("-at", "-pk")
    return events if internal else events.filter(internal=False)


def data_request_files(data_request: DataRequest) -> list[DataRequestFile]:
    return list(data_request.files.select_related("uploaded_by").order_by("uploaded_at", "pk"))


def open_scope(data_request: DataRequest):
    """The project scope ORE is waiting for, if any."""
    waiting = data_request.scopes.filter(received_at__isnull=True)
    return waiting.select_related("requested_by").first()


# --- the clock ---------------------------------------------------------------------------------


def _noon(day: date, cal: BusinessCalendar) -> datetime:
    return datetime.combine(day, time(12), tzinfo=cal.tz)


def business_days_after(cal: BusinessCalendar, start: date, end: date) -> int:
    """Business days d with start < d <= end (0 when end is not after start)."""
    return business_days_between(cal, _noon(start, cal), _noon(end, cal))


def _plural(n: int, word: str = "business day") -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def day_label(day: date | None) -> str:
    """A date as Hearth writes it: "24 Nov 2026"."""
    return f"{day.day} {day:%b %Y}" if day else ""


@dataclass
class RequestClock:
    """Where a request stands against its target, in words (the colour only repeats it).

    state: on_track, due_soon, due_today, overdue, stopped (waiting for a project
    scope), delivered, declined or closed."""

    state: str
    label: str
    css: str
    due_on: date
    target: int
    working_days: int  # business days counted so far: receipt to now (or delivery), less holds
    hold_days: int  # business days on hold, finished holds and the current one
    hold_days_now: int  # of which the current hold
    on_hold_since: datetime | None

    @property
    def stopped(self) -> bool:
        return self.state == "stopped"


def request_clock(
    data_request: DataRequest,
    *,
    cal: BusinessCalendar,
    due_soon_days: int,
    now: datetime | None = None,
) -> RequestClock:
    """The request's clock: how it stands against `due_on`, with time on hold kept apart
    from working time. Pure arithmetic over the row and the calendar (no queries)."""
    now = now or clock.now()
    today = timezone.localtime(now).date()
    hold_now = 0
    if data_request.on_hold_since:
        hold_now = business_days_between(cal, data_request.on_hold_since, now)
    end = data_request.delivered_at or now
    working = max(
        0,
        business_days_between(cal, data_request.received_at, end)
        - data_request.hold_business_days
        - hold_now,
    )
    due = data_request.due_on
    common = {
        "due_on": due,
        "target": data_request.target_business_days,
        "working_days": working,
        "hold_days": data_request.hold_business_days + hold_now,
        "hold_days_now": hold_now,
        "on_hold_since": data_request.on_hold_since,
    }
    status = data_request.status
    if status in (Status.DELIVERED, Status.CLOSED) and data_request.delivered_at:
        delivered = timezone.localtime(data_request.delivered_at).date()
        on_time = "on time" if delivered <= due else "late"
        label = f"Delivered {day_label(delivered)}, {on_time} (due {day_label(due)})"
        return RequestClock("delivered" if status == Status.DELIVERED else "closed",
                            label, "", **common)  # fmt: skip
    if status == Status.DECLINED:
        return RequestClock("declined", "Declined: no answer is due", "", **common)
    if status == Status.CLOSED:
        return RequestClock("closed", "Closed", "", **common)
    if data_request.on_hold_since:
        since = day_label(timezone.localtime(data_request.on_hold_since).date())
        label = (
            f"Clock stopped since {since}, waiting for a project scope ({_plural(hold_now)} so far)"
        )
        return RequestClock("stopped", label, "hearth-due-soon", **common)
    if today > due:
        late = business_days_after(cal, due, today)
        label = f"Overdue since {day_label(due)} ({_plural(late)})"
        return RequestClock("overdue", label, "hearth-overdue", **common)
    if today == due:
        return RequestClock("due_today", f"Due today, {day_label(due)}", "hearth-due-soon",
                            **common)  # fmt: skip
    left = business_days_after(cal, today, due)
    if due <= add_business_days(cal, today, due_soon_days):
        label = f"Due soon: {day_label(due)} ({_plural(left)} left)"
        return RequestClock("due_soon", label, "hearth-due-soon", **common)
    return RequestClock("on_track", f"Due {day_label(due)} ({_plural(left)} left)", "", **common)


def decorate(requests, *, cal: BusinessCalendar, due_soon_days: int, now=None) -> None:
    """Set `clock` (a RequestClock) on each request of a page: no queries."""
    now = now or clock.now()
    for data_request in requests:
        data_request.clock = request_clock(
            data_request, cal=cal, due_soon_days=due_soon_days, now=now
        )


def timeline_status_label(event: DataRequestEvent) -> str:
    return DataRequest.Status(event.status).label
