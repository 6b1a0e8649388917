"""The practice facts of supervision, family team meetings and court work: one CaseFact
per thing an indicator counts, in the month it counts (quality/facts.py writes them and
their tallies with the other case facts, quality/case_facts.py).

- Supervisory reviews this month (`supervisory_reviews`): every case open for the whole
  month (opened on or before its first day, not closed before its last: the cases the
  visit indicators count) has one fact in that month; met when at least one supervisory
  case review of the case was held in the month. Outcomes: guidance (reviewed, with
  clinical guidance recorded at a review), reviewed (reviewed, no clinical guidance
  recorded), not_reviewed. The month under way counts the cases open today and the
  reviews held so far. Computed month by month (`supervisory_review_facts`), like the
  member-months, since every open case has one each month.
- Shared planning meetings on time (`shared_planning_on_time`): each due date of a
  child's shared planning meeting on a case, in the month it fell due. The due dates are
  those of casework/meetings.py, followed through the past: for each episode in care on
  the case (its counted placements joined as `casework.meetings.entered_care` joins
  them), the first is due `shared_planning_first_days` (180) days after the child
  entered care, and each next one `shared_planning_interval_months` (6) months after
  the meeting held for the one before (`casework.meetings.next_shared_planning_on`).
  The first meeting held after the previous one (or after entering care) answers a due
  date: on_time when held on or before it, late after it; not_done when none was held.
  A due date after the child left care is not counted, nor meetings held before the
  episode began.
- FTDMs before or within 72 hours (`ftdm_on_time`): each placement (not a trial home
  visit, not entered in error: `casework.meetings.counted`) in the month it began; met
  when a Family Team Decision Making meeting linked to the placement was held by the
  deadline of `casework.meetings.ftdm_deadline` (the end of the start day for a planned
  placement; `ftdm_emergency_hours` (72) after it for an emergency one). Outcomes:
  on_time, late (held after the deadline), not_done (none held, even if the placement
  has ended).
- Court reports filed on time (`court_reports_on_time`): each hearing not cancelled,
  in the month its report fell due (`CourtHearing.report_due_on`); on_time when the
  report was filed on or before the due date, late after it, not_done when not filed.

Only due dates and deadlines already passed count (for these three: a due date of today
is not counted yet, even when the meeting was held or the report filed early). Cases
closed before a due date are not counted. Each fact counts for the case's current unit
and primary worker, like every case fact.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q

from casework import meetings
from casework.models import Case, CourtHearing, FamilyMeeting, Placement, SupervisoryReview
from casework.selectors import rules as casework_rules
from quality.case_facts import CaseRow, care_episodes, case_rows, outcome
from quality.indicators import add_months, month_start
from quality.models import CaseFact

SUPERVISORY_REVIEWS = "supervisory_reviews"
SHARED_PLANNING = "shared_planning_on_time"
FTDM = "ftdm_on_time"
COURT_REPORTS = "court_reports_on_time"


def _fact(
    indicator: str,
    case: CaseRow,
    *,
    month: date,
    due_on: date,
    done_on: date | None,
    result: str,
    met: bool,
    what: str,
    person_id: int | None = None,
) -> CaseFact:
    return CaseFact(
        indicator=indicator,
        month=month,
        due_on=due_on,
        done_on=done_on,
        outcome=result,
        met=met,
        what=what[:150],
        case_id=case.pk,
        person_id=person_id,
        region_id=case.region_id,
        work_location_id=case.work_location_id,
        unit_id=case.unit_id,
        worker_id=case.worker_id,
    )


def _timeliness(done: Any, deadline: Any) -> str:
    """on_time (done by the deadline), late, not_done (the deadline has passed)."""
    if done is None:
        return "not_done"
    return "on_time" if done <= deadline else "late"


def _closed_before(case: CaseRow, day: date) -> bool:
    return case.closed_on is not None and case.closed_on < day


# --- Supervisory reviews, one month at a time ------------------------------------------------


def supervisory_review_facts(month: date) -> list[CaseFact]:
    """One fact per case open for the whole of `month` (see the module): two queries."""
    first_day = month_start(month)
    last_day = add_months(first_day, 1) - timedelta(days=1)
    cases = case_rows(
        Case.objects.filter(opened_on__lte=first_day).filter(
            Q(closed_on__isnull=True) | Q(closed_on__gte=last_day)
        )
    )
    if not cases:
        return []
    first_review: dict[int, date] = {}
    guidance: set[int] = set()
    for case_id, held_on, given in (
        SupervisoryReview.objects.filter(held_on__gte=first_day, held_on__lte=last_day)
        .order_by("held_on", "pk")
        .values_list("case_id", "held_on", "clinical_guidance")
    ):
        first_review.setdefault(case_id, held_on)
        if given.strip():
            guidance.add(case_id)
    what = f"Monthly supervisory review, {first_day:%B %Y}"
    facts = []
    for case in cases.values():
        held_on = first_review.get(case.pk)
        if held_on is None:
            result = "not_reviewed"
        else:
            result = "guidance" if case.pk in guidance else "reviewed"
        facts.append(
            _fact(
                SUPERVISORY_REVIEWS,
                case,
                month=first_day,
                due_on=last_day,
                done_on=held_on,
                result=result,
                met=held_on is not None,
                what=what,
            )
        )
    return facts


# --- Shared planning, FTDMs and court reports over a range of months -------------------------


@dataclass(frozen=True)
class SharedPlanningDue:
    """One due date of a child's shared planning meeting in an episode in care, and the
    day the meeting that answered it was held (None: none yet)."""

    due_on: date
    held_on: date | None
    after: date | None  # the meeting it counts from; None: the first, from entering care


def shared_planning_due_dates(
    *,
    entered_on: date,
    exited_on: date | None,
    held_days: Iterable[date],
    until: date,
    rules: meetings.Rules,
) -> list[SharedPlanningDue]:
    """Every shared planning due date of one episode in care (entered, left: None while in
    care) up to `until` (inclusive), with the meeting that answered each: pure. The due
    dates are casework.meetings.next_shared_planning_on's, one after another: each
    meeting held moves the next due date to `interval` months after it."""
    days = sorted({day for day in held_days if day >= entered_on})
    dues: list[SharedPlanningDue] = []
    last_held: date | None = None
    while True:
        due_on = meetings.next_shared_planning_on(
            entered_on=entered_on,
            last_held=last_held,
            first_days=rules.shared_planning_first_days,
            interval_months=rules.shared_planning_interval_months,
        )
        if due_on > until or (exited_on is not None and exited_on < due_on):
            return dues
        held_on = days[len(dues)] if len(dues) < len(days) else None
        dues.append(SharedPlanningDue(due_on, held_on, last_held))
        if held_on is None:
            return dues
        last_held = held_on


def practice_facts(*, first_month: date, last_month: date, today: date) -> list[CaseFact]:
    """The shared planning, FTDM and court report facts of the months `first_month` to
    `last_month` (inclusive), as counted on `today` (see the module): five queries
    (cases, the casework rules, placements, meetings held, hearings) whatever their
    number."""
    cases = case_rows(
        Case.objects.filter(Q(closed_on__isnull=True) | Q(closed_on__gte=first_month))
    )
    numbers = meetings.Rules.of(casework_rules())
    last_day = add_months(month_start(last_month), 1) - timedelta(days=1)
    yesterday = today - timedelta(days=1)  # only due dates already passed count
    placements = list(
        Placement.objects.only(
            "pk", "case_id", "child_id", "start_date", "end_date", "setting", "emergency",
            "entered_in_error",
        ).order_by("start_date", "pk")
    )  # fmt: skip
    ftdms: dict[int, datetime] = {}
    shared: dict[tuple[int, int], list[date]] = defaultdict(list)
    for kind, case_id, child_id, placement_id, held_at in (
        FamilyMeeting.objects.filter(
            status=FamilyMeeting.Status.HELD,
            held_at__isnull=False,
            kind__in=[FamilyMeeting.Kind.FTDM, FamilyMeeting.Kind.SHARED_PLANNING],
        )
        .order_by("held_at", "pk")
        .values_list("kind", "case_id", "child_id", "placement_id", "held_at")
    ):
        if kind == FamilyMeeting.Kind.FTDM and placement_id is not None:
            ftdms.setdefault(placement_id, held_at)
        elif kind == FamilyMeeting.Kind.SHARED_PLANNING and child_id is not None:
            shared[(case_id, child_id)].append(meetings.local_day(held_at))
    counted = meetings.counted(placements)
    facts: list[CaseFact] = []
    facts += _shared_planning(
        cases, counted, shared, first_month, min(last_day, yesterday), numbers
    )
    facts += _ftdms(cases, counted, ftdms, (first_month, last_day), yesterday, numbers)
    facts += _court_reports(cases, first_month, min(last_day, yesterday), today)
    return facts


def _shared_planning(
    cases: dict[int, CaseRow],
    counted: list[Placement],
    held: dict[tuple[int, int], list[date]],
    first_month: date,
    until: date,
    rules: meetings.Rules,
) -> list[CaseFact]:
    # Episodes per child and case, as the case page's due rule sees them (one case's
    # placements and meetings): care_episodes joins moves and splits re-entries exactly
    # as casework.meetings.entered_care does.
    pairs: dict[tuple[int, int], int] = {}  # (case, child): a key of its own
    rows = [
        (pairs.setdefault((p.case_id, p.child_id), len(pairs)), p.case_id, p.start_date,
         p.end_date, "")
        for p in counted
    ]  # fmt: skip
    pair_of = {key: pair for pair, key in pairs.items()}
    facts = []
    for episode in care_episodes(rows):
        case_id, child_id = pair_of[episode.child_id]
        case = cases.get(case_id)
        if case is None:
            continue
        for due in shared_planning_due_dates(
            entered_on=episode.entered_on,
            exited_on=episode.exited_on,
            held_days=held.get((case_id, child_id), ()),
            until=until,
            rules=rules,
        ):
            if due.due_on < first_month or _closed_before(case, due.due_on):
                continue
            result = _timeliness(due.held_on, due.due_on)
            if due.after is None:
                what = (
                    f"First shared planning meeting ({rules.shared_planning_first_days} days "
                    f"in care since {meetings.day_text(episode.entered_on)})"
                )
            else:
                what = (
                    f"Shared planning meeting ({rules.shared_planning_interval_months} "
                    f"months after the one of {meetings.day_text(due.after)})"
                )
            facts.append(
                _fact(
                    SHARED_PLANNING,
                    case,
                    month=month_start(due.due_on),
                    due_on=due.due_on,
                    done_on=due.held_on,
                    result=result,
                    met=result == "on_time",
                    what=what,
                    person_id=child_id,
                )
            )
    return facts


def _ftdms(
    cases: dict[int, CaseRow],
    counted: list[Placement],
    held: dict[int, datetime],
    months: tuple[date, date],
    until: date,
    rules: meetings.Rules,
) -> list[CaseFact]:
    """Placements starting within `months` (first and last day) whose deadline fell on
    or before `until`."""
    facts = []
    for placement in counted:
        if not months[0] <= placement.start_date <= months[1]:
            continue
        case = cases.get(placement.case_id)
        deadline = meetings.ftdm_deadline(
            placement.start_date,
            emergency=placement.emergency,
            hours=rules.ftdm_emergency_hours,
        )
        due_on = meetings.last_day_before(deadline)
        # A deadline not yet passed (an emergency placement's hours still running) waits.
        if case is None or due_on > until or _closed_before(case, due_on):
            continue
        held_at = held.get(placement.pk)
        result = _timeliness(held_at, deadline)
        kind = "emergency placement" if placement.emergency else "planned placement"
        facts.append(
            _fact(
                FTDM,
                case,
                month=month_start(placement.start_date),
                due_on=due_on,
                done_on=meetings.local_day(held_at) if held_at else None,
                result=result,
                met=result == "on_time",
                what=f"FTDM for the {kind} of {meetings.day_text(placement.start_date)}",
                person_id=placement.child_id,
            )
        )
    return facts


def _court_reports(
    cases: dict[int, CaseRow], first_month: date, until: date, today: date
) -> list[CaseFact]:
    labels = dict(CourtHearing.Kind.choices)
    facts = []
    for case_id, child_id, kind, scheduled_for, due_on, filed_on in (
        CourtHearing.objects.filter(report_due_on__gte=first_month, report_due_on__lte=until)
        .exclude(status=CourtHearing.Status.CANCELLED)
        .order_by("report_due_on", "pk")
        .values_list(
            "case_id", "child_id", "kind", "scheduled_for", "report_due_on", "report_filed_on"
        )
    ):
        case = cases.get(case_id)
        if case is None or _closed_before(case, due_on):
            continue
        result = outcome(due_on, filed_on, today) or "not_done"
        heard_on = meetings.day_text(meetings.local_day(scheduled_for))
        facts.append(
            _fact(
                COURT_REPORTS,
                case,
                month=month_start(due_on),
                due_on=due_on,
                done_on=filed_on,
                result=result,
                met=result == "on_time",
                what=f"Court report for the hearing of {heard_on} ({labels.get(kind, kind)})",
                person_id=child_id,
            )
        )
    return facts
