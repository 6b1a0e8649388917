"""Casework pages: out-of-home placements. Record a placement (or a change of
placement), open it, end it, record the kin home-study referral, mark it entered in
error; and record a permanency decision (termination petition or compelling reason) for
a child in care 15 of the last 22 months.

Placements are loaded through the cases the user may see (404 otherwise); writing needs
the "change" permission on the case (403 for roles that only read).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse

from agency import clock
from agency.forms import show_service_errors
from casework import audit
from casework.forms.placements import (
    HomeStudyForm,
    PermanencyDecisionForm,
    PlacementEndForm,
    PlacementEnteredInErrorForm,
    PlacementStartForm,
)
from casework.models import Case, Placement, RecordView
from casework.permissions import access_case
from casework.selectors import meetings as meeting_selectors
from casework.selectors import placements as selectors
from casework.selectors import rules
from casework.services import placements as services


def _posted(request):
    """The submitted data on a POST (even an empty one, so its errors show), else None."""
    return request.POST if request.method == "POST" else None


def _case_section(case_id: int) -> str:
    return f"{reverse('casework:case_detail', args=[case_id])}#placements"


@login_required
def placement_new(request, case_id: int):
    """Record a placement of a child of the case, or a change of placement."""
    case = access_case(request.user, case_id, "change")
    children = selectors.case_children(case)
    form = PlacementStartForm(_posted(request), children=children)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        child = form.chosen_child()
        current = selectors.open_placements(case).get(child.pk)
        values = {
            "actor": request.user,
            "setting": data["setting"],
            "caregiver": data["caregiver"],
            "address": data["address"],
            "start_date": data["start_date"],
            "reason": data["reason"],
        }
        try:
            if data["end_current"] and current is not None:
                placement = services.placement_change(current=current, **values)
            else:
                placement = services.placement_start(case=case, child=child, **values)
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, f"Placement of {child.full_name} recorded.")
            return redirect("casework:placement_detail", pk=placement.pk)
    return render(
        request,
        "casework/placements/new.html",
        {"case": case, "form": form, "has_children": bool(children)},
    )


@login_required
def placement_detail(request, pk: int):
    placement = selectors.placement_for_page(request.user, pk)
    case = placement.case
    audit.record_view(user=request.user, case=case, channel=RecordView.Channel.PAGE)
    today = clock.today()
    settings = rules()
    due_days = settings.kin_home_study_days
    return render(
        request,
        "casework/placements/detail.html",
        {
            "placement": placement,
            "case": case,
            "home_study_flag": selectors.home_study_flag(placement, today=today, due_days=due_days),
            "home_study_days": due_days,
            "is_unlicensed_kin": placement.setting == Placement.Setting.KIN_UNLICENSED,
            **meeting_selectors.placement_ftdm(placement, today=today, settings=settings),
            "can_change": request.user.has_perm("casework.change_case")
            and case.status == Case.Status.OPEN,
        },
    )


def _for_change(request, pk: int) -> tuple[Placement, Case]:
    placement = selectors.placement_for_page(request.user, pk)
    case = access_case(request.user, placement.case_id, "change")
    return placement, case


@login_required
def placement_end(request, pk: int):
    placement, case = _for_change(request, pk)
    if placement.end_date is not None or placement.entered_in_error:
        messages.info(request, "This placement has already ended or was entered in error.")
        return redirect("casework:placement_detail", pk=placement.pk)
    form = PlacementEndForm(_posted(request), initial={"end_date": clock.today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.placement_end(placement=placement, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, "Placement ended.")
            return redirect(_case_section(case.pk))
    return render(
        request,
        "casework/placements/end.html",
        {"placement": placement, "case": case, "form": form},
    )


@login_required
def placement_home_study(request, pk: int):
    placement, case = _for_change(request, pk)
    if placement.setting != Placement.Setting.KIN_UNLICENSED or placement.entered_in_error:
        messages.info(request, "Home-study referrals are recorded for unlicensed kin placements.")
        return redirect("casework:placement_detail", pk=placement.pk)
    initial = {"referred_on": placement.home_study_referred_on or clock.today()}
    form = HomeStudyForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.placement_record_home_study_referral(
                placement=placement, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, "Home-study referral recorded.")
            return redirect("casework:placement_detail", pk=placement.pk)
    return render(
        request,
        "casework/placements/home_study.html",
        {
            "placement": placement,
            "case": case,
            "form": form,
            "home_study_days": rules().kin_home_study_days,
        },
    )


@login_required
def placement_entered_in_error(request, pk: int):
    placement, case = _for_change(request, pk)
    if placement.entered_in_error:
        messages.info(request, "This placement is already marked entered in error.")
        return redirect("casework:placement_detail", pk=placement.pk)
    form = PlacementEnteredInErrorForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.placement_mark_entered_in_error(
                placement=placement, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, "Placement marked entered in error; it no longer counts.")
            return redirect("casework:placement_detail", pk=placement.pk)
    return render(
        request,
        "casework/placements/entered_in_error.html",
        {"placement": placement, "case": case, "form": form},
    )


@login_required
def permanency_decision_new(request, case_id: int):
    """Record the termination petition filed, or the compelling reason not to file."""
    case = access_case(request.user, case_id, "change")
    children = selectors.case_children(case)
    initial = {}
    if request.GET.get("child"):
        initial["child"] = request.GET["child"]
    form = PermanencyDecisionForm(_posted(request), children=children, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.permanency_decision_record(
                case=case,
                actor=request.user,
                child=form.chosen_child(),
                kind=data["kind"],
                decided_on=data["decided_on"],
                note=data["note"],
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, "Permanency decision recorded.")
            return redirect(_case_section(case.pk))
    return render(
        request,
        "casework/placements/permanency_new.html",
        {"case": case, "form": form, "has_children": bool(children)},
    )


urlpatterns = [
    path("cases/<int:case_id>/placements/new/", placement_new, name="placement_new"),
    path("placements/<int:pk>/", placement_detail, name="placement_detail"),
    path("placements/<int:pk>/end/", placement_end, name="placement_end"),
    path("placements/<int:pk>/home-study/", placement_home_study, name="placement_home_study"),
    path(
        "placements/<int:pk>/entered-in-error/",
        placement_entered_in_error,
        name="placement_entered_in_error",
    ),
    path(
        "cases/<int:case_id>/permanency/new/",
        permanency_decision_new,
        name="permanency_decision_new",
    ),
]
