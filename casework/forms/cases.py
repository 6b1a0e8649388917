from django import forms
from django.contrib.auth import get_user_model

from agency.forms import EditTokenField, FastFilterForm
from agency.roles import Role
from casework.models import Case


class CaseAssignForm(forms.Form):
    primary_worker = forms.ModelChoiceField(queryset=get_user_model().objects.none())
    secondary_worker = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(), required=False
    )
    edit_token = EditTokenField()

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        workers = (
            get_user_model()
            .objects.filter(
                staff__unit=case.unit, staff__role__in=[Role.CASEWORKER, Role.SUPERVISOR]
            )
            .order_by("last_name", "first_name")
        )
        for name in ("primary_worker", "secondary_worker"):
            self.fields[name].queryset = workers
            self.fields[name].label_from_instance = lambda u: u.get_full_name() or u.username
        self.initial.setdefault("primary_worker", case.primary_worker_id)
        self.initial.setdefault("secondary_worker", case.secondary_worker_id)


class CaseCloseForm(forms.Form):
    reason = forms.CharField(
        label="Why is the case closing?", max_length=200, widget=forms.TextInput()
    )


class CaseloadFilterForm(FastFilterForm):
    """The caseload's filters; every field optional, unknown values ignored."""

    q = forms.CharField(label="Case number or name", required=False)
    case_type = forms.ChoiceField(
        label="Type", required=False, choices=[("", "All types"), *Case.Type.choices]
    )
    due = forms.ChoiceField(
        label="Due",
        required=False,
        choices=[
            ("", "Everything"),
            ("iff_overdue", "Initial contact overdue"),
            ("iff_pending", "Initial contact not yet made"),
            ("unvisited", "Someone not yet visited this month"),
        ],
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[
            ("due", "Next due"),
            ("number", "Case number"),
            ("name", "Name"),
            ("opened", "Newest first"),
            ("type", "Type"),
        ],
    )
