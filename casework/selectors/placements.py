"""Reads for placements: days in care, the 15-of-22-months rule, the kin home-study
flag, the placements part of the case page, and the flags on a page of the caseload.

Definitions (tested in tests/casework/test_placement_services.py):

- A placement covers every calendar day from its start date to its end date, both
  included (to `on` while it is open). Days covered by two placements (a change of
  placement on the same day) count once.
- Days *in care* count placements that are not entered in error and are not trial home
  visits: federal rule 45 CFR 1356.21(i)(1)(iii) leaves trial home visits (and runaway
  episodes) out of the 15 months. Exits and re-entries add up (the cumulative method).
  The count starts at the placement, not at the later of the removal and the first
  court finding: a simplification that can only flag a child sooner.
- "The last 22 months" ending on a day D are the days after the same day of the month
  22 calendar months earlier, up to and including D (from 24 Jan 2025 to 23 Nov 2026
  for 23 Nov 2026). The same day is clamped to the month's end (31 Dec -> 28 Feb).
- "15 months" is 15 x 30.44 days (the average month) = 456.6, rounded to 457 days.
- A child *meets the rule* on a day when their days in care within the 22 months ending
  that day reach 457. They are flagged until a permanency decision (petition filed or
  compelling reason) is recorded with a date on or after the first day of their current
  run of meeting the rule.
- An unlicensed kin placement still open with no home-study referral is *overdue* once
  more than `kin_home_study_days` (casework rules, 30 by default) have passed since it
  started: on day 31 of a placement that started on day 0, not on day 30.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet

from agency.permissions import access_object
from casework.models import Case, CaseMember, PermanencyDecision, Person, Placement
from casework.selectors import rules, visible_cases

WINDOW_MONTHS = 22
THRESHOLD_MONTHS = 15
AVERAGE_MONTH_DAYS = 30.44
THRESHOLD_DAYS = round(THRESHOLD_MONTHS * AVERAGE_MONTH_DAYS)  # 457

# Settings that count as days in out-of-home care for the 15-of-22 rule.
COUNTED_SETTINGS = frozenset(Placement.Setting.values) - {Placement.Setting.TRIAL_HOME_VISIT}


# --- pure arithmetic ---------------------------------------------------------------------------


def months_before(day: date, months: int) -> date:
    """The same day of the month `months` calendar months before `day`, clamped to the
    end of a shorter month (31 Dec 2026, 10 months before: 28 Feb 2026)."""
    years, month0 = divmod(day.month - 1 - months, 12)
    year, month = day.year + years, month0 + 1
    next_month = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(day.day, (next_month - timedelta(days=1)).day))


def window_days(on: date, months: int = WINDOW_MONTHS) -> int:
    """How many days "the last `months` months" ending on `on` has (see the module)."""
    return (on - months_before(on, months)).days


def _counted(placements: Iterable[Placement]) -> list[Placement]:
    return [p for p in placements if not p.entered_in_error and p.setting in COUNTED_SETTINGS]


def days_in_care(placements: Iterable[Placement], *, on: date, window_days: int) -> int:
    """Days covered by `placements` (entered in error and trial home visits left out)
    within the `window_days` days ending on `on` (`on` included); overlaps count once.
    Pure: pass one child's placements."""
    first = on - timedelta(days=window_days - 1)
    spans = sorted(
        (max(p.start_date, first), min(p.end_date or on, on)) for p in _counted(placements)
    )
    total, reached = 0, first - timedelta(days=1)  # the last day already counted
    for start, end in spans:
        start = max(start, reached + timedelta(days=1))
        if end >= start:
            total += (end - start).days + 1
            reached = end
    return total


def in_care_15_of_22(child: Person | int, placements: Iterable[Placement], *, today: date) -> bool:
    """Whether `child` has been in care at least 457 days (15 x 30.44) of the last 22
    calendar months ending `today` (see the module for the exact definitions). Only
    the child's own placements among `placements` count."""
    child_id = child if isinstance(child, int) else child.pk
    own = [p for p in placements if p.child_id == child_id]
    return days_in_care(own, on=today, window_days=window_days(today)) >= THRESHOLD_DAYS


