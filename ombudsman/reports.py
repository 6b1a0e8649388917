"""Reads for the Ombudsman's reports: a month or a year of inquiries, counted in SQL.

- Volume by source, channel, kind and region: one GROUP BY query each.
- Initial responses within the deadline: one aggregate (met, missed, still waiting,
  the waiting split into overdue and not yet due), the same conditions as the queue's
  SLA filter.
- Median business days from effective receipt to the initial response and to the
  resolution. The database groups the inquiries by (local day of effective receipt,
  local day answered), a few thousand rows even for a year of 100,000 inquiries; the
  business days between two days come from the agency's calendar (holidays and closure
  days), the same count as `ombudsman.deadlines.business_days_taken`, and the median is
  weighted by each pair's count. So it runs the same on Postgres and SQLite.
- Open systemic issues: listed for the Ombudsman's office, counted for the
  Commissioner's office (which reads the aggregate numbers, never the inquiries).

An inquiry belongs to the period in which it was received (local time).
"""

import calendar as month_calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate, TruncMonth

from agency.calendar import TIMEZONE, BusinessCalendar, format_date
from agency.models import Region
from agency.periods import YEAR, Period
from agency.roles import Role
from agency.selectors import business_calendar
from ombudsman import deadlines
from ombudsman.models import Inquiry
from ombudsman.selectors import can_work, sla_filter

TABLES = ("source", "channel", "kind", "region", "sla", "months", "systemic")
SYSTEMIC_LIST_LIMIT = 100


# --- who reads what ------------------------------------------------------------------------


def reportable_inquiries(user: Any) -> QuerySet[Inquiry]:
    """The inquiries the user's report counts: all of them for the Ombudsman's office and
    for the Commissioner's office (who see the totals only, never a single inquiry:
    `shows_details`); none for anyone else."""
    if not user.is_authenticated or not user.is_active:
        return Inquiry.objects.none()
    role = getattr(getattr(user, "staff", None), "role", None)
    if can_work(user) or role == Role.COMMISSIONERS_OFFICE:
        return Inquiry.objects.all()
    return Inquiry.objects.none()


def shows_details(user: Any) -> bool:
    """Whether the report names inquiries (the systemic list): the Ombudsman's office."""
    return can_work(user)


# --- the numbers ---------------------------------------------------------------------------


@dataclass
class Row:
    code: str
    label: str
    count: int
    share: float = 0.0  # of the table's total, 0-100
    bar: float = 0.0  # the chart's bar length, set by the page

    @property
    def percent(self) -> str:
        return f"{self.share:.0f}%"


@dataclass
class Table:
    key: str
    title: str
    dimension: str  # the first column's heading
    rows: list[Row]
    total: int = 0
    summary: str = ""

    @property
    def largest(self) -> int:
        return max((row.count for row in self.rows), default=0)


def _shares(rows: list[Row]) -> int:
    total = sum(row.count for row in rows)
    for row in rows:
        row.share = 100 * row.count / total if total else 0.0
    return total


def _volume_table(
    inquiries: QuerySet[Inquiry],
    key: str,
    field_name: str,
    choices: Iterable[tuple[str, str]],
    title: str,
    dimension: str,
) -> Table:
    counts = dict(
        inquiries.order_by()
        .values_list(field_name)
        .annotate(n=Count("pk"))
        .values_list(field_name, "n")
    )
    rows = [Row(code, str(label), counts.get(code, 0)) for code, label in choices]
    rows.sort(key=lambda row: -row.count)  # stable: ties keep the choices' order
    table = Table(key, title, dimension, rows)
    table.total = _shares(rows)
    table.summary = _volume_summary(table, dimension.lower())
    return table


def _volume_summary(table: Table, noun: str) -> str:
    if not table.total:
        return "No inquiries were received in this period."
    top = table.rows[0]
    return (
        f"{table.total:,} inquir{'y' if table.total == 1 else 'ies'}; the largest {noun} is "
        f"{top.label} with {top.count:,} ({top.percent})."
    )


def _region_table(inquiries: QuerySet[Inquiry]) -> Table:
    counts = dict(
        inquiries.order_by()
        .values_list("region_id")
        .annotate(n=Count("pk"))
        .values_list("region_id", "n")
    )
    rows = [
        Row(region.code, region.name, counts.get(region.pk, 0))
        for region in Region.objects.order_by("code")
    ]
    rows.sort(key=lambda row: -row.count)
    rows.append(Row("", "No region recorded", counts.get(None, 0)))
    table = Table("region", "Inquiries by region", "Region", rows)
    table.total = _shares(rows)
    table.summary = _volume_summary(table, "region")
    return table


