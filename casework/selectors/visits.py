"""Reads for visits: the 12-month visit grid of a case, the visits on a case page, one
visit's page, and who is still to be visited this month across a whole caseload.

The monthly standard: each child and each parent on an open case is seen at a completed
visit at least once every calendar month, months counted in Eastern time. Visits marked
entered in error never count.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Case as CaseWhen
from django.db.models import IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from agency.calendar import TIMEZONE
from agency.permissions import access_object
from casework.models import Case, CaseMember, Visit, VisitParticipant
from casework.selectors import visible_cases

# Who the monthly standard covers, in the grid's order.
GRID_ROLES = (CaseMember.Role.CHILD, CaseMember.Role.MOTHER, CaseMember.Role.FATHER)
_ROLE_ORDER = {role: n for n, role in enumerate(GRID_ROLES)}


# --- the 12-month grid --------------------------------------------------------------------


@dataclass(frozen=True)
class GridMonth:
    start: date  # the first day of the month

    @property
    def label(self) -> str:
        return f"{self.start:%b %Y}"  # "Nov 2026"

    @property
    def key(self) -> str:
        return f"{self.start:%Y-%m}"


@dataclass(frozen=True)
class GridCell:
    month: GridMonth
    visited: bool
    in_residence: bool
    seen_privately: bool | None  # None for parents: only children are seen privately
    visits: int
    # "visited", "due" (this month, not yet), "missed" (a past month of the open case)
    # or "not_open" (the case was not open that month).
    state: str

    @property
    def css_class(self) -> str:
        return f"hearth-{self.state.replace('_', '-')}"

    @property
    def label(self) -> str:
        if self.visited:
            return "Visited"
        if self.state == "not_open":
            return "Case not open"
        return "Not visited"


@dataclass(frozen=True)
class GridRow:
    member: CaseMember
    cells: list[GridCell]

    @property
    def person(self):
        return self.member.person

    @property
    def role_label(self) -> str:
        return self.member.get_role_display()

    @property
    def is_child(self) -> bool:
        return self.member.role == CaseMember.Role.CHILD

    @property
    def whereabouts_unknown(self) -> bool:
        return self.member.person.whereabouts_unknown

    @property
    def incarcerated(self) -> bool:
        return self.member.person.incarcerated


@dataclass(frozen=True)
class VisitGrid:
    case: Case
    today: date
    months: list[GridMonth]
    rows: list[GridRow]

    @property
    def current_month(self) -> GridMonth:
        return self.months[-1]

    @property
    def caption(self) -> str:
        n = len(self.months)
        return "Monthly visits, this month" if n == 1 else f"Monthly visits, last {n} months"


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after (or before) `day`'s month."""
    years, month0 = divmod(day.month - 1 + months, 12)
    return date(day.year + years, month0 + 1, 1)


def local_midnight(day: date) -> datetime:
    """The instant a local (Eastern) day begins."""
    return datetime.combine(day, time.min, tzinfo=TIMEZONE)


def local_month(instant: datetime) -> date:
    """The first day of the Eastern month an instant falls in."""
    return month_start(instant.astimezone(TIMEZONE).date())


def counted_participants(**filters: Any) -> QuerySet[VisitParticipant]:
    """Participant rows that count for the monthly standard: seen at a completed visit
    that was not entered in error."""
    return VisitParticipant.objects.filter(
        seen=True,
        visit__status=Visit.Status.COMPLETED,
        visit__entered_in_error=False,
        **filters,
    )


def grid_members(case: Case) -> QuerySet[CaseMember]:
    """The active children and parents of a case, with their person."""
    return CaseMember.objects.filter(case=case, active=True, role__in=GRID_ROLES).select_related(
        "person"
    )


def plannable_members(case: Case) -> list[CaseMember]:
    """Everyone active on the case who may take part in a visit: children (oldest
    first), mother, father, then the others by role."""
    order = {role: n for n, role in enumerate(CaseMember.Role.values)}
    members = CaseMember.objects.filter(case=case, active=True).select_related("person")
    return sorted(
        members,
        key=lambda m: (
            _ROLE_ORDER.get(m.role, len(GRID_ROLES)),
            order[m.role],
            m.person.date_of_birth or date.max,
            m.person.last_name,
            m.pk,
        ),
    )