def met_15_of_22_since(placements: Sequence[Placement], *, today: date) -> date | None:
    """For one child's placements: the first day of the current run of days on which
    the child met the rule, through `today`; None when they do not meet it today."""
    counted = _counted(placements)
    if not counted:
        return None
    if days_in_care(counted, on=today, window_days=window_days(today)) < THRESHOLD_DAYS:
        return None
    # Prefix sums of days in care from the earliest start: each day's count is then one
    # subtraction, whatever the length of the history.
    origin = min(p.start_date for p in counted)
    length = (today - origin).days + 1
    covered = [0] * length
    for p in counted:
        last = min(p.end_date or today, today)
        for n in range((p.start_date - origin).days, (last - origin).days + 1):
            covered[n] = 1
    prefix = [0] * (length + 1)
    for n, flag in enumerate(covered):
        prefix[n + 1] = prefix[n] + flag

    def count(day: date) -> int:
        end = (day - origin).days + 1
        start = max(0, (months_before(day, WINDOW_MONTHS) - origin).days + 1)
        return prefix[end] - prefix[start] if end > start else 0

    since = today
    while since > origin and count(since - timedelta(days=1)) >= THRESHOLD_DAYS:
        since -= timedelta(days=1)
    return since


# --- flags -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    """Something to act on, in words; `css_class` only repeats it in colour."""

    kind: str  # "home_study_overdue", "home_study_due", "fifteen_of_22"
    text: str
    child: Person
    placement: Placement | None = None
    days: int | None = None

    @property
    def overdue(self) -> bool:
        return self.kind != "home_study_due"

    @property
    def css_class(self) -> str:
        return "hearth-overdue" if self.overdue else "hearth-due-soon"


def home_study_flag(placement: Placement, *, today: date, due_days: int) -> Flag | None:
    """The home-study flag of one placement: overdue, due (still within `due_days`),
    or None (not unlicensed kin, ended, entered in error, or referred)."""
    if (
        placement.setting != Placement.Setting.KIN_UNLICENSED
        or placement.entered_in_error
        or placement.end_date is not None
        or placement.home_study_referred_on is not None
        or placement.start_date > today
    ):
        return None
    days = (today - placement.start_date).days
    name = placement.child.first_name
    if days > due_days:
        return Flag(
            "home_study_overdue",
            f"Home-study referral overdue for {name} ({days} days in kin care)",
            placement.child,
            placement,
            days,
        )
    due = placement.start_date + timedelta(days=due_days)
    left = due_days - days
    return Flag(
        "home_study_due",
        f"Home-study referral for {name} due by {due.day} {due:%b %Y} "
        f"({left} day{'s' if left != 1 else ''} left)",
        placement.child,
        placement,
        days,
    )


def fifteen_of_22_flag(
    child: Person,
    placements: Sequence[Placement],
    decisions: Iterable[PermanencyDecision],
    *,
    today: date,
) -> Flag | None:
    """The 15-of-22 flag of one child (their placements and permanency decisions), or
    None when the child does not meet the rule or a decision followed."""
    since = met_15_of_22_since(placements, today=today)
    if since is None or any(d.decided_on >= since for d in decisions):
        return None
    return Flag(
        "fifteen_of_22",
        f"{child.first_name}: 15 of 22 months in care — petition or compelling reason needed",
        child,
        days=days_in_care(placements, on=today, window_days=window_days(today)),
    )


def _flags_for_case(
    placements: list[Placement],
    decisions: list[PermanencyDecision],
    *,
    today: date,
    due_days: int,
    due_soon: bool,
) -> list[Flag]:
    """Every flag of one case, children in the order of their first placement."""
    by_child: dict[int, list[Placement]] = defaultdict(list)
    for p in sorted(placements, key=lambda p: (p.start_date, p.pk)):
        by_child[p.child_id].append(p)
    decisions_by_child: dict[int, list[PermanencyDecision]] = defaultdict(list)
    for d in decisions:
        decisions_by_child[d.child_id].append(d)
    flags: list[Flag] = []
    for child_id, own in by_child.items():
        for p in own:
            flag = home_study_flag(p, today=today, due_days=due_days)
            if flag and (flag.overdue or due_soon):
                flags.append(flag)
        flag = fifteen_of_22_flag(own[0].child, own, decisions_by_child[child_id], today=today)
        if flag:
            flags.append(flag)
    return flags


# --- the gatekeeper and one placement -------------------------------------------------------


def visible_placements(user: Any) -> QuerySet[Placement]:
    """Placements on the cases the user may see (the gatekeeper for placements)."""
    return Placement.objects.filter(case__in=visible_cases(user).values("pk"))


def visible_permanency_decisions(user: Any) -> QuerySet[PermanencyDecision]:
    """Permanency decisions on the cases the user may see."""
    return PermanencyDecision.objects.filter(case__in=visible_cases(user).values("pk"))


def placement_for_page(user: Any, pk: Any) -> Placement:
    """One placement the user may see, with its case and child; 404 otherwise."""
    return access_object(visible_placements(user).select_related("case", "child"), pk)


