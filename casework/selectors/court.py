"""Reads for court work: the gatekeeper for petitions and hearings, their pages, the
case page's part (with the 15-of-22-months state of each child in care), the court
page across a caseload, and the court items due across a page of the caseload.

A court report is due `court_report_lead_days` (10 by default) before its hearing
(casework.services.court computes `report_due_on`); it is *due soon* from
`court_report_reminder_days` (5) before that day and *overdue* after it, while the
hearing is still ahead. Filed after its due day, it was *filed late*.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from agency.calendar import TIMEZONE
from agency.permissions import access_object
from casework.models import (
    Case,
    CaseMember,
    CourtHearing,
    CourtPetition,
    PermanencyDecision,
    Person,
    Placement,
)
from casework.selectors import rules, visible_cases
from casework.selectors.meetings import scope_cases
from casework.selectors.placements import (
    THRESHOLD_DAYS,
    days_in_care,
    met_15_of_22_since,
    window_days,
)

HearingStatus = CourtHearing.Status
PAST_ON_CASE_PAGE = 5

# How the caseload and the notices name a hearing ("permanency plan hearing").
_HEARING_NAMES = {
    CourtHearing.Kind.ADJUDICATION: "adjudication hearing",
    CourtHearing.Kind.DISPOSITION: "disposition hearing",
    CourtHearing.Kind.OTHER: "hearing",
}


def hearing_name(kind: str) -> str:
    if kind in _HEARING_NAMES:
        return _HEARING_NAMES[kind]
    label = str(CourtHearing.Kind(kind).label)
    return label[0].lower() + label[1:]


def short_date(day: date) -> str:
    """ "30 Nov", as the caseload lists due dates."""
    return f"{day.day} {day:%b}"


def day_text(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=TIMEZONE)


def hearing_day(hearing: CourtHearing) -> date:
    return hearing.scheduled_for.astimezone(TIMEZONE).date()


# --- the gatekeeper --------------------------------------------------------------------------


def visible_petitions(user: Any) -> QuerySet[CourtPetition]:
    """Petitions on the cases the user may see (the gatekeeper for petitions)."""
    return CourtPetition.objects.filter(case__in=visible_cases(user).values("pk"))


def visible_hearings(user: Any) -> QuerySet[CourtHearing]:
    """Hearings on the cases the user may see (the gatekeeper for hearings)."""
    return CourtHearing.objects.filter(case__in=visible_cases(user).values("pk"))


def petition_for_page(user: Any, pk: Any) -> CourtPetition:
    return access_object(
        visible_petitions(user).select_related("case__unit", "child", "recorded_by"), pk
    )


def hearing_for_page(user: Any, pk: Any) -> CourtHearing:
    return access_object(
        visible_hearings(user).select_related(
            "case__unit", "child", "petition", "next_hearing", "recorded_by"
        ),
        pk,
    )


def previous_hearing(hearing: CourtHearing) -> CourtHearing | None:
    return CourtHearing.objects.filter(next_hearing=hearing).first()


# --- court reports ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportState:
    """Where a hearing's court report stands, in words; `css_class` repeats it in colour."""

    # "filed", "filed_late", "overdue", "due_soon", "due", "missed" (never filed, the
    # hearing passed), "not_needed" (cancelled), "none"
    state: str
    text: str

    @property
    def css_class(self) -> str:
        return {
            "overdue": "hearth-overdue",
            "filed_late": "hearth-overdue",
            "missed": "hearth-overdue",
            "due_soon": "hearth-due-soon",
        }.get(self.state, "")


def report_state(hearing: CourtHearing, *, today: date, reminder_days: int) -> ReportState:
    due = hearing.report_due_on
    filed = hearing.report_filed_on
    if filed is not None:
        if due is not None and filed > due:
            text = f"Filed late on {day_text(filed)} (due {day_text(due)})"
            return ReportState("filed_late", text)
        return ReportState("filed", f"Filed on {day_text(filed)}")
    if hearing.status == HearingStatus.CANCELLED:
        return ReportState("not_needed", "Not needed: the hearing was cancelled")
    if due is None:
        return ReportState("none", "No due date")
    if due < today:
        if hearing.status == HearingStatus.SCHEDULED and hearing_day(hearing) >= today:
            return ReportState("overdue", f"Overdue (due {day_text(due)})")
        return ReportState("missed", f"Not filed (was due {day_text(due)})")
    if due <= today + timedelta(days=reminder_days):
        return ReportState("due_soon", f"Due {day_text(due)}")
    return ReportState("due", f"Due {day_text(due)}")


