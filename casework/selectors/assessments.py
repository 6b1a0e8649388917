"""Reads for assessments: the case page's section, one assessment's page, the
supervisor's approvals inbox, and what is due across a page of the caseload.

Every query starts from `visible_cases(user)`; each screen runs a fixed number of queries
whatever the number of rows. Due dates of assessments not yet started are computed the
same way `casework.services.assessments.assessment_due_on` computes a new draft's.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Min, QuerySet

from agency.permissions import user_role
from agency.roles import Role
from casework.models import Assessment, Case, Intake
from casework.selectors import rules as casework_rules
from casework.selectors import visible_cases
from casework.services.assessments import (
    KIND_FIELDS,
    OPEN_STATUSES,
    due_from,
    expected_kinds,
    first_accepted_on,
    local_date,
)

Kind = Assessment.Kind
Status = Assessment.Status


# --- due or overdue (pure) -----------------------------------------------------------------------


def short_date(day: date) -> str:
    """A date as the caseload lists it: "12 Nov"."""
    return f"{day.day} {day:%b}"


@dataclass(frozen=True)
class DueState:
    """Where one assessment (or one not yet started) stands against its due date."""

    kind: str
    due_on: date
    state: str  # "overdue", "due_soon" (within the reminder days) or "" (later or done)
    text: str  # "Safety assessment overdue (due 12 Nov)", "Risk assessment due 30 Nov"
    started: bool = False

    @property
    def css_class(self) -> str:
        return {"overdue": "hearth-overdue", "due_soon": "hearth-due-soon"}.get(self.state, "")

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label


def due_state(
    kind: str, due_on: date, *, today: date, reminder_days: int, status: str | None = None
) -> DueState:
    """Overdue when `due_on` has passed, due soon within `reminder_days`, nothing once
    approved. The text names the kind and the date; a submitted one adds that it waits
    for approval."""
    label = Kind(kind).label
    started = status is not None
    if status == Status.APPROVED:
        return DueState(kind, due_on, "", f"{label} approved", started)
    waiting = ", waiting for approval" if status == Status.SUBMITTED else ""
    if due_on < today:
        text = f"{label} overdue (due {short_date(due_on)}){waiting}"
        return DueState(kind, due_on, "overdue", text, started)
    state = "due_soon" if due_on <= today + timedelta(days=reminder_days) else ""
    return DueState(kind, due_on, state, f"{label} due {short_date(due_on)}{waiting}", started)


# --- querysets -----------------------------------------------------------------------------------


def visible_assessments(user: Any) -> QuerySet[Assessment]:
    """Assessments on the cases the user may see (the gatekeeper for assessments)."""
    return Assessment.objects.filter(case__in=visible_cases(user).values("pk"))


def assessment_page_queryset(assessments: QuerySet[Assessment] | None = None):
    """Assessments with what their page and the API show: case (and its unit), author,
    and who decided."""
    if assessments is None:
        assessments = Assessment.objects.all()
    return assessments.select_related("case__unit", "author", "decided_by")


def pending_assessment_approvals(user: Any) -> QuerySet[Assessment]:
    """Submitted assessments on the cases the user supervises (their unit's as its
    supervisor, their office's as area administrator), oldest submission first, with
    case and author joined: the supervisor's approvals inbox. Their own assessments are
    left out (another supervisor decides those)."""
    if not user.is_authenticated or not user.is_active:
        return Assessment.objects.none()
    assessments = visible_assessments(user).filter(status=Status.SUBMITTED)
    role = user_role(user)
    if user.is_superuser:
        pass
    elif role == Role.SUPERVISOR:
        assessments = assessments.filter(case__unit__supervisor=user)
    elif role == Role.AREA_ADMINISTRATOR:
        assessments = assessments.filter(case__unit__work_location_id=user.staff.work_location_id)
    else:
        return Assessment.objects.none()
    return (
        assessments.exclude(author=user)
        .select_related("case__unit", "author")
        .order_by("submitted_at", "pk")
    )


# --- one assessment ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    name: str
    label: str
    value: str  # the stored value (a choice's label for choices)


def assessment_sections(assessment: Assessment) -> list[Section]:
    """The kind's fields in order, labelled, for the read view."""
    sections = []
    for name in KIND_FIELDS[assessment.kind]:
        field = Assessment._meta.get_field(name)
        value = getattr(assessment, name)
        if field.choices:
            value = getattr(assessment, f"get_{name}_display")() if value else ""
        sections.append(Section(name, str(field.verbose_name).capitalize(), value))
    return sections


def assessment_versions(assessment: Assessment, limit: int = 20) -> list:
    """The assessment's saved versions, newest first, with who saved them. One query."""
    return list(
        assessment.history.select_related("history_user").order_by("-history_date", "-history_id")[
            :limit
        ]
    )


# --- the case page -------------------------------------------------------------------------------


def case_assessments_context(case: Case, *, today: date) -> dict[str, Any]:
    """What the case page shows about assessments, three queries whatever their number:

    - assessments_list: every assessment on the case, latest due first, each with
      `due` (a DueState);
    - assessments_due: DueStates for the kinds policy expects on the case that are due
      within the reminder days or overdue and not yet started;
    - assessments_startable: the kinds with no assessment in progress (the "Start"
      buttons; the page shows them to users who may change the case);
    - assessments_rules: the casework rules (the page says the number of days)."""
    rules = casework_rules()
    assessments = list(
        Assessment.objects.filter(case=case)
        .select_related("author", "decided_by")
        .order_by("-due_on", "-pk")
    )
    for assessment in assessments:
        assessment.due = due_state(
            assessment.kind,
            assessment.due_on,
            today=today,
            reminder_days=rules.assessment_reminder_days,
            status=assessment.status,
        )
    in_progress = {a.kind for a in assessments if a.status in OPEN_STATUSES}
    started = {a.kind for a in assessments}
    not_started = [kind for kind in expected_kinds(case) if kind not in started]
    due: list[DueState] = []
    if case.status == Case.Status.OPEN and not_started:
        accepted_on = first_accepted_on(case)
        for kind in not_started:
            state = due_state(
                kind,
                due_from(kind=kind, accepted_on=accepted_on, opened_on=case.opened_on, rules=rules),
                today=today,
                reminder_days=rules.assessment_reminder_days,
            )
            if state.state:
                due.append(state)
    return {
        "assessments_list": assessments,
        "assessments_due": due,
        "assessments_startable": [
            (kind, Kind(kind).label) for kind in Kind.values if kind not in in_progress
        ],
        "assessments_rules": rules,
    }


# --- the caseload --------------------------------------------------------------------------------


def assessments_due(cases: QuerySet[Case] | Iterable[Case], *, today: date) -> dict[int, list[str]]:
    """The caseload's words for `assessment_due_states`: "Safety assessment overdue (due
    12 Nov)", "Risk assessment due 30 Nov"."""
    return {
        case_id: [state.text for state in states]
        for case_id, states in assessment_due_states(cases, today=today).items()
    }


def assessment_due_states(
    cases: QuerySet[Case] | Iterable[Case], *, today: date
) -> dict[int, list[DueState]]:
    """For each open case among `cases`, the assessments due within the reminder days
    (CaseworkRules.assessment_reminder_days) or overdue and not approved. Kinds not yet
    started count from their computed due date (safety and risk on investigations and
    family assessments, the family-centered assessment on every open case); for a kind
    done more than once, the latest one counts. A case with nothing due is absent: use
    `result.get(case.pk, [])`.

    `cases` is a page of cases (`page.object_list`, a sliced queryset or a list, read
    once and reused by the page) or a queryset (read once here). Three more queries
    whatever the number of cases."""
    open_cases = [case for case in cases if case.status == Case.Status.OPEN]
    if not open_cases:
        return {}
    ids = [case.pk for case in open_cases]
    rules = casework_rules()
    accepted = {
        row["case_id"]: local_date(row["first"])
        for row in Intake.objects.filter(case__in=ids)
        .values("case_id")
        .annotate(first=Min("accepted_at"))
        .order_by()
    }
    # The latest assessment of each kind on each case decides (oldest first, so the
    # last one read wins).
    latest: dict[int, dict[str, tuple[str, date]]] = defaultdict(dict)
    for case_id, kind, status, due_on in (
        Assessment.objects.filter(case__in=ids)
        .order_by("created_at", "pk")
        .values_list("case_id", "kind", "status", "due_on")
    ):
        latest[case_id][kind] = (status, due_on)

    result: dict[int, list[DueState]] = defaultdict(list)
    for case in open_cases:
        on_case = latest.get(case.pk, {})
        kinds = [*expected_kinds(case), *(k for k in on_case if k not in expected_kinds(case))]
        states = []
        for kind in kinds:
            status, due_on = on_case.get(kind, (None, None))
            if status == Status.APPROVED:
                continue
            if due_on is None:
                due_on = due_from(
                    kind=kind,
                    accepted_on=accepted.get(case.pk),
                    opened_on=case.opened_on,
                    rules=rules,
                )
            state = due_state(
                kind,
                due_on,
                today=today,
                reminder_days=rules.assessment_reminder_days,
                status=status,
            )
            if state.state:
                states.append(state)
        if states:
            result[case.pk] = sorted(states, key=lambda s: (s.due_on, Kind.values.index(s.kind)))
    return dict(result)
