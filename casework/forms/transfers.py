"""Forms of the transfer pages. They check the shape of the input; the rules (who may
ask and decide, one request at a time, the new worker's unit) are
casework.services.transfers'."""

from django import forms
from django.contrib.auth import get_user_model

from agency.models import Unit
from agency.roles import Role
from casework.models import Case

User = get_user_model()


class _UnitField(forms.ModelChoiceField):
    def label_from_instance(self, unit) -> str:
        return f"{unit.work_location.name}: {unit.name}"


class _WorkerField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return user.get_full_name() or user.get_username()


class TransferRequestForm(forms.Form):
    to_unit = _UnitField(
        label="Transfer to",
        queryset=Unit.objects.none(),
        empty_label="- Choose the unit -",
        help_text="Any active unit of any office that has a supervisor; the supervisor decides.",
    )
    new_case_type = forms.ChoiceField(
        label="New case type",
        required=False,
        help_text="E.g. investigation to in-home services. Leave it empty to keep the type.",
    )
    summary = forms.CharField(
        label="Transfer summary",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Where the case stands: safety, the family, services, what is done and what "
        "is due next. The receiving supervisor reads it before deciding.",
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = (
            Unit.objects.filter(active=True, supervisor__isnull=False)
            .exclude(pk=case.unit_id)
            .select_related("work_location")
            .order_by("work_location__name", "name")
        )
        self.fields["new_case_type"].choices = [
            ("", f"Keep it ({case.get_case_type_display()})"),
            *((value, label) for value, label in Case.Type.choices if value != case.case_type),
        ]


class TransferAcceptForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    new_primary_worker = _WorkerField(
        label="New primary worker",
        queryset=User.objects.none(),
        empty_label="- Choose a caseworker -",
        help_text="A caseworker of your unit. The secondary worker is cleared.",
    )
    comment = forms.CharField(
        label="Comment for the sending unit",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_primary_worker"].queryset = User.objects.filter(
            is_active=True, staff__role=Role.CASEWORKER, staff__unit=unit
        ).order_by("last_name", "first_name", "pk")


class TransferDeclineForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label="Why you decline",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required. The sending supervisor is told.",
    )


class TransferWithdrawForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
