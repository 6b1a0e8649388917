"""Reads for the ORE data-request catalog and its reports: ORE staff only
(`quality.work_datarequest`; superusers too).

The catalog lists every request ever received, newest first, with its deliverables. The
search runs on `DataRequest.search_document`, a lower-cased text of the reference, the
catalog number, the title, purpose, questions, data elements, population, organisation,
requester, delivery note and deliverable file names that quality.services.data_requests
keeps current; every word searched for must appear in it (a LIKE '%word%' each, served by
the trigram index on Postgres). A page is three queries whatever the size of the catalog:
the count, the page's rows, and their deliverables.

The reports cover one calendar year, in Eastern time:
- requests received each month by category: one GROUP BY (month, category);
- median business days to delivery, overall and by category, of the requests delivered
  in the year: one GROUP BY (category, business days) and the median in Python (the
  same on Postgres and SQLite). The business days are `business_days_to_delivery`, which
  the services set at delivery: business days from receipt to delivery, less the
  business days spent waiting for a project scope;
- delivered by the date needed: of the requests delivered in the year that gave a date
  needed, how many were delivered on or before it (the local day of delivery): one
  GROUP BY category with a conditional count.
"""

import calendar as month_calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, F, Min, Prefetch, Q, QuerySet
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from agency.calendar import TIMEZONE
from agency.periods import Period, year_period
from quality.models import DataRequest, DataRequestFile
from quality.selectors.data_requests import is_ore_staff

# The most words a search looks for (each is one more LIKE on the search document).
MAX_SEARCH_WORDS = 8
# The column of the monthly table for requests ORE has not cataloged yet.
NOT_CATALOGED = ("", "Not yet cataloged")

# What a catalog row (page, CSV, API) shows; the long texts stay in the database.
ROW_FIELDS = (
    "reference",
    "catalog_number",
    "title",
    "requester_name",
    "organization",
    "category",
    "status",
    "received_at",
    "date_needed",
    "delivered_at",
    "business_days_to_delivery",
    "delivery_link",
)


def can_use_catalog(user: Any) -> bool:
    """ORE staff (and superusers) search the catalog and read the reports: the same
    check as the request pages' (`quality.work_datarequest`)."""
    return is_ore_staff(user)


# --- the catalog -----------------------------------------------------------------------------


def search_words(query: str) -> list[str]:
    """The words of a search, lower-cased like the search document, each once."""
    return list(dict.fromkeys(query.strip().lower().split()))[:MAX_SEARCH_WORDS]


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    return (
        datetime.combine(date(year, 1, 1), time.min, tzinfo=TIMEZONE),
        datetime.combine(date(year + 1, 1, 1), time.min, tzinfo=TIMEZONE),
    )


def catalog_requests(
    user: Any,
    *,
    query: str = "",
    category: str = "",
    status: str = "",
    organization: str = "",
    year: int | None = None,
) -> QuerySet[DataRequest]:
    """Every request ORE received, newest first, filtered; each with its deliverable
    files in `deliverables` (one query for the page). `year` is the year received
    (Eastern time); `organization` the requester's organisation exactly as recorded."""
    if not can_use_catalog(user):
        return DataRequest.objects.none()
    requests = DataRequest.objects.all()
    for word in search_words(query):
        requests = requests.filter(search_document__contains=word)
    if category:
        requests = requests.filter(category=category)
    if status:
        requests = requests.filter(status=status)
    if organization:
        requests = requests.filter(organization=organization)
    if year:
        start, end = _year_bounds(year)
        requests = requests.filter(received_at__gte=start, received_at__lt=end)
    deliverables = (
        DataRequestFile.objects.filter(kind=DataRequestFile.Kind.DELIVERABLE)
        .only("pk", "request_id", "name", "size", "uploaded_at")
        .order_by("uploaded_at", "pk")
    )
    return (
        requests.only(*ROW_FIELDS)
        .prefetch_related(Prefetch("files", queryset=deliverables, to_attr="deliverables"))
        .order_by("-received_at", "-pk")
    )


