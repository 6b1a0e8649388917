"""Forms of the Ombudsman's pages. They check the shape of the input (a choice, a date, a
file); the rules (received in the future, who may be assigned, what may be resolved)
are ombudsman.services', whose errors the views put back on these forms."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from agency.forms import FastFilterForm
from agency.models import Region, WorkLocation
from casework.models import Person
from ombudsman import deadlines
from ombudsman.models import Inquiry, InquiryEvent
from ombudsman.services import display_name

_DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]
LOCAL_INPUT = "%Y-%m-%dT%H:%M"


def _when_field(label: str, help_text: str, *, required: bool = False) -> forms.DateTimeField:
    """A date and time typed in Eastern time (the browser's datetime-local input)."""
    return forms.DateTimeField(
        label=label,
        help_text=help_text,
        required=required,
        input_formats=_DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT),
    )


def local_now() -> str:
    return timezone.localtime().strftime(LOCAL_INPUT)


def _choices(choices, blank: str = "- Choose -") -> list[tuple[str, str]]:
    return [("", blank), *choices]


def _text(label: str, *, rows: int = 4, required: bool = True, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}), **kwargs
    )


# --- attachments -------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


ATTACHMENT_HELP = (
    "PDF, image (JPEG, PNG, TIFF fax), text, Word document or email message; up to 10 MB each."
)


# --- recording and editing ---------------------------------------------------------------


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, region) -> str:
        return region.name


class WorkLocationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, location) -> str:
        return location.name


