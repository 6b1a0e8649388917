"""OPM's registry (/coop/): every active work location, the status of each quarterly
duty in the last quarters, locations without a plan flagged, filters by region and
"behind only", and the same rows as CSV.

Who opens it: OPM and superusers, and system administrators once the COOP workspace
lists their role (agency.workspaces decides every workspace page). An area
administrator is shown their own plan there (or the form to create it when their
location has none); every other role gets 403.
"""

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from agency import clock
from agency.permissions import can_use_workspace, user_role
from agency.roles import Role
from coop import duties as duty_rules
from coop import permissions, selectors
from coop.forms import RegistryFilterForm
from coop.views import plans


def _cell(value) -> str:
    """Text as a spreadsheet shows it, never as a formula."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(registry: selectors.Registry) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="coop-registry-{registry.today:%Y-%m-%d}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        [
            "Location",
            "Region",
            "Plan",
            "Senior administrator",
            *(
                f"{quarter} {duty_rules.DUTY_LABELS[duty]}"
                for quarter in registry.quarters
                for duty in duty_rules.Duty
            ),
        ]
    )
    for row in registry.rows:
        admin = row.plan.senior_administrator if row.plan else None
        writer.writerow(
            [
                _cell(row.location.name),
                _cell(row.location.region.name if row.location.region else "Central Office"),
                "Plan" if row.plan else "No plan",
                _cell((admin.get_full_name() or admin.get_username()) if admin else ""),
                *(status.text for quarter in row.quarters for status in quarter.duties),
            ]
        )
    return response


@login_required
@require_safe
def registry(request):
    user = request.user
    # The workspace table (agency.workspaces) decides who opens the page at all, as for
    # every workspace; among them OPM (and superusers) see the grid.
    if not (permissions.is_opm(user) and can_use_workspace(user, "coop")):
        if user_role(user) == Role.AREA_ADMINISTRATOR:
            return _area_administrator_home(request)
        raise PermissionDenied("The COOP registry is for the Office of Performance Management.")
    regions = selectors.regions()
    form = RegistryFilterForm(request.GET or None, regions=regions)
    filters = form.filters()
    today = clock.today()
    registry = selectors.registry(today=today, **filters)
    if request.GET.get("format") == "csv":
        return _csv(registry)
    querystring = request.GET.copy()
    querystring.pop("format", None)
    return render(
        request,
        "coop/registry.html",
        {
            "form": form,
            "registry": registry,
            "filtered": bool(filters["region"] or filters["behind_only"]),
            "querystring": querystring.urlencode(),
            "duty_labels": [duty_rules.DUTY_LABELS[duty] for duty in duty_rules.Duty],
            # Every duty's column.
            "no_plan_colspan": len(registry.quarters) * len(duty_rules.Duty),
            "can_create": permissions.plan_creatable_locations(user).exists(),
        },
    )


def _area_administrator_home(request):
    """An area administrator's COOP page: the plan of their location when they keep it,
    the form to create it when there is none, another plan they keep, or else their
    location's plan to read."""
    user = request.user
    plan = selectors.plan_for_location(permissions.work_location_id(user))
    if plan is None:
        return plans.plan_new(request)
    if plan.senior_administrator_id != user.pk:
        other = permissions.administered_plans(user).order_by("pk").first()
        if other is None:
            return plans.my_plan(request)
        plan = other
    return plans.plan_detail(request, plan.pk)


urlpatterns = [
    path("", registry, name="registry"),
]
