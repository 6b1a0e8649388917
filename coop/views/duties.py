"""A plan's quarterly duties: the senior administrator records the communication to all
staff and the revision, and submits the revision to OPM; OPM accepts it or returns it
with comments.

The quarter is in the URL ("2026-Q4"): the plan page offers the current quarter and the
one before. Recording pages answer 404 to everyone but the plan's senior administrator;
the review page needs OPM (403 for others who read the plan, 404 for the rest).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from agency import clock
from agency.forms import show_service_errors
from coop import forms as coop_forms
from coop import permissions, selectors, services
from coop.models import CoopPlan, QuarterlyDuties
from coop.quarters import Quarter


def _quarter(slug: str) -> Quarter:
    try:
        return Quarter.parse(slug)
    except ValueError:
        raise Http404 from None


def _duties(plan: CoopPlan, quarter: Quarter) -> QuarterlyDuties | None:
    return (
        plan.quarters.select_related("revision_document", "submitted_by")
        .filter(quarter=quarter.starts_on)
        .first()
    )


def _back(plan: CoopPlan) -> str:
    return reverse("coop:plan", args=[plan.pk]) + "#quarters-heading"


@login_required
def communication_record(request, pk: int, quarter: str):
    """Record that the plan was communicated to all staff in the quarter."""
    user = request.user
    plan = permissions.access_administered_plan(user, pk)
    period = _quarter(quarter)
    duties = _duties(plan, period)
    initial = {"communicated_on": clock.today(), "version": duties.version if duties else 0}
    if duties and duties.communicated_on:
        initial |= {
            "communicated_on": duties.communicated_on,
            "communication_channel": duties.communication_channel,
            "staff_count": duties.staff_count,
            "communication_evidence": duties.communication_evidence,
        }
    form = coop_forms.CommunicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.communication_record(
                plan=plan,
                actor=user,
                quarter=period,
                communicated_on=data["communicated_on"],
                channel=data["communication_channel"],
                staff_count=data["staff_count"],
                evidence=data["communication_evidence"],
                version=data["version"],
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, f"Communication to all staff recorded for {period}.")
            return redirect(_back(plan))
    return render(
        request,
        "coop/communication_form.html",
        {"form": form, "plan": plan, "quarter": period, "duties": duties},
    )


@login_required
def revision_record(request, pk: int, quarter: str):
    """Record the quarter's revision: a new version of the document, or reviewed with no
    changes."""
    user = request.user
    plan = permissions.access_administered_plan(user, pk)
    period = _quarter(quarter)
    duties = _duties(plan, period)
    initial = {"revised_on": clock.today(), "version": duties.version if duties else 0}
    if duties and duties.revised_on:
        initial |= {
            "revised_on": duties.revised_on,
            "revision": duties.revision,
            "revision_note": duties.revision_note,
        }
    form = coop_forms.RevisionForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.revision_record(
                plan=plan,
                actor=user,
                quarter=period,
                revised_on=data["revised_on"],
                revision=data["revision"],
                note=data["revision_note"],
                upload=data["file"],
                version=data["version"],
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(
                request,
                f"Revision recorded for {period}. Submit it to OPM when you are ready.",
            )
            return redirect(_back(plan))
    return render(
        request,
        "coop/revision_form.html",
        {"form": form, "plan": plan, "quarter": period, "duties": duties},
    )


@login_required
@require_POST
def duties_submit(request, pk: int, quarter: str):
    """Submit the quarter's revision to OPM (or again, after a return)."""
    user = request.user
    plan = permissions.access_administered_plan(user, pk)
    period = _quarter(quarter)
    form = coop_forms.VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        services.duties_submit(plan=plan, actor=user, quarter=period, version=version)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, f"The {period} revision was submitted to OPM. OPM accepts or returns it."
        )
    return redirect(_back(plan))


@login_required
def duties_review(request, pk: int, quarter: str):
    """OPM accepts the quarter's submission, or returns it with comments."""
    user = request.user
    plan = permissions.access_plan(user, pk)
    if not permissions.is_opm(user):
        raise PermissionDenied("OPM accepts or returns a plan's quarterly submission.")
    period = _quarter(quarter)
    duties = _duties(plan, period)
    if duties is None:
        raise Http404
    if duties.submission != QuarterlyDuties.Submission.SUBMITTED and request.method != "POST":
        messages.info(
            request,
            f"The {period} revision is {duties.get_submission_display().lower()}: nothing to "
            "review.",
        )
        return redirect(_back(plan))
    form = coop_forms.ReviewForm(request.POST or None, initial={"version": duties.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "accept":
                services.duties_accept(
                    duties=duties,
                    actor=user,
                    comments=data["opm_comments"],
                    version=data["version"],
                )
                done = f"The {period} revision of {plan.work_location.name} is accepted."
            else:
                services.duties_return(
                    duties=duties,
                    actor=user,
                    comments=data["opm_comments"],
                    version=data["version"],
                )
                done = (
                    f"The {period} revision of {plan.work_location.name} went back to the "
                    "location with your comments; its senior administrator is told."
                )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, done)
            return redirect(_back(plan))
    row = next(
        (r for r in selectors.plan_quarters(plan, today=clock.today()) if r.quarter == period),
        None,
    )
    return render(
        request,
        "coop/review_form.html",
        {"form": form, "plan": plan, "quarter": period, "duties": duties, "row": row},
    )


urlpatterns = [
    path(
        "plans/<int:pk>/<str:quarter>/communication/",
        communication_record,
        name="communication",
    ),
    path("plans/<int:pk>/<str:quarter>/revision/", revision_record, name="revision"),
    path("plans/<int:pk>/<str:quarter>/submit/", duties_submit, name="submit"),
    path("plans/<int:pk>/<str:quarter>/review/", duties_review, name="review"),
]