class InquiryDetailsForm(forms.Form):
    """Every detail staff record about an inquiry: the quick fields first, then the rest.
    Used to record a new inquiry and to edit one."""

    QUICK = ("channel", "source_type", "received_at", "urgency", "subject", "description")
    CONTACT = (
        "contact_name",
        "contact_organization",
        "contact_phone",
        "contact_email",
        "contact_address",
        "preferred_language",
    )
    ABOUT = ("kind", "scope", "region", "work_location", "case_number", "retaliation_alleged")

    channel = forms.ChoiceField(label="How it arrived", choices=_choices(Inquiry.Channel.choices))
    source_type = forms.ChoiceField(
        label="Who it is from", choices=_choices(Inquiry.SourceType.choices)
    )
    received_at = _when_field(
        "Received",
        "Eastern time. When a letter or fax actually arrived; it cannot be in the future.",
        required=True,
    )
    urgency = forms.ChoiceField(
        label="Urgency",
        choices=Inquiry.Urgency.choices,
        initial=Inquiry.Urgency.ROUTINE,
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
        help_text="Routine: initial response within two business days. Immediate: within "
        "four business hours (urgent, or at the Commissioner's discretion).",
    )
    subject = forms.CharField(label="Subject", max_length=200)
    description = _text("What the inquirer asks or complains about", rows=6)

    contact_name = forms.CharField(
        label="Name", max_length=150, required=False, help_text="Leave blank if anonymous."
    )
    contact_organization = forms.CharField(
        label="Organization or office",
        max_length=150,
        required=False,
        help_text="For example the legislator's office or the provider.",
    )
    contact_phone = forms.CharField(label="Phone", max_length=30, required=False)
    contact_email = forms.EmailField(label="Email", required=False)
    contact_address = _text("Mailing address", rows=3, required=False)
    preferred_language = forms.CharField(label="Preferred language", max_length=40, required=False)

    kind = forms.ChoiceField(label="Kind", choices=Inquiry.Kind.choices, initial="inquiry")
    scope = forms.ChoiceField(
        label="Case-related or systemic", choices=Inquiry.Scope.choices, initial="case_related"
    )
    region = RegionChoiceField(
        label="Region concerned",
        queryset=Region.objects.order_by("name"),
        required=False,
        empty_label="- Not given -",
    )
    work_location = WorkLocationChoiceField(
        label="Work location concerned",
        queryset=WorkLocation.objects.order_by("name"),
        required=False,
        empty_label="- Not given -",
    )
    case_number = forms.CharField(
        label="Case number",
        max_length=20,
        required=False,
        help_text="Only a case you may see can be linked.",
    )
    retaliation_alleged = forms.BooleanField(
        label="The inquirer alleges retaliation for contacting the Ombudsman",
        required=False,
        help_text="An allegation of retaliation is referred to Human Resource Management.",
        widget=forms.CheckboxInput(attrs={"class": "usa-checkbox__input"}),
    )

    def __init__(self, *args, cases=None, **kwargs):
        """`cases`: the queryset of cases the user may see (casework.selectors)."""
        super().__init__(*args, **kwargs)
        self.cases = cases

    def clean_subject(self) -> str:
        return self.cleaned_data["subject"].strip()

    def clean_case_number(self):
        number = self.cleaned_data["case_number"].strip()
        if not number:
            return None
        case = self.cases.filter(number__iexact=number).first() if self.cases is not None else None
        if case is None:
            raise ValidationError("No case you may see has this number.")
        return case

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data under the names ombudsman.services takes."""
        data = dict(self.cleaned_data)
        data["case"] = data.pop("case_number")
        if "persons" in data:
            data["persons"] = list(data["persons"])
        data.pop("attachments", None)
        data.pop("version", None)
        return data


class InquiryCreateForm(InquiryDetailsForm):
    attachments = MultipleFileField(label="Attachments", required=False, help_text=ATTACHMENT_HELP)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("received_at", local_now())


class InquiryEditForm(InquiryDetailsForm):
    """Editing carries the version the user saw; the service refuses a stale one."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, inquiry: Inquiry, **kwargs):
        super().__init__(*args, **kwargs)
        self.inquiry = inquiry
        if (
            inquiry.case_id
            and self.cases is not None
            and self.cases.filter(pk=inquiry.case_id).exists()
        ):
            # The people concerned are chosen among those on the linked case.
            self.fields["persons"] = forms.ModelMultipleChoiceField(
                label="People concerned",
                help_text=f"People on case {inquiry.case.number} whom the inquiry is about.",
                queryset=Person.objects.filter(case_memberships__case=inquiry.case_id)
                .distinct()
                .order_by("last_name", "first_name", "pk"),
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            self.initial.setdefault("persons", list(inquiry.persons.all()))

    def clean_received_at(self):
        # The input shows minutes; an untouched value keeps the stored seconds, so the
        # due time is not recomputed for a change nobody made.
        value = self.cleaned_data["received_at"]
        stored = self.inquiry.received_at
        if value == stored.replace(second=0, microsecond=0):
            return stored
        return value

    @classmethod
    def initial_for(cls, inquiry: Inquiry) -> dict[str, Any]:
        initial = {
            name: getattr(inquiry, name) for name in cls.base_fields if hasattr(inquiry, name)
        }
        initial["received_at"] = timezone.localtime(inquiry.received_at).strftime(LOCAL_INPUT)
        initial["region"] = inquiry.region_id
        initial["work_location"] = inquiry.work_location_id
        initial["case_number"] = inquiry.case.number if inquiry.case_id else ""
        return initial


# --- the queue ---------------------------------------------------------------------------

ANY_STATUS = "any"
QUEUE_SORT_CHOICES = [
    ("due", "Due time: most urgent first"),
    ("-due", "Due time: latest first"),
    ("received", "Received: newest first"),
    ("reference", "Reference"),
]


class QueueFilterForm(FastFilterForm):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        help_text="Reference, names, subject or description.",
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[
            ("", "Open (any open status)"),
            *Inquiry.Status.choices,
            (ANY_STATUS, "Any status, closed included"),
        ],
    )
    sla = forms.ChoiceField(
        label="Initial response",
        required=False,
        choices=_choices(deadlines.SLA_LABELS.items(), "Any"),
    )
    urgency = forms.ChoiceField(
        label="Urgency", required=False, choices=_choices(Inquiry.Urgency.choices, "Any")
    )
    source_type = forms.ChoiceField(
        label="From", required=False, choices=_choices(Inquiry.SourceType.choices, "Anyone")
    )
    channel = forms.ChoiceField(
        label="Channel", required=False, choices=_choices(Inquiry.Channel.choices, "Any")
    )
    region = forms.TypedChoiceField(label="Region", required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=_choices(Inquiry.Kind.choices, "Any")
    )
    assignee = forms.TypedChoiceField(
        label="Assigned to", required=False, coerce=int, empty_value=None
    )
    sort = forms.ChoiceField(label="Sort by", required=False, choices=QUEUE_SORT_CHOICES)

    def __init__(self, *args, regions=(), staff=(), **kwargs):
        """`regions` and `staff`: lists already loaded by the view (one query each)."""
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "Any"), *((r.pk, r.name) for r in regions)]
        self.fields["assignee"].choices = [
            ("", "Anyone"),
            *((u.pk, display_name(u)) for u in staff),
        ]

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for ombudsman.selectors.queue (empty when the form is invalid)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        status = data["status"]
        return {
            "query": data["q"].strip(),
            "status": "" if status == ANY_STATUS else status,
            "open_only": status != ANY_STATUS,
            "sla": data["sla"],
            "urgency": data["urgency"],
            "source_type": data["source_type"],
            "channel": data["channel"],
            "region": data["region"],
            "kind": data["kind"],
            "assignee": data["assignee"],
            "sort": data["sort"] or "due",
        }


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return display_name(user)


