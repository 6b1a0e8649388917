"""ORE data requests: ORE's queue, a requester's own requests, the DCF-5101 form (a
member of staff asking; ORE entering a request from outside the agency), one request's
page with the actions open to the user, and file downloads.

Who may do what (quality.selectors.data_requests):
- ORE's queue and entering external requests: ORE staff (`quality.work_datarequest`);
  403 for anyone else;
- "My data requests" and a new request: anyone with `quality.add_datarequest` (every
  role); 403 otherwise;
- one request and its files: `access_data_request`, 404 for a request that is not the
  user's own unless they are ORE staff;
- each action is its own POST URL calling one service: ORE's actions need ORE staff
  (403), assigning others needs the ORE lead; the project scope is sent by the
  requester or recorded by ORE. When the service refuses, the page is shown again with
  the errors beside the fields and the input kept.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from agency import clock
from agency.forms import FastFilterForm, show_service_errors
from agency.selectors import business_calendar
from quality.models import DataRequest, DataRequestFile
from quality.selectors import data_requests as selectors
from quality.selectors import rules
from quality.services import data_requests as services

PAGE_SIZE = 25
LOCAL_INPUT = "%Y-%m-%dT%H:%M"
_DATETIME_FORMATS = [LOCAL_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]
Status = DataRequest.Status


def _choices(choices, blank: str = "- Choose -") -> list[tuple[str, str]]:
    return [("", blank), *choices]


def _text(label: str, *, rows: int = 4, required: bool = True, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}), **kwargs
    )


def _when(label: str, help_text: str, *, required: bool = False) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        help_text=help_text,
        required=required,
        input_formats=_DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT),
    )


def _date(label: str, help_text: str = "", *, required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text=help_text,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _file_help() -> str:
    return (
        "PDF, Word, Excel, CSV, text or image (JPEG, PNG, TIFF); up to "
        f"{rules().ore_max_file_mb} MB each."
    )


# --- the DCF-5101 form ---------------------------------------------------------------------------


class DataRequestForm(forms.Form):
    """A member of staff's request (DCF-5101). Name, email and organization come
    prefilled from the user's profile and may be corrected."""

    title = forms.CharField(
        label="Short title",
        max_length=200,
        help_text="A few words ORE will use to name the request.",
        error_messages={"required": "Give the request a short title."},
    )
    purpose = _text(
        "Purpose", help_text="Why the data are needed.",
        error_messages={"required": "Say why the data are needed."},
    )  # fmt: skip
    questions = _text(
        "Questions to answer",
        help_text="The questions the data should answer.",
        error_messages={"required": "Say which questions the data should answer."},
    )
    data_elements = _text(
        "Data elements", required=False, help_text="The data elements or measures wanted."
    )
    population = forms.CharField(
        label="Population",
        max_length=300,
        required=False,
        help_text="Who the data are about (e.g. children entering care).",
    )
    time_period = forms.CharField(
        label="Time period", max_length=200, required=False, help_text="E.g. SFY 2025."
    )
    geography = forms.CharField(
        label="Geography",
        max_length=200,
        required=False,
        help_text="Statewide, a region, an office, a town.",
    )
    format = forms.ChoiceField(
        label="Format wanted",
        choices=DataRequest.Format.choices,
        initial=DataRequest.Format.SPREADSHEET,
    )
    date_needed = _date("Date needed", "Optional; not in the past.")
    identifiable_data = forms.BooleanField(
        label="The request asks for data that identify children, families or staff",
        required=False,
    )
    intended_use = _text("Intended use", required=False, rows=3)
    dissemination = _text(
        "Dissemination", required=False, rows=3, help_text="Who will see the results, and how."
    )
    is_research = forms.BooleanField(
        label="This is research",
        required=False,
        help_text="Research goes to the agency's Institutional Review Board after ORE's "
        "assessment.",
    )
    requester_name = forms.CharField(
        label="Requester's name",
        max_length=150,
        error_messages={"required": "Give the requester's name."},
    )
    organization = forms.CharField(
        label="Organization, division or office",
        max_length=200,
        error_messages={"required": "Give the requester's organization, division or office."},
    )
    requester_email = forms.EmailField(label="Email", required=False)
    attachments = MultipleFileField(label="Attachments")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = _file_help()

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("attachments", None)
        return data


