"""Reads for supervision: the case page's part, a review's page, the worker's reviews and
next steps, the supervisor's month (which cases had a review), the next steps due on a
page of the caseload, and who reads which unit's supervision notes.

Reviews and next steps are seen by whoever sees their case (`visible_cases`); a unit's
supervision notes by its members, its supervisor and its office's area administrator.
Every screen runs a fixed number of queries whatever the number of rows.
"""

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet

from agency.models import StaffProfile, Unit
from agency.permissions import access_object, user_role
from agency.roles import Role
from casework.models import Case, NextStep, SupervisionNote, SupervisoryReview
from casework.selectors import supervises, visible_cases
from casework.selectors.assessments import short_date

VIEW_REVIEWS = "casework.view_supervisoryreview"
VIEW_NOTES = "casework.view_supervisionnote"
APPROVE_PERM = "casework.approve_casework"
CASE_PAGE_REVIEWS = 3


# --- who may ----------------------------------------------------------------------------------


def may_supervise(user: Any, case: Case) -> bool:
    """Whether `user` records and changes supervisory reviews of `case`: someone who
    supervises it (its unit's supervisor, its office's area administrator), or holds
    `casework.approve_casework` on that case alone (an acting supervisor)."""
    if not (user.is_authenticated and user.is_active):
        return False
    return supervises(user, case) or user.has_perm(APPROVE_PERM, case)


def may_write_notes(user: Any, unit: Unit) -> bool:
    """Whether `user` records and changes the unit's supervision notes: its supervisor."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or (unit.supervisor_id is not None and unit.supervisor_id == user.pk)


# --- reviews and next steps ----------------------------------------------------------------------


def visible_reviews(user: Any) -> QuerySet[SupervisoryReview]:
    """Supervisory reviews of the cases the user may see (the gatekeeper for reviews)."""
    if not user.is_authenticated or not user.has_perm(VIEW_REVIEWS):
        return SupervisoryReview.objects.none()
    return SupervisoryReview.objects.filter(case__in=visible_cases(user).values("pk"))


def visible_next_steps(user: Any) -> QuerySet[NextStep]:
    if not user.is_authenticated or not user.has_perm(VIEW_REVIEWS):
        return NextStep.objects.none()
    return NextStep.objects.filter(case__in=visible_cases(user).values("pk"))


def review_queryset(reviews: QuerySet[SupervisoryReview] | None = None):
    """Reviews with what their pages and the API show: the case and its unit, the
    supervisor, the worker, and the next steps with their owners. Two queries."""
    if reviews is None:
        reviews = SupervisoryReview.objects.all()
    return reviews.select_related("case__unit", "supervisor", "worker").prefetch_related(
        Prefetch("next_steps", queryset=NextStep.objects.select_related("owner"))
    )


def focus_labels(review: SupervisoryReview) -> list[str]:
    labels = dict(SupervisoryReview.Focus.choices)
    return [labels.get(value, value) for value in review.focus_areas]


def shape_reviews(reviews: list[SupervisoryReview], *, today: date) -> list[SupervisoryReview]:
    """Each review with its focus areas in words and each next step with its state."""
    for review in reviews:
        review.focus_labels = focus_labels(review)
        for step in review.next_steps.all():
            step.state = step_state(step, today=today)
    return reviews


def step_state(step: NextStep, *, today: date) -> str:
    """The step's state as of `today`: "done", "overdue" or "open"."""
    if step.done_on is not None:
        return "done"
    return "overdue" if step.due_on < today else "open"


def step_text(step: NextStep, *, today: date) -> str:
    """A next step as the caseload lists it: "Next step due 2 Dec: call the school
    (Casey Rivera)" or "Next step overdue (due 12 Nov): ..."."""
    description = step.description
    if len(description) > 80:
        description = description[:79].rstrip() + "…"
    owner = step.owner.get_full_name() or step.owner.get_username()
    if step.due_on < today:
        return f"Next step overdue (due {short_date(step.due_on)}): {description} ({owner})"
    return f"Next step due {short_date(step.due_on)}: {description} ({owner})"


def next_steps_due(cases: Iterable[Case], *, today: date) -> dict[int, list[str]]:
    """For each open case among `cases` (a page of the caseload), its supervisory next
    steps not done, soonest first, in words. Cases with none are absent. One query."""
    open_ids = [case.pk for case in cases if case.status == Case.Status.OPEN]
    if not open_ids:
        return {}
    result: dict[int, list[str]] = defaultdict(list)
    steps = (
        NextStep.objects.filter(case_id__in=open_ids, done_on__isnull=True)
        .select_related("owner")
        .order_by("due_on", "pk")
    )
    for step in steps:
        result[step.case_id].append(step_text(step, today=today))
    return dict(result)


