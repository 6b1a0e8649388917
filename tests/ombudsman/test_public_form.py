"""The public web form (/ombudsman/contact/): no login, English and Spanish, and its
defences: honeypot, rate limit, maximum lengths, HTML kept as text, CSRF."""

import html
import re
import uuid
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from agency import clock
from ombudsman import public, services
from ombudsman.models import Inquiry, InquiryEvent
from tests.factories import make_region

NOW = "2026-11-23 10:00:00-05:00"  # a Monday
FORM = reverse("ombudsman:public_form")


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def address():
    """A client address of this test's own: the rate limit's counter lives in the cache,
    which tests (and test runs) share."""
    return f"test-{uuid.uuid4().hex}"


@pytest.fixture
def visitor(client, address, db):
    client.defaults["REMOTE_ADDR"] = address
    return client


def body(**fields):
    return {
        "source_type": "foster_parent",
        "contact_name": "Dana Reyes",
        "contact_email": "dana@example.org",
        "contact_phone": "860-555-0142",
        "subject": "No reply about respite care",
        "description": "I asked the caseworker three times since October.",
        "region": "",
        "retaliation_alleged": "no",
        "website": "",
    } | fields


def reference_on(page) -> str:
    match = re.search(r'data-testid="reference">([^<]+)<', page.text)
    assert match, page.text
    return match.group(1)


# --- the page ---------------------------------------------------------------------------------


def test_the_form_opens_without_logging_in_in_english(visitor):
    response = visitor.get(FORM)

    assert response.status_code == 200
    assert '<html lang="en">' in response.text
    assert "Contact the Office of the Ombudsman" in response.text
    assert "within two business days" in response.text
    assert 'href="/ombudsman/contact/?lang=es"' in response.text
    assert 'lang="es"' in response.text  # the switch link is marked as Spanish
    assert 'name="csrfmiddlewaretoken"' in response.text
    for name in ("source_type", "contact_name", "subject", "description", "region"):
        assert f'name="{name}"' in response.text


def test_the_form_opens_in_spanish(visitor):
    response = visitor.get(FORM + "?lang=es")

    assert '<html lang="es">' in response.text
    assert "Comuníquese con la Oficina del Ombudsman" in response.text
    assert "dentro de dos días hábiles" in response.text
    assert "¿Quién es usted?" in response.text
    assert 'href="/ombudsman/contact/?lang=en"' in response.text
    assert 'action="/ombudsman/contact/?lang=es"' in response.text
    assert "Contact the Office" not in response.text


def test_an_unknown_language_falls_back_to_english(visitor):
    assert '<html lang="en">' in visitor.get(FORM + "?lang=fr").text


def test_the_honeypot_is_hidden_from_people(visitor):
    page = visitor.get(FORM).text

    hidden = re.search(r'<div class="usa-sr-only" aria-hidden="true">(.*?)</div>', page, re.S)
    assert hidden, page
    assert "Leave this empty" in hidden.group(1)
    assert 'name="website"' in hidden.group(1)
    assert 'autocomplete="off"' in hidden.group(1)
    assert 'tabindex="-1"' in hidden.group(1)


def test_the_form_offers_only_sources_a_member_of_the_public_can_be(visitor):
    page = visitor.get(FORM).text

    offered = set(re.findall(r'name="source_type"[^>]*value="([^"]+)"', page))
    assert offered == {source.value for source in public.PUBLIC_SOURCES}
    assert "legislator" not in offered and "agency_staff" not in offered


# --- sending ----------------------------------------------------------------------------------


