"""One inquiry: record it (staff intake), read it, work on it, edit its details, and
download its attachments.

Every page loads the inquiry through ombudsman.permissions.access_inquiry: 404 for a
user who may not see it. Actions also need `work` (403 for the Commissioner's office,
which reads only). Each action is its own POST URL calling one service; when the
service refuses, the inquiry page is shown again with the errors beside the fields and
what the user typed kept.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from agency.forms import show_service_errors
from agency.roles import Role
from agency.selectors import business_calendar
from agency.templatetags.hearth import when
from casework.selectors import visible_cases
from ombudsman import forms, selectors, services
from ombudsman.models import Inquiry, InquiryEvent
from ombudsman.permissions import access_attachment, access_inquiry, require_lead, require_work

User = get_user_model()


def _consultable_staff():
    """Agency staff the Ombudsman may consult: active, with a role, outside the office."""
    return (
        User.objects.filter(is_active=True, staff__isnull=False)
        .exclude(staff__role__in=[Role.OMBUDSMAN_STAFF, Role.OMBUDSMAN_LEAD])
        .select_related("staff__work_location")
        .order_by("last_name", "first_name", "username")
    )


# --- the inquiry page and its actions ----------------------------------------------------

# Action name -> (form class, heading, button). Their order is the page's.
ACTIONS: dict[str, tuple[type, str, str]] = {
    "respond": (forms.RespondForm, "Log the initial response", "Log the initial response"),
    "assign": (forms.AssignForm, "Assign or reassign", "Assign"),
    "log": (forms.LogForm, "Log a contact, referral or note", "Log it"),
    "consult": (forms.ConsultForm, "Consult agency staff", "Send the question"),
    "hr_referral": (
        forms.HrReferralForm,
        "Record the referral to Human Resource Management",
        "Record the referral",
    ),
    "resolve": (forms.ResolveForm, "Resolve", "Resolve the inquiry"),
    "close": (forms.CloseForm, "Close", "Close the inquiry"),
    "reopen": (forms.ReopenForm, "Reopen", "Reopen the inquiry"),
    "attachment": (forms.AttachmentForm, "Add an attachment", "Add the file"),
}


def _action_form(name: str, data=None, files=None):
    prefix = name.replace("_", "-")
    if name == "assign":
        return forms.AssignForm(data, prefix=prefix, staff=selectors.ombudsman_staff())
    if name == "consult":
        return forms.ConsultForm(data, prefix=prefix, staff=_consultable_staff())
    return ACTIONS[name][0](data, files, prefix=prefix)


def _available_actions(user, inquiry: Inquiry) -> set[str]:
    """What the user may do with the inquiry in its current state."""
    if not selectors.can_work(user):
        return set()
    actions = {"log", "attachment"}
    if inquiry.is_open:
        actions |= {"consult"}
        if selectors.is_lead(user):
            actions.add("assign")
        if inquiry.initial_response_at is None:
            actions.add("respond")
        else:
            actions.add("resolve")
    if inquiry.retaliation_alleged and inquiry.hr_referred_at is None:
        actions.add("hr_referral")
    if inquiry.status == Inquiry.Status.RESOLVED:
        actions.add("close")
    if not inquiry.is_open:
        actions.add("reopen")
    return actions


def _render_inquiry(request, inquiry: Inquiry, bound: tuple[str, object] | None = None):
    """The inquiry page; `bound` is (action, form) of an action the service refused,
    shown open with its errors and the user's input."""
    user = request.user
    cal = business_calendar()
    selectors.decorate([inquiry], cal=cal)
    available = _available_actions(user, inquiry)
    actions = [
        {
            "name": name,
            "heading": heading,
            "button": button,
            "url": reverse(f"ombudsman:inquiry_{name}", args=[inquiry.pk]),
            "form": bound[1] if bound and bound[0] == name else _action_form(name),
            "open": bool(bound and bound[0] == name),
            "multipart": name == "attachment",
        }
        for name, (_form, heading, button) in ACTIONS.items()
        if name in available
    ]
    case_visible = bool(inquiry.case_id and visible_cases(user).filter(pk=inquiry.case_id).exists())
    return render(
        request,
        "ombudsman/inquiry.html",
        {
            "inquiry": inquiry,
            "explanation": services.due_explanation(inquiry, cal),
            "events": inquiry.events.select_related("actor"),
            "consultations": inquiry.consultations.select_related("consulted", "requested_by"),
            "attachments": inquiry.attachments.select_related("uploaded_by"),
            "actions": actions,
            "works": selectors.can_work(user),
            # Staff take what nobody has; the lead may take over any open inquiry.
            "can_take": selectors.can_work(user)
            and inquiry.is_open
            and inquiry.assignee_id != user.pk
            and (inquiry.assignee_id is None or selectors.is_lead(user)),
            "case_visible": case_visible,
        },
    )


