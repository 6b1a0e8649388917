"""Casework pages: purposeful visits. Plan a visit on a case, open it, record what
happened, mark it entered in error; and a case's visits with the 12-month grid.

Visits are loaded through the cases the user may see (404 otherwise); writing needs
the "change" permission on the case (403 for roles that only read).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from agency import clock
from casework import audit
from casework.forms.visits import (
    EnteredInErrorForm,
    VisitPlanForm,
    VisitRecordForm,
    add_service_errors,
)
from casework.models import Case, RecordView, Visit
from casework.permissions import access_case
from casework.selectors import visits as selectors
from casework.services import visits as services


def _can_change(user, case: Case) -> bool:
    return user.has_perm("casework.change_case") and case.status == Case.Status.OPEN


@login_required
def case_visits(request, case_id: int):
    """All the visits of a case, with the 12-month grid."""
    case = access_case(request.user, case_id)
    page = Paginator(selectors.case_visits(case), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "casework/visits/case_visits.html",
        {
            "case": case,
            "page": page,
            "visit_grid": selectors.visit_grid(case, today=clock.today()),
            "can_change": _can_change(request.user, case),
        },
    )


@login_required
def visit_plan(request, case_id: int):
    case = access_case(request.user, case_id, "change")
    members = list(selectors.plannable_members(case))
    form = VisitPlanForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit = services.visit_plan(
                case=case,
                actor=request.user,
                planned_for=data["planned_for"],
                location=data["location"],
                location_detail=data["location_detail"],
                announced=data["announced"],
                discussion_points=data["discussion_points"],
                participants=form.people(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Visit planned.")
            return redirect("casework:visit_detail", pk=visit.pk)
    return render(
        request,
        "casework/visits/plan.html",
        {"case": case, "form": form, "has_members": bool(members)},
    )


@login_required
def visit_detail(request, pk: int):
    visit = selectors.visit_for_page(request.user, pk)
    audit.record_view(user=request.user, case=visit.case, channel=RecordView.Channel.PAGE)
    return render(
        request,
        "casework/visits/detail.html",
        {
            "visit": visit,
            "case": visit.case,
            "participants": selectors.visit_participants(visit),
            "topics": [
                label
                for key, label in services.TOPIC_CHOICES
                if getattr(visit, services.TOPICS[key])
            ],
            "can_change": request.user.has_perm("casework.change_case"),
        },
    )


@login_required
def visit_record(request, pk: int):
    visit = selectors.visit_for_page(request.user, pk)
    case = access_case(request.user, visit.case_id, "change")
    if visit.status != Visit.Status.PLANNED or visit.entered_in_error:
        messages.info(request, "This visit is already recorded or entered in error.")
        return redirect("casework:visit_detail", pk=visit.pk)
    participants = selectors.visit_participants(visit)
    initial = {}
    if visit.planned_for <= clock.now():
        initial["occurred_at"] = timezone.localtime(visit.planned_for)
    form = VisitRecordForm(request.POST or None, participants=participants, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.visit_record(
                visit=visit,
                actor=request.user,
                status=data["status"],
                occurred_at=data["occurred_at"],
                barrier=data["barrier"],
                barrier_note=data["barrier_note"],
                topics=set(data["topics"]),
                narrative=data["narrative"],
                seen=form.seen(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Visit recorded as {visit.get_status_display().lower()}.")
            # Back to the case, where the month's cell on the grid now shows the visit.
            return redirect(f"{reverse('casework:case_detail', args=[visit.case_id])}#visits")
    return render(
        request,
        "casework/visits/record.html",
        {"visit": visit, "case": case, "form": form},
    )


@login_required
def visit_entered_in_error(request, pk: int):
    visit = selectors.visit_for_page(request.user, pk)
    case = access_case(request.user, visit.case_id, "change")
    if visit.entered_in_error:
        messages.info(request, "This visit is already marked entered in error.")
        return redirect("casework:visit_detail", pk=visit.pk)
    form = EnteredInErrorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_mark_entered_in_error(
                visit=visit, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Visit marked entered in error; it no longer counts.")
            return redirect("casework:visit_detail", pk=visit.pk)
    return render(
        request,
        "casework/visits/entered_in_error.html",
        {"visit": visit, "case": case, "form": form},
    )


urlpatterns = [
    path("cases/<int:case_id>/visits/", case_visits, name="case_visits"),
    path("cases/<int:case_id>/visits/new/", visit_plan, name="visit_plan"),
    path("visits/<int:pk>/", visit_detail, name="visit_detail"),
    path("visits/<int:pk>/record/", visit_record, name="visit_record"),
    path(
        "visits/<int:pk>/entered-in-error/",
        visit_entered_in_error,
        name="visit_entered_in_error",
    ),
]
