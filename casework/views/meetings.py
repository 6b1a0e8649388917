"""Casework pages: family team meetings. Schedule a meeting on a case, invite the
family (both sides), its supports and providers, record it as held (attendance,
decisions, safety, conditions for return home, plan changes) or cancel it; a case's
meetings; and the meetings page across a caseload: what the rules make due, what is
scheduled, what is not recorded.

Meetings load through the cases the user may see (404 otherwise); writing needs the
"change" permission on the case (403 for roles that only read). Writes go through
casework.services.meetings; every form carries the version the user opened, and an
edit made on an older version is refused with the input kept.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from agency import clock
from agency.forms import show_service_errors
from agency.permissions import access_object, user_role, workspace_required
from agency.roles import Role
from casework import audit
from casework.forms.meetings import (
    CancelForm,
    InviteForm,
    LinkPlacementForm,
    MeetingEditForm,
    MeetingForm,
    RecordForm,
    facilitators_for,
    local_input,
)
from casework.models import Case, FamilyMeeting, MeetingParticipant, Placement, RecordView
from casework.permissions import access_case
from casework.selectors import meetings as selectors
from casework.selectors import rules
from casework.selectors.court import case_children
from casework.services import meetings as services
from casework.views.scheduled import refuse_unless_scheduled

Status = FamilyMeeting.Status


def _can_change(user, case: Case) -> bool:
    return user.has_perm("casework.change_case") and case.status == Case.Status.OPEN


def _case_section(case_id: int) -> str:
    return f"{reverse('casework:case_detail', args=[case_id])}#meetings"


def _placements(case: Case) -> list[Placement]:
    return list(
        Placement.objects.filter(case=case, entered_in_error=False)
        .select_related("child")
        .order_by("-start_date", "-pk")
    )


def _meeting_to_change(request, pk: int) -> tuple[FamilyMeeting, Case]:
    meeting = selectors.meeting_for_page(request.user, pk)
    case = access_case(request.user, meeting.case_id, "change")
    return meeting, case


def _refuse_unless_scheduled(request, meeting: FamilyMeeting):
    return refuse_unless_scheduled(
        request, meeting, noun="meeting", detail="casework:meeting_detail"
    )


# --- a case's meetings -----------------------------------------------------------------------


@login_required
def case_meetings(request, case_id: int):
    """Every meeting of a case, scheduled ones first, 25 a page, with the due rules."""
    case = access_case(request.user, case_id)
    page = Paginator(selectors.case_meetings(case), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "casework/meetings/case_list.html",
        {
            "case": case,
            "page": page,
            "rules_text": selectors.rules_in_words(rules()),
            "can_change": _can_change(request.user, case),
        },
    )


@login_required
def meeting_new(request, case_id: int):
    """Schedule a meeting. ?kind=, ?child= and ?placement= fill the form in (the case
    page's "Schedule" links for a meeting due)."""
    user = request.user
    case = access_case(user, case_id, "change")
    children = case_children(case)
    placements = _placements(case)
    initial = {
        name: request.GET[name] for name in ("kind", "child", "placement") if request.GET.get(name)
    }
    form = MeetingForm(
        request.POST if request.method == "POST" else None,
        children=children,
        placements=placements,
        facilitators=facilitators_for(case),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_schedule(case=case, actor=user, **form.service_fields())
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(
                request, f"{meeting.get_kind_display()} scheduled. Now invite the family."
            )
            return redirect("casework:meeting_invite", pk=meeting.pk)
    return render(
        request,
        "casework/meetings/form.html",
        {
            "case": case,
            "form": form,
            "meeting": None,
            "rules_text": selectors.rules_in_words(rules()),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def meeting_detail(request, pk: int):
    user = request.user
    meeting = selectors.meeting_for_page(user, pk)
    case = meeting.case
    audit.record_view(user=user, case=case, channel=RecordView.Channel.PAGE)
    participants = selectors.meeting_participants(meeting)
    return render(
        request,
        "casework/meetings/detail.html",
        {
            "meeting": meeting,
            "case": case,
            "now": clock.now(),
            "participants": participants,
            "hints": selectors.family_side_hints(p.relation for p in participants)
            if meeting.status == Status.SCHEDULED
            else [],
            "can_change": _can_change(user, case) and meeting.status == Status.SCHEDULED,
            "can_link": _can_change(user, case)
            and meeting.kind == FamilyMeeting.Kind.FTDM
            and meeting.status != Status.CANCELLED,
        },
    )


@login_required
def meeting_edit(request, pk: int):
    """Change a scheduled meeting's details (move it, link the FTDM's placement...)."""
    user = request.user
    meeting, case = _meeting_to_change(request, pk)
    refused = _refuse_unless_scheduled(request, meeting)
    if refused:
        return refused
    form = MeetingEditForm(
        request.POST if request.method == "POST" else None,
        children=case_children(case),
        placements=_placements(case),
        facilitators=facilitators_for(case),
        initial=MeetingEditForm.initial_for(meeting),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(
                meeting=meeting,
                actor=user,
                version=form.cleaned_data["version"],
                **form.service_fields(),
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, "Meeting details saved.")
            return redirect("casework:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "casework/meetings/form.html",
        {
            "case": case,
            "form": form,
            "meeting": meeting,
            "rules_text": selectors.rules_in_words(rules()),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def meeting_invite(request, pk: int):
    """Invite people on the case (with their relation to the child) and others by name.
    Says when neither the mother's nor the father's side of the family is invited."""
    user = request.user
    meeting, case = _meeting_to_change(request, pk)
    refused = _refuse_unless_scheduled(request, meeting)
    if refused:
        return refused
    participants = selectors.meeting_participants(meeting)
    invitable = selectors.invitable_members(
        case, today=clock.today(), exclude=[p.person_id for p in participants if p.person_id]
    )
    form = InviteForm(
        request.POST if request.method == "POST" else None,
        invitable=invitable,
        initial={"invited_on": clock.today(), "version": meeting.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            invited = services.meeting_invite(
                meeting=meeting,
                actor=user,
                invitees=form.invitees(),
                version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, f"Invited: {', '.join(p.name for p in invited)}.")
            return redirect("casework:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "casework/meetings/invite.html",
        {
            "meeting": meeting,
            "case": case,
            "form": form,
            "participants": participants,
            "hints": selectors.family_side_hints(p.relation for p in participants),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def meeting_uninvite(request, pk: int):
    """Take someone off a scheduled meeting's invitations."""
    participant = access_object(
        MeetingParticipant.objects.filter(
            meeting__in=selectors.visible_meetings(request.user)
        ).select_related("meeting"),
        pk,
    )
    meeting, _case = _meeting_to_change(request, participant.meeting_id)
    try:
        services.meeting_uninvite(participant=participant, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{participant.name} is no longer invited.")
    return redirect("casework:meeting_detail", pk=meeting.pk)


@login_required
def meeting_record(request, pk: int):
    """Record a scheduled meeting as held."""
    user = request.user
    meeting, case = _meeting_to_change(request, pk)
    refused = _refuse_unless_scheduled(request, meeting)
    if refused:
        return refused
    participants = selectors.meeting_participants(meeting)
    initial = {"version": meeting.version}
    if meeting.scheduled_for <= clock.now():
        initial["held_at"] = local_input(meeting.scheduled_for)
    form = RecordForm(
        request.POST if request.method == "POST" else None,
        participants=participants,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.meeting_record(
                meeting=meeting,
                actor=user,
                version=data["version"],
                held_at=data["held_at"],
                attended=[int(pk) for pk in data["attended"]],
                decisions=data["decisions"],
                safety_discussion=data["safety_discussion"],
                conditions_for_return=data["conditions_for_return"],
                plan_changes=data["plan_changes"],
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, f"{meeting.get_kind_display()} recorded as held.")
            return redirect("casework:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "casework/meetings/record.html",
        {
            "meeting": meeting,
            "case": case,
            "form": form,
            "participants": participants,
            "safety_required": meeting.kind in services.SAFETY_KINDS,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def meeting_placement(request, pk: int):
    """Link an FTDM, scheduled or already held, to the placement it decided on or
    followed: an FTDM held before a child moves is often recorded before the placement
    is, and counts for the placement's rule once linked. Reached from the meeting and
    from the placement page (whose "Link" buttons post here with `back=placement`)."""
    user = request.user
    meeting, case = _meeting_to_change(request, pk)
    if meeting.kind != FamilyMeeting.Kind.FTDM or meeting.status == Status.CANCELLED:
        messages.info(request, "Only a scheduled or held FTDM is linked to a placement.")
        return redirect("casework:meeting_detail", pk=meeting.pk)
    placements = [p for p in _placements(case) if meeting.child_id in (None, p.child_id)]
    form = LinkPlacementForm(
        request.POST if request.method == "POST" else None,
        placements=placements,
        initial={"placement": str(meeting.placement_id or ""), "version": meeting.version},
    )
    if request.method == "POST" and form.is_valid():
        placement = form.chosen()
        try:
            services.meeting_link_placement(
                meeting=meeting,
                actor=user,
                version=form.cleaned_data["version"],
                placement=placement,
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            if placement is None:
                messages.success(request, "The FTDM is no longer linked to a placement.")
            else:
                messages.success(request, "The FTDM is linked to the placement.")
            if placement is not None and form.cleaned_data["back"] == "placement":
                return redirect("casework:placement_detail", pk=placement.pk)
            return redirect("casework:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "casework/meetings/placement.html",
        {"meeting": meeting, "case": case, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def meeting_cancel(request, pk: int):
    user = request.user
    meeting, case = _meeting_to_change(request, pk)
    refused = _refuse_unless_scheduled(request, meeting)
    if refused:
        return refused
    form = CancelForm(
        request.POST if request.method == "POST" else None, initial={"version": meeting.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(
                meeting=meeting,
                actor=user,
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["cancel_reason"],
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, "Meeting cancelled.")
            return redirect(_case_section(case.pk))
    return render(
        request,
        "casework/meetings/cancel.html",
        {"meeting": meeting, "case": case, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


# --- across a caseload -----------------------------------------------------------------------


def _scope(request) -> str:
    default = "mine" if user_role(request.user) == Role.CASEWORKER else "unit"
    scope = request.GET.get("scope", default)
    return scope if scope in ("mine", "unit") else default


@workspace_required("casework")
def meeting_list(request):
    """Family meetings across my cases (or my units'): those the rules make due soon or
    overdue, those not recorded, and those scheduled in the next 30 days. A fixed
    number of queries whatever the number of cases."""
    scope = _scope(request)
    today = clock.today()
    overview = selectors.meetings_overview(request.user, scope=scope, today=today)
    settings = rules()
    return render(
        request,
        "casework/meetings/list.html",
        {
            "scope": scope,
            "today": today,
            "now": timezone.now(),
            "upcoming_days": selectors.UPCOMING_DAYS,
            "reminder_days": settings.meeting_reminder_days,
            "rules_text": selectors.rules_in_words(settings),
            **overview,
        },
    )


urlpatterns = [
    path("meetings/", meeting_list, name="meeting_list"),
    path("cases/<int:case_id>/meetings/", case_meetings, name="case_meetings"),
    path("cases/<int:case_id>/meetings/new/", meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/invite/", meeting_invite, name="meeting_invite"),
    path("meetings/<int:pk>/record/", meeting_record, name="meeting_record"),
    path("meetings/<int:pk>/cancel/", meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/placement/", meeting_placement, name="meeting_placement"),
    path(
        "meeting-participants/<int:pk>/remove/", meeting_uninvite, name="meeting_participant_remove"
    ),
]