@login_required
def inquiry_detail(request, pk: int):
    inquiry = access_inquiry(request.user, pk)
    return _render_inquiry(request, inquiry)


def _action(name: str, run: Callable, success: Callable[[object], str]):
    """A POST view for one action: check access, validate the form, call the service
    (`run(request, inquiry, cleaned_data)`), then back to the inquiry page with
    `success(result)` as the message; or the page again with the errors."""

    @login_required
    @require_POST
    def view(request, pk: int):
        inquiry = access_inquiry(request.user, pk, "work")
        if name == "assign":
            require_lead(request.user)  # staff take inquiries themselves
        if name not in _available_actions(request.user, inquiry):
            messages.info(request, "That action no longer applies to this inquiry.")
            return redirect("ombudsman:inquiry", pk=inquiry.pk)
        form = _action_form(name, request.POST, request.FILES)
        if form.is_valid():
            try:
                result = run(request, inquiry, form.cleaned_data)
            except ValidationError as exc:
                show_service_errors(exc, form)
            else:
                messages.success(request, success(result))
                return redirect("ombudsman:inquiry", pk=inquiry.pk)
        return _render_inquiry(request, inquiry, (name, form))

    view.__name__ = f"inquiry_{name}"
    return view


def _ref(inquiry: Inquiry) -> str:
    return inquiry.reference


def _sla_words(inquiry: Inquiry) -> str:
    met = inquiry.initial_response_at <= inquiry.initial_response_due_at
    return (
        f"Initial response logged: {'within' if met else 'after'} the deadline of "
        f"{when(inquiry.initial_response_due_at)}."
    )


inquiry_assign = _action(
    "assign",
    lambda request, inquiry, data: services.inquiry_assign(
        inquiry=inquiry, assignee=data["assignee"], actor=request.user
    ),
    lambda inquiry: (
        f"{inquiry.reference} assigned to "
        f"{inquiry.assignee.get_full_name() or inquiry.assignee.username}."
    ),
)
inquiry_respond = _action(
    "respond",
    lambda request, inquiry, data: services.inquiry_respond(
        inquiry=inquiry,
        actor=request.user,
        method=data["method"],
        summary=data["summary"],
        responded_at=data["responded_at"],
    ),
    _sla_words,
)
inquiry_log = _action(
    "log",
    lambda request, inquiry, data: services.inquiry_log(
        inquiry=inquiry,
        actor=request.user,
        kind=data["kind"],
        summary=data["summary"],
        occurred_at=data["occurred_at"],
        method=data["method"] if data["kind"] == InquiryEvent.Kind.CONTACT else "",
        party=data["party"] if data["kind"] == InquiryEvent.Kind.REFERRAL else "",
    ),
    lambda event: f"{event.get_kind_display()} logged.",
)
inquiry_consult = _action(
    "consult",
    lambda request, inquiry, data: services.consultation_request(
        inquiry=inquiry, actor=request.user, consulted=data["consulted"], question=data["question"]
    ),
    lambda consultation: (
        f"Question sent to "
        f"{consultation.consulted.get_full_name() or consultation.consulted.username}; they are "
        "notified and see only the question, the reference and the subject."
    ),
)
inquiry_refer_to_hr = _action(
    "hr_referral",
    lambda request, inquiry, data: services.inquiry_refer_to_hr(
        inquiry=inquiry, actor=request.user, notes=data["notes"], referred_at=data["referred_at"]
    ),
    lambda inquiry: "Referral to Human Resource Management recorded.",
)
inquiry_resolve = _action(
    "resolve",
    lambda request, inquiry, data: services.inquiry_resolve(
        inquiry=inquiry, actor=request.user, outcome=data["outcome"], summary=data["summary"]
    ),
    lambda inquiry: f"{inquiry.reference} resolved: {inquiry.get_outcome_display().lower()}.",
)
inquiry_close = _action(
    "close",
    lambda request, inquiry, data: services.inquiry_close(inquiry=inquiry, actor=request.user),
    lambda inquiry: f"{inquiry.reference} closed.",
)
inquiry_reopen = _action(
    "reopen",
    lambda request, inquiry, data: services.inquiry_reopen(
        inquiry=inquiry, actor=request.user, reason=data["reason"]
    ),
    lambda inquiry: f"{inquiry.reference} reopened; it is in progress again.",
)
attachment_add = _action(
    "attachment",
    lambda request, inquiry, data: services.attachment_add(
        inquiry=inquiry, actor=request.user, upload=data["file"]
    ),
    lambda attachment: f"{attachment.name} added.",
)


