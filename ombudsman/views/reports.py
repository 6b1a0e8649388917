"""The Ombudsman's reports page: a month or a year of inquiries in charts and tables, each
table downloadable as CSV (?format=csv&table=source)."""

import csv

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path

from agency import clock, periods
from agency.permissions import workspace_required
from ombudsman import reports
from ombudsman.models import Inquiry

# Bars are drawn in an SVG viewBox this wide (the table next to them has the numbers).
BAR_WIDTH = 200


@workspace_required("ombudsman")
def report_page(request):
    """Volume, timeliness, medians and open systemic issues for one month or year.
    Ombudsman staff and the lead read it all; the Commissioner's office reads the
    numbers only."""
    today = clock.today()
    period, error = periods.period_from(request.GET, today)
    report = reports.report(request.user, period, now=clock.now())
    if request.GET.get("format") == "csv":
        return _csv(report, request.GET.get("table", ""))
    first_year = (
        reports.reportable_inquiries(request.user)
        .order_by("received_at")
        .values_list("received_at__year", flat=True)
        .first()
    ) or today.year
    years = list(range(today.year, min(first_year, today.year) - 1, -1))
    tables = [_with_bars(table) for table in report.volume]
    sla = _with_bars(report.timeliness.table)
    return render(
        request,
        "ombudsman/reports.html",
        {
            "report": report,
            "period": period,
            "period_error": error,
            "period_description": reports.period_description(period),
            "tables": tables,
            "sla": sla,
            "sla_segments": _segments(report.timeliness.table),
            "months": report.months,
            "month_bars": _month_bars(report.months),
            "years": years,
            "this_month": f"{today:%Y-%m}",
            "bar_width": BAR_WIDTH,
        },
    )


def _with_bars(table: reports.Table) -> reports.Table:
    """Each row's bar length in the SVG viewBox, scaled to the largest row."""
    largest = table.largest or 1
    for row in table.rows:
        row.bar = round(BAR_WIDTH * row.count / largest, 1)
    return table


def _segments(table: reports.Table) -> list[dict]:
    """The stacked timeliness bar: where each segment starts and how wide it is (of 100)."""
    segments, x = [], 0.0
    for row, colour in zip(table.rows, ("#00a91c", "#d54309", "#b50909", "#8d9297"), strict=True):
        if row.count:
            segments.append({"row": row, "x": round(x, 2), "width": round(row.share, 2),
                             "colour": colour})  # fmt: skip
            x += row.share
    return segments


def _month_bars(months: list[reports.MonthRow]) -> list[dict]:
    largest = max((m.received for m in months), default=0) or 1
    bars = []
    for n, month in enumerate(months):
        height = round(100 * month.received / largest, 1)
        # Columns stand on a baseline at y=110 of the 400x130 viewBox.
        bars.append({"month": month, "height": height, "top": 110 - height, "x": 10 + n * 32})
    return bars


# --- CSV -----------------------------------------------------------------------------------


def _cell(value) -> str:
    """Text as a spreadsheet shows it, never as a formula (=, +, -, @ at the start)."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(report: reports.Report, table: str) -> HttpResponse:
    if table not in reports.TABLES:
        raise Http404("No such table.")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="ombudsman-{table}-{report.period.slug}.csv"'
    )
    writer = csv.writer(response)
    if table in ("source", "channel", "kind", "region", "sla"):
        found = report.timeliness.table if table == "sla" else report.table(table)
        writer.writerow([found.dimension, "Code", "Inquiries", "Share (%)"])
        for row in found.rows:
            writer.writerow([_cell(row.label), row.code, row.count, f"{row.share:.1f}"])
        writer.writerow(["Total", "", found.total, "100.0" if found.total else "0.0"])
    elif table == "months":
        if not report.months:
            raise Http404("Months are listed in a year's report.")
        writer.writerow(["Month", "Received", "Within the deadline", "After the deadline",
                         "Still waiting", "On time (%)"])  # fmt: skip
        for month in report.months:
            writer.writerow([f"{month.month:%Y-%m}", month.received, month.met, month.missed,
                             month.waiting, month.met_percent])  # fmt: skip
    else:  # systemic
        if not report.shows_details:
            raise PermissionDenied("The list of systemic issues is for the Ombudsman's office.")
        writer.writerow(["Reference", "Subject", "Region", "Received", "Status", "Assigned to"])
        for inquiry in report.systemic:
            writer.writerow(
                [
                    inquiry.reference,
                    _cell(inquiry.subject),
                    _cell(inquiry.region.name if inquiry.region else ""),
                    f"{inquiry.received_at.astimezone(reports.TIMEZONE):%Y-%m-%d %H:%M}",
                    Inquiry.Status(inquiry.status).label,
                    _cell(inquiry.assignee.get_full_name() if inquiry.assignee else ""),
                ]
            )
    return response


urlpatterns = [path("reports/", report_page, name="reports")]
