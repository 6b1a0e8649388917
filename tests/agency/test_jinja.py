"""The Jinja2 fragments of the busiest list pages (config/jinja2.py): they escape, fail
loudly on a misspelt name, and their helpers answer as Django's own would."""

from datetime import date

import pytest
from django.template import engines
from django.urls import reverse
from jinja2 import UndefinedError

from casework.models import Case
from config import jinja2 as helpers
from tests.casework.factories import make_case

jinja = engines["jinja2"]


def render(source: str, **context) -> str:
    return jinja.from_string(source).render(context)


def test_values_are_escaped():
    assert render("{{ name }}", name="<script>alert(1)</script>") == (
        "&lt;script&gt;alert(1)&lt;/script&gt;"
    )


def test_a_misspelt_name_fails_loudly():
    with pytest.raises(UndefinedError):
        render("{{ nmae }}", name="Rivera")


@pytest.mark.parametrize("pk", [1, 42, 1234567])
def test_url_answers_as_reverse(pk):
    assert helpers.url("casework:case_detail", pk) == reverse("casework:case_detail", args=[pk])
    assert helpers.url("ombudsman:inquiry", pk) == reverse("ombudsman:inquiry", args=[pk])


def test_display_gives_the_choice_label(db, personas):
    case = make_case(personas.unit, personas.caseworker, case_type=Case.Type.OUT_OF_HOME)
    assert render('{{ case|display("case_type") }}', case=case) == case.get_case_type_display()


def test_day_and_plural():
    assert render("{{ d|day }} child{{ n|plural('ren') }}", d=date(2026, 11, 3), n=2) == (
        "3 Nov 2026 children"
    )


def test_the_caseload_escapes_a_case_name(client, personas):
    make_case(personas.unit, personas.caseworker, name="<b>Rivera</b>")
    client.force_login(personas.caseworker)
    page = client.get("/casework/").content.decode()
    assert "&lt;b&gt;Rivera&lt;/b&gt;" in page
    assert "<b>Rivera</b>" not in page
