"""Reads for the caseload, the supervisor's workspace and the case page."""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import groupby
from typing import Any

from django.db.models import Exists, F, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from agency import clock
from casework.models import (
    Allegation,
    Assessment,
    Case,
    CaseMember,
    CasePlan,
    CaseTransfer,
    CourtHearing,
    CourtPetition,
    DiligentSearchEntry,
    FamilyMeeting,
    IffAttempt,
    IffContact,
    IffExtension,
    Intake,
    NextStep,
    PermanencyDecision,
    Person,
    Placement,
    RecordView,
    Relationship,
    SupervisoryReview,
    Visit,
    VisitParticipant,
)
from casework.selectors import visible_cases

CASELOAD_SORTS = {
    "due": ("next_iff_due", "number"),
    "number": ("number",),
    "name": ("name", "number"),
    "opened": ("-opened_on", "number"),
    "type": ("case_type", "number"),
}


def caseload(
    user: Any,
    *,
    scope: str = "mine",
    case_type: str = "",
    query: str = "",
    due: str = "",
    sort: str = "due",
) -> QuerySet[Case]:
    """Open cases for the caseload page, in one query; sorted by what is due, they are
    annotated with their next initial face-to-face contact due (`next_iff_due`).
    casework.due keeps the contacts' due times for the page.

    scope "mine": cases the user is primary or secondary worker on; "unit": every
    visible open case (a supervisor's unit, an administrator's office). `due`
    "iff_overdue" keeps cases with an initial face-to-face contact past due.
    """
    now = clock.now()
    if scope == "mine":
        # Assigned cases are visible by definition: no need for the gatekeeper's
        # hierarchy and grant subqueries on the busiest page of all.
        cases = Case.objects.filter(Q(primary_worker=user) | Q(secondary_worker=user))
    else:
        cases = visible_cases(user)
    cases = cases.filter(status=Case.Status.OPEN)
    if case_type:
        cases = cases.filter(case_type=case_type)
    if query:
        cases = cases.filter(Q(number__icontains=query) | Q(name__icontains=query))
    pending = IffContact.objects.filter(intake__case=OuterRef("pk"), seen_at__isnull=True)
    ordering = CASELOAD_SORTS.get(sort, CASELOAD_SORTS["due"])
    if "next_iff_due" in ordering:
        # Only to sort on: the page shows the due times kept by casework.due.
        first_due = pending.order_by("due_at").values("due_at")[:1]
        cases = cases.annotate(next_iff_due=Subquery(first_due))
    if due == "unvisited":
        # The page lists who is not yet visited for its own 25 rows; counting them for
        # every case is only needed to filter on it.
        unvisited = _unvisited_members(timezone.localtime(now).date()).filter(case=OuterRef("pk"))
        cases = cases.filter(Exists(unvisited))
    if due == "iff_overdue":
        cases = cases.filter(Exists(pending.filter(due_at__lt=now)))
    elif due == "iff_pending":
        cases = cases.filter(Exists(pending))
    # Cases with nothing due sort last when sorting by due time.
    order = [
        F("next_iff_due").asc(nulls_last=True) if key == "next_iff_due" else key for key in ordering
    ]
    if scope != "mine":
        cases = cases.select_related("primary_worker")  # the unit view names the worker
    return cases.order_by(*order)


@dataclass(frozen=True)
class IffDue:
    """A case's initial face-to-face contacts not yet made, and how many are late."""

    pending: int = 0
    overdue: int = 0
    next_due: datetime | None = None


def iff_due_times(cases: Iterable[Case]) -> dict[int, list[datetime]]:
    """For each of `cases` with initial contacts not yet made, their due times, earliest
    first: one query."""
    due_times: dict[int, list[datetime]] = defaultdict(list)
    for case_id, due_at in (
        IffContact.objects.filter(
            intake__case__in=[case.pk for case in cases], seen_at__isnull=True
        )
        .order_by("due_at")
        .values_list("intake__case_id", "due_at")
    ):
        due_times[case_id].append(due_at)
    return dict(due_times)


def _month_bounds(day: date) -> tuple[datetime, datetime]:
    """The first instants (Eastern time) of `day`'s calendar month and the next."""
    start = day.replace(day=1)
    following = (start + timedelta(days=32)).replace(day=1)
    return (
        timezone.make_aware(datetime.combine(start, time.min)),
        timezone.make_aware(datetime.combine(following, time.min)),
    )


def _unvisited_members(day: date) -> QuerySet[CaseMember]:
    """Active children and parents not seen at a completed visit in `day`'s month."""
    month_start, next_month = _month_bounds(day)
    seen_this_month = VisitParticipant.objects.filter(
        person=OuterRef("person"),
        visit__case=OuterRef("case"),
        seen=True,
        visit__status=Visit.Status.COMPLETED,
        visit__entered_in_error=False,
        visit__occurred_at__gte=month_start,
        visit__occurred_at__lt=next_month,
    )
    return CaseMember.objects.filter(
        active=True, role__in=[CaseMember.Role.CHILD, *CaseMember.PARENT_ROLES]
    ).exclude(Exists(seen_this_month))


