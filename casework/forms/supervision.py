"""Forms of the supervision pages. They check the shape of the input; the rules (who
records, who owns a next step, dates, versions) are casework.services.supervision's."""

from django import forms
from django.core.exceptions import ValidationError

from casework.models import SupervisionNote, SupervisoryReview
from casework.services.supervision import display_name

_DATE = forms.DateInput(attrs={"type": "date"})
_CHECKBOXES = forms.CheckboxSelectMultiple(attrs={"class": "usa-checkbox__input"})
STEP_ROWS = 3  # empty next-step rows on the review form


def _people(users) -> list[tuple[int, str]]:
    return [(user.pk, display_name(user)) for user in users]


class ReviewForm(forms.Form):
    held_on = forms.DateField(
        label="Date of the review", help_text="The day you met; not in the future.", widget=_DATE
    )
    worker = forms.TypedChoiceField(
        label="Worker",
        coerce=int,
        help_text="The worker you reviewed the case with (the primary worker by default).",
    )
    focus_areas = forms.MultipleChoiceField(
        label="Focus areas discussed",
        choices=SupervisoryReview.Focus.choices,
        widget=_CHECKBOXES,
        error_messages={"required": "Choose at least one focus area you discussed."},
    )
    discussion = forms.CharField(
        label="Discussion",
        help_text="What you discussed: practice, not only compliance.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Say what you discussed."},
    )
    clinical_guidance = forms.CharField(
        label="Clinical guidance",
        required=False,
        help_text="The guidance you gave the worker, in the words you would use with them.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = _people(workers)


class ReviewEditForm(ReviewForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class NextStepForm(forms.Form):
    """One agreed next step. A row left empty is skipped."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(label="What is to be done", max_length=300, required=False)
    owner = forms.TypedChoiceField(label="Owner", coerce=int, empty_value=None, required=False)
    due_on = forms.DateField(label="Due", required=False, widget=_DATE)
    remove = forms.BooleanField(label="Remove this step", required=False)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "- Choose -"), *_people(owners)]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("remove") or not self.has_changed():
            return cleaned
        if cleaned.get("id") is None and not any(
            cleaned.get(name) for name in ("description", "owner", "due_on")
        ):
            return cleaned
        for name, message in (
            ("description", "Say what is to be done."),
            ("owner", "Choose who will do it."),
            ("due_on", "Enter the date it is due."),
        ):
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, message)
        return cleaned

    def step(self) -> dict | None:
        """The step for the service, or None for an empty row."""
        data = self.cleaned_data
        if not data or not self.has_changed():
            return None
        if data.get("id") is None and (
            data.get("remove") or not any(data.get(n) for n in ("description", "owner", "due_on"))
        ):
            return None
        if data.get("remove"):
            return {"id": data["id"], "remove": True}
        step = {name: data.get(name) for name in ("description", "owner", "due_on")}
        if data.get("id") is not None:
            step["id"] = data["id"]
        return step


class BaseNextStepFormSet(forms.BaseFormSet):
    def __init__(self, *args, owners, **kwargs):
        self.owners = owners
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"owners": self.owners}

    @property
    def empty_form(self):
        return self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            owners=self.owners,
            renderer=self.renderer,
        )

    def steps(self) -> list[tuple[forms.Form, dict]]:
        """(form, step) for each row that says something, in order."""
        result = []
        for form in self.forms:
            step = form.step()
            if step is not None:
                result.append((form, step))
        return result


NextStepFormSet = forms.formset_factory(
    NextStepForm, formset=BaseNextStepFormSet, extra=STEP_ROWS, max_num=20, absolute_max=40
)


def show_step_errors(exc: ValidationError, rows: list[forms.Form], form: forms.Form) -> None:
    """A service error keyed `next_steps.<index>.<field>` goes beside that field of the
    row; the others to the review form (agency.forms.show_service_errors' rule)."""
    from agency.forms import show_service_errors

    rest: dict[str, list[str]] = {}
    for key, messages in exc.message_dict.items():
        if key.startswith("next_steps."):
            _, index, name = key.split(".", 2)
            row = rows[int(index)]
            row.add_error(name if name in row.fields else None, messages)
        else:
            rest[key] = messages
    if rest:
        show_service_errors(ValidationError(rest), form)


class AcknowledgeForm(forms.Form):
    comment = forms.CharField(
        label="Your comment",
        required=False,
        help_text="Optional: what you take from the review, or what you see differently.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class NextStepDoneForm(forms.Form):
    done_on = forms.DateField(
        label="Done on", help_text="Not in the future; today by default.", widget=_DATE
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=300,
        help_text="Optional: what was done, in a sentence.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class SupervisionNoteForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of supervision",
        choices=SupervisionNote.Kind.choices,
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
    )
    held_on = forms.DateField(
        label="Date of the session", help_text="Not in the future.", widget=_DATE
    )
    attendees = forms.TypedMultipleChoiceField(
        label="Attendees",
        coerce=int,
        required=False,
        help_text="Members of the unit who took part.",
        widget=_CHECKBOXES,
    )
    topics = forms.CharField(
        label="Topics",
        max_length=300,
        help_text="In a line, e.g. secondary trauma; engaging fathers.",
    )
    notes = forms.CharField(label="Notes", widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].choices = _people(members)


class SupervisionNoteEditForm(SupervisionNoteForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
