"""Forms of the court pages. They check shapes (a date, a choice); the rules live in
casework.services.court, whose errors the views put back on these forms with
agency.forms.show_service_errors."""

from django import forms

from casework.forms.meetings import LOCAL_INPUT, local_input
from casework.models import CourtHearing, CourtPetition

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_DATETIME = forms.DateTimeInput(format=LOCAL_INPUT, attrs={"type": "datetime-local"})
COURT_HELP = "E.g. Superior Court for Juvenile Matters, Hartford."


def _people_choices(people) -> list[tuple[str, str]]:
    return [(str(p.pk), p.full_name) for p in people]


class PetitionForm(forms.Form):
    child = forms.ChoiceField(label="Child", error_messages={"required": "Choose the child."})
    kind = forms.ChoiceField(
        label="Kind of petition",
        choices=[("", "- Select -"), *CourtPetition.Kind.choices],
        help_text="A termination of parental rights petition also records the permanency "
        "decision that answers the 15-of-22-months rule.",
        error_messages={"required": "Choose the kind of petition."},
    )
    filed_on = forms.DateField(
        label="Filed on", widget=_DATE, error_messages={"required": "Say when it was filed."}
    )
    court = forms.CharField(
        label="Court",
        max_length=150,
        help_text=COURT_HELP,
        error_messages={"required": "Name the court."},
    )
    docket_number = forms.CharField(label="Docket number", max_length=50, required=False)
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, children: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.children = {str(p.pk): p for p in children}
        self.fields["child"].choices = [("", "- Select -"), *_people_choices(children)]

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["child"] = self.children[data["child"]]
        return data


class PetitionEditForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=CourtPetition.Status.choices)
    decided_on = forms.DateField(
        label="Decided or withdrawn on",
        widget=_DATE,
        required=False,
        help_text="Required once the court grants or denies the petition.",
    )
    filed_on = forms.DateField(
        label="Filed on", widget=_DATE, error_messages={"required": "Say when it was filed."}
    )
    court = forms.CharField(
        label="Court", max_length=150, help_text=COURT_HELP,
        error_messages={"required": "Name the court."},
    )  # fmt: skip
    docket_number = forms.CharField(label="Docket number", max_length=50, required=False)
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The decision, conditions, what comes next.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    @staticmethod
    def initial_for(petition: CourtPetition) -> dict:
        return {
            "status": petition.status,
            "decided_on": petition.decided_on,
            "filed_on": petition.filed_on,
            "court": petition.court,
            "docket_number": petition.docket_number,
            "note": petition.note,
            "version": petition.version,
        }

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version")
        return data


class HearingForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of hearing",
        choices=[("", "- Select -"), *CourtHearing.Kind.choices],
        error_messages={"required": "Choose the kind of hearing."},
    )
    scheduled_for = forms.DateTimeField(
        label="When (date and time, Eastern)",
        widget=_DATETIME,
        error_messages={"required": "Say when the hearing is (date and time)."},
    )
    court = forms.CharField(
        label="Court", max_length=150, help_text=COURT_HELP,
        error_messages={"required": "Name the court."},
    )  # fmt: skip
    child = forms.ChoiceField(label="Child", required=False, help_text="If it is about one child.")
    petition = forms.ChoiceField(label="Petition heard", required=False)

    def __init__(self, *args, children: list, petitions: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.children = {str(p.pk): p for p in children}
        self.petitions = {str(p.pk): p for p in petitions}
        self.fields["child"].choices = [("", "- None -"), *_people_choices(children)]
        self.fields["petition"].choices = [("", "- None -")] + [
            (key, f"{p.get_kind_display()} for {p.child.first_name}, filed {p.filed_on:%d %b %Y}")
            for key, p in self.petitions.items()
        ]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "scheduled_for": data["scheduled_for"],
            "court": data["court"],
            "child": self.children.get(data["child"]),
            "petition": self.petitions.get(data["petition"]),
        }


class HearingEditForm(HearingForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    @staticmethod
    def initial_for(hearing: CourtHearing) -> dict:
        return {
            "kind": hearing.kind,
            "scheduled_for": local_input(hearing.scheduled_for),
            "court": hearing.court,
            "child": str(hearing.child_id or ""),
            "petition": str(hearing.petition_id or ""),
            "version": hearing.version,
        }


class HearingRecordForm(forms.Form):
    status = forms.ChoiceField(
        label="What happened",
        choices=[
            (CourtHearing.Status.HELD, "Held"),
            (CourtHearing.Status.CONTINUED, "Continued to a later date"),
            (CourtHearing.Status.CANCELLED, "Cancelled"),
        ],
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
        error_messages={"required": "Choose held, continued or cancelled."},
    )
    outcome = forms.CharField(
        label="Outcome",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the court decided or ordered; for a cancelled hearing, why.",
        error_messages={"required": "Say what the court decided or ordered (or why it was "
                        "cancelled)."},
    )  # fmt: skip
    next_kind = forms.ChoiceField(
        label="Next hearing: kind",
        required=False,
        choices=[("", "- No next hearing yet -"), *CourtHearing.Kind.choices],
    )
    next_scheduled_for = forms.DateTimeField(
        label="Next hearing: when (Eastern)",
        required=False,
        widget=_DATETIME,
        help_text="Required for a continued hearing.",
    )
    next_court = forms.CharField(
        label="Next hearing: court",
        max_length=150,
        required=False,
        help_text="Leave empty for the same court.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        kind, when = data.get("next_kind"), data.get("next_scheduled_for")
        if when and not kind:
            self.add_error("next_kind", "Choose the kind of the next hearing.")
        if kind and not when and "next_scheduled_for" not in self.errors:
            self.add_error("next_scheduled_for", "Say when the next hearing is.")
        return data

    def next_hearing(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("next_kind"):
            return None
        return {
            "kind": data["next_kind"],
            "scheduled_for": data["next_scheduled_for"],
            "court": data["next_court"],
        }


class ReportFiledForm(forms.Form):
    report_filed_on = forms.DateField(
        label="Court report filed on",
        widget=_DATE,
        error_messages={"required": "Say when the court report was filed."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
