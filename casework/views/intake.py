"""Casework pages: intake, differential response and initial face-to-face contacts.

Objects load through visible cases (404 otherwise); writing needs the "change" level on
the case, deciding and overriding the "approve" level (403 when visible but not allowed).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from agency import clock
from agency.forms import show_service_errors
from agency.permissions import access_object, can_use_workspace
from casework.audit import record_view
from casework.forms.intake import (
    AllegationFindingForm,
    ChildFormSet,
    ExtensionDecisionForm,
    IffAttemptForm,
    IffContactForm,
    IffExtensionForm,
    IntakeForm,
    OverrideTrackForm,
    local_now_initial,
)
from casework.models import Allegation, IffContact, IffExtension, Intake
from casework.permissions import access_case
from casework.selectors import intake as selectors
from casework.selectors import rules, supervises
from casework.services import findings as finding_services
from casework.services import intake as services


def _track_message(intake: Intake) -> str:
    recommended = intake.get_recommended_track_display()
    if intake.track == intake.recommended_track:
        return (
            f"Intake {intake.reference} recorded and case {intake.case.number} opened. "
            f"Hearth recommends {recommended}; the case follows it."
        )
    return (
        f"Intake {intake.reference} recorded and case {intake.case.number} opened. "
        f"Hearth recommends {recommended}; the supervisor chose {intake.get_track_display()}."
    )


@login_required
@require_http_methods(["GET", "POST"])
def intake_new(request):
    """Record a report accepted at the Careline; Hearth recommends the track."""
    user = request.user
    if not user.has_perm("casework.add_intake"):
        raise PermissionDenied("Intakes are recorded by caseworkers and supervisors.")
    may_override = user.has_perm("casework.approve_casework")
    data = request.POST if request.method == "POST" else None
    form = IntakeForm(
        data, user=user, may_override=may_override, initial={"accepted_at": local_now_initial()}
    )
    children = ChildFormSet(data, prefix="children")
    if data is not None:
        form_ok = form.is_valid()
        if children.is_valid() and form_ok:
            cleaned = form.cleaned_data
            try:
                intake = services.intake_accept(
                    actor=user,
                    accepted_at=cleaned["accepted_at"],
                    reporter_type=cleaned["reporter_type"],
                    reporter_name=cleaned["reporter_name"],
                    narrative=cleaned["narrative"],
                    response_time=cleaned["response_time"],
                    risk_level=cleaned["risk_level"],
                    exceptional_circumstances=cleaned["exceptional_circumstances"],
                    children=children.children(),
                    unit=cleaned["unit"],
                    worker=cleaned["worker"],
                    case_name=cleaned["case_name"],
                    candidacy=cleaned["candidacy"],
                    track=cleaned.get("track") or None,
                    override_reason=cleaned.get("override_reason", ""),
                )
            except ValidationError as exc:
                show_service_errors(exc, form)
            else:
                messages.success(request, _track_message(intake))
                return redirect("casework:intake_detail", pk=intake.pk)
    return render(
        request,
        "casework/intake/new.html",
        {"form": form, "children": children, "rules": rules(), "may_override": may_override},
    )


@login_required
def intake_detail(request, pk: int):
    """One intake: the report, allegations, the track and its changes, and each alleged
    victim's initial face-to-face contact with its state and actions."""
    user = request.user
    intake = access_object(selectors.intake_page_queryset(selectors.visible_intakes(user)), pk)
    case = intake.case
    selectors.decorate_intake(intake, clock.now())
    record_view(user=user, channel="page", case=case)
    open_case = case.status == case.Status.OPEN
    may_change = open_case and user.has_perm("casework.change_case")
    return render(
        request,
        "casework/intake/detail.html",
        {
            "intake": intake,
            "case": case,
            "history": selectors.intake_track_history(intake),
            "findings": _findings(intake, may_change),
            "may_change": may_change,
            "may_approve": user.has_perm("casework.approve_casework") and supervises(user, case),
            "rules": rules(),
        },
    )


