"""Forms for people, their role on a case, relationships and diligent searches. They
parse and label input; the rules are in casework.services.people."""

from django import forms

from agency.forms import EditTokenField
from casework.models import CaseMember, Person, Race, Relationship
from casework.services.people import PERSON_FIELDS

CHECKBOX = {"class": "usa-checkbox__input"}


class PersonForm(forms.ModelForm):
    """Every field of a person's record. Used unbound to an instance: the service
    applies the cleaned values."""

    races = forms.ModelMultipleChoiceField(
        queryset=Race.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOX),
        label="Race",
        help_text="Select all that apply.",
    )

    class Meta:
        model = Person
        fields = list(PERSON_FIELDS)
        labels = {
            "date_of_birth_estimated": "The date of birth is an estimate",
            "ethnicity": "Hispanic or Latino ethnicity",
            "interpreter_needed": "Needs an interpreter",
            "whereabouts_unknown": "Whereabouts unknown (a diligent search is logged until found)",
            "incarcerated": "Incarcerated",
            "facility_contact": "Facility contact",
        }
        help_texts = {
            "date_of_birth": "For example 2016-04-30.",
            "facility": "Required when the person is incarcerated.",
            "facility_contact": "Who to call at the facility, and how.",
        }
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "date_of_birth_estimated": forms.CheckboxInput(attrs=CHECKBOX),
            "interpreter_needed": forms.CheckboxInput(attrs=CHECKBOX),
            "whereabouts_unknown": forms.CheckboxInput(attrs=CHECKBOX),
            "incarcerated": forms.CheckboxInput(attrs=CHECKBOX),
            "communication_needs": forms.Textarea(attrs={"rows": 2}),
        }

    def _post_clean(self):
        # The service checks the record (and names the user in its history); the
        # model's own full_clean would only repeat part of it on a throwaway instance.
        pass


class MemberForm(forms.Form):
    """A person's place on a case."""

    role = forms.ChoiceField(choices=[("", "- Select -"), *CaseMember.Role.choices])
    alleged_victim = forms.BooleanField(
        required=False,
        label="Alleged victim",
        help_text="Children only.",
        widget=forms.CheckboxInput(attrs=CHECKBOX),
    )
    custodial = forms.BooleanField(
        required=False,
        initial=True,
        label="Custodial parent",
        help_text="Parents only: unchecked for a non-custodial parent.",
        widget=forms.CheckboxInput(attrs=CHECKBOX),
    )
    in_household = forms.BooleanField(
        required=False,
        initial=True,
        label="Lives in the household",
        widget=forms.CheckboxInput(attrs=CHECKBOX),
    )
    natural_support_kind = forms.CharField(
        required=False,
        max_length=100,
        label="Kind of natural support",
        help_text="Natural supports only: e.g. former foster parent, coach, mentor, teacher.",
    )


class PersonEditForm(PersonForm):
    """An existing person's record, with the version it was shown for."""

    edit_token = EditTokenField()


class MemberEditForm(MemberForm):
    """An existing place on a case, with the version it was shown for."""

    edit_token = EditTokenField()


class PersonAddForm(PersonForm):
    """A new person's record, plus the answer to the duplicate warning."""

    confirm_new_despite_duplicates = forms.BooleanField(
        required=False,
        label="None of these is the person: create a new person anyway",
        widget=forms.CheckboxInput(attrs=CHECKBOX),
    )


class RelationshipForm(forms.Form):
    """`person` is `kind` of `relative`, both chosen among the case's active members."""

    person = forms.TypedChoiceField(coerce=int, label="Person")
    kind = forms.ChoiceField(
        choices=[("", "- Select -"), *Relationship.Kind.choices], label="Relationship"
    )
    relative = forms.TypedChoiceField(coerce=int, label="Of")
    note = forms.CharField(
        required=False, max_length=200, help_text="Optional, e.g. half-sibling, by adoption."
    )

    def __init__(self, *args, members: list[CaseMember], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "- Select -")] + [
            (m.person_id, f"{m.person.full_name} ({m.get_role_display()})") for m in members
        ]
        self.fields["person"].choices = choices
        self.fields["relative"].choices = choices


class DiligentSearchForm(forms.Form):
    searched_on = forms.DateField(
        label="Date of the search",
        help_text="For example 2026-11-23. Not in the future.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    method = forms.CharField(
        max_length=200, help_text="E.g. relative contact, DMV, DOC lookup, social media."
    )
    result = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="What it found")
    found = forms.BooleanField(
        required=False,
        label="The person was found (ends the search)",
        widget=forms.CheckboxInput(attrs=CHECKBOX),
    )
