"""Casework pages: the provider directory and a plan service's referral.

- `providers`: the directory, searchable by name, type of service or evidence-based
  model, filtered by evidence-based, language, town or region, and whether still
  offered. Every casework role reads it (`casework.view_provider`; 403 otherwise);
  system administrators keep it in Django admin. Opened from a case plan being edited
  (`?plan=<id>`), each service has a button adding it to that plan as a referral.
- `provider_detail`: one provider and every service it offers.
- `plan_service_referral`: a plan service's referral, step by step (sent, accepted,
  started, completed, or declined) with the day of each; the plan must be on a case the
  user may see (404) and change (403 to read-only roles).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from agency import clock
from agency.concurrency import edit_token
from agency.forms import show_service_errors
from agency.permissions import access_object
from casework.forms.providers import DirectoryFilterForm, ReferralForm
from casework.models import CasePlan, PlanService
from casework.permissions import access_case
from casework.selectors import plans as plan_selectors
from casework.selectors import providers as selectors
from casework.services import plans as plan_services

PAGE_SIZE = 25


def _require_directory(user) -> None:
    if not selectors.may_read_directory(user):
        raise PermissionDenied("The provider directory is for casework staff.")


def _plan_to_add_to(request) -> CasePlan | None:
    """The plan named by ?plan= when the user may add a service to it now, else None
    (the directory still opens: the buttons are simply not shown)."""
    plan_id = request.GET.get("plan", "")
    if not plan_id.isdigit():
        return None
    user = request.user
    plan = (
        plan_selectors.visible_plans(user)
        .select_related("case")
        .filter(pk=int(plan_id), status__in=plan_services.EDITABLE_STATUSES)
        .first()
    )
    if plan is None or plan.case.status != plan.case.Status.OPEN:
        return None
    if not user.has_perm("casework.change_case"):
        return None
    return plan


@login_required
def provider_list(request):
    """The provider directory."""
    _require_directory(request.user)
    form = DirectoryFilterForm(request.GET or None, languages=selectors.directory_languages())
    filters = form.filters()
    page = Paginator(selectors.provider_directory(filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    plan = _plan_to_add_to(request)
    query = {
        key: value
        for key, value in (
            ("q", filters.q),
            ("evidence_based", "on" if filters.evidence_based else ""),
            ("language", filters.language),
            ("location", filters.location),
            ("active", filters.active if filters.active != "active" else ""),
            ("plan", plan.pk if plan else ""),
        )
        if value
    }
    return render(
        request,
        "casework/providers/list.html",
        {
            "form": form,
            "page": page,
            "filters": filters,
            "plan": plan,
            "today": clock.today(),
            "query": urlencode(query),
        },
    )


@login_required
def provider_detail(request, pk: int):
    """One provider with every service it offers (and those it no longer offers)."""
    _require_directory(request.user)
    provider = selectors.access_provider(request.user, pk)
    return render(request, "casework/providers/detail.html", {"provider": provider})


def _referral(request, pk: int) -> PlanService:
    return access_object(
        selectors.referral_queryset(
            PlanService.objects.filter(plan__in=plan_selectors.visible_plans(request.user))
        ),
        pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_service_referral(request, pk: int):
    """A referral's steps and the form recording the next one."""
    service = _referral(request, pk)
    plan, case = service.plan, service.plan.case
    may_record = (
        request.user.has_perm("casework.change_case")
        and case.status == case.Status.OPEN
        and plan.status in (*plan_services.EDITABLE_STATUSES, CasePlan.Status.APPROVED)
        and bool(plan_services.referral_next_statuses(service))
    )
    next_statuses = plan_services.referral_next_statuses(service)
    if request.method == "POST":
        access_case(request.user, case.pk, "change")
        form = ReferralForm(request.POST, next_statuses=next_statuses)
        if form.is_valid():
            try:
                plan_services.service_referral_update(
                    service=service,
                    actor=request.user,
                    status=form.cleaned_data["status"],
                    on=form.cleaned_data["on"],
                    decline_reason=form.cleaned_data["decline_reason"],
                    edit_token=form.cleaned_data["edit_token"],
                )
            except ValidationError as exc:
                show_service_errors(exc, form)
            else:
                messages.success(request, f"Referral for “{service.service_type}” updated.")
                return redirect("casework:plan_service_referral", pk=service.pk)
    else:
        form = ReferralForm(
            initial={"edit_token": edit_token(service), "on": clock.today()},
            next_statuses=next_statuses,
        )
    return render(
        request,
        "casework/providers/referral.html",
        {
            "service": service,
            "plan": plan,
            "case": case,
            "form": form,
            "may_record": may_record or request.method == "POST",
        },
        status=400 if request.method == "POST" else 200,
    )


urlpatterns: list = [
    path("providers/", provider_list, name="providers"),
    path("providers/<int:pk>/", provider_detail, name="provider_detail"),
    path("plan-services/<int:pk>/referral/", plan_service_referral, name="plan_service_referral"),
]
