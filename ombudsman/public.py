"""The public web form (no login), in English and Spanish: its strings, its form, the
per-address rate limit, and the signed token of the confirmation page.

The form records an inquiry through `services.inquiry_create` (channel "web", no
actor). Abuse is kept out by a honeypot field people never see, a limit of
`OmbudsmanRules.public_form_limit_per_hour` submissions per client address and clock
hour (counted in Django's cache), maximum lengths on every field, and CSRF protection.
What people type is stored as they typed it (HTML stays plain text) and always shown
escaped. The confirmation page shows only the reference and the expected response
time; its URL carries the reference in a signed token, never the inquiry's id.
"""

from typing import Any

from django import forms
from django.core import signing
from django.core.cache import cache

from agency import clock
from agency.models import Region
from ombudsman.models import Inquiry

LANGUAGES = ("en", "es")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "es": "Español"}
# Stored on the inquiry so staff answer in the language the inquirer wrote in.
PREFERRED_LANGUAGE = {"en": "English", "es": "Spanish"}

DESCRIPTION_MAX_LENGTH = 10_000
CONFIRMATION_SALT = "ombudsman.public.thanks"
CONFIRMATION_MAX_AGE = 24 * 60 * 60  # the confirmation page is shown once, after sending
HONEYPOT = "website"
# The form's fields whose label string has another name.
LABEL_KEYS = {HONEYPOT: "honeypot", "retaliation_alleged": "retaliation"}

# Who may write through the form: the sources a member of the public can be. (The
# Governor's office, legislators and agency staff reach the office directly.)
PUBLIC_SOURCES = (
    Inquiry.SourceType.CLIENT,
    Inquiry.SourceType.YOUTH,
    Inquiry.SourceType.FOSTER_PARENT,
    Inquiry.SourceType.ADOPTIVE_PARENT,
    Inquiry.SourceType.RELATIVE,
    Inquiry.SourceType.PROVIDER,
    Inquiry.SourceType.ADVOCATE,
    Inquiry.SourceType.OTHER,
)