def with_report_states(hearings: Iterable[CourtHearing], *, today: date, reminder_days: int):
    """`hearings` with `.report` (a ReportState) set on each."""
    hearings = list(hearings)
    for hearing in hearings:
        hearing.report = report_state(hearing, today=today, reminder_days=reminder_days)
    return hearings


def court_reports_due(cases: Iterable[Case], *, today: date) -> dict[int, list[str]]:
    """For each open case among `cases` (a page of the caseload, read once), in words:
    court reports due within the reminder days (5 by default) or overdue for hearings
    still ahead ("Court report due 30 Nov (permanency plan hearing 10 Dec)", "Court
    report overdue (due 30 Nov, permanency plan hearing 10 Dec)"), and hearings past
    whose outcome is not recorded ("Permanency plan hearing of 10 Dec: outcome not
    recorded"). Cases with nothing due are absent. Two queries."""
    ids = [case.pk for case in cases if case.status == Case.Status.OPEN]
    if not ids:
        return {}
    settings = rules()
    start = _start_of(today)
    soon = today + timedelta(days=settings.court_report_reminder_days)
    hearings = (
        CourtHearing.objects.filter(case_id__in=ids, status=HearingStatus.SCHEDULED)
        .filter(
            Q(scheduled_for__lt=start)
            | Q(report_filed_on__isnull=True, report_due_on__lte=soon, scheduled_for__gte=start)
        )
        .only("pk", "case_id", "kind", "scheduled_for", "report_due_on", "report_filed_on")
        .order_by("scheduled_for", "pk")
    )
    result: dict[int, list[str]] = defaultdict(list)
    for hearing in hearings:
        day = hearing_day(hearing)
        name = hearing_name(hearing.kind)
        if day < today:
            result[hearing.case_id].append(
                f"{name[0].upper()}{name[1:]} of {short_date(day)}: outcome not recorded"
            )
        elif hearing.report_due_on < today:
            result[hearing.case_id].append(
                f"Court report overdue (due {short_date(hearing.report_due_on)}, "
                f"{name} {short_date(day)})"
            )
        else:
            result[hearing.case_id].append(
                f"Court report due {short_date(hearing.report_due_on)} ({name} {short_date(day)})"
            )
    return dict(result)


# --- the 15-of-22-months rule ---------------------------------------------------------------


@dataclass
class FifteenOf22:
    """One child's standing against the 15-of-22-months rule on this case."""

    child: Person
    days: int  # days in care within the last 22 months
    met_since: date | None  # the first day of the current run of meeting the rule
    answer: PermanencyDecision | None  # the petition or compelling reason that answers it
    petition: CourtPetition | None  # a termination petition filed for the child

    @property
    def state(self) -> str:
        if self.met_since is None:
            return "not_met"
        return "answered" if self.answer is not None else "needed"

    @property
    def css_class(self) -> str:
        return "hearth-overdue" if self.state == "needed" else ""


def fifteen_of_22_states(
    placements: list[Placement],
    decisions: list[PermanencyDecision],
    petitions: list[CourtPetition],
    *,
    today: date,
) -> list[FifteenOf22]:
    """Each child with a placement among `placements` (one case's, with their child),
    in the order of their first placement."""
    by_child: dict[int, list[Placement]] = defaultdict(list)
    for p in sorted(placements, key=lambda p: (p.start_date, p.pk)):
        by_child[p.child_id].append(p)
    result = []
    for child_id, own in by_child.items():
        since = met_15_of_22_since(own, today=today)
        mine = sorted(
            (d for d in decisions if d.child_id == child_id),
            key=lambda d: (d.decided_on, d.pk),
            reverse=True,
        )
        answer = None
        if since is not None:
            answer = next((d for d in mine if d.decided_on >= since), None)
        tpr = [p for p in petitions if p.child_id == child_id and p.kind == CourtPetition.Kind.TPR]
        result.append(
            FifteenOf22(
                child=own[0].child,
                days=days_in_care(own, on=today, window_days=window_days(today)),
                met_since=since,
                answer=answer,
                petition=max(tpr, key=lambda p: (p.filed_on, p.pk), default=None),
            )
        )
    return result


