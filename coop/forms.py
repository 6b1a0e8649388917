"""The COOP pages' forms. They read and check the input a page shows back with its
errors; the rules themselves live in coop.services, whose errors the views show beside
the same fields (agency.forms.show_service_errors)."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from agency.models import WorkLocation
from coop.models import (
    CoopPlan,
    EmergencyProcedure,
    KeyStaff,
    NotificationCriterion,
    QuarterlyDuties,
)
from coop.selectors import rules

User = get_user_model()
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _choices(choices, blank: str = "- Choose -") -> list[tuple[str, str]]:
    return [("", blank), *choices]


class _UserField(forms.ModelChoiceField):
    """A member of staff, shown with their role and location (one query)."""

    def label_from_instance(self, user) -> str:
        name = user.get_full_name() or user.get_username()
        profile = getattr(user, "staff", None)
        if profile is None:
            return name
        return f"{name} · {profile.get_role_display()}, {profile.work_location.name}"


def staff_queryset():
    return (
        User.objects.filter(is_active=True, staff__isnull=False)
        .select_related("staff__work_location")
        .order_by("last_name", "first_name", "pk")
    )


class _LocationField(forms.ModelChoiceField):
    def label_from_instance(self, location) -> str:
        return location.name


class VersionField(forms.IntegerField):
    """The version of the row the form was shown for (hidden)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


# --- plans -----------------------------------------------------------------------------------


class PlanCreateForm(forms.Form):
    """A new plan. OPM chooses the location and names its senior administrator; an area
    administrator creates their own location's (both fields fixed)."""

    work_location = _LocationField(label="Work location", queryset=WorkLocation.objects.none())
    senior_administrator = _UserField(
        label="Senior administrator",
        queryset=User.objects.none(),
        help_text="The location's most senior administrator: accountable for the plan and "
        "its quarterly duties, and the only one who edits it.",
    )
    hard_copy_location = forms.CharField(
        label="Where the hard copy is kept",
        max_length=300,
        required=False,
        help_text=CoopPlan._meta.get_field("hard_copy_location").help_text,
    )
    assembly_point = forms.CharField(
        label="Assembly point",
        max_length=300,
        required=False,
        help_text=CoopPlan._meta.get_field("assembly_point").help_text,
    )

    def __init__(self, *args, locations, fixed: bool, **kwargs):
        """`locations`: the ones the user may create a plan for. `fixed`: an area
        administrator's own plan (the location and themselves)."""
        super().__init__(*args, **kwargs)
        self.fields["work_location"].queryset = locations
        if fixed:
            del self.fields["work_location"]
            del self.fields["senior_administrator"]
        else:
            self.fields["senior_administrator"].queryset = staff_queryset()


class PlanPlacesForm(forms.Form):
    hard_copy_location = PlanCreateForm.base_fields["hard_copy_location"]
    assembly_point = PlanCreateForm.base_fields["assembly_point"]
    version = VersionField()


class AdministratorForm(forms.Form):
    senior_administrator = _UserField(
        label="Senior administrator",
        queryset=User.objects.none(),
        help_text="They keep the plan and its quarterly duties from now on, and are told so.",
    )
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["senior_administrator"].queryset = staff_queryset()


# --- the plan's sections (formsets) ----------------------------------------------------------


class KeyStaffForm(forms.Form):
    duty = forms.ChoiceField(label="What they do", choices=_choices(KeyStaff.Duty.choices))
    alternate = forms.BooleanField(
        label="Alternate",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "usa-checkbox__input"}),
        help_text="Stands in when the primary person is not available.",
    )
    name = forms.CharField(label="Name", max_length=150)
    title = forms.CharField(label="Title", max_length=150, required=False)
    phone = forms.CharField(label="Phone", max_length=30)
    email = forms.EmailField(label="Email", required=False)
    # Their Hearth login, kept as it was (the API names it).
    user = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def row(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.fields if name != "DELETE"}


class ProcedureForm(forms.Form):
    kind = forms.ChoiceField(
        label="Emergency", choices=EmergencyProcedure.Kind.choices, widget=forms.HiddenInput
    )
    title = forms.CharField(
        label="Emergency",
        max_length=150,
        required=False,
        help_text='e.g. "Power outage".',
    )
    procedure = forms.CharField(
        label="What staff do",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Step by step.",
    )

    @property
    def standard(self) -> bool:
        kind = self["kind"].value()
        return bool(kind) and kind != EmergencyProcedure.Kind.OTHER

    @property
    def kind_label(self) -> str:
        kind = self["kind"].value()
        return EmergencyProcedure.Kind(kind).label if kind in EmergencyProcedure.Kind.values else ""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") != EmergencyProcedure.Kind.OTHER:
            if not cleaned.get("procedure"):
                self.add_error("procedure", "Say what staff do in this emergency.")
        elif cleaned.get("procedure") and not cleaned.get("title"):
            self.add_error("title", "Name the emergency.")
        elif cleaned.get("title") and not cleaned.get("procedure"):
            self.add_error("procedure", "Say what staff do in this emergency.")
        return cleaned

    def row(self) -> dict[str, Any] | None:
        """None for an empty "Other" row (left blank, or cleared to remove it)."""
        data = self.cleaned_data
        if data.get("kind") == EmergencyProcedure.Kind.OTHER and not (
            data.get("title") or data.get("procedure")
        ):
            return None
        return {
            "kind": data["kind"],
            "title": data.get("title", ""),
            "procedure": data["procedure"],
        }