def visit_grid(case: Case, *, today: date, months: int = 12) -> VisitGrid:
    """For each active child and parent of `case` (children first, oldest first, then
    mother, then father) and each of the last `months` calendar months ending with
    today's: visited or not, at least once in residence, at least once seen privately
    (children only). Two queries whatever the size of the case."""
    if months < 1:
        raise ValueError("months must be at least 1")
    first = add_months(today, -(months - 1))
    columns = [GridMonth(add_months(first, n)) for n in range(months)]
    window_end = add_months(today, 1)

    members = sorted(
        grid_members(case),
        key=lambda m: (
            _ROLE_ORDER[m.role],
            m.person.date_of_birth or date.max,
            m.person.last_name,
            m.person.first_name,
            m.pk,
        ),
    )
    seen: dict[tuple[int, date], list[tuple[bool, bool]]] = defaultdict(list)
    if members:
        rows = counted_participants(
            visit__case=case,
            person__in=[m.person_id for m in members],
            visit__occurred_at__gte=local_midnight(first),
            visit__occurred_at__lt=local_midnight(window_end),
        ).values_list("person_id", "seen_privately", "visit__occurred_at", "visit__location")
        for person_id, privately, occurred_at, location in rows:
            seen[person_id, local_month(occurred_at)].append(
                (location in Visit.RESIDENCE_LOCATIONS, privately)
            )

    opened = month_start(case.opened_on)
    closed = month_start(case.closed_on) if case.closed_on else None
    current = month_start(today)
    grid_rows = []
    for member in members:
        is_child = member.role == CaseMember.Role.CHILD
        cells = []
        for column in columns:
            hits = seen.get((member.person_id, column.start), [])
            if hits:
                state = "visited"
            elif column.start < opened or (closed is not None and column.start > closed):
                state = "not_open"
            elif column.start == current and case.status == Case.Status.OPEN:
                state = "due"
            else:
                state = "missed"
            cells.append(
                GridCell(
                    month=column,
                    visited=bool(hits),
                    in_residence=any(residence for residence, _ in hits),
                    seen_privately=any(p for _, p in hits) if is_child else None,
                    visits=len(hits),
                    state=state,
                )
            )
        grid_rows.append(GridRow(member=member, cells=cells))
    return VisitGrid(case=case, today=today, months=columns, rows=grid_rows)


# --- visits on a case ---------------------------------------------------------------------


def visible_visits(user: Any) -> QuerySet[Visit]:
    """Visits on the cases the user may see (the gatekeeper for visits)."""
    return Visit.objects.filter(case__in=visible_cases(user).values("pk"))


def _participants_prefetch() -> Prefetch:
    return Prefetch(
        "participants",
        queryset=VisitParticipant.objects.select_related("person").order_by(
            "person__last_name", "person__first_name", "pk"
        ),
    )