STRINGS: dict[str, dict[str, Any]] = {
    "en": {
        "title": "Contact the Office of the Ombudsman",
        "intro": (
            "Tell us about a question or a concern with the services of the Department. "
            "We answer every message within {response_time}."
        ),
        "emergency": (
            "If a child is in danger right now, call 911 or the Careline. This form is "
            "not watched around the clock."
        ),
        "anonymous": (
            "You may stay anonymous: your name and contact details are optional, but "
            "without them we cannot answer you."
        ),
        "switch_label": "Ver esta página en español",
        "required": "required",
        "legend_about_you": "About you",
        "legend_message": "Your message",
        "source_type": "Who are you?",
        "sources": {
            Inquiry.SourceType.CLIENT: "A parent or family receiving services",
            Inquiry.SourceType.YOUTH: "A youth or young adult in care",
            Inquiry.SourceType.FOSTER_PARENT: "A foster parent",
            Inquiry.SourceType.ADOPTIVE_PARENT: "An adoptive parent",
            Inquiry.SourceType.RELATIVE: "A relative of a child",
            Inquiry.SourceType.PROVIDER: "A service provider",
            Inquiry.SourceType.ADVOCATE: "An advocate or attorney",
            Inquiry.SourceType.OTHER: "Someone else",
        },
        "contact_name": "Your name (optional)",
        "contact_email": "Your email address (optional)",
        "contact_phone": "Your phone number (optional)",
        "contact_hint": "How we can reach you with our answer.",
        "subject": "Subject",
        "subject_hint": 'A few words, for example "No visit with my son since June".',
        "description": "What happened, and what would you like us to do?",
        "description_hint": (
            "Include names, dates and the office involved if you know them. At most "
            "{limit} characters."
        ),
        "region": "Which region is this about? (optional)",
        "region_empty": "I am not sure",
        "retaliation": (
            "Has anyone threatened you or treated you unfairly because you complained "
            "or contacted the Ombudsman?"
        ),
        "retaliation_hint": (
            "No one may be punished for contacting the Ombudsman. If this happened, "
            "we refer it to Human Resource Management."
        ),
        "no": "No",
        "yes": "Yes",
        "honeypot": "Leave this empty",
        "submit": "Send to the Ombudsman",
        "errors_summary": "Please correct the fields marked below. Nothing was sent yet.",
        "error_required": "This field is required.",
        "error_choice": "Choose one of the answers.",
        "error_too_long": (
            "This is too long: use at most %(limit_value)d characters (you used %(show_value)d)."
        ),
        "error_email": "Enter an email address like name@example.com.",
        "error_null": "This contains characters that are not allowed.",
        "error_not_sent": "Your message could not be recorded: {detail}",
        "thanks_title": "Thank you: we received your message",
        "thanks_reference": "Your reference number",
        "thanks_keep": "Keep this number. Give it to us if you call or write about this message.",
        "thanks_response": "We will answer you within {response_time}.",
        "thanks_anonymous": "If you did not leave contact details, we cannot answer you.",
        "thanks_again": "Send another message",
        "limit_title": "Too many messages from your connection",
        "limit_text": (
            "This form accepts {limit} messages an hour from one connection, to protect "
            "it from abuse. Please wait an hour and send your message again, or contact "
            "the Office of the Ombudsman by phone or mail."
        ),
        "skip": "Skip to main content",
        "office": "Office of the Ombudsman",
        "footer": "What you write is confidential and read only by the Office of the Ombudsman.",
        "numbers": {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"},
        "business_days": ("business day", "business days"),
        "thousands": ",",
    },
    "es": {
        "title": "Comuníquese con la Oficina del Ombudsman",
        "intro": (
            "Cuéntenos su pregunta o su preocupación sobre los servicios del "
            "Departamento. Respondemos a cada mensaje dentro de {response_time}."
        ),
        "emergency": (
            "Si un niño está en peligro ahora mismo, llame al 911 o a la línea Careline. "
            "Este formulario no se atiende a toda hora."
        ),
        "anonymous": (
            "Puede quedar en el anonimato: su nombre y sus datos de contacto son "
            "opcionales, pero sin ellos no podemos responderle."
        ),
        "switch_label": "View this page in English",
        "required": "obligatorio",
        "legend_about_you": "Sobre usted",
        "legend_message": "Su mensaje",
        "source_type": "¿Quién es usted?",
        "sources": {
            Inquiry.SourceType.CLIENT: "Un padre, una madre o una familia que recibe servicios",
            Inquiry.SourceType.YOUTH: "Un joven o adulto joven bajo cuidado",
            Inquiry.SourceType.FOSTER_PARENT: "Un padre o una madre de crianza",
            Inquiry.SourceType.ADOPTIVE_PARENT: "Un padre o una madre adoptivos",
            Inquiry.SourceType.RELATIVE: "Un familiar de un niño",
            Inquiry.SourceType.PROVIDER: "Un proveedor de servicios",
            Inquiry.SourceType.ADVOCATE: "Un defensor o abogado",
            Inquiry.SourceType.OTHER: "Otra persona",
        },
        "contact_name": "Su nombre (opcional)",
        "contact_email": "Su correo electrónico (opcional)",
        "contact_phone": "Su número de teléfono (opcional)",
        "contact_hint": "Cómo podemos comunicarle nuestra respuesta.",
        "subject": "Asunto",
        "subject_hint": 'Unas palabras, por ejemplo "Sin visitas con mi hijo desde junio".',
        "description": "¿Qué pasó y qué quiere que hagamos?",
        "description_hint": (
            "Incluya nombres, fechas y la oficina si los conoce. Como máximo {limit} caracteres."
        ),
        "region": "¿De qué región se trata? (opcional)",
        "region_empty": "No estoy seguro",
        "retaliation": (
            "¿Alguien le amenazó o le trató de forma injusta porque usted se quejó o se "
            "comunicó con el Ombudsman?"
        ),
        "retaliation_hint": (
            "Nadie puede ser castigado por comunicarse con el Ombudsman. Si esto pasó, "
            "lo remitimos a la Oficina de Recursos Humanos."
        ),
        "no": "No",
        "yes": "Sí",
        "honeypot": "Deje esto vacío",
        "submit": "Enviar al Ombudsman",
        "errors_summary": "Corrija los campos marcados abajo. Todavía no se envió nada.",
        "error_required": "Este campo es obligatorio.",
        "error_choice": "Elija una de las respuestas.",
        "error_too_long": (
            "Es demasiado largo: use como máximo %(limit_value)d caracteres (usó %(show_value)d)."
        ),
        "error_email": "Escriba un correo electrónico como nombre@ejemplo.com.",
        "error_null": "Contiene caracteres que no se permiten.",
        "error_not_sent": "No pudimos registrar su mensaje: {detail}",
        "thanks_title": "Gracias: recibimos su mensaje",
        "thanks_reference": "Su número de referencia",
        "thanks_keep": (
            "Guarde este número. Indíquelo si nos llama o nos escribe sobre este mensaje."
        ),
        "thanks_response": "Le responderemos dentro de {response_time}.",
        "thanks_anonymous": "Si no dejó sus datos de contacto, no podemos responderle.",
        "thanks_again": "Enviar otro mensaje",
        "limit_title": "Demasiados mensajes desde su conexión",
        "limit_text": (
            "Este formulario acepta {limit} mensajes por hora desde una misma conexión, "
            "para protegerlo contra el abuso. Espere una hora y envíe su mensaje otra "
            "vez, o comuníquese con la Oficina del Ombudsman por teléfono o por correo."
        ),
        "skip": "Saltar al contenido principal",
        "office": "Oficina del Ombudsman",
        "footer": ("Lo que usted escribe es confidencial y solo lo lee la Oficina del Ombudsman."),
        "numbers": {1: "un", 2: "dos", 3: "tres", 4: "cuatro", 5: "cinco"},
        "business_days": ("día hábil", "días hábiles"),
        "thousands": ".",
    },
}


def language(value: str | None) -> str:
    """The page's language from `?lang=`: Spanish when asked for, else English."""
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def response_time(lang: str, business_days: int) -> str:
    """The routine initial-response time in words: "two business days", "dos días
    hábiles"."""
    strings = STRINGS[lang]
    singular, plural = strings["business_days"]
    number = strings["numbers"].get(business_days, str(business_days))
    return f"{number} {singular if business_days == 1 else plural}"


def page_text(lang: str, business_days: int) -> dict[str, Any]:
    """The page's strings, with the response time filled in."""
    text = dict(STRINGS[lang])
    when = response_time(lang, business_days)
    for key in ("intro", "thanks_response"):
        text[key] = text[key].format(response_time=when)
    return text


class PublicInquiryForm(forms.Form):
    """The public form, labelled and checked in the page's language."""

    source_type = forms.ChoiceField(widget=forms.RadioSelect)
    contact_name = forms.CharField(max_length=150, required=False)
    contact_email = forms.EmailField(max_length=254, required=False)
    contact_phone = forms.CharField(max_length=30, required=False)
    subject = forms.CharField(max_length=200)
    description = forms.CharField(max_length=DESCRIPTION_MAX_LENGTH, widget=forms.Textarea)
    region = forms.ModelChoiceField(queryset=Region.objects.order_by("name"), required=False)
    retaliation_alleged = forms.TypedChoiceField(
        choices=[("no", "no"), ("yes", "yes")],
        coerce=lambda value: value == "yes",
        initial="no",
        widget=forms.RadioSelect,
    )
    # The honeypot: hidden from people (visually and from assistive technology); a
    # program that fills in every field fills this one too.
    website = forms.CharField(
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, lang: str = DEFAULT_LANGUAGE, **kwargs):
        super().__init__(*args, **kwargs)
        self.lang = lang
        text = STRINGS[lang]
        self.fields["source_type"].choices = [
            (source.value, text["sources"][source]) for source in PUBLIC_SOURCES
        ]
        self.fields["retaliation_alleged"].choices = [("no", text["no"]), ("yes", text["yes"])]
        self.fields["region"].empty_label = text["region_empty"]
        hints = {
            "contact_email": text["contact_hint"],
            "contact_phone": text["contact_hint"],
            "subject": text["subject_hint"],
            "description": text["description_hint"].format(
                limit=f"{DESCRIPTION_MAX_LENGTH:,}".replace(",", text["thousands"])
            ),
            "retaliation_alleged": text["retaliation_hint"],
        }
        for name, field in self.fields.items():
            field.label = text[LABEL_KEYS.get(name, name)]
            field.help_text = hints.get(name, "")
            # In the page's language (a validator's message is replaced by its code's).
            field.error_messages.update(
                {
                    "required": text["error_required"],
                    "invalid_choice": text["error_choice"],
                    "max_length": text["error_too_long"],
                    "invalid": text["error_email"],
                    "null_characters_not_allowed": text["error_null"],
                }
            )
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"id_{name}_hint"
        self.fields["contact_email"].widget.attrs["autocomplete"] = "email"
        self.fields["contact_name"].widget.attrs["autocomplete"] = "name"
        self.fields["contact_phone"].widget.attrs["autocomplete"] = "tel"
        self.fields["contact_phone"].widget.input_type = "tel"

    def full_clean(self):
        super().full_clean()
        # Tie each error message to its field for screen readers.
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                described = [attrs.get("aria-describedby", ""), f"id_{name}_error"]
                attrs["aria-describedby"] = " ".join(part for part in described if part)
                attrs["aria-invalid"] = "true"

    @property
    def is_spam(self) -> bool:
        """The honeypot was filled in: a program, not a person."""
        return bool((self.data.get(HONEYPOT) or "").strip())

    def inquiry_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "channel": Inquiry.Channel.WEB,
            "source_type": data["source_type"],
            "contact_name": data["contact_name"],
            "contact_email": data["contact_email"],
            "contact_phone": data["contact_phone"],
            "subject": data["subject"],
            "description": data["description"],
            "region": data["region"],
            "retaliation_alleged": data["retaliation_alleged"],
            "preferred_language": PREFERRED_LANGUAGE[self.lang],
        }


# --- the rate limit ----------------------------------------------------------------------


def _limit_key(address: str) -> str:
    hour = clock.now().strftime("%Y%m%d%H")
    return f"ombudsman:web-form:{hour}:{address}"


def over_limit(address: str, limit: int) -> bool:
    """Whether `address` has used up its submissions for this hour."""
    return (cache.get(_limit_key(address)) or 0) >= limit


def count_submission(address: str, limit: int) -> bool:
    """Count one submission from `address`; False when it is over the limit (counted
    atomically, so two requests at once cannot both take the last place)."""
    key = _limit_key(address)
    cache.add(key, 0, timeout=60 * 60)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=60 * 60)
        used = 1
    return used <= limit


# --- the confirmation page's token -------------------------------------------------------


def thanks_token(reference: str) -> str:
    return signing.dumps(reference, salt=CONFIRMATION_SALT, compress=False)


def reference_from_token(token: str) -> str | None:
    """The reference a token was made for, or None (forged, altered or expired)."""
    try:
        return signing.loads(token, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE)
    except signing.BadSignature:
        return None