def test_sending_records_a_web_inquiry_and_shows_only_the_reference(visitor):
    region = make_region(name="North Region")

    response = visitor.post(
        FORM, body(region=region.pk, retaliation_alleged="yes", source_type="relative")
    )

    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert (inquiry.channel, inquiry.source_type, inquiry.kind) == ("web", "relative", "inquiry")
    assert inquiry.created_by is None
    assert (inquiry.contact_name, inquiry.contact_email, inquiry.contact_phone) == (
        "Dana Reyes", "dana@example.org", "860-555-0142",
    )  # fmt: skip
    assert inquiry.region == region
    assert inquiry.retaliation_alleged is True
    assert inquiry.preferred_language == "English"
    assert inquiry.received_at == clock.now()
    event = inquiry.events.get()
    assert (event.kind, event.actor) == (InquiryEvent.Kind.RECEIVED, None)
    # The confirmation's URL carries a signed token of the reference, not the inquiry's id.
    match = re.fullmatch(r"/ombudsman/contact/thanks/([^/]+)/", response["Location"])
    assert match
    assert public.reference_from_token(match.group(1)) == inquiry.reference

    thanks = visitor.get(response["Location"])

    assert thanks.status_code == 200
    assert reference_on(thanks) == inquiry.reference
    assert "We will answer you within two business days." in thanks.text
    for secret in ("Dana", "dana@example.org", "555-0142", "respite", "North Region", "foster"):
        assert secret not in thanks.text, secret


def test_sending_in_spanish_confirms_in_spanish(visitor):
    response = visitor.post(FORM + "?lang=es", body())

    assert response["Location"].endswith("?lang=es")
    thanks = visitor.get(response["Location"])
    assert '<html lang="es">' in thanks.text
    assert "Le responderemos dentro de dos días hábiles." in thanks.text
    assert reference_on(thanks) == Inquiry.objects.get().reference
    assert Inquiry.objects.get().preferred_language == "Spanish"
    # The language switch stays on the confirmation.
    english = response["Location"].replace("?lang=es", "?lang=en")
    assert f'href="{english}"' in thanks.text


def test_an_anonymous_message_is_accepted(visitor):
    response = visitor.post(FORM, body(contact_name="", contact_email="", contact_phone=""))

    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert (inquiry.contact_name, inquiry.contact_email, inquiry.contact_phone) == ("", "", "")


def test_the_response_time_follows_the_office_rules(visitor):
    rules = services.rules()
    rules.routine_business_days = 3
    rules.save()

    assert "within three business days" in visitor.get(FORM).text
    assert "dentro de tres días hábiles" in visitor.get(FORM + "?lang=es").text


# --- the confirmation page cannot be enumerated ----------------------------------------------


def test_a_forged_or_altered_confirmation_is_404(visitor):
    inquiry = services.inquiry_create(
        actor=None, channel="web", source_type="client", subject="Private", description="x"
    )
    genuine = public.thanks_token(inquiry.reference)
    other_salt = signing.dumps(inquiry.reference, salt="something else")
    unsigned = signing.dumps(inquiry.reference).split(":")[0]

    for token in (other_salt, unsigned, genuine[:-2] + "xx", str(inquiry.pk), inquiry.reference):
        url = reverse("ombudsman:public_thanks", args=[token])
        assert visitor.get(url).status_code == 404, token


def test_an_old_confirmation_link_expires(visitor, time_machine):
    url = reverse("ombudsman:public_thanks", args=[public.thanks_token("OMB-2026-000001")])
    assert visitor.get(url).status_code == 200

    time_machine.move_to(clock.now() + timedelta(days=2), tick=False)

    assert visitor.get(url).status_code == 404


# --- abuse ------------------------------------------------------------------------------------


def test_missing_fields_are_marked_and_nothing_is_stored(visitor):
    response = visitor.post(FORM, body(source_type="", subject="   ", description=""))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"source_type", "subject", "description"}
    assert errors["subject"] == ["This field is required."]
    assert "Please correct the fields marked below. Nothing was sent yet." in response.text
    assert 'aria-invalid="true"' in response.text
    assert 'id="id_subject_error"' in response.text
    assert Inquiry.objects.count() == 0


