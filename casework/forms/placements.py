"""Forms of the placement pages. They check shapes (a date, a choice); the rules live in
casework.services.placements, whose errors the views put back on these forms with
agency.forms.show_service_errors."""

from django import forms

from casework.models import CaseMember, PermanencyDecision, Placement


def _date_input() -> forms.DateInput:
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class PlacementStartForm(forms.Form):
    child = forms.ChoiceField(
        label="Child",
        error_messages={"required": "Choose the child who is placed."},
    )
    setting = forms.ChoiceField(
        label="Setting",
        choices=[("", "- Select -"), *Placement.Setting.choices],
        help_text="The least restrictive setting that meets the child's needs.",
        error_messages={"required": "Choose the setting."},
    )
    caregiver = forms.CharField(
        label="Caregiver",
        max_length=200,
        help_text="Who the child lives with: the relative's or foster family's name, the program.",
        error_messages={"required": "Say who the child lives with."},
    )
    address = forms.CharField(
        label="Address", max_length=300, required=False, help_text="Close to home, if possible."
    )
    start_date = forms.DateField(
        label="Start date",
        widget=_date_input(),
        error_messages={"required": "Say when the placement starts."},
    )
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Why this placement, and why this setting (least restrictive, close to the "
        "community of origin).",
        error_messages={"required": "Say why this placement, and why this setting."},
    )
    end_current = forms.BooleanField(
        label="This is a change of placement: end the child's current placement the day "
        "this one starts",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "usa-checkbox__input"}),
    )

    def __init__(self, *args, children: list[CaseMember], **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(m.person_id): m for m in children}
        self.fields["child"].choices = [("", "- Select -")] + [
            (key, m.person.full_name) for key, m in self.members.items()
        ]

    def chosen_child(self):
        return self.members[self.cleaned_data["child"]].person


class PlacementEndForm(forms.Form):
    end_date = forms.DateField(
        label="End date",
        widget=_date_input(),
        error_messages={"required": "Say when the placement ended."},
    )
    end_reason = forms.CharField(
        label="Why it ended",
        max_length=200,
        help_text="In words, e.g. returned home to her mother on the court's order.",
        error_messages={"required": "Say why the placement ended."},
    )
    exit_reason = forms.ChoiceField(
        label="Why the child left care",
        choices=[("", "- Select -"), *Placement.ExitReason.choices],
        help_text="Ending a placement ends the child's time in care. If the child moves to "
        "another placement, record a change of placement instead.",
        error_messages={
            "required": "Say why the child left care (reunification, adoption, guardianship...).",
            "invalid_choice": "Choose one of the reasons a child leaves care.",
        },
    )


class HomeStudyForm(forms.Form):
    referred_on = forms.DateField(
        label="Home study requested on",
        widget=_date_input(),
        error_messages={"required": "Say when the home study was requested."},
    )


class PlacementEnteredInErrorForm(forms.Form):
    reason = forms.CharField(
        label="Why this placement was entered in error",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="E.g. recorded for the wrong child, duplicate. The placement stays in the "
        "record, marked, and stops counting towards days in care.",
        error_messages={"required": "Say why this placement was entered in error."},
    )


class PermanencyDecisionForm(forms.Form):
    child = forms.ChoiceField(label="Child", error_messages={"required": "Choose the child."})
    kind = forms.ChoiceField(
        label="Decision",
        choices=PermanencyDecision.Kind.choices,
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
        error_messages={"required": "Choose petition filed or compelling reason not to file."},
    )
    decided_on = forms.DateField(
        label="Date filed or documented",
        widget=_date_input(),
        error_messages={"required": "Say when the petition was filed or the reason documented."},
    )
    note = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The petition (court, docket number), or the compelling reason not to file.",
        error_messages={
            "required": "Describe the petition (court, docket) or the compelling reason "
            "not to file."
        },
    )

    def __init__(self, *args, children: list[CaseMember], **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(m.person_id): m for m in children}
        self.fields["child"].choices = [("", "- Select -")] + [
            (key, m.person.full_name) for key, m in self.members.items()
        ]

    def chosen_child(self):
        return self.members[self.cleaned_data["child"]].person