def case_children(case: Case) -> list[CaseMember]:
    """The active children of a case with their person, oldest first."""
    members = CaseMember.objects.filter(
        case=case, active=True, role=CaseMember.Role.CHILD
    ).select_related("person")
    return sorted(
        members,
        key=lambda m: (m.person.date_of_birth or date.max, m.person.last_name, m.pk),
    )


def open_placements(case: Case) -> dict[int, Placement]:
    """Each child's open placement on the case (not entered in error), by person id."""
    return {
        p.child_id: p
        for p in Placement.objects.filter(case=case, end_date__isnull=True, entered_in_error=False)
    }


# --- the case page -----------------------------------------------------------------------------


@dataclass
class ChildInCare:
    """One child's placements on a case, for the case page."""

    child: Person
    current: Placement | None
    past: list[Placement]
    days_in_current: int | None
    days_in_care_22: int
    flags: list[Flag] = field(default_factory=list)
    decisions: list[PermanencyDecision] = field(default_factory=list)


def case_placements_context(case: Case, *, today: date) -> dict[str, Any]:
    """What the case page shows about placements, under keys prefixed "placements_":
    `placements_children` (a ChildInCare per child with a placement on the case, in
    the order of their first placement: current and past placements, days, flags,
    decisions), `placements_flags` (every flag, in words), `placements_decisions` (every
    permanency decision, latest first), `placements_home_study_days` (the rule) and
    `placements_threshold_days`. Three queries whatever the size of the case."""
    placements = list(
        Placement.objects.filter(case=case).select_related("child").order_by("start_date", "pk")
    )
    decisions = list(
        PermanencyDecision.objects.filter(case=case)
        .select_related("child", "recorded_by")
        .order_by("-decided_on", "-pk")
    )
    due_days = rules().kin_home_study_days
    flags = _flags_for_case(placements, decisions, today=today, due_days=due_days, due_soon=True)

    by_child: dict[int, list[Placement]] = defaultdict(list)
    for p in placements:
        by_child[p.child_id].append(p)
    children = []
    for child_id, own in by_child.items():
        current = next(
            (
                p
                for p in reversed(own)
                if p.end_date is None and not p.entered_in_error and p.start_date <= today
            ),
            None,
        )
        children.append(
            ChildInCare(
                child=own[0].child,
                current=current,
                past=[p for p in reversed(own) if p is not current],
                days_in_current=(today - current.start_date).days if current else None,
                days_in_care_22=days_in_care(own, on=today, window_days=window_days(today)),
                flags=[f for f in flags if f.child.pk == child_id],
                decisions=[d for d in decisions if d.child_id == child_id],
            )
        )
    return {
        "placements_children": children,
        "placements_flags": flags,
        "placements_decisions": decisions,
        "placements_home_study_days": due_days,
        "placements_threshold_days": THRESHOLD_DAYS,
    }


# --- the caseload ------------------------------------------------------------------------------


def placement_flags(cases: QuerySet[Case] | Iterable[Case], *, today: date) -> dict[int, list[str]]:
    """For each open case among `cases`, what needs doing about its placements, in
    words: "Home-study referral overdue for Leo (34 days in kin care)", "Leo: 15 of 22
    months in care — petition or compelling reason needed". A case with nothing to do is
    absent: use `result.get(case.pk, [])`.

    `cases` is a queryset (used as a subquery) or a page of one (`page.object_list`, a
    sliced queryset, or a list: the cases are read once, the page reuses them). Three
    queries more whatever the number of cases: placements, decisions, the rules."""
    if isinstance(cases, QuerySet) and not cases.query.is_sliced:
        open_cases: Any = cases.filter(status=Case.Status.OPEN).values("pk")
    else:
        open_cases = [case.pk for case in cases if case.status == Case.Status.OPEN]
        if not open_cases:
            return {}
    placements: dict[int, list[Placement]] = defaultdict(list)
    for p in (
        Placement.objects.filter(case__in=open_cases)
        .select_related("child")
        .order_by("start_date", "pk")
    ):
        placements[p.case_id].append(p)
    if not placements:
        return {}
    decisions: dict[int, list[PermanencyDecision]] = defaultdict(list)
    for d in PermanencyDecision.objects.filter(case__in=list(placements)):
        decisions[d.case_id].append(d)
    due_days = rules().kin_home_study_days
    result: dict[int, list[str]] = {}
    for case_id, own in placements.items():
        flags = _flags_for_case(
            own, decisions[case_id], today=today, due_days=due_days, due_soon=False
        )
        if flags:
            result[case_id] = [flag.text for flag in flags]
    return result