def test_missing_fields_are_marked_in_spanish(visitor):
    response = visitor.post(FORM + "?lang=es", body(subject=""))

    assert response.context["form"].errors["subject"] == ["Este campo es obligatorio."]
    assert '<html lang="es">' in response.text
    assert Inquiry.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("subject", 200),
        ("description", public.DESCRIPTION_MAX_LENGTH),
        ("contact_name", 150),
        ("contact_phone", 30),
    ],
)
def test_oversized_input_is_refused_with_a_clear_error(visitor, field, limit):
    response = visitor.post(FORM, body(**{field: "x" * (limit + 1)}))

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [
        f"This is too long: use at most {limit} characters (you used {limit + 1})."
    ]
    assert Inquiry.objects.count() == 0


def test_a_bad_email_address_and_an_unknown_choice_are_refused(visitor):
    response = visitor.post(
        FORM,
        body(contact_email="dana at example", source_type="legislator", region="987654"),
    )

    errors = response.context["form"].errors
    assert errors["contact_email"] == ["Enter an email address like name@example.com."]
    assert errors["source_type"] == ["Choose one of the answers."]
    assert errors["region"] == ["Choose one of the answers."]
    assert Inquiry.objects.count() == 0


def test_null_characters_are_refused_not_a_server_error(visitor):
    response = visitor.post(FORM, body(description="Hello\x00world"))

    assert response.status_code == 200
    assert response.context["form"].errors["description"] == [
        "This contains characters that are not allowed."
    ]
    assert Inquiry.objects.count() == 0


def test_html_is_stored_as_plain_text_and_shown_escaped(visitor):
    script = '<script>alert("x")</script><b>bold</b>'

    refused = visitor.post(FORM, body(subject=script, description=""))

    assert script not in refused.text
    assert script in html.unescape(refused.text)  # shown, escaped
    assert Inquiry.objects.count() == 0

    visitor.post(FORM, body(subject=script, description=f"Before {script} after"))

    inquiry = Inquiry.objects.get()
    assert inquiry.subject == script
    assert inquiry.description == f"Before {script} after"
    assert "<script>" not in visitor.get(visitor.post(FORM, body())["Location"]).text


def test_too_many_submissions_from_one_address_answer_429(visitor, client, address):
    rules = services.rules()
    rules.public_form_limit_per_hour = 2
    rules.save()

    for _ in range(2):
        assert visitor.post(FORM, body()).status_code == 302
    refused = visitor.post(FORM, body(subject="The third"))

    assert refused.status_code == 429
    assert "Too many messages from your connection" in refused.text
    assert "2 messages an hour" in refused.text
    assert Inquiry.objects.count() == 2
    assert not Inquiry.objects.filter(subject="The third").exists()
    # Refused in Spanish for a Spanish page.
    assert "Demasiados mensajes" in visitor.post(FORM + "?lang=es", body()).text
    # Another address is not affected.
    other = Client(REMOTE_ADDR=f"203.0.113.9-{address}")
    assert other.post(FORM, body()).status_code == 302
    assert Inquiry.objects.count() == 3


def test_the_limit_starts_again_the_next_hour(visitor, time_machine):
    rules = services.rules()
    rules.public_form_limit_per_hour = 1
    rules.save()
    assert visitor.post(FORM, body()).status_code == 302
    assert visitor.post(FORM, body()).status_code == 429

    time_machine.move_to(clock.now() + timedelta(hours=1), tick=False)

    assert visitor.post(FORM, body()).status_code == 302
    assert Inquiry.objects.count() == 2


def test_mistakes_do_not_count_against_the_limit(visitor):
    rules = services.rules()
    rules.public_form_limit_per_hour = 1
    rules.save()

    for _ in range(3):
        assert visitor.post(FORM, body(subject="")).status_code == 200

    assert visitor.post(FORM, body()).status_code == 302


def test_a_filled_honeypot_gets_the_same_confirmation_but_nothing_is_stored(visitor):
    response = visitor.post(FORM, body(website="http://cheap-pills.example"))

    assert response.status_code == 302
    thanks = visitor.get(response["Location"])
    assert thanks.status_code == 200
    assert re.fullmatch(r"OMB-2026-\d{6}", reference_on(thanks))
    assert "We will answer you within two business days." in thanks.text
    assert Inquiry.objects.count() == 0
    assert InquiryEvent.objects.count() == 0


