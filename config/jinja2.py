"""The Jinja2 environment for the few fragments Hearth renders with Jinja2: the rows of
its busiest list pages (`<app>/jinja2/`), where the Django template engine's cost per
variable adds up to several milliseconds a page. The page around them stays a Django
template and includes the fragment with `{% jinja %}` (agency/templatetags/hearth.py).
Fragments escape like Django templates do (autoescape on) and use the same helpers."""

import functools
from typing import Any

from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils.text import capfirst
from jinja2 import Environment, StrictUndefined

from agency.templatetags.hearth import when

# An id no real row has, for reversing a URL pattern once (`url` below).
_ID = 987654321987654321


def url(name: str, *args: Any) -> str:
    """`{{ url("casework:case_detail", case.pk) }}`, as Django's `{% url %}`. A URL that
    takes one id is reversed once per process and the id put in its place: a page of 25
    rows would otherwise run Django's resolver 25 times."""
    if len(args) == 1 and isinstance(args[0], int):
        return _pattern(name, get_script_prefix()).replace(str(_ID), str(args[0]))
    return reverse(name, args=args)


@functools.cache
def _pattern(name: str, prefix: str) -> str:
    return reverse(name, args=[_ID])


@functools.cache
def _labels(model: type, field_name: str) -> dict[Any, str]:
    return {value: str(label) for value, label in model._meta.get_field(field_name).flatchoices}


def display(obj: Any, field_name: str) -> str:
    """`{{ case|display("case_type") }}`: the label of a field with choices, as
    `get_case_type_display()` (which rebuilds the field's choice map on every call)."""
    value = getattr(obj, field_name)
    return _labels(type(obj), field_name).get(value, value)


def day(value: Any) -> str:
    """A date as list pages show it: "3 Nov 2026" (Django's `date:"j M Y"`)."""
    return f"{value.day} {value:%b %Y}" if value else ""


def plural(count: int, suffix: str = "s") -> str:
    """Django's `pluralize` for the simple case: "" for one, `suffix` otherwise."""
    return "" if count == 1 else suffix


def environment(**options: Any) -> Environment:
    # Escape everything shown, as Django templates do; a misspelt name fails loudly
    # instead of showing nothing.
    options.update(autoescape=True, undefined=StrictUndefined)
    env = Environment(**options)  # noqa: S701 (autoescape is on)
    env.globals.update(url=url, static=static)
    env.filters.update(when=when, day=day, plural=plural, capfirst=capfirst, display=display)
    return env
