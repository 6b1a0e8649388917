"""Forms of the visit pages. They check shapes (a date, a choice); the rules live in
casework.services.visits, whose errors the views put back on these forms."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from casework.models import CaseMember, Visit, VisitParticipant
from casework.services.visits import RECORDED_STATUS_CHOICES, TOPIC_CHOICES

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


def _datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(format=LOCAL_INPUT, attrs={"type": "datetime-local"})


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's errors on the form: beside the field of the same name, or at the
    top for the rest. Errors about who was seen are kept under `form.errors["seen"]`,
    shown inside the participants' fieldset."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        if field == "seen":
            form.errors["seen"] = form.error_class([m for e in errors for m in e.messages])
        elif field in form.fields and field != NON_FIELD_ERRORS:
            form.add_error(field, errors)
        else:
            form.add_error(None, errors)


class VisitPlanForm(forms.Form):
    planned_for = forms.DateTimeField(
        label="When (date and time, Eastern)",
        widget=_datetime_input(),
    )
    location = forms.ChoiceField(
        label="Where",
        choices=[("", "- Select -"), *Visit.Location.choices],
    )
    location_detail = forms.CharField(
        label="Place or address",
        required=False,
        max_length=200,
        help_text='E.g. the foster family\'s name, the school. Required for "Other".',
    )
    announced = forms.BooleanField(
        label="Announced to the family in advance",
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "usa-checkbox__input"}),
    )
    participants = forms.MultipleChoiceField(
        label="Who will take part",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "usa-checkbox__input"}),
        error_messages={"required": "Choose at least one person to visit."},
    )
    discussion_points = forms.CharField(
        label="Discussion points",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=(
            "Written before the visit, from the case plan: the goals and services to talk "
            "about, safety and well-being, what to ask the family."
        ),
        error_messages={
            "required": "Write the discussion points before the visit, from the case plan."
        },
    )

    def __init__(self, *args, members: list[CaseMember], **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(m.person_id): m for m in members}
        self.fields["participants"].choices = [
            (key, f"{m.person.full_name} ({m.get_role_display()})")
            for key, m in self.members.items()
        ]
        # The monthly standard covers children and parents: they are ticked to start.
        self.fields["participants"].initial = [
            key
            for key, m in self.members.items()
            if m.role in (CaseMember.Role.CHILD, *CaseMember.PARENT_ROLES)
        ]

    def people(self) -> list:
        return [self.members[key].person for key in self.cleaned_data["participants"]]


class VisitRecordForm(forms.Form):
    status = forms.ChoiceField(
        label="What happened",
        choices=RECORDED_STATUS_CHOICES,
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
        error_messages={"required": "Choose completed, attempted or cancelled."},
    )
    occurred_at = forms.DateTimeField(
        label="When it took place, was attempted or was cancelled (Eastern)",
        widget=_datetime_input(),
        error_messages={"required": "Say when the visit took place."},
    )
    barrier = forms.ChoiceField(
        label="Barrier (if it did not happen)",
        required=False,
        choices=[("", "- None: the visit was completed -"), *Visit.Barrier.choices],
    )
    barrier_note = forms.CharField(
        label="About the barrier",
        required=False,
        max_length=300,
        help_text='Required when the barrier is "Other".',
    )
    topics = forms.MultipleChoiceField(
        label="Topics covered",
        required=False,
        choices=TOPIC_CHOICES,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "usa-checkbox__input"}),
    )
    narrative = forms.CharField(
        label="Narrative",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What was observed and discussed, and what happens next.",
    )

    def __init__(self, *args, participants: list[VisitParticipant], **kwargs):
        """`participants` come from `visit_participants` (with `is_child`)."""
        super().__init__(*args, **kwargs)
        self.participant_rows = []
        for participant in participants:
            pid = participant.person_id
            seen = f"seen_{pid}"
            self.fields[seen] = forms.BooleanField(
                label=f"{participant.person.full_name} was seen",
                required=False,
                widget=forms.CheckboxInput(attrs={"class": "usa-checkbox__input"}),
            )
            private = None
            if participant.is_child:
                private = f"private_{pid}"
                self.fields[private] = forms.BooleanField(
                    label=f"{participant.person.full_name} was seen privately",
                    required=False,
                    widget=forms.CheckboxInput(attrs={"class": "usa-checkbox__input"}),
                )
            self.participant_rows.append((participant, seen, private))

    @property
    def participants(self):
        """(participant, "seen" bound field, "seen privately" bound field or None)."""
        return [
            (participant, self[seen], self[private] if private else None)
            for participant, seen, private in self.participant_rows
        ]

    def seen(self) -> dict[int, tuple[bool, bool]]:
        data = self.cleaned_data
        return {
            participant.person_id: (
                bool(data.get(seen)),
                bool(data.get(private)) if private else False,
            )
            for participant, seen, private in self.participant_rows
        }


class EnteredInErrorForm(forms.Form):
    reason = forms.CharField(
        label="Why this visit was entered in error",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="E.g. recorded on the wrong case, duplicate of another visit. The visit "
        "stays in the record, marked, and stops counting towards monthly visits.",
        error_messages={"required": "Say why this visit was entered in error."},
    )
