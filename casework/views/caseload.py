"""Casework pages: the caseload and the supervisor's workspace."""

import calendar

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path

from agency import clock
from agency.pagination import PageFirstPaginator
from agency.permissions import user_role, workspace_required
from agency.roles import Role
from casework.due import due_on_page, iff_state
from casework.forms.cases import CaseloadFilterForm
from casework.models import CaseTransfer
from casework.selectors import assessments as assessment_selectors
from casework.selectors import cases as case_selectors
from casework.selectors import intake as intake_selectors
from casework.selectors import plans as plan_selectors
from casework.selectors import transfers as transfer_selectors

# The approvals inbox lists this many incoming transfers; the transfers page has them all.
APPROVALS_TRANSFERS = 25


@workspace_required("casework")
def caseload(request):
    """My caseload: every open case with what is due on it. Supervisors and area
    administrators switch to the whole unit or office with ?scope=unit."""
    user = request.user
    form = CaseloadFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    default_scope = "mine" if user_role(user) == Role.CASEWORKER else "unit"
    scope = request.GET.get("scope", default_scope)
    if scope not in ("mine", "unit"):
        scope = default_scope
    cases = case_selectors.caseload(
        user,
        scope=scope,
        case_type=filters.get("case_type", ""),
        query=filters.get("q", ""),
        due=filters.get("due", ""),
        sort=filters.get("sort") or "due",
    )
    page = PageFirstPaginator(cases.select_related("due"), 25).get_page(request.GET.get("page"))
    due = due_on_page(page.object_list, today=clock.today())
    now = clock.now()
    rows = [
        {"case": case, "due": due[case.pk], "iff": iff_state(due[case.pk], now=now)}
        for case in page
    ]
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "casework/caseload.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "scope": scope,
            "now": clock.now(),
            "querystring": querystring.urlencode(),
            "month_days_left": _days_left_in_month(),
        },
    )


@workspace_required("casework")
def supervision(request):
    """The supervisor's approvals inbox: what waits for their decision: extension
    requests, case plans, assessments and transfers to their units."""
    if not request.user.has_perm("casework.approve_casework"):
        raise PermissionDenied("Approvals are for supervisors.")
    return render(
        request,
        "casework/supervision.html",
        {
            "extensions": intake_selectors.pending_extensions(request.user),
            "assessments": assessment_selectors.pending_assessment_approvals(request.user),
            "plans": plan_selectors.pending_plan_approvals(request.user),
            "transfers": transfer_selectors.transfer_list(
                request.user, box="incoming", status=CaseTransfer.Status.REQUESTED
            )[:APPROVALS_TRANSFERS],
            "now": clock.now(),
        },
    )


def _days_left_in_month() -> int:
    today = clock.today()
    return calendar.monthrange(today.year, today.month)[1] - today.day


urlpatterns: list = [
    path("", caseload, name="caseload"),
    path("supervision/", supervision, name="supervision"),
]