SLA_ROWS = (
    (deadlines.MET, "Answered within the deadline"),
    (deadlines.MISSED, "Answered after the deadline"),
    (deadlines.OVERDUE, "Still waiting, overdue"),
    ("waiting", "Still waiting, not yet due"),
)


@dataclass
class Timeliness:
    table: Table
    met: int
    missed: int
    overdue: int
    waiting: int

    @property
    def answered(self) -> int:
        return self.met + self.missed

    @property
    def met_share(self) -> float | None:
        """Share of the initial responses logged that were on time (0-100)."""
        return 100 * self.met / self.answered if self.answered else None


def _timeliness(
    inquiries: QuerySet[Inquiry], *, now: datetime, cal: BusinessCalendar
) -> Timeliness:
    waiting = Q(initial_response_at__isnull=True)
    counts = inquiries.aggregate(
        met=Count("pk", filter=sla_filter(deadlines.MET, now=now, cal=cal)),
        missed=Count("pk", filter=sla_filter(deadlines.MISSED, now=now, cal=cal)),
        overdue=Count("pk", filter=sla_filter(deadlines.OVERDUE, now=now, cal=cal)),
        waiting=Count("pk", filter=waiting & Q(initial_response_due_at__gte=now)),
    )
    rows = [Row(code, label, counts[code]) for code, label in SLA_ROWS]
    table = Table("sla", "Initial responses within the deadline", "Initial response", rows)
    table.total = _shares(rows)
    result = Timeliness(
        table, counts["met"], counts["missed"], counts["overdue"], counts["waiting"]
    )
    if not table.total:
        table.summary = "No inquiries were received in this period."
    elif result.met_share is None:
        table.summary = f"No initial response logged yet; {result.overdue:,} overdue."
    else:
        table.summary = (
            f"{result.met_share:.0f}% of the {result.answered:,} initial responses logged "
            f"were on time ({result.met:,} within the deadline, {result.missed:,} after). "
            f"{result.overdue + result.waiting:,} still waiting, {result.overdue:,} of them "
            "overdue."
        )
    return result


# --- medians -------------------------------------------------------------------------------


class BusinessDayCounter:
    """Business days d with start < d <= end (`business_days_taken`), for many pairs of
    local days: a running count of business days over the span, built once."""

    def __init__(self, cal: BusinessCalendar, first: date, last: date):
        self.first = first
        self.cumulative: list[int] = []
        running = 0
        day = first
        while day <= last:
            running += cal.is_business_day(day)
            self.cumulative.append(running)
            day += timedelta(days=1)

    def between(self, start: date, end: date) -> int:
        if end <= start:
            return 0
        return self.cumulative[(end - self.first).days] - self.cumulative[(start - self.first).days]


