from django import forms, template
from django.template import engines
from django.utils import timezone
from django.utils.safestring import mark_safe

from agency import concurrency

register = template.Library()

_CLASSES = {
    forms.Select: "usa-select",
    forms.SelectMultiple: "usa-select",
    forms.Textarea: "usa-textarea",
    forms.CheckboxInput: "usa-checkbox__input",
    forms.RadioSelect: "usa-radio__input",
    forms.FileInput: "usa-file-input",
}


@register.filter
def uswds(bound_field):
    """Render a form field with its USWDS class, whatever form it comes from (Django's
    own auth forms included), keeping the widget's aria attributes."""
    widget = bound_field.field.widget
    css = next((c for kind, c in _CLASSES.items() if isinstance(widget, kind)), "usa-input")
    if bound_field.errors:
        css += " usa-input--error"
    existing = widget.attrs.get("class", "")
    return bound_field.as_widget(attrs={"class": f"{existing} {css}".strip()})


@register.filter
def when(value):
    """An instant as staff read it, in Eastern time: "Mon 23 Nov 2026, 13:42".

    Django's `date` filter translates every day and month name on each call, which costs
    a list page of 25 rows a couple of milliseconds; Hearth's pages are in English."""
    if not value:
        return ""
    # Hearth never activates another time zone: the default one, looked up once.
    local = value.astimezone(timezone.get_default_timezone())
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


@register.filter
def edit_token(record):
    """The record's edit token (agency.concurrency), for a small form's hidden field."""
    return concurrency.edit_token(record)


@register.simple_tag
def jinja(template_name, **context):
    """The rows of a busy list page, rendered with Jinja2 (config/jinja2.py says why):
    `{% jinja "casework/caseload_rows.html" rows=rows scope=scope %}`. The fragment
    escapes what it shows itself, so its output is marked safe here."""
    return mark_safe(engines["jinja2"].get_template(template_name).render(context))  # noqa: S308