def _findings(intake: Intake, may_change: bool) -> list[dict]:
    """Each allegation with its finding, and a form to record it on an investigation
    the user may change (one query)."""
    investigation = intake.track == Intake.Track.INVESTIGATION
    rows = []
    for allegation in (
        Allegation.objects.filter(intake=intake)
        .select_related("child", "finding_by")
        .order_by("child__last_name", "child__first_name", "kind")
    ):
        form = None
        if may_change and investigation:
            initial = {"finding": allegation.finding, "finding_on": allegation.finding_on}
            if allegation.finding == Allegation.Finding.PENDING:
                initial = {"finding_on": clock.today()}
            form = AllegationFindingForm(initial=initial, prefix=f"allegation-{allegation.pk}")
        rows.append({"allegation": allegation, "form": form})
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def allegation_finding(request, pk: int):
    """Record (or correct) the investigation's finding on one allegation. The intake page
    shows a small form per allegation posting here; errors show on this page."""
    user = request.user
    allegation = access_object(
        Allegation.objects.filter(
            intake__in=selectors.visible_intakes(user).values("pk")
        ).select_related("intake__case", "child", "finding_by"),
        pk,
    )
    access_case(user, allegation.intake.case_id, "change")
    prefix = f"allegation-{allegation.pk}"
    initial = {"finding": allegation.finding, "finding_on": allegation.finding_on or clock.today()}
    form = AllegationFindingForm(request.POST or None, initial=initial, prefix=prefix)
    if request.method == "POST" and form.is_valid():
        try:
            finding_services.allegation_finding_record(
                allegation=allegation, actor=user, **form.cleaned_data
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(
                request,
                f"Finding recorded: {allegation.get_kind_display().lower()} of "
                f"{allegation.child.full_name}, {allegation.get_finding_display().lower()}.",
            )
            return redirect(
                f"{reverse('casework:intake_detail', args=[allegation.intake_id])}#findings"
            )
    return render(
        request,
        "casework/intake/finding.html",
        {"allegation": allegation, "intake": allegation.intake, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def intake_override(request, pk: int):
    """The supervisor puts the intake on the other track, with a reason."""
    user = request.user
    intake = access_object(selectors.visible_intakes(user).select_related("case"), pk)
    access_case(user, intake.case_id, "approve")
    other = (
        Intake.Track.INVESTIGATION
        if intake.track == Intake.Track.FAMILY_ASSESSMENT
        else Intake.Track.FAMILY_ASSESSMENT
    )
    form = OverrideTrackForm(request.POST or None, initial={"track": other})
    if request.method == "POST" and form.is_valid():
        try:
            services.intake_override_track(
                intake=intake,
                actor=user,
                track=form.cleaned_data["track"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(
                request, f"Intake {intake.reference} is now on {intake.get_track_display()}."
            )
            return redirect("casework:intake_detail", pk=intake.pk)
    return render(request, "casework/intake/override.html", {"intake": intake, "form": form})


def _iff_to_change(request, pk: int) -> IffContact:
    iff = access_object(
        selectors.visible_iff(request.user).select_related("child", "intake__case"), pk
    )
    access_case(request.user, iff.intake.case_id, "change")
    return iff


def _iff_page(request, iff: IffContact, form: forms.Form, action: dict):
    return render(request, "casework/intake/iff_form.html", {"iff": iff, "form": form, **action})


@login_required
@require_http_methods(["GET", "POST"])
def iff_contact(request, pk: int):
    """Record that the worker saw the child face to face."""
    iff = _iff_to_change(request, pk)
    form = IffContactForm(request.POST or None, initial={"seen_at": local_now_initial()})
    if request.method == "POST" and form.is_valid():
        try:
            services.iff_record_contact(iff=iff, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, f"Face-to-face contact with {iff.child} recorded.")
            return redirect("casework:intake_detail", pk=iff.intake_id)
    return _iff_page(
        request,
        iff,
        form,
        {"title": "Record the face-to-face contact", "submit": "Record contact"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def iff_extension(request, pk: int):
    """Ask the supervisor for more time to see the child."""
    iff = _iff_to_change(request, pk)
    form = IffExtensionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.iff_extension_request(iff=iff, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(
                request, f"Extension for {iff.child} requested; the supervisor has been told."
            )
            return redirect("casework:intake_detail", pk=iff.intake_id)
    return _iff_page(
        request,
        iff,
        form,
        {
            "title": "Request an extension",
            "submit": "Request extension",
            "intro": "A supervisor approves an extension only when it meets one of these "
            "reasons. Keep recording follow-up attempts until the child is seen.",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def iff_attempt(request, pk: int):
    """Record a follow-up attempt to see the child after an extension."""
    iff = _iff_to_change(request, pk)
    form = IffAttemptForm(request.POST or None, initial={"attempted_at": local_now_initial()})
    if request.method == "POST" and form.is_valid():
        try:
            services.iff_attempt_record(iff=iff, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, f"Follow-up attempt for {iff.child} recorded.")
            return redirect("casework:intake_detail", pk=iff.intake_id)
    return _iff_page(
        request,
        iff,
        form,
        {"title": "Record a follow-up attempt", "submit": "Record attempt"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def extension_decide(request, pk: int):
    """The case's supervisor approves or denies an extension, with a comment."""
    user = request.user
    extension = access_object(
        selectors.visible_iff_extensions(user).select_related(
            "iff__child", "iff__intake__case", "requested_by", "decided_by"
        ),
        pk,
    )
    access_case(user, extension.iff.intake.case_id, "approve")
    form = ExtensionDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.iff_extension_decide(
                extension=extension,
                actor=user,
                approve=form.cleaned_data["decision"] == "approve",
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            verb = "approved" if form.cleaned_data["decision"] == "approve" else "denied"
            messages.success(
                request,
                f"Extension for {extension.iff.child} {verb}; "
                f"{extension.requested_by.get_full_name() or 'the worker'} has been told.",
            )
            return redirect("casework:intake_detail", pk=extension.iff.intake_id)
    return render(
        request,
        "casework/intake/decide.html",
        {
            "extension": extension,
            "form": form,
            "decided": extension.status != IffExtension.Status.PENDING,
        },
    )


@login_required
def iff_weekly(request):
    """The weekly IFF review: every child not yet seen, with time left or overdue, and
    every extension of the past week or still pending."""
    if not can_use_workspace(request.user, "casework"):
        raise PermissionDenied("The IFF review is for caseworkers, supervisors and area offices.")
    context = selectors.iff_weekly(request.user, now=clock.now())
    return render(request, "casework/intake/weekly.html", context)


urlpatterns: list = [
    path("intakes/new/", intake_new, name="intake_new"),
    path("intakes/<int:pk>/", intake_detail, name="intake_detail"),
    path("intakes/<int:pk>/track/", intake_override, name="intake_override"),
    path("allegations/<int:pk>/finding/", allegation_finding, name="allegation_finding"),
    path("iff/", iff_weekly, name="iff_weekly"),
    path("iff/<int:pk>/contact/", iff_contact, name="iff_contact"),
    path("iff/<int:pk>/extension/", iff_extension, name="iff_extension"),
    path("iff/<int:pk>/attempt/", iff_attempt, name="iff_attempt"),
    path("extensions/<int:pk>/decide/", extension_decide, name="extension_decide"),
]