class ExternalRequestForm(DataRequestForm):
    """A request from outside the agency, as ORE enters it from an email or letter."""

    requester_phone = forms.CharField(label="Phone", max_length=30, required=False)
    requester_address = _text("Postal address", required=False, rows=3)
    channel = forms.ChoiceField(
        label="How it arrived",
        choices=_choices([(c.value, c.label) for c in services.EXTERNAL_CHANNELS]),
        error_messages={"required": "Say how the request arrived: email, mail or other."},
    )
    received_at = _when(
        "Received", "Eastern time; the clock runs from then. Not in the future.", required=True
    )


# --- actions on one request ----------------------------------------------------------------------


class _Versioned(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class CatalogForm(_Versioned):
    category = forms.ChoiceField(
        label="Category",
        choices=_choices(DataRequest.Category.choices),
        error_messages={"required": "Choose the category."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        office_rules = rules()
        targets = ", ".join(
            f"{label.lower()} {services.target_for(value, office_rules)}"
            for value, label in DataRequest.Category.choices
        )
        self.fields[
            "category"
        ].help_text = f"Sets the target, in business days from receipt: {targets}."


class ApproveForm(_Versioned):
    irb_submitted_on = _date("Sent to the IRB on", "Research only. Leave blank for today.")


class DeclineForm(_Versioned):
    reason = _text(
        "Reason", rows=3, help_text="The requester sees it.",
        error_messages={"required": "Give the reason; the requester sees it."},
    )  # fmt: skip


class ScopeRequestForm(_Versioned):
    what_ore_needs = _text(
        "What the project scope must clarify",
        rows=4,
        help_text="The requester sees it. The clock stops until the scope arrives.",
        error_messages={"required": "Say what the project scope must clarify."},
    )


class ScopeForm(_Versioned):
    """The DCF-5102 project scope, as the requester fills it in."""

    objectives = _text("Objectives", required=False, help_text="What the project sets out to do.")
    methodology = _text("Methodology", required=False)
    data_sources = _text("Data sources", required=False, rows=3)
    timeline = _text("Timeline", required=False, rows=3)
    deliverables = _text("Deliverables", required=False, rows=3)
    confidentiality = _text(
        "Confidentiality",
        required=False,
        rows=3,
        help_text="How identifiable data will be protected (required when they are asked for).",
    )
    file = forms.FileField(label="The scope as a file", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = f"Optional. {_file_help()}"

    def service_fields(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in services.SCOPE_FIELDS}
        data["upload"] = self.cleaned_data.get("file")
        return data


class ScopeRecordForm(ScopeForm):
    """A project scope ORE received by email or mail."""

    received_at = _when("Received", "Eastern time. Leave blank for now.")

    def service_fields(self) -> dict[str, Any]:
        data = super().service_fields()
        data["received_at"] = self.cleaned_data.get("received_at")
        return data


class IrbDecisionForm(_Versioned):
    decision = forms.ChoiceField(
        label="The IRB's decision",
        choices=_choices(DataRequest.IrbDecision.choices),
        error_messages={"required": "Choose the IRB's decision."},
    )
    decided_on = _date("Decided on", "Leave blank for today.")
    notes = _text(
        "Conditions or reasons",
        required=False,
        rows=3,
        help_text="Required for conditions or a refusal; the requester sees a refusal's reasons.",
    )


class _AnalystField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return services.display_name(user)


class AssignForm(_Versioned):
    analyst = _AnalystField(
        label="Analyst",
        queryset=None,
        empty_label="- Choose an analyst -",
        error_messages={"required": "Choose the analyst."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["analyst"].queryset = selectors.ore_analysts()


class TakeForm(_Versioned):
    pass


class StartForm(_Versioned):
    pass


class DeliverForm(_Versioned):
    note = _text(
        "Delivery note",
        rows=4,
        help_text="What is delivered and anything the requester should know. They see it.",
        error_messages={
            "required": "Write the delivery note: what is delivered, and anything to know."
        },
    )
    files = MultipleFileField(label="Deliverable files")
    link = forms.CharField(
        label="Link to the deliverables",
        max_length=500,
        required=False,
        help_text="Optional, e.g. a report on the agency's site. Give files, a link, or both.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _file_help()


class CloseForm(_Versioned):
    pass


class NoteForm(forms.Form):
    note = _text(
        "Note", rows=3, help_text="For ORE only: the requester never sees it.",
        error_messages={"required": "Write the note."},
    )  # fmt: skip


class FileForm(forms.Form):
    kind = forms.ChoiceField(
        label="What it is",
        choices=[
            (DataRequestFile.Kind.ATTACHMENT, DataRequestFile.Kind.ATTACHMENT.label),
            (DataRequestFile.Kind.DELIVERABLE, DataRequestFile.Kind.DELIVERABLE.label),
        ],
        initial=DataRequestFile.Kind.ATTACHMENT,
    )
    file = forms.FileField(label="File", error_messages={"required": "Choose a file to add."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _file_help()


class QueueFilterForm(FastFilterForm):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Open (any open status)"), *Status.choices, ("all", "Any status")],
    )
    category = forms.ChoiceField(
        label="Category", required=False, choices=_choices(DataRequest.Category.choices, "Any")
    )
    mine = forms.BooleanField(label="Assigned to me", required=False)
    overdue = forms.BooleanField(label="Overdue only", required=False)

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "status": data["status"],
            "category": data["category"],
            "mine": data["mine"],
            "overdue": data["overdue"],
        }


# --- who may -------------------------------------------------------------------------------------


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _require_ore(user) -> None:
    _require(selectors.is_ore_staff(user), services.NOT_ORE)


def _require_requester(user) -> None:
    _require(selectors.can_request_data(user), "Your account may not ask ORE for data.")


# --- the lists -----------------------------------------------------------------------------------


def _page(request, requests):
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.decorate(
        page.object_list,
        cal=business_calendar(),
        due_soon_days=rules().ore_due_soon_business_days,
    )
    return page


@login_required
def data_request_queue(request):
    """ORE's queue: open requests, the soonest due first, 25 a page; a fixed number of
    queries whatever the number of requests."""
    user = request.user
    _require_ore(user)
    form = QueueFilterForm(request.GET or None)
    filters = form.filters()
    requests = selectors.data_request_queue(user=user, today=clock.today(), **filters)
    page = _page(request, requests)
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "quality/data_requests/queue.html",
        {
            "form": form,
            "page": page,
            "filtered": any(filters.values()),
            "querystring": querystring.urlencode(),
        },
    )


@login_required
def my_data_requests(request):
    """The requests the user made, newest first, and the way to make a new one."""
    user = request.user
    _require_requester(user)
    page = _page(request, selectors.my_data_requests(user))
    return render(
        request,
        "quality/data_requests/mine.html",
        {
            "page": page,
            "is_ore": selectors.is_ore_staff(user),
            "ad_hoc_target": services.target_for("", rules()),
        },
    )


# --- a new request -------------------------------------------------------------------------------


def _files_again(form) -> None:
    form.add_error(
        "attachments" if "attachments" not in form.errors else None,
        "Choose the files again: a browser does not keep them after an error.",
    )


@login_required
def data_request_new(request):
    """A member of staff asks ORE for data (DCF-5101)."""
    user = request.user
    _require_requester(user)
    form = DataRequestForm(
        request.POST or None,
        request.FILES or None,
        initial=services.requester_defaults(user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            data_request = services.data_request_submit(
                actor=user,
                attachments=form.cleaned_data["attachments"],
                **form.service_fields(),
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(
                request,
                f"Request {data_request.reference} sent to ORE. You can follow it here; "
                "you are notified when ORE needs a project scope and when the answer is ready.",
            )
            return redirect("quality:data_request", pk=data_request.pk)
    if form.is_bound and request.FILES and form.errors:
        _files_again(form)
    return render(request, "quality/data_requests/form.html", {"form": form, "external": False})


@login_required
def data_request_enter(request):
    """ORE enters a request received from outside the agency by email or mail."""
    user = request.user
    _require_ore(user)
    form = ExternalRequestForm(
        request.POST or None,
        request.FILES or None,
        initial={"received_at": timezone.localtime().strftime(LOCAL_INPUT), "channel": "email"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            data_request = services.data_request_enter(
                actor=user,
                attachments=form.cleaned_data["attachments"],
                **form.service_fields(),
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, f"Request {data_request.reference} recorded.")
            return redirect("quality:data_request", pk=data_request.pk)
    if form.is_bound and request.FILES and form.errors:
        _files_again(form)
    return render(request, "quality/data_requests/form.html", {"form": form, "external": True})


# --- one request ---------------------------------------------------------------------------------

# Action name -> (form class, heading, button). Their order is the page's.
ACTIONS: dict[str, tuple[type[forms.Form], str, str]] = {
    "catalog": (CatalogForm, "Catalog the request", "Catalog it"),
    "approve": (ApproveForm, "Approve", "Approve the request"),
    "request_scope": (
        ScopeRequestForm,
        "Ask for a project scope (DCF-5102)",
        "Ask for the project scope",
    ),
    "scope": (ScopeRecordForm, "Record the project scope received", "Record the scope"),
    "decline": (DeclineForm, "Decline", "Decline the request"),
    "irb_decision": (IrbDecisionForm, "Record the IRB's decision", "Record the decision"),
    "take": (TakeForm, "Take this request", "Assign it to me"),
    "assign": (AssignForm, "Assign an analyst", "Assign"),
    "start": (StartForm, "Start the work", "Start the work"),
    "deliver": (DeliverForm, "Deliver", "Deliver to the requester"),
    "close": (CloseForm, "Close", "Close the request"),
    "file": (FileForm, "Add a file", "Add the file"),
    "note": (NoteForm, "Add an internal note", "Add the note"),
}
_MULTIPART = {"scope", "deliver", "file"}
_URLS = {name: name.replace("_", "-") for name in ACTIONS}


def available_actions(user, data_request: DataRequest) -> list[str]:
    """What the user may do with the request in its current state, in the page's order."""
    status = data_request.status
    if not selectors.is_ore_staff(user):
        if status == Status.SCOPE_REQUESTED and data_request.requester_id == user.pk:
            return ["scope"]
        return []
    lead = selectors.is_ore_lead(user)
    mine = data_request.analyst_id == user.pk
    names = {"note", "file"}
    if status == Status.RECEIVED:
        names.add("catalog")
    elif status == Status.CATALOGED:
        names |= {"approve", "request_scope", "decline"}
    elif status == Status.SCOPE_REQUESTED:
        names |= {"scope", "decline"}
    elif status == Status.IRB_REVIEW:
        names.add("irb_decision")
    elif status == Status.APPROVED:
        if data_request.analyst_id is None:
            names.add("take")
        if lead:
            names.add("assign")
    elif status == Status.ASSIGNED:
        if mine or lead:
            names.add("start")
        if lead:
            names.add("assign")
    elif status == Status.IN_PROGRESS:
        if mine or lead:
            names.add("deliver")
        if lead:
            names.add("assign")
    elif status == Status.DELIVERED:
        names.add("close")
    return [name for name in ACTIONS if name in names]


def _action_form(name: str, data_request: DataRequest, user, data=None, files=None):
    form_class = ACTIONS[name][0]
    if name == "scope" and not selectors.is_ore_staff(user):
        form_class = ScopeForm
    initial = {"version": data_request.version} if issubclass(form_class, _Versioned) else None
    return form_class(data, files, prefix=_URLS[name], initial=initial)


def _action_heading(name: str, user) -> tuple[str, str]:
    _form, heading, button = ACTIONS[name]
    if name == "scope" and not selectors.is_ore_staff(user):
        return "Send the project scope (DCF-5102)", "Send the project scope"
    return heading, button


def _render_detail(request, data_request: DataRequest, bound: tuple[str, Any] | None = None):
    """The request's page; `bound` is (action, form) of an action the service refused,
    shown open with its errors and the user's input."""
    user = request.user
    ore = selectors.is_ore_staff(user)
    office_rules = rules()
    clock_info = selectors.request_clock(
        data_request,
        cal=business_calendar(),
        due_soon_days=office_rules.ore_due_soon_business_days,
    )
    actions = []
    for name in available_actions(user, data_request):
        heading, button = _action_heading(name, user)
        is_bound = bool(bound and bound[0] == name)
        actions.append(
            {
                "name": name,
                "heading": heading,
                "button": button,
                "url": reverse(f"quality:data_request_{name}", args=[data_request.pk]),
                "form": bound[1] if is_bound else _action_form(name, data_request, user),
                "open": is_bound,
                "multipart": name in _MULTIPART,
            }
        )
    if actions and not ore:
        actions[0]["open"] = True  # the requester's only action: the scope form
    files = selectors.data_request_files(data_request)
    return render(
        request,
        "quality/data_requests/detail.html",
        {
            "data_request": data_request,
            "ore": ore,
            "clock": clock_info,
            "research": services.is_research(data_request),
            "ad_hoc_target": services.target_for("", office_rules),
            "scopes": list(data_request.scopes.select_related("requested_by")),
            "attachments": [f for f in files if f.kind != DataRequestFile.Kind.DELIVERABLE],
            "deliverables": [f for f in files if f.kind == DataRequestFile.Kind.DELIVERABLE],
            "events": selectors.data_request_timeline(data_request, internal=ore),
            "actions": actions,
        },
    )


@login_required
def data_request_detail(request, pk: int):
    data_request = selectors.access_data_request(request.user, pk)
    return _render_detail(request, data_request)


def _action(name: str, run: Callable, success: Callable[[Any], str]):
    """A POST view for one action: check access, validate the form, call the service
    (`run(request, data_request, cleaned_data)`), then back to the request's page with
    `success(data_request)` as the message; or the page again with the errors."""

    @login_required
    @require_POST
    def view(request, pk: int):
        user = request.user
        data_request = selectors.access_data_request(user, pk)
        if name != "scope":
            _require_ore(user)
        if name == "assign":
            _require(selectors.is_ore_lead(user), "Only the ORE lead assigns analysts.")
        if name not in available_actions(user, data_request):
            messages.info(request, "That action no longer applies to this request.")
            return redirect("quality:data_request", pk=data_request.pk)
        form = _action_form(name, data_request, user, request.POST, request.FILES)
        if form.is_valid():
            try:
                run(request, data_request, form.cleaned_data)
            except ValidationError as exc:
                show_service_errors(exc, form)
            else:
                data_request.refresh_from_db()
                messages.success(request, success(data_request))
                return redirect("quality:data_request", pk=data_request.pk)
        return _render_detail(request, data_request, (name, form))

    view.__name__ = f"data_request_{name}"
    return view


def _versioned(service: Callable, **extra: Callable) -> Callable:
    """run() for a service taking the request, the actor, the version and fields of the
    form (`extra`: service argument -> how to read it from cleaned data)."""

    def run(request, data_request, data):
        kwargs = {key: read(data) for key, read in extra.items()}
        return service(
            data_request=data_request, actor=request.user, version=data["version"], **kwargs
        )

    return run


def _field(name: str) -> Callable:
    return lambda data: data.get(name)


data_request_catalog = _action(
    "catalog",
    _versioned(services.data_request_catalog, category=_field("category")),
    lambda r: (
        f"{r.reference} cataloged as {r.catalog_number}: due {selectors.day_label(r.due_on)}."
    ),
)
data_request_approve = _action(
    "approve",
    _versioned(services.data_request_approve, irb_submitted_on=_field("irb_submitted_on")),
    lambda r: (
        f"{r.reference} sent to the IRB." if r.status == Status.IRB_REVIEW
        else f"{r.reference} approved; it waits for an analyst."
    ),
)  # fmt: skip
data_request_request_scope = _action(
    "request_scope",
    _versioned(services.data_request_scope_request, what_ore_needs=_field("what_ore_needs")),
    lambda r: f"Project scope asked for; the clock of {r.reference} is stopped until it arrives.",
)
data_request_decline = _action(
    "decline",
    _versioned(services.data_request_decline, reason=_field("reason")),
    lambda r: f"{r.reference} declined.",
)
data_request_irb_decision = _action(
    "irb_decision",
    _versioned(
        services.data_request_irb_decision,
        decision=_field("decision"),
        decided_on=_field("decided_on"),
        notes=_field("notes"),
    ),
    lambda r: f"IRB decision recorded: {r.get_status_display().lower()}.",
)


def _scope_run(request, data_request, data):
    fields = {name: data.get(name) or "" for name in services.SCOPE_FIELDS}
    extra = {}
    if selectors.is_ore_staff(request.user) and data.get("received_at"):
        extra["received_at"] = data["received_at"]
    return services.data_request_scope_submit(
        data_request=data_request,
        actor=request.user,
        version=data["version"],
        upload=data.get("file"),
        **extra,
        **fields,
    )


data_request_scope = _action(
    "scope",
    _scope_run,
    lambda r: f"Project scope received; {r.reference} is due {selectors.day_label(r.due_on)}.",
)


def _take_run(request, data_request, data):
    return services.data_request_assign(
        data_request=data_request,
        actor=request.user,
        version=data["version"],
        analyst=request.user,
    )


data_request_take = _action("take", _take_run, lambda r: f"{r.reference} is now assigned to you.")
data_request_assign = _action(
    "assign",
    _versioned(services.data_request_assign, analyst=_field("analyst")),
    lambda r: f"{r.reference} assigned to {services.display_name(r.analyst)}.",
)
data_request_start = _action(
    "start", _versioned(services.data_request_start), lambda r: f"Work on {r.reference} started."
)
data_request_deliver = _action(
    "deliver",
    _versioned(
        services.data_request_deliver,
        note=_field("note"),
        files=lambda data: data.get("files") or [],
        link=lambda data: data.get("link") or "",
    ),
    lambda r: f"{r.reference} delivered; the requester is notified.",
)
data_request_close = _action(
    "close", _versioned(services.data_request_close), lambda r: f"{r.reference} closed."
)
data_request_file_add = _action(
    "file",
    lambda request, data_request, data: services.data_request_file_add(
        data_request=data_request, actor=request.user, upload=data["file"], kind=data["kind"]
    ),
    lambda r: "File added.",
)
data_request_note = _action(
    "note",
    lambda request, data_request, data: services.data_request_note_add(
        data_request=data_request, actor=request.user, note=data["note"]
    ),
    lambda r: "Note added (ORE only).",
)


@login_required
def data_request_file(request, pk: int, file_pk: int):
    """Stream a file through Hearth after the access check (files are never served from
    a public URL)."""
    item = selectors.access_data_request_file(request.user, pk, file_pk)
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.name,
        content_type=item.content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    return response


ACTION_VIEWS = {
    "catalog": data_request_catalog,
    "approve": data_request_approve,
    "request_scope": data_request_request_scope,
    "scope": data_request_scope,
    "decline": data_request_decline,
    "irb_decision": data_request_irb_decision,
    "take": data_request_take,
    "assign": data_request_assign,
    "start": data_request_start,
    "deliver": data_request_deliver,
    "close": data_request_close,
    "file": data_request_file_add,
    "note": data_request_note,
}

urlpatterns = [
    # ORE's queue; every member of staff's own requests and a new one.
    path("data-requests/", data_request_queue, name="data_requests"),
    path("data-requests/mine/", my_data_requests, name="my_data_requests"),
    path("data-requests/new/", data_request_new, name="data_request_new"),
    path("data-requests/enter/", data_request_enter, name="data_request_enter"),
    path("data-requests/<int:pk>/", data_request_detail, name="data_request"),
    path(
        "data-requests/<int:pk>/files/<int:file_pk>/",
        data_request_file,
        name="data_request_file",
    ),
    *(
        path(f"data-requests/<int:pk>/{_URLS[name]}/", view, name=f"data_request_{name}")
        for name, view in ACTION_VIEWS.items()
    ),
]