def weighted_median(pairs: Iterable[tuple[int, int]]) -> float | None:
    """The median of values given as (value, how many times)."""
    ordered = sorted((value, n) for value, n in pairs if n)
    total = sum(n for _, n in ordered)
    if not total:
        return None
    # The middle one (odd total) or the mean of the two middle ones (even total).
    wanted = [(total - 1) // 2, total // 2]
    found, seen = [], 0
    for value, n in ordered:
        while wanted and wanted[0] < seen + n:
            found.append(value)
            wanted.pop(0)
        seen += n
    return sum(found) / len(found)


@dataclass
class Median:
    label: str
    days: float | None
    count: int
    summary: str = ""

    @property
    def number(self) -> str:
        return "—" if self.days is None else f"{self.days:g}"

    @property
    def unit(self) -> str:
        return "business day" if self.days == 1 else "business days"

    @property
    def display(self) -> str:
        return "—" if self.days is None else f"{self.number} {self.unit}"


def _median_days(
    inquiries: QuerySet[Inquiry], end_field: str, label: str, cal: BusinessCalendar
) -> Median:
    pairs = list(
        inquiries.filter(**{f"{end_field}__isnull": False})
        .order_by()
        .annotate(
            start_day=TruncDate("effective_received_at", tzinfo=TIMEZONE),
            end_day=TruncDate(end_field, tzinfo=TIMEZONE),
        )
        .values_list("start_day", "end_day")
        .annotate(n=Count("pk"))
        .values_list("start_day", "end_day", "n")
    )
    count = sum(n for _, _, n in pairs)
    if not pairs:
        return Median(label, None, 0, "None yet in this period.")
    first = min(start for start, _, _ in pairs)
    last = max(max(start, end) for start, end, _ in pairs)
    counter = BusinessDayCounter(cal, first, last)
    median = weighted_median((counter.between(start, end), n) for start, end, n in pairs)
    return Median(label, median, count, f"Over {count:,} inquir{'y' if count == 1 else 'ies'}.")


# --- by month (year reports) ---------------------------------------------------------------


@dataclass
class MonthRow:
    month: date
    received: int
    met: int
    missed: int
    waiting: int

    @property
    def label(self) -> str:
        return f"{month_calendar.month_name[self.month.month]} {self.month.year}"

    @property
    def met_percent(self) -> str:
        """On time, of the initial responses logged ("" when none)."""
        answered = self.met + self.missed
        return f"{100 * self.met / answered:.0f}" if answered else ""


def _by_month(inquiries: QuerySet[Inquiry], period: Period, *, now, cal) -> list[MonthRow]:
    found = {
        (row["month"].date() if isinstance(row["month"], datetime) else row["month"]): row
        for row in inquiries.order_by()
        .annotate(month=TruncMonth("received_at", tzinfo=TIMEZONE))
        .values("month")
        .annotate(
            received=Count("pk"),
            met=Count("pk", filter=sla_filter(deadlines.MET, now=now, cal=cal)),
            missed=Count("pk", filter=sla_filter(deadlines.MISSED, now=now, cal=cal)),
            waiting=Count("pk", filter=Q(initial_response_at__isnull=True)),
        )
    }
    rows = []
    for month in range(1, 13):
        first = date(period.first.year, month, 1)
        row = found.get(first, {})
        rows.append(
            MonthRow(
                first,
                row.get("received", 0),
                row.get("met", 0),
                row.get("missed", 0),
                row.get("waiting", 0),
            )
        )
    return rows


# --- the whole report ----------------------------------------------------------------------


@dataclass
class Report:
    period: Period
    total: int
    volume: list[Table]
    timeliness: Timeliness
    to_response: Median
    to_resolution: Median
    months: list[MonthRow] = field(default_factory=list)
    systemic: list[Inquiry] = field(default_factory=list)
    systemic_count: int = 0
    shows_details: bool = False

    def table(self, key: str) -> Table:
        return next(table for table in self.volume if table.key == key)


def systemic_open(inquiries: QuerySet[Inquiry]) -> QuerySet[Inquiry]:
    """Open systemic issues, whenever received, oldest first."""
    return (
        inquiries.filter(scope=Inquiry.Scope.SYSTEMIC, status__in=Inquiry.OPEN_STATUSES)
        .select_related("region", "assignee")
        .order_by("received_at", "pk")
    )


def report(user: Any, period: Period, *, now: datetime) -> Report:
    """The report for `period` as `user` may read it (a fixed number of queries)."""
    cal = business_calendar()
    everything = reportable_inquiries(user)
    received = everything.filter(received_at__gte=period.start, received_at__lt=period.end)
    volume = [
        _volume_table(
            received, "source", "source_type", Inquiry.SourceType.choices,
            "Inquiries by source", "Source",
        ),
        _volume_table(
            received, "channel", "channel", Inquiry.Channel.choices,
            "Inquiries by channel", "Channel",
        ),
        _volume_table(
            received, "kind", "kind", Inquiry.Kind.choices, "Inquiries by kind", "Kind",
        ),
        _region_table(received),
    ]  # fmt: skip
    timeliness = _timeliness(received, now=now, cal=cal)
    result = Report(
        period=period,
        total=timeliness.table.total,
        volume=volume,
        timeliness=timeliness,
        to_response=_median_days(
            received, "initial_response_at", "Effective receipt to initial response", cal
        ),
        to_resolution=_median_days(received, "resolved_at", "Effective receipt to resolution", cal),
        shows_details=shows_details(user),
    )
    if period.kind == YEAR:
        result.months = _by_month(received, period, now=now, cal=cal)
    systemic = systemic_open(everything)
    if result.shows_details:
        result.systemic = list(systemic[: SYSTEMIC_LIST_LIMIT + 1])
        result.systemic_count = (
            len(result.systemic)
            if len(result.systemic) <= SYSTEMIC_LIST_LIMIT
            else systemic.count()
        )
        result.systemic = result.systemic[:SYSTEMIC_LIST_LIMIT]
    else:
        result.systemic_count = systemic.count()
    return result


def period_description(period: Period) -> str:
    return f"Inquiries received {format_date(period.first)} to {format_date(period.last)}"