@login_required
@require_POST
def inquiry_take(request, pk: int):
    """A member of staff assigns the inquiry to themselves (from the queue or the page)."""
    inquiry = access_inquiry(request.user, pk, "work")
    try:
        services.inquiry_assign(inquiry=inquiry, assignee=request.user, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"{inquiry.reference} is now assigned to you.")
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("ombudsman:inquiry", pk=inquiry.pk)


# --- recording and editing ---------------------------------------------------------------


@login_required
def inquiry_new(request):
    """Staff intake: the quick fields first (how, from whom, what, how urgent), then the
    optional details and attachments."""
    require_work(request.user)
    form = forms.InquiryCreateForm(
        request.POST or None, request.FILES or None, cases=visible_cases(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            inquiry = services.inquiry_create(
                actor=request.user,
                attachments=form.cleaned_data["attachments"],
                **form.service_fields(),
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(
                request,
                f"Inquiry {inquiry.reference} recorded. Initial response due "
                f"{when(inquiry.initial_response_due_at)}.",
            )
            return redirect("ombudsman:inquiry", pk=inquiry.pk)
    if form.is_bound and request.FILES and form.errors:
        form.add_error(
            "attachments" if "attachments" not in form.errors else None,
            "Choose the files again: a browser does not keep them after an error.",
        )
    return render(request, "ombudsman/inquiry_form.html", {"form": form, "inquiry": None})


@login_required
def inquiry_edit(request, pk: int):
    """Edit the details. The form carries the version the user opened; if someone else
    changed the inquiry since, the service refuses and the user's input stays on the
    page."""
    inquiry = access_inquiry(request.user, pk, "work")
    form = forms.InquiryEditForm(
        request.POST or None,
        cases=visible_cases(request.user),
        inquiry=inquiry,
        initial=forms.InquiryEditForm.initial_for(inquiry),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.inquiry_update(
                inquiry=inquiry,
                actor=request.user,
                version=form.cleaned_data["version"],
                **form.service_fields(),
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, f"{inquiry.reference} updated.")
            return redirect("ombudsman:inquiry", pk=inquiry.pk)
    return render(request, "ombudsman/inquiry_form.html", {"form": form, "inquiry": inquiry})


# --- attachments -------------------------------------------------------------------------


@login_required
def attachment_download(request, pk: int, attachment_pk: int):
    """Stream an attachment through Hearth, after the access check (files are never
    served from a public URL)."""
    attachment = access_attachment(request.user, pk, attachment_pk)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("inquiries/new/", inquiry_new, name="inquiry_new"),
    path("inquiries/<int:pk>/", inquiry_detail, name="inquiry"),
    path("inquiries/<int:pk>/edit/", inquiry_edit, name="inquiry_edit"),
    path("inquiries/<int:pk>/take/", inquiry_take, name="inquiry_take"),
    path("inquiries/<int:pk>/assign/", inquiry_assign, name="inquiry_assign"),
    path("inquiries/<int:pk>/respond/", inquiry_respond, name="inquiry_respond"),
    path("inquiries/<int:pk>/log/", inquiry_log, name="inquiry_log"),
    path("inquiries/<int:pk>/consult/", inquiry_consult, name="inquiry_consult"),
    path("inquiries/<int:pk>/hr-referral/", inquiry_refer_to_hr, name="inquiry_hr_referral"),
    path("inquiries/<int:pk>/resolve/", inquiry_resolve, name="inquiry_resolve"),
    path("inquiries/<int:pk>/close/", inquiry_close, name="inquiry_close"),
    path("inquiries/<int:pk>/reopen/", inquiry_reopen, name="inquiry_reopen"),
    path("inquiries/<int:pk>/attachments/", attachment_add, name="inquiry_attachment"),
    path(
        "inquiries/<int:pk>/attachments/<int:attachment_pk>/",
        attachment_download,
        name="attachment",
    ),
]