def caseload_due(*, today: date) -> Iterator[tuple[Case, list[str]]]:
    """Every open case with children or parents not yet visited in `today`'s month,
    with their names: one query, streamed (the reminder sweep runs it statewide)."""
    members = (
        _unvisited_members(today)
        .filter(case__status=Case.Status.OPEN)
        .select_related("person", "case__primary_worker", "case__unit__supervisor")
        .order_by("case_id", "pk")
    )
    for _case_id, group in groupby(members.iterator(chunk_size=2000), key=lambda m: m.case_id):
        group = list(group)
        yield (
            group[0].case,
            [f"{m.person.full_name} ({m.get_role_display().lower()})" for m in group],
        )


@dataclass
class TimelineEntry:
    when: datetime
    who: str
    what: str
    changes: list[str] = field(default_factory=list)


# Models on the timeline: (model, how to find this case's rows in its history table,
# label for an entry).
def _timeline_sources(case: Case) -> list[tuple[Any, Q, Any]]:
    intake_ids = list(case.intakes.values_list("pk", flat=True))
    iff_ids = list(IffContact.objects.filter(intake__case=case).values_list("pk", flat=True))
    person_ids = list(case.members.values_list("person_id", flat=True))
    visit_ids = list(case.visits.values_list("pk", flat=True))
    return [
        (Case, Q(id=case.pk), lambda r: f"Case {r.number}"),
        (Intake, Q(case_id=case.pk), lambda r: f"Intake {r.reference}"),
        (Allegation, Q(intake_id__in=intake_ids), lambda r: "Allegation"),
        (IffContact, Q(intake_id__in=intake_ids), lambda r: "Initial face-to-face contact"),
        (IffExtension, Q(iff_id__in=iff_ids), lambda r: "IFF extension"),
        (IffAttempt, Q(iff_id__in=iff_ids), lambda r: "IFF follow-up attempt"),
        (CaseMember, Q(case_id=case.pk), lambda r: "Person on the case"),
        (Person, Q(id__in=person_ids), lambda r: f"Person {r.first_name} {r.last_name}"),
        (Relationship, Q(person_id__in=person_ids), lambda r: "Relationship"),
        (DiligentSearchEntry, Q(person_id__in=person_ids), lambda r: "Diligent search"),
        (Visit, Q(case_id=case.pk), lambda r: f"Visit planned for {r.planned_for:%d %b %Y}"),
        (VisitParticipant, Q(visit_id__in=visit_ids), lambda r: "Visit participant"),
        (Assessment, Q(case_id=case.pk), lambda r: r.get_kind_display()),
        (Placement, Q(case_id=case.pk), lambda r: f"Placement with {r.caregiver}"),
        (PermanencyDecision, Q(case_id=case.pk), lambda r: r.get_kind_display()),
        (CasePlan, Q(case_id=case.pk), lambda r: f"Case plan version {r.version}"),
        (
            SupervisoryReview,
            Q(case_id=case.pk),
            lambda r: f"Supervisory review of {r.held_on:%d %b %Y}",
        ),
        (NextStep, Q(case_id=case.pk), lambda r: f"Next step ({r.description[:40]})"),
        (FamilyMeeting, Q(case_id=case.pk), lambda r: r.get_kind_display()),
        (CourtPetition, Q(case_id=case.pk), lambda r: r.get_kind_display()),
        (CourtHearing, Q(case_id=case.pk), lambda r: r.get_kind_display()),
        (CaseTransfer, Q(case_id=case.pk), lambda r: "Transfer to another unit"),
        # Documents are left out: a restricted one's title is not for every reader.
    ]


_ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
_SKIP = {
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user_id",
}


def case_timeline(case: Case, *, limit: int = 100) -> list[TimelineEntry]:
    """Every change to the case's records, newest first: who, when and which fields
    changed. One query per kind of record plus a few id lookups, whatever the history
    length; diffs are computed between consecutive versions in Python."""
    entries: list[TimelineEntry] = []
    for model, rows_of_case, label in _timeline_sources(case):
        history = (
            model.history.filter(rows_of_case)
            .select_related("history_user")
            .order_by("id", "history_date", "history_id")
        )
        fields = [
            f.attname
            for f in model.history.model._meta.fields
            if f.attname not in _SKIP and f.name != "id"
        ]
        previous = None
        for record in history:
            changes = []
            if record.history_type == "~" and previous is not None and previous.id == record.id:
                changes = [
                    name.removesuffix("_id").replace("_", " ")
                    for name in fields
                    if getattr(previous, name) != getattr(record, name)
                ]
            user = record.history_user
            entries.append(
                TimelineEntry(
                    when=record.history_date,
                    who=(user.get_full_name() or user.username) if user else "Hearth",
                    what=f"{label(record)} {_ACTIONS.get(record.history_type, 'changed')}",
                    changes=changes,
                )
            )
            previous = record
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return [e for e in entries if e.changes or not e.what.endswith("changed")][:limit]


def case_viewers(case: Case, *, limit: int = 50) -> QuerySet[RecordView]:
    """Who opened the case record, newest first (for its supervisor)."""
    return (
        RecordView.objects.filter(case=case).select_related("user").order_by("-viewed_at")[:limit]
    )


def case_summary(case: Case) -> dict[str, Any]:
    """Counts for the case page's overview, in one query per kind."""
    members = case.members.filter(active=True)
    return {
        "children": members.filter(role=CaseMember.Role.CHILD).count(),
        "alleged_victims": members.filter(alleged_victim=True).count(),
        "next_iff_due": IffContact.objects.filter(
            intake__case=case, seen_at__isnull=True
        ).aggregate(due=Min("due_at"))["due"],
    }