# --- the case page ---------------------------------------------------------------------------


def case_court_context(case: Case, *, user: Any, today: date) -> dict:
    """What the case page shows about court work, under keys prefixed "court_":
    `court_petitions` (latest first), `court_upcoming` (scheduled hearings from today,
    soonest first, each with `.report`), `court_not_recorded` (scheduled hearings past),
    `court_past` (the latest held, continued or cancelled), `court_more`,
    `court_fifteen` (a FifteenOf22 per child placed), `court_threshold_days`,
    `court_lead_days`, `court_reminder_days`. Five queries whatever the size of the
    case."""
    settings = rules()
    petitions = list(
        CourtPetition.objects.filter(case=case).select_related("child").order_by("-filed_on", "-pk")
    )
    hearings = with_report_states(
        CourtHearing.objects.filter(case=case)
        .select_related("child", "petition")
        .order_by("scheduled_for", "pk"),
        today=today,
        reminder_days=settings.court_report_reminder_days,
    )
    placements = list(
        Placement.objects.filter(case=case).select_related("child").order_by("start_date", "pk")
    )
    decisions = list(PermanencyDecision.objects.filter(case=case).order_by("-decided_on", "-pk"))
    scheduled = [h for h in hearings if h.status == HearingStatus.SCHEDULED]
    past = [h for h in reversed(hearings) if h.status != HearingStatus.SCHEDULED]
    return {
        "court_petitions": petitions,
        "court_upcoming": [h for h in scheduled if hearing_day(h) >= today],
        "court_not_recorded": [h for h in scheduled if hearing_day(h) < today],
        "court_past": past[:PAST_ON_CASE_PAGE],
        "court_more": len(past) > PAST_ON_CASE_PAGE,
        "court_fifteen": fifteen_of_22_states(placements, decisions, petitions, today=today),
        "court_threshold_days": THRESHOLD_DAYS,
        "court_lead_days": settings.court_report_lead_days,
        "court_reminder_days": settings.court_report_reminder_days,
    }


def case_hearings(case: Case) -> QuerySet[CourtHearing]:
    """Every hearing of a case, latest first, for the case's court page."""
    return (
        CourtHearing.objects.filter(case=case)
        .select_related("child", "petition")
        .order_by("-scheduled_for", "-pk")
    )


def case_children(case: Case) -> list[Person]:
    """The active children of a case, oldest first (one query)."""
    members = CaseMember.objects.filter(
        case=case, role=CaseMember.Role.CHILD, active=True
    ).select_related("person")
    return sorted(
        (m.person for m in members),
        key=lambda p: (p.date_of_birth or date.max, p.last_name, p.pk),
    )


# --- the court page across a caseload --------------------------------------------------------


def hearing_list(user: Any, *, scope: str, show: str, today: date) -> QuerySet[CourtHearing]:
    """Scheduled hearings on the open cases in scope ("mine" or "unit"), soonest first:
    `show` "upcoming" (from today), "reports" (court reports not filed that are due
    within the reminder days or overdue, hearing still ahead) or "not_recorded"
    (hearings past, outcome not recorded)."""
    start = _start_of(today)
    hearings = CourtHearing.objects.filter(
        case__in=scope_cases(user, scope).values("pk"), status=HearingStatus.SCHEDULED
    )
    if show == "not_recorded":
        hearings = hearings.filter(scheduled_for__lt=start)
    else:
        hearings = hearings.filter(scheduled_for__gte=start)
    if show == "reports":
        soon = today + timedelta(days=rules().court_report_reminder_days)
        hearings = hearings.filter(report_filed_on__isnull=True, report_due_on__lte=soon)
    return hearings.select_related("case__primary_worker", "child").order_by("scheduled_for", "pk")