def test_honeypot_submissions_count_against_the_limit(visitor):
    rules = services.rules()
    rules.public_form_limit_per_hour = 2
    rules.save()

    for _ in range(2):
        visitor.post(FORM, body(website="spam"))

    assert visitor.post(FORM, body()).status_code == 429
    assert Inquiry.objects.count() == 0


def test_csrf_protection_stays_on(db, address):
    strict = Client(enforce_csrf_checks=True, REMOTE_ADDR=address)

    response = strict.post(FORM, body())

    assert response.status_code == 403
    assert Inquiry.objects.count() == 0

    page = strict.get(FORM)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    assert strict.post(FORM, body(csrfmiddlewaretoken=token)).status_code == 302
    assert Inquiry.objects.count() == 1


def test_only_get_and_post(visitor):
    assert visitor.put(FORM).status_code == 405
    thanks = reverse("ombudsman:public_thanks", args=[public.thanks_token("OMB-2026-000001")])
    assert visitor.post(thanks).status_code == 405


def test_a_logged_in_user_sees_the_same_public_page(client, personas, address):
    client.force_login(personas.caseworker)
    client.defaults["REMOTE_ADDR"] = address

    response = client.post(FORM, body())

    assert response.status_code == 302
    assert Inquiry.objects.get().created_by is None


# --- in the browser ---------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_spanish_speaker_sends_a_message_in_the_browser(page, live_server):
    from playwright.sync_api import expect

    from tests.browser import SCREENS, serious_accessibility_violations

    rules = services.rules()
    # The live server's visitor is always 127.0.0.1, whose count the cache keeps.
    rules.public_form_limit_per_hour = 10_000
    rules.save()
    SCREENS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{live_server.url}{FORM}")
    page.get_by_role("link", name="Ver esta página en español").click()
    expect(
        page.get_by_role("heading", name="Comuníquese con la Oficina del Ombudsman")
    ).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "es"
    # The honeypot is laid out off the screen (and hidden from screen readers).
    honeypot = page.locator("#id_website").bounding_box()
    assert honeypot["x"] + honeypot["width"] <= 0
    assert serious_accessibility_violations(page) == []

    page.get_by_role("button", name="Enviar al Ombudsman").click()
    expect(page.get_by_text("Corrija los campos marcados abajo.")).to_be_visible()
    assert page.get_by_text("Este campo es obligatorio.").count() == 3
    page.screenshot(path=str(SCREENS / "ombudsman-public-form-errors-es.png"), full_page=True)
    assert serious_accessibility_violations(page) == []
    assert Inquiry.objects.count() == 0

    # USWDS draws the radio button on its label; people click the label.
    page.get_by_text("Un padre o una madre de crianza", exact=True).click()
    assert page.get_by_label("Un padre o una madre de crianza").is_checked()
    page.get_by_label("Su nombre (opcional)").fill("María Ortiz")
    page.get_by_label("Asunto").fill("Sin visitas con mi nieto desde octubre")
    page.get_by_label("¿Qué pasó y qué quiere que hagamos?").fill(
        "Las visitas de los sábados se suspendieron y nadie me devuelve las llamadas."
    )
    page.get_by_role("button", name="Enviar al Ombudsman").click()

    expect(page.get_by_role("heading", name="Gracias: recibimos su mensaje")).to_be_visible()
    inquiry = Inquiry.objects.get()
    assert page.get_by_test_id("reference").inner_text() == inquiry.reference
    assert (inquiry.channel, inquiry.preferred_language) == ("web", "Spanish")
    assert inquiry.subject == "Sin visitas con mi nieto desde octubre"
    page.screenshot(path=str(SCREENS / "ombudsman-public-thanks-es.png"), full_page=True)
    assert serious_accessibility_violations(page) == []
