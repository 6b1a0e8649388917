"""Casework pages: case plans (versions, goals and steps, services, family
participation) and their approval.

Goals, steps and services take a status update (progress) from the plan page, also on
an approved plan (no new version: casework.services.plans.*_update decide what may
change). Plans load through visible cases (404 otherwise); writes need the "change" level on the
case, deciding the "approve" level (403 when visible but not allowed). Writes go through
casework.services.plans.
"""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from agency.concurrency import edit_token
from agency.forms import show_service_errors
from agency.permissions import access_object
from casework.audit import record_view
from casework.forms.plans import (
    GoalForm,
    PlanDecisionForm,
    PlanFamilyForm,
    ServiceForm,
    StepForm,
)
from casework.models import CasePlan, PlanGoal, PlanService, PlanStep
from casework.permissions import access_case
from casework.selectors import plans as selectors
from casework.selectors import supervises
from casework.services import plans as services


def _plan(request, pk: int) -> CasePlan:
    """One plan version on a case the user may see, with goals, steps and services."""
    return access_object(selectors.plan_page_queryset(selectors.visible_plans(request.user)), pk)


def _plan_to_change(request, pk: int) -> CasePlan:
    plan = _plan(request, pk)
    access_case(request.user, plan.case_id, "change")
    return plan


# Plans whose goals, steps and services take a status update: drafts and returned plans
# (content may still change) and the approved one (progress, without a new version).
PROGRESS_STATUSES = (*services.EDITABLE_STATUSES, CasePlan.Status.APPROVED)


def _edit_page(request, plan, **forms):
    forms = {
        "family_form": PlanFamilyForm(
            initial={name: getattr(plan, name) for name in services.PLAN_FIELDS}
            | {"edit_token": edit_token(plan)}
        ),
        "goal_form": GoalForm(),
        "step_form": StepForm(),
        "service_form": ServiceForm(plan=plan),
        "submit_errors": [],
    } | forms
    return render(
        request,
        "casework/plans/edit.html",
        {"plan": plan, "case": plan.case, **forms},
        status=400 if request.method == "POST" else 200,
    )


def _refuse_unless_editable(request, plan):
    if plan.status not in services.EDITABLE_STATUSES:
        messages.info(
            request,
            f"This plan is {plan.get_status_display().lower()}; it can no longer be changed.",
        )
        return redirect("casework:plan_detail", pk=plan.pk)
    return None