def catalog_organizations() -> list[str]:
    """The requester organisations that occur in the catalog, A to Z (one query)."""
    return list(
        DataRequest.objects.order_by("organization")
        .values_list("organization", flat=True)
        .distinct()
    )


def catalog_years(today: date) -> list[int]:
    """The years from this one back to the first request received (one query)."""
    first = DataRequest.objects.aggregate(first=Min("received_at"))["first"]
    first_year = timezone.localtime(first, TIMEZONE).year if first else today.year
    return list(range(today.year, min(first_year, today.year) - 1, -1))


# --- the reports -----------------------------------------------------------------------------


def report_year(params: Any, today: date) -> tuple[Period, str]:
    """The calendar year asked for (?year=2026), this year by default; with an error
    message (and this year) when it cannot be read."""
    text = (params.get("year") or "").strip()
    if not text:
        return year_period(today.year), ""
    try:
        year = int(text)
    except ValueError:
        year = 0
    if 2000 <= year <= today.year:
        return year_period(year), ""
    return (
        year_period(today.year),
        f"That year could not be read; {today.year} is shown. Choose a year from 2000 to "
        f"{today.year}.",
    )


def weighted_median(pairs: Iterable[tuple[int, int]]) -> float | None:
    """The median of values given as (value, how many times); None when there are none.
    With an even count, the mean of the two middle values."""
    ordered = sorted((value, n) for value, n in pairs if n)
    total = sum(n for _, n in ordered)
    if not total:
        return None
    wanted = [(total - 1) // 2, total // 2]  # the positions of the middle value(s)
    found, seen = [], 0
    for value, n in ordered:
        while wanted and wanted[0] < seen + n:
            found.append(value)
            wanted.pop(0)
        seen += n
    return sum(found) / len(found)


def _requests(count: int) -> str:
    return f"{count:,} request{'' if count == 1 else 's'}"


@dataclass
class MonthRow:
    month: date  # the first day
    counts: list[int]  # by column (the report's `columns`)
    total: int = 0

    @property
    def label(self) -> str:
        return f"{month_calendar.month_name[self.month.month]} {self.month.year}"


@dataclass
class ReceivedTable:
    """Requests received each month of the year, by category (months not yet begun are
    left out)."""

    columns: list[tuple[str, str]]  # (category, label); "" for not yet cataloged
    months: list[MonthRow]
    totals: list[int]
    total: int


@dataclass
class MedianRow:
    category: str  # "" for every category together
    label: str
    days: float | None  # None when no request was delivered
    count: int  # the requests the median is over

    @property
    def display(self) -> str:
        if self.days is None:
            return "—"
        return f"{self.days:g} business day{'' if self.days == 1 else 's'}"


@dataclass
class OnTimeRow:
    category: str  # "" for every category together
    label: str
    on_time: int  # delivered on or before the date needed
    total: int  # delivered, with a date needed

    @property
    def percent(self) -> float | None:
        return None if not self.total else 100 * self.on_time / self.total

    @property
    def display(self) -> str:
        return "—" if self.percent is None else f"{self.percent:.0f}%"


@dataclass
class DataRequestReport:
    period: Period
    received: ReceivedTable
    medians: list[MedianRow]  # by category
    median_overall: MedianRow
    on_time: list[OnTimeRow]  # by category
    on_time_overall: OnTimeRow

    @property
    def received_summary(self) -> str:
        table = self.received
        if not table.total:
            return f"No data requests were received in {self.period.label}."
        busiest = max(table.months, key=lambda m: (m.total, -m.month.toordinal()))
        by_category = "; ".join(
            f"{label}: {count}"
            for (_, label), count in zip(table.columns, table.totals, strict=True)
            if count
        )
        return (
            f"{_requests(table.total)} received in {self.period.label} ({by_category}); "
            f"the most in {busiest.label} ({busiest.total})."
        )

    @property
    def median_summary(self) -> str:
        overall = self.median_overall
        if overall.days is None:
            return f"No data request was delivered in {self.period.label}."
        if overall.count == 1:
            return (
                f"The one request delivered in {self.period.label} took {overall.display}, "
                "not counting time waiting for a project scope."
            )
        return (
            f"Half the {_requests(overall.count)} delivered in {self.period.label} took "
            f"{overall.display} or fewer, not counting time waiting for a project scope."
        )

    @property
    def on_time_summary(self) -> str:
        overall = self.on_time_overall
        if not overall.total:
            return f"No data request delivered in {self.period.label} had a date needed."
        if overall.total == 1:
            when = "on or before" if overall.on_time else "after"
            return (
                f"The one request delivered in {self.period.label} with a date needed came "
                f"{when} that date."
            )
        return (
            f"Of the {_requests(overall.total)} delivered in {self.period.label} with a date "
            f"needed, {overall.on_time:,} ({overall.display}) came on or before that date."
        )


def _month_start(value: datetime | date) -> date:
    day = timezone.localtime(value, TIMEZONE).date() if isinstance(value, datetime) else value
    return day.replace(day=1)


def _received_table(period: Period, today: date) -> ReceivedTable:
    columns = [*DataRequest.Category.choices, NOT_CATALOGED]
    column = {value: n for n, (value, _) in enumerate(columns)}
    last_month = 12 if period.first.year < today.year else today.month
    if period.first.year > today.year:
        last_month = 0
    months = [
        MonthRow(date(period.first.year, m, 1), [0] * len(columns))
        for m in range(1, last_month + 1)
    ]
    by_month = {row.month: row for row in months}
    counts = (
        DataRequest.objects.filter(received_at__gte=period.start, received_at__lt=period.end)
        .annotate(month=TruncMonth("received_at", tzinfo=TIMEZONE))
        .values("month", "category")
        .annotate(n=Count("pk"))
        .order_by()
    )
    totals = [0] * len(columns)
    for row in counts:
        month = _month_start(row["month"])
        target = by_month.get(month)
        if target is None:  # received in a month still to come (a clock set wrong)
            target = by_month[month] = MonthRow(month, [0] * len(columns))
            months.append(target)
        n, index = row["n"], column[row["category"]]
        target.counts[index] += n
        target.total += n
        totals[index] += n
    months.sort(key=lambda m: m.month)
    return ReceivedTable(columns=columns, months=months, totals=totals, total=sum(totals))


def data_request_report(period: Period, *, today: date) -> DataRequestReport:
    """The three reports for `period` (a calendar year): three GROUP BY queries."""
    categories = list(DataRequest.Category.choices)
    delivered = DataRequest.objects.filter(
        delivered_at__gte=period.start, delivered_at__lt=period.end
    )

    days: dict[str, list[tuple[int, int]]] = {value: [] for value, _ in categories}
    for row in (
        delivered.filter(business_days_to_delivery__isnull=False)
        .values("category", "business_days_to_delivery")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        days.setdefault(row["category"], []).append((row["business_days_to_delivery"], row["n"]))
    medians = [
        MedianRow(value, label, weighted_median(days[value]), sum(n for _, n in days[value]))
        for value, label in categories
    ]
    every = [pair for pairs in days.values() for pair in pairs]
    median_overall = MedianRow(
        "", "All categories", weighted_median(every), sum(n for _, n in every)
    )

    timely = {
        row["category"]: (row["on_time"], row["total"])
        for row in delivered.filter(date_needed__isnull=False)
        .annotate(delivered_on=TruncDate("delivered_at", tzinfo=TIMEZONE))
        .values("category")
        .annotate(
            total=Count("pk"),
            on_time=Count("pk", filter=Q(delivered_on__lte=F("date_needed"))),
        )
        .order_by()
    }
    on_time = [OnTimeRow(value, label, *timely.get(value, (0, 0))) for value, label in categories]
    on_time_overall = OnTimeRow(
        "",
        "All categories",
        sum(on for on, _ in timely.values()),
        sum(total for _, total in timely.values()),
    )
    return DataRequestReport(
        period=period,
        received=_received_table(period, today),
        medians=medians,
        median_overall=median_overall,
        on_time=on_time,
        on_time_overall=on_time_overall,
    )
