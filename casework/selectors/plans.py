"""Reads for case plans: the case page's part, a plan version's page, the supervisor's
approvals inbox, and the plan reviews due across a page of the caseload.

Every query starts from `visible_cases(user)`; each screen runs a fixed number of queries
whatever the number of rows.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet

from agency.concurrency import with_edit_tokens
from agency.permissions import user_role
from agency.roles import Role
from casework.models import Case, CasePlan, PlanGoal, PlanService, PlanStep
from casework.selectors import rules as casework_rules
from casework.selectors import visible_cases
from casework.selectors.assessments import short_date

Status = CasePlan.Status


def visible_plans(user: Any) -> QuerySet[CasePlan]:
    """Plan versions on the cases the user may see (the gatekeeper for plans)."""
    return CasePlan.objects.filter(case__in=visible_cases(user).values("pk"))


def plan_page_queryset(plans: QuerySet[CasePlan] | None = None) -> QuerySet[CasePlan]:
    """Plans with what their page and the API show: case and unit, author, decider, goals
    with their steps and services, and the services, each with its edit token (the forms
    and answers that change them hand it out). Four queries for any number."""
    if plans is None:
        plans = CasePlan.objects.all()
    goals = with_edit_tokens(PlanGoal.objects.all()).prefetch_related(
        Prefetch("steps", queryset=with_edit_tokens(PlanStep.objects.all()))
    )
    return with_edit_tokens(
        plans.select_related("case__unit", "author", "decided_by")
    ).prefetch_related(
        Prefetch("goals", queryset=goals),
        Prefetch("services", queryset=with_edit_tokens(PlanService.objects.select_related("goal"))),
    )


def pending_plan_approvals(user: Any) -> QuerySet[CasePlan]:
    """Submitted plans on the cases the user supervises, oldest submission first; their
    own plans are left out (another supervisor decides those)."""
    if not user.is_authenticated or not user.is_active:
        return CasePlan.objects.none()
    plans = visible_plans(user).filter(status=Status.SUBMITTED)
    role = user_role(user)
    if user.is_superuser:
        pass
    elif role == Role.SUPERVISOR:
        plans = plans.filter(case__unit__supervisor=user)
    elif role == Role.AREA_ADMINISTRATOR:
        plans = plans.filter(case__unit__work_location_id=user.staff.work_location_id)
    else:
        return CasePlan.objects.none()
    return (
        plans.exclude(author=user)
        .select_related("case__unit", "author")
        .order_by("submitted_at", "pk")
    )


def review_state(review_due_on: date, *, today: date, reminder_days: int) -> tuple[str, str]:
    """("overdue"|"due_soon"|"", text) for an approved plan's review."""
    if review_due_on < today:
        return "overdue", f"Case plan review overdue (due {short_date(review_due_on)})"
    state = "due_soon" if review_due_on <= today + timedelta(days=reminder_days) else ""
    return state, f"Case plan review due {short_date(review_due_on)}"


def first_plan_state(due_on: date, *, today: date, reminder_days: int) -> tuple[str, str]:
    if due_on < today:
        return "overdue", f"First case plan overdue (due {short_date(due_on)})"
    state = "due_soon" if due_on <= today + timedelta(days=reminder_days) else ""
    return state, f"First case plan due {short_date(due_on)}"


def case_plan_context(case: Case, *, today: date) -> dict[str, Any]:
    """What the case page shows about the plan, a fixed number of queries:

    - plan_current: the approved version (goals with steps, services) or None;
    - plan_open: the draft, submitted or returned version or None;
    - plan_versions: every version, newest first;
    - plan_review: {"state", "text", "css_class"} for the approved plan's review (or
      the first plan's due date on an open case without one), or None."""
    rules = casework_rules()
    versions = list(plan_page_queryset(CasePlan.objects.filter(case=case)).order_by("-version"))
    current = next((p for p in versions if p.status == Status.APPROVED), None)
    open_plan = next(
        (p for p in versions if p.status in (Status.DRAFT, Status.SUBMITTED, Status.RETURNED)), None
    )
    review = None
    if current is not None and current.review_due_on:
        state, text = review_state(
            current.review_due_on, today=today, reminder_days=rules.assessment_reminder_days
        )
        review = {"state": state, "text": text}
    elif current is None and case.status == Case.Status.OPEN:
        state, text = first_plan_state(
            case.opened_on + timedelta(days=rules.first_plan_days),
            today=today,
            reminder_days=rules.assessment_reminder_days,
        )
        review = {"state": state, "text": text}
    if review is not None:
        review["css_class"] = {"overdue": "hearth-overdue", "due_soon": "hearth-due-soon"}.get(
            review["state"], ""
        )
    return {
        "plan_current": current,
        "plan_open": open_plan,
        "plan_versions": versions,
        "plan_review": review,
    }


def plan_reviews_due(
    cases: QuerySet[Case] | Iterable[Case], *, today: date
) -> dict[int, list[str]]:
    """For each open case among `cases` (a page of cases, read once), the plan review due
    within the reminder days or overdue ("Case plan review overdue (due 12 Nov)", "Case
    plan review due 30 Nov"), or, with no approved plan, the first plan due within
    CaseworkRules.first_plan_days of the case opening ("First case plan due 30 Nov" /
    "... overdue (due ...)"). Cases with nothing due are absent. A fixed
    number of queries (the rules, the approved plans)."""
    open_cases = [case for case in cases if case.status == Case.Status.OPEN]
    if not open_cases:
        return {}
    rules = casework_rules()
    reviews = dict(
        CasePlan.objects.filter(case__in=[c.pk for c in open_cases], status=Status.APPROVED)
        .order_by()
        .values_list("case_id", "review_due_on")
    )
    result: dict[int, list[str]] = {}
    for case in open_cases:
        if case.pk in reviews:
            due_on = reviews[case.pk]
            if due_on is None:
                continue
            state, text = review_state(
                due_on, today=today, reminder_days=rules.assessment_reminder_days
            )
        else:
            state, text = first_plan_state(
                case.opened_on + timedelta(days=rules.first_plan_days),
                today=today,
                reminder_days=rules.assessment_reminder_days,
            )
        if state:
            result[case.pk] = [text]
    return result