@login_required
@require_POST
def plan_start(request, case_id: int):
    """Start the next version of the case's plan (copying the approved one)."""
    case = access_case(request.user, case_id, "change")
    try:
        plan = services.plan_start(case=case, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("casework:case_detail", pk=case.pk)
    messages.success(request, f"Case plan version {plan.version} started.")
    return redirect("casework:plan_edit", pk=plan.pk)


@login_required
def plan_detail(request, pk: int):
    """One plan version: family participation, permanency, goals with steps, services,
    the decision, and links to the other versions."""
    plan = _plan(request, pk)
    record_view(user=request.user, channel="page", case=plan.case)
    return _detail_page(request, plan)


def _detail_page(request, plan: CasePlan, conflict: dict | None = None):
    """The plan page; `conflict` names a progress form refused as stale, shown again
    with the status the user chose and the message (what, pk, status, edit_token)."""
    user = request.user
    case = plan.case
    versions = list(CasePlan.objects.filter(case=case).order_by("-version"))
    return render(
        request,
        "casework/plans/detail.html",
        {
            "plan": plan,
            "case": case,
            "versions": versions,
            "may_edit": case.status == case.Status.OPEN
            and plan.status in services.EDITABLE_STATUSES
            and user.has_perm("casework.change_case"),
            "may_record_progress": case.status == case.Status.OPEN
            and plan.status in PROGRESS_STATUSES
            and user.has_perm("casework.change_case"),
            "may_decide": plan.status == CasePlan.Status.SUBMITTED
            and user.has_perm("casework.approve_casework")
            and supervises(user, case),
            "conflict": conflict,
        },
        status=400 if conflict else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request, pk: int):
    """The family and permanency fields (POST here), and small forms to add goals, steps
    and services, and to submit for approval."""
    plan = _plan_to_change(request, pk)
    refused = _refuse_unless_editable(request, plan)
    if refused:
        return refused
    if request.method == "POST":
        form = PlanFamilyForm(request.POST)
        if form.is_valid():
            try:
                services.plan_update(plan=plan, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                show_service_errors(exc, form)
            else:
                messages.success(request, "Family participation saved.")
                return redirect("casework:plan_edit", pk=plan.pk)
        return _edit_page(request, plan, family_form=form)
    return _edit_page(request, plan)


@login_required
@require_POST
def plan_goal_add(request, pk: int):
    plan = _plan_to_change(request, pk)
    refused = _refuse_unless_editable(request, plan)
    if refused:
        return refused
    form = GoalForm(request.POST)
    if form.is_valid():
        try:
            services.goal_add(plan=plan, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, "Goal added.")
            return redirect("casework:plan_edit", pk=plan.pk)
    return _edit_page(request, plan, goal_form=form)


@login_required
@require_POST
def plan_step_add(request, pk: int):
    goal = access_object(
        PlanGoal.objects.filter(plan__in=selectors.visible_plans(request.user)), pk
    )
    plan = _plan_to_change(request, goal.plan_id)
    refused = _refuse_unless_editable(request, plan)
    if refused:
        return refused
    form = StepForm(request.POST)
    if form.is_valid():
        try:
            services.step_add(goal=goal, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, "Step added.")
            return redirect("casework:plan_edit", pk=plan.pk)
    errors = [f"{form[name].label}: {' '.join(errs)}" for name, errs in form.errors.items()]
    return _edit_page(request, plan, submit_errors=[f"The step was not added. {e}" for e in errors])


@login_required
@require_POST
def plan_service_add(request, pk: int):
    plan = _plan_to_change(request, pk)
    refused = _refuse_unless_editable(request, plan)
    if refused:
        return refused
    form = ServiceForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            services.service_add(plan=plan, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, "Service added.")
            return redirect("casework:plan_edit", pk=plan.pk)
    return _edit_page(request, plan, service_form=form)


@login_required
@require_POST
def plan_submit(request, pk: int):
    plan = _plan_to_change(request, pk)
    refused = _refuse_unless_editable(request, plan)
    if refused:
        return refused
    try:
        services.plan_submit(plan=plan, actor=request.user)
    except ValidationError as exc:
        return _edit_page(request, plan, submit_errors=exc.messages)
    messages.success(request, "Case plan submitted; the supervisor has been told.")
    return redirect("casework:plan_detail", pk=plan.pk)


@login_required
@require_http_methods(["GET", "POST"])
def plan_decide(request, pk: int):
    """The case's supervisor approves a submitted plan or returns it with comments."""
    user = request.user
    plan = _plan(request, pk)
    access_case(user, plan.case_id, "approve")
    form = PlanDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.plan_decide(
                plan=plan, actor=user, approve=approve, comment=form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            verb = "approved" if approve else "returned with comments"
            messages.success(request, f"Case plan version {plan.version} {verb}.")
            return redirect("casework:plan_detail", pk=plan.pk)
    return render(
        request,
        "casework/plans/decide.html",
        {
            "plan": plan,
            "case": plan.case,
            "form": form,
            "decided": plan.status != CasePlan.Status.SUBMITTED,
            "own": plan.author_id == user.pk,
        },
    )


# The name of each item's progress form on the plan page (casework/plans/_status_form.html).
_PROGRESS_FORMS = {PlanGoal: "goal", PlanStep: "step", PlanService: "service"}


def _record_progress(request, plan: CasePlan, update, what: str, item):
    """Call `update(**fields)` with the posted status and answer with a message and a
    redirect to the plan page (the service's error, if any, as the message). An edit
    refused because someone else changed the item since shows the page again, the
    user's choice kept in the item's form."""
    fields = {"status": request.POST.get("status", "")}
    token = request.POST.get("edit_token", "")
    try:
        update(actor=request.user, edit_token=token, **fields)
    except ValidationError as exc:
        messages.error(request, f"The status of {what} was not saved. " + " ".join(exc.messages))
        if "edit_token" in getattr(exc, "error_dict", {}):
            conflict = {
                "what": _PROGRESS_FORMS[type(item)],
                "pk": item.pk,
                "status": fields["status"],
                "edit_token": token,
                "message": " ".join(exc.message_dict["edit_token"]),
            }
            return _detail_page(request, plan, conflict)
    else:
        messages.success(request, f"Status of {what} saved.")
    return redirect("casework:plan_detail", pk=plan.pk)


@login_required
@require_POST
def plan_goal_status(request, pk: int):
    """Record a goal's progress (its status), also on an approved plan."""
    goal = access_object(
        PlanGoal.objects.filter(plan__in=selectors.visible_plans(request.user)), pk
    )
    plan = _plan_to_change(request, goal.plan_id)
    return _record_progress(
        request, plan, partial(services.goal_update, goal=goal), f"goal {goal.order}", goal
    )


@login_required
@require_POST
def plan_step_status(request, pk: int):
    """Record a step's progress (its status), also on an approved plan."""
    step = access_object(
        PlanStep.objects.filter(
            goal__plan__in=selectors.visible_plans(request.user)
        ).select_related("goal"),
        pk,
    )
    plan = _plan_to_change(request, step.goal.plan_id)
    return _record_progress(
        request,
        plan,
        partial(services.step_update, step=step),
        f"the step “{step.description[:40]}”",
        step,
    )


@login_required
@require_POST
def plan_service_status(request, pk: int):
    """Record a service's progress (its status), also on an approved plan."""
    service = access_object(
        PlanService.objects.filter(plan__in=selectors.visible_plans(request.user)), pk
    )
    plan = _plan_to_change(request, service.plan_id)
    return _record_progress(
        request,
        plan,
        partial(services.service_update, service=service),
        f"the service “{service.service_type}”",
        service,
    )


urlpatterns: list = [
    path("cases/<int:case_id>/plans/new/", plan_start, name="plan_start"),
    path("plans/<int:pk>/", plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", plan_edit, name="plan_edit"),
    path("plans/<int:pk>/goals/add/", plan_goal_add, name="plan_goal_add"),
    path("goals/<int:pk>/steps/add/", plan_step_add, name="plan_step_add"),
    path("plans/<int:pk>/services/add/", plan_service_add, name="plan_service_add"),
    path("plans/<int:pk>/submit/", plan_submit, name="plan_submit"),
    path("plans/<int:pk>/decide/", plan_decide, name="plan_decide"),
    path("plan-goals/<int:pk>/status/", plan_goal_status, name="plan_goal_status"),
    path("plan-steps/<int:pk>/status/", plan_step_status, name="plan_step_status"),
    path("plan-services/<int:pk>/status/", plan_service_status, name="plan_service_status"),
]