class IdListField(forms.Field):
    """Ticked row ids (checkboxes sharing one name), as integers."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        try:
            return sorted({int(item) for item in value or []})
        except (TypeError, ValueError):
            raise ValidationError("Tick inquiries from the list.") from None


class BulkAssignForm(forms.Form):
    inquiries = IdListField(error_messages={"required": "Tick at least one inquiry to assign."})
    assignee = forms.TypedChoiceField(
        label="Assign the ticked inquiries to",
        coerce=int,
        error_messages={"required": "Choose whom to assign them to."},
    )

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = _choices((u.pk, display_name(u)) for u in staff)


# --- actions on one inquiry --------------------------------------------------------------


class AssignForm(forms.Form):
    assignee = StaffChoiceField(
        label="Assign to",
        queryset=None,
        empty_label="- Choose a member of staff -",
        error_messages={"required": "Choose whom to assign it to."},
    )

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff


class RespondForm(forms.Form):
    method = forms.ChoiceField(
        label="How you answered",
        choices=_choices(Inquiry.ResponseMethod.choices),
        error_messages={"required": "Choose how the inquirer was answered."},
    )
    responded_at = _when_field("When", "Eastern time. Leave blank for now.")
    summary = _text(
        "What you told the inquirer",
        error_messages={"required": "Summarize the response."},
    )


class LogForm(forms.Form):
    kind = forms.ChoiceField(
        label="What to log",
        choices=[
            (InquiryEvent.Kind.CONTACT, "A contact with the inquirer"),
            (InquiryEvent.Kind.REFERRAL, "A referral elsewhere"),
            (InquiryEvent.Kind.NOTE, "A note"),
        ],
        initial=InquiryEvent.Kind.CONTACT,
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
    )
    method = forms.ChoiceField(
        label="How (for a contact)",
        required=False,
        choices=_choices(InquiryEvent.ContactMethod.choices),
    )
    party = forms.CharField(
        label="Referred to (for a referral)",
        max_length=200,
        required=False,
        help_text="The agency, office or service the inquirer was referred to.",
    )
    occurred_at = _when_field("When", "Eastern time. Leave blank for now.")
    summary = _text("What happened", error_messages={"required": "Say what happened."})


class ConsultedChoiceField(forms.ModelChoiceField):
    """Agency staff with their role and work location (several people share a name)."""

    def label_from_instance(self, user) -> str:
        profile = user.staff
        return f"{display_name(user)} ({profile.get_role_display()}, {profile.work_location.name})"


class ConsultForm(forms.Form):
    consulted = ConsultedChoiceField(
        label="Whom to consult",
        queryset=None,
        empty_label="- Choose a member of agency staff -",
        help_text="Regional, facility or Central Office staff. They see your question, "
        "this inquiry's reference and its subject, and nothing else.",
        error_messages={"required": "Choose whom to consult."},
    )
    question = _text("Your question", error_messages={"required": "Ask your question."})

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consulted"].queryset = staff


class HrReferralForm(forms.Form):
    referred_at = _when_field("When", "Eastern time. Leave blank for now.")
    notes = _text(
        "Who at Human Resource Management received it, and how",
        rows=3,
        error_messages={"required": "Say who at HR received the referral and how."},
    )


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=_choices(Inquiry.Outcome.choices),
        error_messages={"required": "Choose the outcome."},
    )
    summary = _text("Resolution summary", error_messages={"required": "Summarize the resolution."})


class CloseForm(forms.Form):
    pass


class ReopenForm(forms.Form):
    reason = _text(
        "Why it is reopened",
        rows=3,
        error_messages={"required": "Say why the inquiry is reopened."},
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text=ATTACHMENT_HELP,
        error_messages={"required": "Choose a file to add."},
    )


class ReplyForm(forms.Form):
    reply = _text("Your answer", rows=6, error_messages={"required": "Write your answer."})
