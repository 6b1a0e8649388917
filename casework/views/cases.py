"""Casework pages: the case page and actions on the whole case."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from agency import clock
from agency.concurrency import edit_token
from agency.forms import show_service_errors
from casework import audit
from casework.forms.cases import CaseAssignForm, CaseCloseForm
from casework.permissions import access_case
from casework.selectors import assessments as assessment_selectors
from casework.selectors import cases as case_selectors
from casework.selectors import court as court_selectors
from casework.selectors import documents as document_selectors
from casework.selectors import intake as intake_selectors
from casework.selectors import meetings as meeting_selectors
from casework.selectors import people as people_selectors
from casework.selectors import placements as placement_selectors
from casework.selectors import plans as plan_selectors
from casework.selectors import rules_read_once, supervises
from casework.selectors import supervision as supervision_selectors
from casework.selectors import transfers as transfer_selectors
from casework.selectors import visits as visit_selectors
from casework.services import cases as case_services


@login_required
def case_detail(request, pk: int):
    """Everything about one case on one page: overview, people and genogram, initial
    contacts, visits, timeline, and for its supervisor who has opened it."""
    user = request.user
    case = access_case(user, pk)
    audit.record_view(user=user, case=case, channel="page")
    is_supervisor = supervises(user, case)
    context = {
        "case": case,
        "summary": case_selectors.case_summary(case),
        "can_change": user.has_perm("casework.change_case") and case.status == "open",
        "is_supervisor": is_supervisor,
        "viewers": case_selectors.case_viewers(case) if is_supervisor else None,
        "close_form": CaseCloseForm(),
    }
    today = clock.today()
    with rules_read_once():  # several sections need the casework rules
        context |= people_selectors.case_people_context(case)
        context |= intake_selectors.case_iff_context(case)
        context |= visit_selectors.case_visits_context(case, today=today)
        context |= placement_selectors.case_placements_context(case, today=today)
        context |= assessment_selectors.case_assessments_context(case, today=today)
        context |= plan_selectors.case_plan_context(case, today=today)
        context |= supervision_selectors.case_supervision_context(case, user=user, today=today)
        context |= meeting_selectors.case_meetings_context(case, user=user, today=today)
        context |= court_selectors.case_court_context(case, user=user, today=today)
        context |= document_selectors.case_documents_context(case, user=user, today=today)
        context |= transfer_selectors.case_transfers_context(case, user=user, today=today)
    return render(request, "casework/case/detail.html", context)


@login_required
def case_timeline(request, pk: int):
    """Every change to the case's records, newest first. The case page loads it as a
    fragment when its section scrolls into view; without JavaScript it is a page."""
    case = access_case(request.user, pk)
    template = (
        "casework/case/_timeline.html"
        if request.htmx or request.GET.get("fragment")
        else "casework/case/timeline.html"
    )
    return render(
        request,
        template,
        {"case": case, "timeline": case_selectors.case_timeline(case, limit=50)},
    )


@login_required
def case_assign(request, pk: int):
    case = access_case(request.user, pk, "change")
    initial = {"edit_token": edit_token(case)} if request.method != "POST" else {}
    form = CaseAssignForm(request.POST or None, case=case, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            case_services.case_assign(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, "Workers assigned.")
            return redirect("casework:case_detail", pk=case.pk)
    return render(request, "casework/case/assign.html", {"case": case, "form": form})


@login_required
@require_POST
def case_close(request, pk: int):
    case = access_case(request.user, pk, "approve")
    form = CaseCloseForm(request.POST)
    if form.is_valid():
        try:
            case_services.case_close(
                case=case, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Case {case.number} closed.")
    else:
        messages.error(request, "Say why the case is closing.")
    return redirect("casework:case_detail", pk=case.pk)


@login_required
@require_POST
def case_reopen(request, pk: int):
    case = access_case(request.user, pk, "approve")
    try:
        case_services.case_reopen(case=case, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Case {case.number} reopened.")
    return redirect("casework:case_detail", pk=case.pk)


urlpatterns = [
    path("cases/<int:pk>/", case_detail, name="case_detail"),
    path("cases/<int:pk>/timeline/", case_timeline, name="case_timeline"),
    path("cases/<int:pk>/assign/", case_assign, name="case_assign"),
    path("cases/<int:pk>/close/", case_close, name="case_close"),
    path("cases/<int:pk>/reopen/", case_reopen, name="case_reopen"),
]
