"""Disproportionality: children by race and ethnicity group at referral, substantiation
and entry to care, their rates and the relative rate index against a reference group,
for the same levels, periods and users as the key-indicator dashboard
(?scope=...&period=...&reference=<group>; ?format=csv downloads the tables).

The routes are listed in quality/views/dashboard.py's urlpatterns."""

from django.shortcuts import render

from agency.permissions import workspace_required
from quality import equity
from quality.charts import bar_chart
from quality.selectors import dashboard as selectors


@workspace_required("dashboard")
def equity_page(request):
    """The three decision points' tables, summary and charts at one level and period."""
    from quality.views.dashboard import _context, _csv, _shared

    scope, period = _context(request)
    data = selectors.equity_data(scope, period, request.GET.get("reference", ""))
    if request.GET.get("format") == "csv":
        return _csv(
            f"equity-{scope.key}-{period.starts_on:%Y-%m}",
            ["Decision point", "Group", "Children", "Rate base", "Rate", "Rate per",
             f"Relative rate index (reference: {data['reference_label']})"],
            [
                [table.point.name, row.label, row.count, "" if row.base is None else row.base,
                 "" if row.rate is None else row.rate, table.point.rate_label,
                 "" if row.rri is None else row.rri]
                for table in data["tables"]
                for row in table.rows
            ],
        )  # fmt: skip
    charts = [
        bar_chart(
            f"{table.point.name}: share of children by group, {scope.label}, {period.label}",
            [(_short(row.group), row.share) for row in table.rows],
            None,
        )
        for table in data["tables"]
    ]
    return render(
        request,
        "quality/dashboard/equity.html",
        {
            **_shared(request, scope, period),
            **data,
            "sections": list(zip(data["tables"], charts, strict=True)),
            "groups": equity.GROUPS,
        },
    )


_SHORT = {
    "hispanic": "Hispanic",
    "american_indian": "AI/AN",
    "asian": "Asian",
    "black": "Black",
    "pacific_islander": "NH/PI",
    "white": "White",
    "two_or_more": "2+ races",
    "unknown": "Unknown",
}


def _short(group: str) -> str:
    """A label short enough to sit under a bar (the table beside it gives the full one)."""
    return _SHORT[group]
