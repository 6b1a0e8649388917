"""Forms of the intake and IFF pages. They check the shape of the input; the rules
(future times, who may override, one pending extension...) are the services'."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from agency.roles import Role
from agency.selectors import visible_units
from casework.models import Allegation, Case, ExceptionalCircumstance, IffExtension, Intake, Person

User = get_user_model()

_DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


def _local_datetime_field(label: str, help_text: str = "") -> forms.DateTimeField:
    """A date and time typed in Eastern time (the browser's datetime-local input)."""
    return forms.DateTimeField(
        label=label,
        help_text=help_text or "Eastern time, e.g. 2026-11-23 13:42.",
        input_formats=_DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def local_now_initial() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit) -> str:
        return f"{unit.work_location.name}: {unit.name}"


class WorkerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        name = user.get_full_name() or user.username
        profile = getattr(user, "staff", None)
        if profile is None:
            return name
        unit = profile.unit
        where = f"{unit.work_location.name}: {unit.name}" if unit else profile.work_location.name
        return f"{name} ({profile.get_role_display()}, {where})"


class IntakeForm(forms.Form):
    accepted_at = _local_datetime_field(
        "Accepted at the Careline", "Date and time, Eastern. It cannot be in the future."
    )
    reporter_type = forms.ChoiceField(
        label="Reporter type", choices=[("", "- Choose -"), *Intake.ReporterType.choices]
    )
    reporter_name = forms.CharField(
        label="Reporter name", max_length=150, required=False, help_text="Leave blank if anonymous."
    )
    narrative = forms.CharField(label="What the reporter said", widget=forms.Textarea)
    response_time = forms.ChoiceField(
        label="Response time", choices=[("", "- Choose -"), *Intake.ResponseTime.choices]
    )
    risk_level = forms.ChoiceField(
        label="Risk level", choices=[("", "- Choose -"), *Intake.Risk.choices]
    )
    exceptional_circumstances = forms.ModelMultipleChoiceField(
        label="Exceptional circumstances",
        queryset=ExceptionalCircumstance.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    case_name = forms.CharField(
        label="Case name", max_length=150, help_text='How staff will refer to it: "Rivera family".'
    )
    unit = UnitChoiceField(label="Unit", queryset=None)
    worker = WorkerChoiceField(
        label="Assigned worker",
        queryset=None,
        help_text="A caseworker or the supervisor of the chosen unit.",
    )
    candidacy = forms.ChoiceField(
        label="Family First candidacy",
        choices=Case.Candidacy.choices,
        initial=Case.Candidacy.ACCEPTED_CARELINE,
    )
    track = forms.ChoiceField(
        label="Track",
        required=False,
        choices=[("", "Follow Hearth's recommendation"), *Intake.Track.choices],
        help_text="Supervisors only: choose another track than the recommended one.",
    )
    override_reason = forms.CharField(
        label="Reason for choosing another track",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, user, may_override: bool, **kwargs):
        super().__init__(*args, **kwargs)
        units = visible_units(user).filter(active=True)
        self.fields["unit"].queryset = units
        self.fields["worker"].queryset = (
            User.objects.filter(is_active=True)
            .filter(
                Q(staff__role__in=[Role.CASEWORKER, Role.SUPERVISOR], staff__unit__in=units)
                | Q(supervised_units__in=units)
            )
            .distinct()
            .select_related("staff__unit__work_location", "staff__work_location")
            .order_by("last_name", "first_name")
        )
        self.fields["exceptional_circumstances"].label_from_instance = lambda c: c.name
        if not may_override:
            del self.fields["track"]
            del self.fields["override_reason"]

    @property
    def placeholder_circumstances(self) -> bool:
        return any(
            c.name.startswith("Placeholder")
            for c in self.fields["exceptional_circumstances"].queryset
        )


class ChildForm(forms.Form):
    """One alleged victim: a new person and the allegations about them."""

    first_name = forms.CharField(label="First name", max_length=100)
    last_name = forms.CharField(label="Last name", max_length=100)
    date_of_birth = forms.DateField(
        label="Date of birth",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sex = forms.ChoiceField(label="Sex", choices=Person.Sex.choices, initial=Person.Sex.UNKNOWN)
    allegations = forms.MultipleChoiceField(
        label="Allegations",
        choices=Allegation.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one allegation for this child."},
    )


class BaseChildFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        filled = [f for f in self.forms if f.has_changed() and not self._should_delete_form(f)]
        if not filled:
            raise forms.ValidationError("Add at least one child with at least one allegation.")

    def children(self) -> list[dict]:
        return [f.cleaned_data for f in self.forms if f.has_changed() and f.cleaned_data]


ChildFormSet = forms.formset_factory(ChildForm, formset=BaseChildFormSet, extra=2, max_num=20)


class OverrideTrackForm(forms.Form):
    track = forms.ChoiceField(label="New track", choices=Intake.Track.choices)
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 4}))


class IffContactForm(forms.Form):
    seen_at = _local_datetime_field("Seen at", "When the worker saw the child face to face.")
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 4}))


class IffExtensionForm(forms.Form):
    reason = forms.ChoiceField(
        label="Reason", choices=IffExtension.Reason.choices, widget=forms.RadioSelect
    )
    explanation = forms.CharField(
        label="Explanation",
        help_text="The efforts made so far and why more time is needed.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class IffAttemptForm(forms.Form):
    attempted_at = _local_datetime_field("Attempted at")
    outcome = forms.CharField(
        label="Outcome", help_text="What happened.", widget=forms.Textarea(attrs={"rows": 4})
    )


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("approve", "Approve"), ("deny", "Deny")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="Comment for the worker", widget=forms.Textarea(attrs={"rows": 4})
    )


class AllegationFindingForm(forms.Form):
    """The investigation's finding on one allegation (casework.services.findings)."""

    finding = forms.ChoiceField(
        label="Finding",
        choices=[
            ("", "- Select -"),
            (Allegation.Finding.SUBSTANTIATED, Allegation.Finding.SUBSTANTIATED.label),
            (Allegation.Finding.UNSUBSTANTIATED, Allegation.Finding.UNSUBSTANTIATED.label),
        ],
        error_messages={
            "required": "Choose substantiated or unsubstantiated.",
            "invalid_choice": "Choose substantiated or unsubstantiated.",
        },
    )
    finding_on = forms.DateField(
        label="Reached on",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={"required": "Say when the finding was reached."},
    )
