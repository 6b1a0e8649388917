"""Forms of the document pages. They check the shape of the input; the rules (size,
type, the date, who may see it) are casework.services.documents'."""

from django import forms

from agency import clock
from casework.models import CaseDocument
from casework.services.documents import REASON_MAX

_DATE = forms.DateInput(attrs={"type": "date"})


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of document", choices=[("", "- Choose -"), *CaseDocument.Kind.choices]
    )
    title = forms.CharField(
        label="Title", max_length=200, help_text="E.g. “Order of temporary custody”."
    )
    document_date = forms.DateField(
        label="Date on the document", widget=_DATE, help_text="Not in the future."
    )
    visibility = forms.ChoiceField(
        label="Who may see it",
        choices=CaseDocument.Visibility.choices,
        initial=CaseDocument.Visibility.CASE_TEAM,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(label="File")

    def __init__(self, *args, max_mb: int, kinds: str, on_person: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = f"{kinds}; up to {max_mb} MB."
        if on_person:
            self.fields["visibility"].choices = [
                (CaseDocument.Visibility.CASE_TEAM, "Everyone who can open the person's record"),
                (
                    CaseDocument.Visibility.RESTRICTED,
                    "Restricted: you and the supervisors of the person's cases",
                ),
            ]
        else:
            self.fields["visibility"].choices = [
                (CaseDocument.Visibility.CASE_TEAM, "Everyone who can open the case"),
                (
                    CaseDocument.Visibility.RESTRICTED,
                    "Restricted: you, the case's supervisor and the area administrator",
                ),
            ]

    def clean_document_date(self):
        # The service says so too; here it shows beside the field with the form's own errors.
        day = self.cleaned_data["document_date"]
        if day > clock.today():
            raise forms.ValidationError("The date on the document cannot be in the future.")
        return day


class DocumentRemoveForm(forms.Form):
    reason = forms.CharField(
        label="Why it is removed",
        max_length=REASON_MAX,
        help_text="E.g. “Uploaded to the wrong case”. The document is hidden, not deleted.",
    )
