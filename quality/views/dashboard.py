"""The key-indicator dashboards: every indicator at a level and period, one indicator
broken down by the level below with its trend, and the rows behind a number.

Levels are named in the query string (?scope=state, region:3, office:12, unit:40,
worker:575) and checked by `selectors.scope_for`: a level outside the user's scope is a
404. Every table downloads as CSV (?format=csv). The disproportionality page
(quality/views/equity.py) shares the levels, periods and this module's helpers."""

import csv

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path

from agency import clock
from agency.permissions import workspace_required
from quality import facts
from quality.charts import bar_chart
from quality.indicators import BY_CODE, INDICATORS, add_months, fiscal_year_start, month_start
from quality.selectors import dashboard as selectors
from quality.views import equity

MONTHS_OFFERED = 24


def _context(request):
    raw = request.GET.get("scope")
    scope = selectors.scope_for(request.user, raw) if raw else selectors.home_scope(request.user)
    period = selectors.period_from(request.GET)
    return scope, period


def _indicator(code: str):
    indicator = BY_CODE.get(code)
    if indicator is None:
        raise Http404("No such indicator.")
    return indicator


@workspace_required("dashboard")
def dashboard(request):
    """Every indicator at one level for one period."""
    scope, period = _context(request)
    values = selectors.indicator_values(scope, period)
    if request.GET.get("format") == "csv":
        return _csv(
            f"indicators-{scope.key}-{period.starts_on:%Y-%m}",
            ["Indicator", "Numerator", "Denominator", "Percent", "Target"],
            [
                [v.indicator.name, v.numerator, v.denominator, v.share, v.indicator.target]
                for v in values
            ],
        )
    return render(
        request,
        "quality/dashboard/overview.html",
        {
            **_shared(request, scope, period),
            "values": values,
        },
    )


@workspace_required("dashboard")
def indicator_detail(request, code):
    """One indicator at one level: its value, the level below (each number a link one
    level down), and its trend."""
    indicator = _indicator(code)
    scope, period = _context(request)
    value = selectors.indicator_value(scope, period, indicator)
    parts = selectors.parts(scope, period, indicator)
    if request.GET.get("format") == "csv":
        return _csv(
            f"{indicator.code}-{scope.key}-{period.starts_on:%Y-%m}",
            [selectors.LEVEL_LABELS.get(scope.child_level or "", "Level"), "Numerator",
             "Denominator", "Percent", "Target"],
            [
                [part.label, part.value.numerator, part.value.denominator, part.value.share,
                 indicator.target]
                for part in parts
            ],
        )  # fmt: skip
    trend = selectors.trend(scope, indicator, period)
    points = [(_trend_label(indicator, start), v.share) for start, v in trend]
    return render(
        request,
        "quality/dashboard/indicator.html",
        {
            **_shared(request, scope, period),
            "indicator": indicator,
            "value": value,
            "parts": parts,
            "child_level": selectors.LEVEL_LABELS.get(scope.child_level or ""),
            "trend": [(label, v) for (label, _), (_, v) in zip(points, trend, strict=True)],
            "chart": bar_chart(f"{indicator.name}, {scope.label}: trend", points, indicator.target),
            "trend_summary": _trend_summary(indicator, points),
        },
    )


@workspace_required("dashboard")
def indicator_rows(request, code):
    """The rows behind a number: who was not seen in which month, or which initial
    contacts were late or not yet made."""
    indicator = _indicator(code)
    scope, period = _context(request)
    if indicator.rows == "iff":
        rows = selectors.missed_contacts(scope, period)
    elif indicator.rows == "case_facts":
        rows = selectors.missed_case_facts(scope, period, indicator)
    else:
        rows = selectors.missed_member_months(scope, period, indicator)
    if request.GET.get("format") == "csv":
        return _csv(
            f"{indicator.code}-rows-{scope.key}-{period.starts_on:%Y-%m}",
            *_row_table(indicator, rows),
        )
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "quality/dashboard/rows.html",
        {**_shared(request, scope, period), "indicator": indicator, "page": page},
    )


def _shared(request, scope, period) -> dict:
    today_month = month_start(clock.today())
    months = [add_months(today_month, -n) for n in range(MONTHS_OFFERED)]
    first_year = fiscal_year_start(months[-1]).year + 1
    return {
        "scope": scope,
        "period": period,
        "breadcrumbs": selectors.breadcrumbs(scope),
        "last_refreshed": facts.last_refreshed(),
        "months": months,
        "fiscal_years": list(range(fiscal_year_start(today_month).year + 1, first_year - 1, -1)),
        "indicators": INDICATORS,
    }


def _trend_label(indicator, start) -> str:
    return f"FY {start.year + 1}" if indicator.period == "fiscal_year" else f"{start:%b %y}"


def _trend_summary(indicator, points) -> str:
    known = [(label, share) for label, share in points if share is not None]
    if not known:
        return "No data for this period yet."
    low = min(known, key=lambda p: p[1])
    high = max(known, key=lambda p: p[1])
    latest = known[-1]
    target = f"; the target is {indicator.target}%" if indicator.target is not None else ""
    return (
        f"Latest ({latest[0]}): {latest[1]}%. Lowest: {low[1]}% ({low[0]}); "
        f"highest: {high[1]}% ({high[0]}){target}."
    )


def _row_table(indicator, rows):
    if indicator.rows == "case_facts":
        return (
            ["Due", "What", "Child", "Case", "Unit", "Worker", "Done", "Outcome"],
            [
                [f.due_on.isoformat(), f.what, f.person.full_name if f.person else "",
                 f.case.number, f.unit.name, f.worker.get_full_name(),
                 f.done_on.isoformat() if f.done_on else "", f.outcome]
                for f in rows.iterator()
            ],
        )  # fmt: skip
    if indicator.rows == "iff":
        return (
            ["Due", "Child", "Case", "Unit", "Worker", "Seen", "Approved extension"],
            [
                [c.due_at.isoformat(), c.child.full_name, c.intake.case.number,
                 c.intake.case.unit.name, c.intake.case.primary_worker.get_full_name(),
                 c.seen_at.isoformat() if c.seen_at else "", "yes" if c.extended else "no"]
                for c in rows.iterator()
            ],
        )  # fmt: skip
    return (
        ["Month", "Person", "Role", "Case", "Unit", "Worker"],
        [
            [f"{r.month:%Y-%m}", r.person.full_name, r.get_role_display(), r.case.number,
             r.unit.name, r.worker.get_full_name()]
            for r in rows.iterator()
        ],
    )  # fmt: skip


def _csv(name: str, header: list, rows: list) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("equity/", equity.equity_page, name="equity"),
    path("indicators/<slug:code>/", indicator_detail, name="indicator"),
    path("indicators/<slug:code>/rows/", indicator_rows, name="indicator_rows"),
]
