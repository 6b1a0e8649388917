"""Forms of the assessment pages. They check the shape of the input; the rules (what a
complete assessment holds, who decides, one in progress per kind) are the services'."""

from django import forms

from agency.forms import EditTokenField
from casework.models import Assessment, Intake
from casework.services.assessments import KIND_FIELDS

_HELP = {
    "threats": 'Each threat to the child\'s safety found, or "None identified".',
    "safety_plan": "Needed when the decision is conditionally safe: who does what, and when.",
    "summary": "How the individual assessments fit together and what the case plan must address.",
}


def _text(label: str, name: str, rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text=_HELP.get(name, ""),
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class AssessmentForm(forms.Form):
    """The fields of one kind of assessment. Nothing is required here: a draft may be
    saved half done; submitting checks completeness (the service)."""

    edit_token = EditTokenField()

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        for name in KIND_FIELDS[kind]:
            label = str(Assessment._meta.get_field(name).verbose_name).capitalize()
            if name == "safety_decision":
                self.fields[name] = forms.ChoiceField(
                    label="Safety decision",
                    choices=Assessment.SafetyDecision.choices,
                    required=False,
                    widget=forms.RadioSelect,
                )
            elif name == "risk_level":
                self.fields[name] = forms.ChoiceField(
                    label="Risk level",
                    choices=Intake.Risk.choices,
                    required=False,
                    widget=forms.RadioSelect,
                )
            else:
                self.fields[name] = _text(label, name, rows=6 if name == "summary" else 4)

    @property
    def domain_fields(self) -> list:
        return [self[name] for name in Assessment.DOMAINS if name in self.fields]

    @property
    def other_fields(self) -> list:
        return [
            self[name]
            for name in self.fields
            if name not in Assessment.DOMAINS
            and name not in ("safety_decision", "risk_level", "edit_token")
        ]

    @property
    def choice_fields(self) -> list:
        return [self[name] for name in ("safety_decision", "risk_level") if name in self.fields]


class AssessmentDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("approve", "Approve"), ("return", "Return with comments")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="Comments for the worker",
        required=False,
        help_text="Needed when you return the assessment: what must change.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