class NotificationForm(forms.Form):
    audience = forms.ChoiceField(
        label="Who", choices=_choices(NotificationCriterion.Audience.choices)
    )
    who = forms.CharField(
        label="Whom to notify",
        max_length=150,
        help_text=NotificationCriterion._meta.get_field("who").help_text,
    )
    contact = forms.CharField(label="Phone or email", max_length=150, required=False)
    conditions = forms.CharField(
        label="When to notify them", widget=forms.Textarea(attrs={"rows": 2})
    )

    def row(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.fields if name != "DELETE"}


class _SectionFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["class"] = "usa-checkbox__input"

    def rows(self) -> list[dict[str, Any]]:
        """The rows kept: filled in, and not marked for removal."""
        kept = []
        for form in self.forms:
            if not form.has_changed() and not form.initial:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            row = form.row()
            if row is not None:
                kept.append(row)
        return kept


KeyStaffFormSet = forms.formset_factory(
    KeyStaffForm, formset=_SectionFormSet, extra=2, can_delete=True
)
ProcedureFormSet = forms.formset_factory(ProcedureForm, formset=_SectionFormSet, extra=0)
NotificationFormSet = forms.formset_factory(
    NotificationForm, formset=_SectionFormSet, extra=2, can_delete=True
)


class VersionForm(forms.Form):
    version = VersionField()


def procedure_initial(plan: CoopPlan, *, blank_others: int = 2) -> list[dict[str, Any]]:
    """The five standard emergencies first (in their order), then the location's others,
    then blank rows for more."""
    current = list(plan.procedures.order_by("position", "pk"))
    rows = []
    for kind in EmergencyProcedure.STANDARD:
        found = next((p for p in current if p.kind == kind), None)
        rows.append({"kind": kind, "title": "", "procedure": found.procedure if found else ""})
    rows += [
        {"kind": p.kind, "title": p.title, "procedure": p.procedure}
        for p in current
        if p.kind == EmergencyProcedure.Kind.OTHER
    ]
    rows += [{"kind": EmergencyProcedure.Kind.OTHER, "title": "", "procedure": ""}] * blank_others
    return rows


# --- documents and duties --------------------------------------------------------------------


def _max_mb_help() -> str:
    return f"PDF only, up to {rules().max_document_mb} MB."


class DocumentForm(forms.Form):
    file = forms.FileField(
        label="The plan document", widget=forms.FileInput(attrs={"accept": ".pdf,application/pdf"})
    )
    summary = forms.CharField(
        label="What changed in this version",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _max_mb_help()


class CommunicationForm(forms.Form):
    communicated_on = forms.DateField(
        label="When it was communicated",
        widget=DATE_INPUT,
        help_text="Between the quarter's first day and today.",
    )
    communication_channel = forms.ChoiceField(
        label="How", choices=_choices(QuarterlyDuties.Channel.choices)
    )
    staff_count = forms.IntegerField(
        label="How many staff it reached", min_value=1, max_value=100000
    )
    communication_evidence = forms.CharField(
        label="Evidence",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=QuarterlyDuties._meta.get_field("communication_evidence").help_text,
    )
    version = VersionField()


class RevisionForm(forms.Form):
    revised_on = forms.DateField(
        label="When it was revised or reviewed",
        widget=DATE_INPUT,
        help_text="Between the quarter's first day and today.",
    )
    revision = forms.ChoiceField(
        label="What was done",
        choices=QuarterlyDuties.Revision.choices,
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
    )
    file = forms.FileField(
        label="The new version",
        required=False,
        widget=forms.FileInput(attrs={"accept": ".pdf,application/pdf"}),
    )
    revision_note = forms.CharField(
        label="What changed, or the attestation",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For a new version, what changed. For no changes, who reviewed the plan "
        "and that nothing needed to change (required).",
    )
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = f"For a new version: {_max_mb_help()}"


class ReviewForm(forms.Form):
    DECISIONS = [("accept", "Accept"), ("return", "Return to the location with comments")]

    decision = forms.ChoiceField(
        label="Decision",
        choices=DECISIONS,
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
    )
    opm_comments = forms.CharField(
        label="Comments",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required to return it: what the location must change. Optional to accept.",
    )
    version = VersionField()


class RegistryFilterForm(forms.Form):
    region = forms.ChoiceField(label="Region", required=False)
    behind = forms.BooleanField(
        label="Behind only",
        required=False,
        help_text="No plan, or a duty overdue.",
        widget=forms.CheckboxInput(attrs={"class": "usa-checkbox__input"}),
    )

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "All regions"), *((r.code, r.name) for r in regions)]

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {"region": "", "behind_only": False}
        return {
            "region": self.cleaned_data["region"],
            "behind_only": self.cleaned_data["behind"],
        }
