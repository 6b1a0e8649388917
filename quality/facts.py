"""The key-indicator facts: member-months and tallies, recomputed from casework records.

The dashboards never read visits, placements or contacts on a request: they add up
`Tally` rows, and drill down to `MemberMonth` rows. Celery keeps both current
(quality/tasks.py): the current and previous month every few minutes, the whole window
(QualityRules.facts_months) every night. `manage.py refresh_indicators` does the same by
hand. Each month is replaced in one transaction, so a dashboard never shows half a month.

A month is computed in a fixed number of queries (cases, members, visits, placements,
initial contacts), whatever its size, and its supervisory reviews in two more; the case
facts (quality/case_facts.py, quality/practice_facts.py) of the whole range in a few
more; the rows are written in bulk.

Limits: membership is taken as it stands (casework keeps no membership dates), and each
case counts for its current unit and primary worker.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from agency import clock
from casework.models import (
    Case,
    CaseMember,
    IffContact,
    IffExtension,
    Placement,
    Visit,
    VisitParticipant,
)
from quality.case_facts import case_facts, case_rows
from quality.indicators import (
    COUNTED_APART,
    VISIT_ROLES,
    add_months,
    fiscal_year_start,
    month_start,
)
from quality.models import CaseFact, FactRefresh, MemberMonth, QualityRules, Tally
from quality.practice_facts import practice_facts, supervisory_review_facts
from quality.selectors import rules

BATCH = 5000


def facts_refresh(*, first_month: date, last_month: date) -> FactRefresh:
    """Recompute every month from `first_month` to `last_month` (inclusive), then the
    fiscal-year measures of every fiscal year those months touch."""
    run = FactRefresh.objects.create(
        first_month=month_start(first_month), last_month=month_start(last_month)
    )
    events: dict[date, list[CaseFact]] = defaultdict(list)
    months = {"first_month": run.first_month, "last_month": run.last_month}
    today = clock.today()
    for fact in [*case_facts(**months, today=today), *practice_facts(**months, today=today)]:
        events[fact.month].append(fact)
    month = run.first_month
    years: set[date] = set()
    while month <= run.last_month:
        rows, tallies = _refresh_month(month, events[month])
        run.member_months += rows
        run.tallies += tallies
        years.add(fiscal_year_start(month))
        month = add_months(month, 1)
    for year in sorted(years):
        run.tallies += _refresh_fiscal_year(year)
    run.finished_at = clock.now()
    run.save(update_fields=["member_months", "tallies", "finished_at"])
    return run


def facts_refresh_recent(*, months: int = 2) -> FactRefresh:
    """The current month and the `months - 1` before it (the frequent Celery job)."""
    this_month = month_start(clock.today())
    return facts_refresh(first_month=add_months(this_month, 1 - months), last_month=this_month)


def facts_refresh_window() -> FactRefresh:
    """Every month the dashboards offer (QualityRules.facts_months; the nightly job)."""
    return facts_refresh_recent(months=rules().facts_months)


def last_refreshed() -> datetime | None:
    """When the latest refresh finished (the dashboard says it)."""
    run = FactRefresh.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()
    return run.finished_at if run else None


def _one_refresh_at_a_time() -> None:
    """Two refreshes (the frequent job and the nightly one, or a command) replace months
    one after the other: the rules row is the lock, held until the transaction ends."""
    rules()
    QualityRules.objects.select_for_update().get(pk=1)


# --- One month -------------------------------------------------------------------------


def _bounds(month: date) -> tuple[date, date, datetime, datetime]:
    last_day = add_months(month, 1) - timedelta(days=1)
    start = timezone.make_aware(datetime.combine(month, time.min))
    end = timezone.make_aware(datetime.combine(add_months(month, 1), time.min))
    return month, last_day, start, end


def _refresh_month(month: date, events: list[CaseFact]) -> tuple[int, int]:
    rows = member_months(month)
    events = [*events, *supervisory_review_facts(month)]
    tallies = [*_visit_tallies(month, rows), *_iff_tallies(month), *_event_tallies(month, events)]
    with transaction.atomic():
        _one_refresh_at_a_time()
        MemberMonth.objects.filter(month=month).delete()
        MemberMonth.objects.bulk_create(rows, batch_size=BATCH)
        CaseFact.objects.filter(month=month).delete()
        CaseFact.objects.bulk_create(events, batch_size=BATCH)
        Tally.objects.filter(period=Tally.Period.MONTH, starts_on=month).delete()
        Tally.objects.bulk_create(tallies, batch_size=BATCH)
    return len(rows), len(tallies)


def member_months(month: date) -> list[MemberMonth]:
    """Every active child, mother and father on a case open at some time in `month`,
    with how often they were seen and where: five queries."""
    first_day, last_day, start, end = _bounds(month)
    cases = case_rows(
        Case.objects.filter(opened_on__lte=last_day).filter(
            Q(closed_on__isnull=True) | Q(closed_on__gte=first_day)
        )
    )
    if not cases:
        return []
    in_month = Q(case__opened_on__lte=last_day) & (
        Q(case__closed_on__isnull=True) | Q(case__closed_on__gte=first_day)
    )
    members = CaseMember.objects.filter(in_month, active=True, role__in=MemberMonth.ROLES).values(
        "case_id", "person_id", "role", "person__whereabouts_unknown"
    )
    seen: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    for case_id, person_id, private, location in VisitParticipant.objects.filter(
        seen=True,
        visit__status=Visit.Status.COMPLETED,
        visit__entered_in_error=False,
        visit__occurred_at__gte=start,
        visit__occurred_at__lt=end,
    ).values_list("visit__case_id", "person_id", "seen_privately", "visit__location"):
        counts = seen[(case_id, person_id)]
        counts[0] += 1
        counts[1] += location in Visit.RESIDENCE_LOCATIONS
        counts[2] |= private
    in_care = _in_care_whole_month(first_day, last_day)

    rows = []
    for member in members:
        case = cases[member["case_id"]]
        key = (member["case_id"], member["person_id"])
        visits, in_residence, private = seen.get(key, (0, 0, 0))
        rows.append(
            MemberMonth(
                month=month,
                case_id=case.pk,
                person_id=member["person_id"],
                role=member["role"],
                region_id=case.region_id,
                work_location_id=case.work_location_id,
                unit_id=case.unit_id,
                worker_id=case.worker_id,
                open_whole_month=case.open_all_of(first_day, last_day),
                in_care_whole_month=member["role"] == CaseMember.Role.CHILD and key in in_care,
                whereabouts_unknown=member["person__whereabouts_unknown"],
                visits=visits,
                visits_in_residence=in_residence,
                seen_privately=bool(private),
            )
        )
    return rows


def _in_care_whole_month(first_day: date, last_day: date) -> set[tuple[int, int]]:
    """(case, child) pairs placed out of home on every day of the month: their
    placements (trial home visits are not out of home) together cover it."""
    spans: dict[tuple[int, int], list[tuple[date, date]]] = defaultdict(list)
    for case_id, child_id, starts, ends in (
        Placement.objects.filter(entered_in_error=False, start_date__lte=last_day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first_day))
        .exclude(setting=Placement.Setting.TRIAL_HOME_VISIT)
        .values_list("case_id", "child_id", "start_date", "end_date")
    ):
        spans[(case_id, child_id)].append((starts, ends or last_day))
    return {key for key, own in spans.items() if covers(own, first_day, last_day)}


def covers(spans: Iterable[tuple[date, date]], first_day: date, last_day: date) -> bool:
    """Whether the day ranges (inclusive) together cover every day first_day..last_day.
    A placement ending on a day and the next starting the next day leave no gap."""
    reached = first_day - timedelta(days=1)  # covered up to and including this day
    for starts, ends in sorted(spans):
        if starts > reached + timedelta(days=1):
            break
        reached = max(reached, ends)
        if reached >= last_day:
            return True
    return reached >= last_day


# --- Tallies ---------------------------------------------------------------------------


@dataclass
class _Sum:
    numerator: int = 0
    denominator: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n


Place = tuple[Any, int, int, int]  # region, work location, unit, worker


def _place(row: Any) -> Place:
    return (row.region_id, row.work_location_id, row.unit_id, row.worker_id)


def _tallies(sums: dict[tuple[str, Place], _Sum], *, period: str, starts_on: date) -> list[Tally]:
    return [
        Tally(
            indicator=indicator,
            period=period,
            starts_on=starts_on,
            region_id=place[0],
            work_location_id=place[1],
            unit_id=place[2],
            worker_id=place[3],
            numerator=total.numerator,
            denominator=total.denominator,
            counts=total.counts,
        )
        for (indicator, place), total in sums.items()
    ]


def _visit_tallies(month: date, rows: list[MemberMonth]) -> list[Tally]:
    indicator_of = {role: code for code, role in VISIT_ROLES.items()}
    sums: dict[tuple[str, Place], _Sum] = defaultdict(_Sum)
    for row in rows:
        if not row.open_whole_month:
            continue
        total = sums[(indicator_of[row.role], _place(row))]
        if row.role != CaseMember.Role.CHILD and row.whereabouts_unknown:
            total.add("whereabouts_unknown")
            continue
        total.denominator += 1
        if row.visits:
            total.numerator += 1
            if row.seen_privately:
                total.add("private")
    return _tallies(sums, period=Tally.Period.MONTH, starts_on=month)


def iff_outcome(contact: dict, now: datetime) -> str | None:
    """How an initial contact that fell due counts: on_time, extension (seen late with
    an approved extension), late, not_seen; None when not yet due."""
    if contact["seen_at"] is not None:
        if contact["seen_at"] <= contact["due_at"]:
            return "on_time"
        return "extension" if contact["extended"] else "late"
    if contact["due_at"] > now:
        return None
    return "not_seen"


def _iff_tallies(month: date) -> list[Tally]:
    _, _, start, end = _bounds(month)
    approved = IffExtension.objects.filter(iff=OuterRef("pk"), status=IffExtension.Status.APPROVED)
    contacts = (
        IffContact.objects.filter(due_at__gte=start, due_at__lt=end)
        .annotate(extended=Exists(approved))
        .values(
            "due_at",
            "seen_at",
            "extended",
            region_id=F("intake__case__unit__work_location__region_id"),
            work_location_id=F("intake__case__unit__work_location_id"),
            unit_id=F("intake__case__unit_id"),
            worker_id=F("intake__case__primary_worker_id"),
        )
    )
    now = clock.now()
    sums: dict[tuple[str, Place], _Sum] = defaultdict(_Sum)
    for contact in contacts:
        outcome = iff_outcome(contact, now)
        if outcome is None:
            continue
        place = (
            contact["region_id"],
            contact["work_location_id"],
            contact["unit_id"],
            contact["worker_id"],
        )
        total = sums[("iff_timeliness", place)]
        total.denominator += 1
        total.numerator += outcome in ("on_time", "extension")
        total.add(outcome)
    return _tallies(sums, period=Tally.Period.MONTH, starts_on=month)


def _event_tallies(month: date, events: list[CaseFact]) -> list[Tally]:
    sums: dict[tuple[str, Place], _Sum] = defaultdict(_Sum)
    for fact in events:
        total = sums[(fact.indicator, _place(fact))]
        total.add(fact.outcome)
        if fact.outcome in COUNTED_APART:
            continue
        total.denominator += 1
        total.numerator += fact.met
    return _tallies(sums, period=Tally.Period.MONTH, starts_on=month)


def _refresh_fiscal_year(year: date) -> int:
    """The federal caseworker-visit measure over the fiscal year starting `year` (1
    October), from the member-months of its full months in care that are over."""
    # Only months already over count: a month still under way is not yet a full month.
    this_month = month_start(clock.today())
    months = [add_months(year, n) for n in range(12) if add_months(year, n) < this_month]
    in_care = (
        MemberMonth.objects.filter(
            month__in=months, role=CaseMember.Role.CHILD, in_care_whole_month=True
        )
        .only(
            "month",
            "person_id",
            "visits",
            "visits_in_residence",
            "region_id",
            "work_location_id",
            "unit_id",
            "worker_id",
        )
        .order_by("person_id", "month")
    )
    children: dict[int, list[MemberMonth]] = defaultdict(list)
    sums: dict[tuple[str, Place], _Sum] = defaultdict(_Sum)
    for row in in_care.iterator(chunk_size=BATCH):
        children[row.person_id].append(row)
        residence = sums[("federal_residence", _place(row))]
        residence.numerator += row.visits_in_residence
        residence.denominator += row.visits
    for own in children.values():
        # A child counts once, for the unit and worker of their latest month in care.
        total = sums[("federal_visits", _place(own[-1]))]
        total.denominator += 1
        total.numerator += all(row.visits for row in own)
    tallies = _tallies(sums, period=Tally.Period.FISCAL_YEAR, starts_on=year)
    with transaction.atomic():
        _one_refresh_at_a_time()
        Tally.objects.filter(period=Tally.Period.FISCAL_YEAR, starts_on=year).delete()
        Tally.objects.bulk_create(tallies, batch_size=BATCH)
    return len(tallies)