def reviewed_in_month(review: SupervisoryReview | None, today: date) -> bool:
    return review is not None and (review.held_on.year, review.held_on.month) == (
        today.year,
        today.month,
    )


def case_supervision_context(case: Case, *, user: Any, today: date) -> dict:
    """What the case page shows about supervision, three queries:

    - supervision_reviews: the latest reviews (next steps with owners);
    - supervision_review_count: how many the case has;
    - supervision_this_month: this month's latest review, or None;
    - supervision_may_record: whether the user records reviews of this case;
    - supervision_may_read: whether the user reads them at all."""
    if not user.has_perm(VIEW_REVIEWS):
        return {"supervision_may_read": False}
    reviews = list(
        review_queryset(SupervisoryReview.objects.filter(case=case)).order_by("-held_on", "-pk")[
            :CASE_PAGE_REVIEWS
        ]
    )
    count = len(reviews)
    if count == CASE_PAGE_REVIEWS:
        count = SupervisoryReview.objects.filter(case=case).count()
    latest = reviews[0] if reviews else None
    shape_reviews(reviews, today=today)
    return {
        "supervision_may_read": True,
        "supervision_reviews": reviews,
        "supervision_review_count": count,
        "supervision_this_month": latest if reviewed_in_month(latest, today) else None,
        "supervision_may_record": case.status == Case.Status.OPEN and may_supervise(user, case),
        "supervision_today": today,
    }


def case_reviews(case: Case, *, today: date) -> list[SupervisoryReview]:
    """Every review of the case, newest first, with next steps and their state."""
    reviews = review_queryset(SupervisoryReview.objects.filter(case=case))
    return shape_reviews(list(reviews.order_by("-held_on", "-pk")), today=today)


def my_reviews(user: Any, *, today: date, limit: int = 50) -> list[SupervisoryReview]:
    """The latest reviews of the user's work (as the worker), those to acknowledge
    first. Two queries."""
    reviews = review_queryset(visible_reviews(user).filter(worker=user)).order_by("-held_on", "-pk")
    shaped = shape_reviews(list(reviews[:limit]), today=today)
    return sorted(shaped, key=lambda r: r.acknowledged_at is not None)


def my_next_steps(user: Any, *, today: date, done_days: int = 30) -> dict[str, list[NextStep]]:
    """The user's next steps: not done (soonest first) and done in the last `done_days`.
    One query."""
    steps = (
        visible_next_steps(user)
        .filter(owner=user)
        .filter(Q(done_on__isnull=True) | Q(done_on__gte=today - timedelta(days=done_days)))
        .select_related("case", "review")
        .order_by("due_on", "pk")
    )
    result: dict[str, list[NextStep]] = {"open": [], "done": []}
    for step in steps:
        step.state = step_state(step, today=today)
        result["done" if step.done_on else "open"].append(step)
    return result


# --- the supervisor's month ----------------------------------------------------------------------


@dataclass
class CaseRow:
    case: Case
    review: SupervisoryReview | None = None
    reviews_in_month: int = 0


@dataclass
class WorkerRow:
    worker: Any
    cases: list[CaseRow] = field(default_factory=list)
    member: bool = True  # a member of the unit (not only assigned one of its cases)

    @property
    def total(self) -> int:
        return len(self.cases)

    @property
    def reviewed(self) -> int:
        return sum(1 for row in self.cases if row.review is not None)


