"""Reads for Administrative Case Reviews: the children in care with their next review due
(per office, upcoming and overdue) and the reviews held.

Who sees them: the "reviews" workspace (quality reviewers, the Commissioner's office,
superusers), statewide. The due list costs four queries whatever the number of children
in care: their open placements, every placement of those children, the last review held
by each, and the rules.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Max, QuerySet

from agency.models import WorkLocation
from agency.permissions import access_object
from casework.models import Case, Person, Placement
from quality import acr as acr_rules
from quality.models import AdministrativeCaseReview
from quality.selectors import rules
from quality.selectors.reviews import can_see_reviews

SHOW_CHOICES = (
    ("due", "Upcoming and overdue"),
    ("overdue", "Overdue"),
    ("upcoming", "Upcoming"),
    ("all", "Every child in care"),
)


def visible_acrs(user: Any) -> QuerySet[AdministrativeCaseReview]:
    if not can_see_reviews(user):
        return AdministrativeCaseReview.objects.none()
    return AdministrativeCaseReview.objects.all()


def access_acr(user: Any, pk: Any) -> AdministrativeCaseReview:
    return access_object(
        visible_acrs(user).select_related("case__unit__work_location", "child", "recorded_by"),
        pk,
    )


def acr_list(user: Any) -> QuerySet[AdministrativeCaseReview]:
    return (
        visible_acrs(user)
        .select_related("case__unit__work_location", "child", "recorded_by")
        .order_by("-held_on", "-pk")
    )


@dataclass
class AcrDue:
    """One child in care and their next review."""

    child: Person
    case: Case
    office: WorkLocation
    placement: Placement
    entered_on: date
    last_held: date | None
    due_on: date
    state: str  # quality.acr.OVERDUE, UPCOMING or LATER
    days: int  # days left (negative: days overdue)

    @property
    def overdue(self) -> bool:
        return self.state == acr_rules.OVERDUE

    @property
    def days_overdue(self) -> int:
        return -self.days


def acr_due(
    user: Any | None,
    *,
    today: date,
    office: WorkLocation | int | None = None,
    show: str = "all",
) -> list[AcrDue]:
    """Every child in care (an open placement, not entered in error, started by today)
    with their next review's due day, soonest first. `user` None: every child (the
    reminder sweep). `show`: "all", "due" (upcoming and overdue), "upcoming", "overdue".
    A child with open placements on two cases is listed once, on the latest one."""
    if user is not None and not can_see_reviews(user):
        return []
    current = (
        Placement.objects.filter(
            end_date__isnull=True, entered_in_error=False, start_date__lte=today
        )
        .select_related(
            "child", "case__unit__work_location", "case__unit__supervisor", "case__primary_worker"
        )
        .order_by("child_id", "-start_date", "-pk")
    )
    if office is not None:
        current = current.filter(case__unit__work_location=office)
    open_by_child: dict[int, Placement] = {}
    for placement in current:
        open_by_child.setdefault(placement.child_id, placement)
    if not open_by_child:
        return []
    child_ids = list(open_by_child)
    spans: dict[int, list[Placement]] = defaultdict(list)
    for placement in Placement.objects.filter(
        child_id__in=child_ids, entered_in_error=False, start_date__lte=today
    ).only("child_id", "start_date", "end_date", "entered_in_error"):
        spans[placement.child_id].append(placement)
    last_held = dict(
        AdministrativeCaseReview.objects.filter(child_id__in=child_ids, held_on__lte=today)
        .values("child_id")
        .annotate(last=Max("held_on"))
        .values_list("child_id", "last")
    )
    settings = rules()
    rows = []
    for child_id, placement in open_by_child.items():
        entered = acr_rules.entered_care(spans[child_id]) or placement.start_date
        due_on = acr_rules.acr_due_on(
            entered_on=entered,
            last_held=last_held.get(child_id),
            first_months=settings.acr_first_months,
            interval_months=settings.acr_interval_months,
        )
        state = acr_rules.acr_state(due_on, today=today, reminder_days=settings.acr_reminder_days)
        if show == "due" and state == acr_rules.LATER:
            continue
        if show in (acr_rules.OVERDUE, acr_rules.UPCOMING) and state != show:
            continue
        rows.append(
            AcrDue(
                child=placement.child,
                case=placement.case,
                office=placement.case.unit.work_location,
                placement=placement,
                entered_on=entered,
                last_held=last_held.get(child_id),
                due_on=due_on,
                state=state,
                days=(due_on - today).days,
            )
        )
    rows.sort(key=lambda r: (r.due_on, r.child.last_name, r.child.first_name, r.child.pk))
    return rows


@dataclass
class OfficeDue:
    office: WorkLocation
    in_care: int = 0
    upcoming: int = 0
    overdue: int = 0


def acr_due_by_office(rows: list[AcrDue]) -> list[OfficeDue]:
    """Counts per office of the rows of `acr_due(..., show="all")`, by office name."""
    offices: dict[int, OfficeDue] = {}
    for row in rows:
        counts = offices.setdefault(row.office.pk, OfficeDue(row.office))
        counts.in_care += 1
        counts.upcoming += row.state == acr_rules.UPCOMING
        counts.overdue += row.state == acr_rules.OVERDUE
    return sorted(offices.values(), key=lambda o: o.office.name)


def child_acr_history(child: Person) -> QuerySet[AdministrativeCaseReview]:
    return (
        AdministrativeCaseReview.objects.filter(child=child)
        .select_related("case", "recorded_by")
        .order_by("-held_on", "-pk")
    )
