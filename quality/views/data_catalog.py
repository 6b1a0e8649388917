"""The ORE data-request catalog and its reports, for ORE staff (`quality.work_datarequest`;
superusers too); everyone else gets 403 (requesters follow their own requests on the
request pages).

- the catalog: every request and its deliverables, searched and filtered, newest first,
  25 a page, the whole filtered catalog as CSV with ?format=csv;
- the reports for a calendar year: requests received per month by category, median
  business days to delivery, and the share delivered by the date needed; CSV with
  ?format=csv (&table=delivery for the delivery tables).
"""

import csv
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse

from agency import clock
from agency.calendar import TIMEZONE
from agency.forms import FastFilterForm
from quality.models import DataRequest
from quality.selectors import data_catalog as selectors

PAGE_SIZE = 25
FORBIDDEN = (
    "The catalog and its reports are for the Office for Research and Evaluation. "
    "Your own requests are under My data requests."
)


def _require(user: Any) -> None:
    if not selectors.can_use_catalog(user):
        raise PermissionDenied(FORBIDDEN)


def _cell(value) -> str:
    """Text as a spreadsheet shows it, never as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _local_day(value) -> str:
    return value.astimezone(TIMEZONE).date().isoformat() if value else ""


# --- the catalog -----------------------------------------------------------------------------


class CatalogFilterForm(FastFilterForm):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        help_text="Words in the reference, catalog number, title, purpose, questions, data "
        "elements, population, organisation, requester, delivery note or a deliverable's "
        "file name. Every word must appear.",
    )
    category = forms.ChoiceField(
        label="Category",
        required=False,
        choices=[("", "Any"), *DataRequest.Category.choices],
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any"), *DataRequest.Status.choices]
    )
    organization = forms.ChoiceField(label="Requester's organisation", required=False)
    year = forms.TypedChoiceField(
        label="Year received", required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, organizations=(), years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", "Any"), *((o, o) for o in organizations)]
        self.fields["year"].choices = [("", "Any"), *((y, y) for y in years)]

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "query": data["q"],
            "category": data["category"],
            "status": data["status"],
            "organization": data["organization"],
            "year": data["year"],
        }


CATALOG_CSV_HEADER = [
    "Reference", "Catalog number", "Title", "Requester", "Organisation", "Category",
    "Status", "Received", "Date needed", "Delivered", "Business days to delivery",
    "Deliverables", "Delivery link",
]  # fmt: skip


def _catalog_csv(requests) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="ore-data-request-catalog-{clock.today():%Y-%m-%d}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(CATALOG_CSV_HEADER)
    # In chunks: each chunk's deliverables come in one query.
    for item in requests.iterator(chunk_size=500):
        writer.writerow(
            [
                _cell(item.reference),
                _cell(item.catalog_number or ""),
                _cell(item.title),
                _cell(item.requester_name),
                _cell(item.organization),
                item.get_category_display() if item.category else "",
                item.get_status_display(),
                _local_day(item.received_at),
                item.date_needed.isoformat() if item.date_needed else "",
                _local_day(item.delivered_at),
                "" if item.business_days_to_delivery is None else item.business_days_to_delivery,
                _cell("; ".join(f.name for f in item.deliverables)),
                _cell(item.delivery_link),
            ]
        )
    return response


@login_required
def catalog(request):
    """Every request ORE received, searched and filtered, newest first, 25 a page: the
    same handful of queries whatever the size of the catalog."""
    user = request.user
    _require(user)
    form = CatalogFilterForm(
        request.GET or None,
        organizations=selectors.catalog_organizations(),
        years=selectors.catalog_years(clock.today()),
    )
    filters = form.filters()
    requests = selectors.catalog_requests(user, **filters)
    if request.GET.get("format") == "csv":
        return _catalog_csv(requests)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    querystring.pop("format", None)
    return render(
        request,
        "quality/data_requests/catalog.html",
        {
            "form": form,
            "page": page,
            "filtered": any(filters.values()),
            "querystring": querystring.urlencode(),
        },
    )


# --- the reports -----------------------------------------------------------------------------


def _reports_csv(report: selectors.DataRequestReport, table: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = "delivery" if table == "delivery" else "received"
    response["Content-Disposition"] = (
        f'attachment; filename="ore-data-requests-{name}-{report.period.slug}.csv"'
    )
    writer = csv.writer(response)
    if name == "delivery":
        writer.writerow(
            [
                "Category",
                "Delivered",
                "Median business days to delivery",
                "Delivered with a date needed",
                "Delivered by the date needed",
                "Percent by the date needed",
            ]
        )
        rows = zip(
            [*report.medians, report.median_overall],
            [*report.on_time, report.on_time_overall],
            strict=True,
        )
        for median, on_time in rows:
            writer.writerow(
                [
                    median.label if median.category else "Total",
                    median.count,
                    "" if median.days is None else f"{median.days:g}",
                    on_time.total,
                    on_time.on_time,
                    "" if on_time.percent is None else f"{on_time.percent:.1f}",
                ]
            )
        return response
    received = report.received
    writer.writerow(["Month", *(label for _, label in received.columns), "Total"])
    for month in received.months:
        writer.writerow([f"{month.month:%Y-%m}", *month.counts, month.total])
    writer.writerow(["Total", *received.totals, received.total])
    return response


@login_required
def reports(request):
    """Requests received per month by category, median business days to delivery and
    the share delivered by the date needed, for one calendar year (this one by default)."""
    _require(request.user)
    today = clock.today()
    period, error = selectors.report_year(request.GET, today)
    report = selectors.data_request_report(period, today=today)
    if request.GET.get("format") == "csv":
        return _reports_csv(report, request.GET.get("table", ""))
    return render(
        request,
        "quality/data_requests/reports.html",
        {
            "report": report,
            "period": period,
            "period_error": error,
            "years": sorted({*selectors.catalog_years(today), period.first.year}, reverse=True),
            "catalog_url": reverse("quality:data_catalog"),
        },
    )


urlpatterns = [
    path("data-requests/catalog/", catalog, name="data_catalog"),
    path("data-requests/reports/", reports, name="data_request_reports"),
]