@dataclass
class UnitBlock:
    unit: Unit
    workers: list[WorkerRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(w.total for w in self.workers)

    @property
    def reviewed(self) -> int:
        return sum(w.reviewed for w in self.workers)


def overseen_units(user: Any) -> QuerySet[Unit]:
    """The units whose month a user looks at: a supervisor's own units, an area
    administrator's office, every unit for a superuser; none for anyone else."""
    units = Unit.objects.select_related("work_location", "supervisor").order_by(
        "work_location__name", "name"
    )
    if not user.is_authenticated or not user.is_active:
        return units.none()
    if user.is_superuser:
        return units
    role = user_role(user)
    if role == Role.SUPERVISOR:
        return units.filter(supervisor=user)
    if role == Role.AREA_ADMINISTRATOR:
        return units.filter(work_location_id=user.staff.work_location_id)
    return units.none()


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def supervision_month(units: Iterable[Unit], *, month: date) -> list[UnitBlock]:
    """For each unit, each caseworker of the unit with each of their cases open during
    `month`'s calendar month, and that month's latest supervisory review of the case (or
    None). A case is listed under its primary worker; a worker who is not (or no longer)
    a member of the unit but holds one of its cases is listed too. Three queries,
    whatever the number of units, workers and cases."""
    units = list(units)
    if not units:
        return []
    first, last = month_bounds(month)
    unit_ids = [unit.pk for unit in units]
    members = (
        StaffProfile.objects.filter(
            unit_id__in=unit_ids, role=Role.CASEWORKER, user__is_active=True
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user_id")
    )
    cases = (
        Case.objects.filter(unit_id__in=unit_ids, opened_on__lte=last)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=first))
        .select_related("primary_worker")
        .annotate(
            reviews_in_month=Count(
                "supervisory_reviews",
                filter=Q(supervisory_reviews__held_on__range=(first, last)),
            )
        )
        .order_by("number")
    )
    cases = list(cases)
    latest: dict[int, SupervisoryReview] = {}
    reviewed_ids = [case.pk for case in cases if case.reviews_in_month]
    if reviewed_ids:
        for review in (
            SupervisoryReview.objects.filter(case_id__in=reviewed_ids, held_on__range=(first, last))
            .only("pk", "case_id", "held_on", "acknowledged_at", "worker_id", "supervisor_id")
            .order_by("case_id", "-held_on", "-pk")
        ):
            latest.setdefault(review.case_id, review)
    blocks = {unit.pk: UnitBlock(unit=unit) for unit in units}
    rows: dict[tuple[int, int], WorkerRow] = {}
    for profile in members:
        row = WorkerRow(worker=profile.user)
        rows[(profile.unit_id, profile.user_id)] = row
        blocks[profile.unit_id].workers.append(row)
    for case in cases:
        key = (case.unit_id, case.primary_worker_id)
        if key not in rows:
            rows[key] = WorkerRow(worker=case.primary_worker, member=False)
            blocks[case.unit_id].workers.append(rows[key])
        rows[key].cases.append(
            CaseRow(case=case, review=latest.get(case.pk), reviews_in_month=case.reviews_in_month)
        )
    return [blocks[unit.pk] for unit in units]


# --- supervision notes ---------------------------------------------------------------------------


def note_units(user: Any) -> QuerySet[Unit]:
    """Units whose supervision notes the user reads: the unit they belong to, the units
    they supervise, and every unit of their office for an area administrator."""
    units = Unit.objects.select_related("work_location", "supervisor").order_by(
        "work_location__name", "name"
    )
    if not user.is_authenticated or not user.is_active or not user.has_perm(VIEW_NOTES):
        return units.none()
    if user.is_superuser:
        return units
    profile = getattr(user, "staff", None)
    condition = Q(supervisor=user)
    if profile is not None and profile.unit_id:
        condition |= Q(pk=profile.unit_id)
    if profile is not None and profile.role == Role.AREA_ADMINISTRATOR:
        condition |= Q(work_location_id=profile.work_location_id)
    return units.filter(condition)


def unit_members(unit: Unit):
    """The people a unit's supervision notes may name as attendees: its active staff."""
    return (
        get_user_model()
        .objects.filter(staff__unit=unit, is_active=True)
        .select_related("staff")
        .order_by("last_name", "first_name", "pk")
    )


def visible_notes(user: Any) -> QuerySet[SupervisionNote]:
    return SupervisionNote.objects.filter(unit__in=note_units(user).values("pk"))


def note_queryset(notes: QuerySet[SupervisionNote] | None = None) -> QuerySet[SupervisionNote]:
    """Notes with their unit, supervisor and attendees. Two queries."""
    if notes is None:
        notes = SupervisionNote.objects.all()
    return notes.select_related("unit__work_location", "supervisor").prefetch_related("attendees")


def access_note_unit(user: Any, unit_id: Any) -> Unit:
    """A unit whose notes the user reads, or 404."""
    return access_object(note_units(user), unit_id)


def access_note(user: Any, note_id: Any) -> SupervisionNote:
    """A supervision note the user reads, or 404."""
    return access_object(note_queryset(visible_notes(user)), note_id)
