"""Casework pages: court work. Petitions (a termination of parental rights petition
answers the 15-of-22-months rule), hearings with the court report due before each,
their outcomes and the next hearing; a case's court record; and the court page across
a caseload (hearings ahead, reports due, outcomes not recorded).

Petitions and hearings load through the cases the user may see (404 otherwise);
writing needs the "change" permission on the case (403 for roles that only read).
Writes go through casework.services.court; every form carries the version the user
opened, and an edit made on an older version is refused with the input kept.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse

from agency import clock
from agency.forms import show_service_errors
from agency.permissions import user_role, workspace_required
from agency.roles import Role
from casework import audit
from casework.forms.court import (
    HearingEditForm,
    HearingForm,
    HearingRecordForm,
    PetitionEditForm,
    PetitionForm,
    ReportFiledForm,
)
from casework.models import Case, CourtHearing, CourtPetition, RecordView
from casework.permissions import access_case
from casework.selectors import court as selectors
from casework.selectors import rules
from casework.services import court as services
from casework.views.scheduled import refuse_unless_scheduled

HearingStatus = CourtHearing.Status
LIST_SHOWS = {
    "upcoming": "Hearings ahead",
    "reports": "Court reports due soon or overdue",
    "not_recorded": "Outcomes not recorded",
}


def _can_change(user, case: Case) -> bool:
    return user.has_perm("casework.change_case") and case.status == Case.Status.OPEN


def _case_section(case_id: int) -> str:
    return f"{reverse('casework:case_detail', args=[case_id])}#court"


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _petitions(case: Case) -> list[CourtPetition]:
    return list(
        CourtPetition.objects.filter(case=case).select_related("child").order_by("-filed_on")
    )


# --- a case's court record -------------------------------------------------------------------


@login_required
def case_court(request, case_id: int):
    """Every petition and hearing of a case (hearings latest first, 25 a page)."""
    case = access_case(request.user, case_id)
    settings = rules()
    page = Paginator(selectors.case_hearings(case), 25).get_page(request.GET.get("page"))
    selectors.with_report_states(
        page.object_list,
        today=clock.today(),
        reminder_days=settings.court_report_reminder_days,
    )
    return render(
        request,
        "casework/court/case_list.html",
        {
            "case": case,
            "page": page,
            "petitions": _petitions(case),
            "lead_days": settings.court_report_lead_days,
            "can_change": _can_change(request.user, case),
        },
    )


# --- petitions -------------------------------------------------------------------------------


@login_required
def petition_new(request, case_id: int):
    """Record a petition filed. ?kind=tpr&child= fill the form in (the case page's link
    for a child in care 15 of the last 22 months)."""
    user = request.user
    case = access_case(user, case_id, "change")
    children = selectors.case_children(case)
    initial = {name: request.GET[name] for name in ("kind", "child") if request.GET.get(name)}
    initial.setdefault("filed_on", clock.today())
    form = PetitionForm(
        request.POST if request.method == "POST" else None, children=children, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            petition = services.petition_file(case=case, actor=user, **form.service_fields())
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            done = f"{petition.get_kind_display()} recorded."
            if petition.kind == CourtPetition.Kind.TPR:
                done += " It is recorded as the permanency decision for the 15-of-22-months rule."
            messages.success(request, done)
            return redirect("casework:petition_detail", pk=petition.pk)
    return render(
        request,
        "casework/court/petition_form.html",
        {"case": case, "form": form, "petition": None, "has_children": bool(children)},
        status=_status(form),
    )


@login_required
def petition_detail(request, pk: int):
    user = request.user
    petition = selectors.petition_for_page(user, pk)
    case = petition.case
    audit.record_view(user=user, case=case, channel=RecordView.Channel.PAGE)
    settings = rules()
    hearings = selectors.with_report_states(
        petition.hearings.order_by("scheduled_for"),
        today=clock.today(),
        reminder_days=settings.court_report_reminder_days,
    )
    return render(
        request,
        "casework/court/petition_detail.html",
        {
            "petition": petition,
            "case": case,
            "hearings": hearings,
            "decision": petition.case.permanency_decisions.filter(petition=petition).first(),
            "can_change": _can_change(user, case),
        },
    )


@login_required
def petition_edit(request, pk: int):
    """The petition's status and decision, court and docket, filing day, note."""
    user = request.user
    petition = selectors.petition_for_page(user, pk)
    case = access_case(user, petition.case_id, "change")
    form = PetitionEditForm(
        request.POST if request.method == "POST" else None,
        initial=PetitionEditForm.initial_for(petition),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.petition_update(
                petition=petition,
                actor=user,
                version=form.cleaned_data["version"],
                **form.service_fields(),
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, "Petition saved.")
            return redirect("casework:petition_detail", pk=petition.pk)
    return render(
        request,
        "casework/court/petition_form.html",
        {"case": case, "form": form, "petition": petition},
        status=_status(form),
    )


# --- hearings --------------------------------------------------------------------------------


@login_required
def hearing_new(request, case_id: int):
    """Schedule a hearing (?petition= fills in the petition heard)."""
    user = request.user
    case = access_case(user, case_id, "change")
    initial = {name: request.GET[name] for name in ("petition", "child") if request.GET.get(name)}
    form = HearingForm(
        request.POST if request.method == "POST" else None,
        children=selectors.case_children(case),
        petitions=_petitions(case),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            hearing = services.hearing_schedule(case=case, actor=user, **form.service_fields())
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(
                request,
                f"{hearing.get_kind_display()} scheduled; the court report is due "
                f"{hearing.report_due_on.day} {hearing.report_due_on:%b %Y}.",
            )
            return redirect("casework:hearing_detail", pk=hearing.pk)
    return render(
        request,
        "casework/court/hearing_form.html",
        {
            "case": case,
            "form": form,
            "hearing": None,
            "lead_days": rules().court_report_lead_days,
        },
        status=_status(form),
    )


@login_required
def hearing_detail(request, pk: int):
    user = request.user
    hearing = selectors.hearing_for_page(user, pk)
    case = hearing.case
    audit.record_view(user=user, case=case, channel=RecordView.Channel.PAGE)
    settings = rules()
    selectors.with_report_states(
        [hearing], today=clock.today(), reminder_days=settings.court_report_reminder_days
    )
    can_change = _can_change(user, case)
    return render(
        request,
        "casework/court/hearing_detail.html",
        {
            "hearing": hearing,
            "case": case,
            "previous": selectors.previous_hearing(hearing),
            "lead_days": settings.court_report_lead_days,
            "can_change": can_change,
            "can_edit": can_change and hearing.status == HearingStatus.SCHEDULED,
            "report_form": ReportFiledForm(
                initial={"report_filed_on": clock.today(), "version": hearing.version}
            ),
            "now": clock.now(),
        },
    )


def _hearing_to_change(request, pk: int) -> tuple[CourtHearing, Case]:
    hearing = selectors.hearing_for_page(request.user, pk)
    case = access_case(request.user, hearing.case_id, "change")
    return hearing, case


def _refuse_unless_scheduled(request, hearing: CourtHearing):
    return refuse_unless_scheduled(
        request, hearing, noun="hearing", detail="casework:hearing_detail"
    )


@login_required
def hearing_edit(request, pk: int):
    """Move a scheduled hearing or change its details; the report's due day follows."""
    user = request.user
    hearing, case = _hearing_to_change(request, pk)
    refused = _refuse_unless_scheduled(request, hearing)
    if refused:
        return refused
    form = HearingEditForm(
        request.POST if request.method == "POST" else None,
        children=selectors.case_children(case),
        petitions=_petitions(case),
        initial=HearingEditForm.initial_for(hearing),
    )
    if request.method == "POST" and form.is_valid():
        try:
            hearing = services.hearing_update(
                hearing=hearing,
                actor=user,
                version=form.cleaned_data["version"],
                **form.service_fields(),
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(
                request,
                f"Hearing saved; the court report is due {hearing.report_due_on.day} "
                f"{hearing.report_due_on:%b %Y}.",
            )
            return redirect("casework:hearing_detail", pk=hearing.pk)
    return render(
        request,
        "casework/court/hearing_form.html",
        {
            "case": case,
            "form": form,
            "hearing": hearing,
            "lead_days": rules().court_report_lead_days,
        },
        status=_status(form),
    )


@login_required
def hearing_record(request, pk: int):
    """Record a hearing's outcome (held, continued, cancelled) and schedule the next."""
    user = request.user
    hearing, case = _hearing_to_change(request, pk)
    refused = _refuse_unless_scheduled(request, hearing)
    if refused:
        return refused
    form = HearingRecordForm(
        request.POST if request.method == "POST" else None,
        initial={"version": hearing.version, "next_court": ""},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            hearing = services.hearing_record(
                hearing=hearing,
                actor=user,
                version=data["version"],
                status=data["status"],
                outcome=data["outcome"],
                next_hearing=form.next_hearing(),
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            done = f"Hearing recorded as {hearing.get_status_display().lower()}."
            if hearing.next_hearing_id:
                done += " The next hearing is scheduled."
            messages.success(request, done)
            return redirect("casework:hearing_detail", pk=hearing.pk)
    return render(
        request,
        "casework/court/hearing_record.html",
        {"case": case, "form": form, "hearing": hearing},
        status=_status(form),
    )


@login_required
def hearing_report_filed(request, pk: int):
    """Record the day the court report was filed."""
    user = request.user
    hearing, case = _hearing_to_change(request, pk)
    form = ReportFiledForm(
        request.POST if request.method == "POST" else None,
        initial={"report_filed_on": clock.today(), "version": hearing.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.hearing_report_filed(
                hearing=hearing,
                actor=user,
                version=form.cleaned_data["version"],
                filed_on=form.cleaned_data["report_filed_on"],
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, "Court report recorded as filed.")
            return redirect("casework:hearing_detail", pk=hearing.pk)
    return render(
        request,
        "casework/court/report_filed.html",
        {"case": case, "form": form, "hearing": hearing},
        status=_status(form),
    )


# --- across a caseload -----------------------------------------------------------------------


@workspace_required("casework")
def court_list(request):
    """Hearings on my cases (or my units'): those ahead with their court reports, the
    reports due soon or overdue, or the hearings past whose outcome is not recorded. 25
    a page, a fixed number of queries whatever the number of hearings."""
    user = request.user
    default = "mine" if user_role(user) == Role.CASEWORKER else "unit"
    scope = request.GET.get("scope", default)
    scope = scope if scope in ("mine", "unit") else default
    show = request.GET.get("show", "upcoming")
    show = show if show in LIST_SHOWS else "upcoming"
    today = clock.today()
    settings = rules()
    hearings = selectors.hearing_list(user, scope=scope, show=show, today=today)
    page = Paginator(hearings, 25).get_page(request.GET.get("page"))
    selectors.with_report_states(
        page.object_list, today=today, reminder_days=settings.court_report_reminder_days
    )
    return render(
        request,
        "casework/court/list.html",
        {
            "page": page,
            "scope": scope,
            "show": show,
            "shows": LIST_SHOWS,
            "lead_days": settings.court_report_lead_days,
            "reminder_days": settings.court_report_reminder_days,
            "querystring": f"scope={scope}&show={show}",
        },
    )


urlpatterns = [
    path("court/", court_list, name="court_list"),
    path("cases/<int:case_id>/court/", case_court, name="case_court"),
    path("cases/<int:case_id>/petitions/new/", petition_new, name="petition_new"),
    path("petitions/<int:pk>/", petition_detail, name="petition_detail"),
    path("petitions/<int:pk>/edit/", petition_edit, name="petition_edit"),
    path("cases/<int:case_id>/hearings/new/", hearing_new, name="hearing_new"),
    path("hearings/<int:pk>/", hearing_detail, name="hearing_detail"),
    path("hearings/<int:pk>/edit/", hearing_edit, name="hearing_edit"),
    path("hearings/<int:pk>/record/", hearing_record, name="hearing_record"),
    path("hearings/<int:pk>/report-filed/", hearing_report_filed, name="hearing_report_filed"),
]