def _planned_first_then_latest() -> list:
    """Planned visits (soonest first), then everything else, latest first."""
    not_planned = CaseWhen(
        When(status=Visit.Status.PLANNED, entered_in_error=False, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    when = Coalesce("occurred_at", "planned_for")
    return [
        not_planned,
        CaseWhen(When(status=Visit.Status.PLANNED, entered_in_error=False, then=when)).asc(),
        when.desc(),
        "-pk",
    ]


def case_visits(case: Case) -> QuerySet[Visit]:
    """Every visit on a case for a list: planned ones first (soonest first), then the
    others (latest first), with their participants."""
    return (
        Visit.objects.filter(case=case)
        .select_related("planned_by", "recorded_by")
        .prefetch_related(_participants_prefetch())
        .order_by(*_planned_first_then_latest())
    )


def case_visits_context(case: Case, *, today: date, recent: int = 10) -> dict[str, Any]:
    """What the case page shows about visits: the 12-month grid, the planned visits
    (soonest first) and the `recent` latest recorded ones (entered in error included,
    labelled as such); `visits` is both lists together. Six queries at most."""
    planned = list(
        Visit.objects.filter(case=case, status=Visit.Status.PLANNED, entered_in_error=False)
        .select_related("planned_by")
        .prefetch_related(_participants_prefetch())
        .order_by("planned_for", "pk")
    )
    recorded = list(
        Visit.objects.filter(case=case)
        .exclude(status=Visit.Status.PLANNED, entered_in_error=False)
        .select_related("planned_by", "recorded_by")
        .prefetch_related(_participants_prefetch())
        .order_by(Coalesce("occurred_at", "planned_for").desc(), "-pk")[:recent]
    )
    return {
        "visit_grid": visit_grid(case, today=today),
        "planned_visits": planned,
        "recorded_visits": recorded,
        "visits": planned + recorded,
    }


# --- one visit ----------------------------------------------------------------------------


def visit_for_page(user: Any, pk: Any) -> Visit:
    """One visit the user may see, with its case and the people who planned and recorded
    it; 404 otherwise."""
    return access_object(
        visible_visits(user).select_related("case", "planned_by", "recorded_by"), pk
    )


def visit_participants(visit: Visit) -> list[VisitParticipant]:
    """The visit's participants with their person and, as `role` / `role_label` /
    `is_child`, their role on the visit's case. One query."""
    role = CaseMember.objects.filter(case_id=visit.case_id, person_id=OuterRef("person_id"))
    rows = list(
        VisitParticipant.objects.filter(visit=visit)
        .select_related("person")
        .annotate(role=Subquery(role.values("role")[:1]))
        .order_by("person__last_name", "person__first_name", "pk")
    )
    labels = dict(CaseMember.Role.choices)
    for row in rows:
        row.role_label = labels.get(row.role, "No longer on the case")
        row.is_child = row.role == CaseMember.Role.CHILD
    rows.sort(key=lambda r: (_ROLE_ORDER.get(r.role, len(_ROLE_ORDER)), r.person.last_name))
    return rows


# --- the caseload: who is still to be visited this month ------------------------------------


def unvisited_this_month(
    cases: QuerySet[Case] | Iterable[Case], *, today: date
) -> dict[int, list[CaseMember]]:
    """For each open case among `cases`, its active children and parents not yet seen at
    a completed visit in today's (Eastern) month, children first. A case with nobody
    left to visit is absent: use `result.get(case.pk, [])`. Members come with their
    person (for whereabouts unknown).

    `cases` is a queryset (used as a subquery: two queries whatever the number of
    cases) or a page of one (`page.object_list`, a sliced queryset, or a list): then the
    cases are read once (the page reuses them) and two more queries follow."""
    if isinstance(cases, QuerySet) and not cases.query.is_sliced:
        open_cases: Any = cases.filter(status=Case.Status.OPEN).values("pk")
    else:
        open_cases = [case.pk for case in cases if case.status == Case.Status.OPEN]
        if not open_cases:
            return {}
    start = month_start(today)
    seen = set(
        counted_participants(
            visit__case__in=open_cases,
            visit__occurred_at__gte=local_midnight(start),
            visit__occurred_at__lt=local_midnight(add_months(start, 1)),
        ).values_list("visit__case_id", "person_id")
    )
    # Only what the caseload shows and sorts by: a page lists a hundred members or so.
    members = (
        CaseMember.objects.filter(case__in=open_cases, active=True, role__in=GRID_ROLES)
        .select_related("person")
        .only(
            "case_id",
            "person_id",
            "role",
            "person__first_name",
            "person__last_name",
            "person__date_of_birth",
        )
    )
    result: dict[int, list[CaseMember]] = defaultdict(list)
    for member in sorted(
        members,
        key=lambda m: (
            m.case_id,
            _ROLE_ORDER[m.role],
            m.person.date_of_birth or date.max,
            m.person.last_name,
            m.pk,
        ),
    ):
        if (member.case_id, member.person_id) not in seen:
            result[member.case_id].append(member)
    return dict(result)
