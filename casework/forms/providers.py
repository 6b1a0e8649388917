"""Forms of the provider directory and of a referral's progress."""

from django import forms

from agency.forms import EditTokenField
from casework.models import PlanService
from casework.selectors.providers import ACTIVE_CHOICES, DirectoryFilters

_DATE = forms.DateInput(attrs={"type": "date"})


class DirectoryFilterForm(forms.Form):
    """The directory's search and filters (GET)."""

    q = forms.CharField(
        label="Search", required=False, max_length=100,
        help_text="A provider's name, a type of service or an evidence-based model.",
    )  # fmt: skip
    evidence_based = forms.BooleanField(
        label="Evidence-based services only",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "usa-checkbox__input"}),
    )
    language = forms.ChoiceField(label="Language", required=False)
    location = forms.CharField(
        label="Town or region", required=False, max_length=100, help_text="E.g. Hartford."
    )
    active = forms.ChoiceField(label="Offered", required=False, choices=ACTIVE_CHOICES)

    def __init__(self, *args, languages: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", "Any language")] + [(w, w) for w in languages]

    def filters(self) -> DirectoryFilters:
        if not self.is_valid():
            return DirectoryFilters()
        data = self.cleaned_data
        return DirectoryFilters(
            q=data["q"].strip(),
            evidence_based=data["evidence_based"],
            language=data["language"],
            location=data["location"].strip(),
            active=data["active"] or "active",
        )


class ReferralForm(forms.Form):
    """One step of a referral: the status it reached and the day."""

    status = forms.ChoiceField(label="What happened", widget=forms.RadioSelect)
    on = forms.DateField(label="On", widget=_DATE, help_text="Not in the future.")
    decline_reason = forms.CharField(
        label="Why it was declined",
        required=False,
        max_length=300,
        help_text="Needed when the referral was declined.",
    )
    edit_token = EditTokenField()

    WORDS = {
        PlanService.Status.ACCEPTED: "The provider accepted the referral",
        PlanService.Status.STARTED: "The service started",
        PlanService.Status.COMPLETED: "The service was completed",
        PlanService.Status.DECLINED: "The referral was declined (by the provider or the family)",
    }

    def __init__(self, *args, next_statuses: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(value, self.WORDS[value]) for value in next_statuses]
