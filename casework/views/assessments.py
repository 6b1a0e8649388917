"""Casework pages: assessments (safety, risk, family-centered) and their approval.

Assessments load through visible cases (404 otherwise); starting and editing need the
"change" level on the case, deciding the "approve" level (403 when visible but not
allowed). Writes go through casework.services.assessments.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from agency import clock
from agency.concurrency import edit_token
from agency.forms import show_service_errors
from agency.permissions import access_object
from casework.audit import record_view
from casework.forms.assessments import AssessmentDecisionForm, AssessmentForm
from casework.models import Assessment
from casework.permissions import access_case
from casework.selectors import assessments as selectors
from casework.selectors import rules, supervises
from casework.services import assessments as services


def _assessment(request, pk: int) -> Assessment:
    """One assessment on a case the user may see, with its case, author and decider."""
    return access_object(
        selectors.assessment_page_queryset(selectors.visible_assessments(request.user)), pk
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_new(request, case_id: int, kind: str):
    """Start a draft assessment of `kind` on the case (GET asks to confirm)."""
    if kind not in Assessment.Kind.values:
        raise Http404("No such kind of assessment.")
    case = access_case(request.user, case_id, "change")
    label = Assessment.Kind(kind).label
    error = ""
    if request.method == "POST":
        try:
            assessment = services.assessment_start(case=case, actor=request.user, kind=kind)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"{label} started. Save the draft as you go.")
            return redirect("casework:assessment_edit", pk=assessment.pk)
    due_on = services.assessment_due_on(case=case, kind=kind, rules=rules())
    return render(
        request,
        "casework/assessments/new.html",
        {"case": case, "kind": kind, "kind_label": label, "due_on": due_on, "error": error},
    )


@login_required
def assessment_detail(request, pk: int):
    """One assessment: its status, due date, the kind's sections, the supervisor's
    decision, and its saved versions."""
    user = request.user
    assessment = _assessment(request, pk)
    case = assessment.case
    record_view(user=user, channel="page", case=case)
    open_case = case.status == case.Status.OPEN
    return render(
        request,
        "casework/assessments/detail.html",
        {
            "assessment": assessment,
            "case": case,
            "sections": selectors.assessment_sections(assessment),
            "due": selectors.due_state(
                assessment.kind,
                assessment.due_on,
                today=clock.today(),
                reminder_days=rules().assessment_reminder_days,
                status=assessment.status,
            ),
            "versions": selectors.assessment_versions(assessment),
            "may_edit": open_case
            and assessment.status in services.EDITABLE_STATUSES
            and user.has_perm("casework.change_case"),
            "may_decide": assessment.status == Assessment.Status.SUBMITTED
            and user.has_perm("casework.approve_casework")
            and supervises(user, case),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_edit(request, pk: int):
    """Fill in a draft (or a returned assessment): "Save draft" keeps it as it is,
    "Submit for approval" also checks it is complete and sends it to the supervisor."""
    user = request.user
    assessment = _assessment(request, pk)
    access_case(user, assessment.case_id, "change")
    case = assessment.case
    if assessment.status not in services.EDITABLE_STATUSES:
        messages.info(
            request,
            f"This assessment is {assessment.get_status_display().lower()}; "
            "it can no longer be changed.",
        )
        return redirect("casework:assessment_detail", pk=assessment.pk)
    initial = {name: getattr(assessment, name) for name in services.KIND_FIELDS[assessment.kind]}
    if request.method != "POST":
        initial["edit_token"] = edit_token(assessment)
    form = AssessmentForm(request.POST or None, kind=assessment.kind, initial=initial)
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            # Submitting saves the changes and sends it in one go: an incomplete
            # assessment keeps neither.
            with transaction.atomic():
                services.assessment_update(assessment=assessment, actor=user, **form.cleaned_data)
                if submit:
                    services.assessment_submit(assessment=assessment, actor=user)
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            if submit:
                messages.success(
                    request,
                    f"{assessment.get_kind_display()} submitted; the supervisor has been told.",
                )
                return redirect("casework:assessment_detail", pk=assessment.pk)
            messages.success(request, "Draft saved.")
            return redirect("casework:assessment_edit", pk=assessment.pk)
    return render(
        request,
        "casework/assessments/edit.html",
        {"assessment": assessment, "case": case, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_decide(request, pk: int):
    """The case's supervisor approves a submitted assessment or returns it with comments."""
    user = request.user
    assessment = _assessment(request, pk)
    access_case(user, assessment.case_id, "approve")
    form = AssessmentDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.assessment_decide(
                assessment=assessment,
                actor=user,
                approve=approve,
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            verb = "approved" if approve else "returned with comments"
            author = assessment.author.get_full_name() or assessment.author.username
            messages.success(
                request, f"{assessment.get_kind_display()} {verb}; {author} has been told."
            )
            return redirect("casework:assessment_detail", pk=assessment.pk)
    return render(
        request,
        "casework/assessments/decide.html",
        {
            "assessment": assessment,
            "case": assessment.case,
            "form": form,
            "sections": selectors.assessment_sections(assessment),
            "decided": assessment.status != Assessment.Status.SUBMITTED,
            "own": assessment.author_id == user.pk,
        },
    )


urlpatterns: list = [
    path("cases/<int:case_id>/assessments/new/<str:kind>/", assessment_new, name="assessment_new"),
    path("assessments/<int:pk>/", assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/edit/", assessment_edit, name="assessment_edit"),
    path("assessments/<int:pk>/decide/", assessment_decide, name="assessment_decide"),
]
