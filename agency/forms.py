from datetime import datetime

from django import forms
from django.forms.renderers import Jinja2
from django.utils import timezone

# Filter forms on the busiest lists render their widgets with Django's own Jinja2 widget
# templates: the same markup, several times faster than the Django template engine for
# selects with long option lists. Forms that show user input back keep the default.
FAST_RENDERER = Jinja2()


class FastFilterForm(forms.Form):
    """A GET filter form for a list page (the caseload, the inquiry queue)."""

    default_renderer = FAST_RENDERER


class DeadlineForm(forms.Form):
    """The calendar page's calculator: a start and a number of business days or hours."""

    start = forms.DateTimeField(
        label="Start (date and time, Eastern)",
        help_text="For example 2026-07-02 10:00.",
        input_formats=["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"class": "usa-input", "type": "datetime-local"}),
    )
    amount = forms.DecimalField(
        label="How many",
        min_value=0,
        max_value=365,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"class": "usa-input", "step": "0.25"}),
    )
    unit = forms.ChoiceField(
        label="Of",
        choices=[("days", "Business days"), ("hours", "Business hours")],
        widget=forms.Select(attrs={"class": "usa-select"}),
    )

    def clean_start(self) -> datetime:
        start = self.cleaned_data["start"]
        return start if timezone.is_aware(start) else timezone.make_aware(start)

    def clean(self):
        cleaned = super().clean()
        amount, unit = cleaned.get("amount"), cleaned.get("unit")
        if amount is not None and unit == "days" and amount != int(amount):
            self.add_error("amount", "Business days must be a whole number.")
        return cleaned


class EditTokenField(forms.CharField):
    """The version of the record an edit form was shown for (agency.concurrency): a
    hidden field the view initialises with `edit_token(obj)` and passes to the service,
    which refuses the edit when someone else changed the record since. Optional, like
    the services' `edit_token`."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


def show_service_errors(exc, *forms_: forms.Form) -> None:
    """Show a service's ValidationError on the page's form(s): each message beside the
    field of that name in whichever form has it, the rest at the top of the first. A
    hidden field (such as `edit_token`) has nowhere to show its message: it goes to the
    top of its form."""
    items = exc.error_dict.items() if hasattr(exc, "error_dict") else [(None, exc)]
    for field, errors in items:
        target = next((form for form in forms_ if field in form.fields), None)
        if target is not None and target.fields[field].widget.is_hidden:
            target.add_error(None, errors)
        else:
            (target or forms_[0]).add_error(field if target else None, errors)
