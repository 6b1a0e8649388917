"""Email intake: an RFC 822 message becomes an inquiry.

`parse_message` reads the message (the standard library's `email` package, modern
policy): the sender becomes the contact, the Subject the subject, the text (plain text
preferred, else HTML without its tags) the description, the Date header the time
received (never in the future), and attachments the inquiry's files.
`inquiry_from_email` records it through `services.inquiry_create`, as arrived by email
from a source of type "other" (staff correct the source when they triage it). Used by
`manage.py ingest_email` and by POST /api/ombudsman/inquiries/ingest-email/.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from html import unescape
from html.parser import HTMLParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import validate_email

from agency import clock
from ombudsman import services
from ombudsman.models import Inquiry

# Larger than any message with a few attachments of the service's maximum size.
MAX_MESSAGE_BYTES = 25 * 1024 * 1024
NO_SUBJECT = "(no subject)"
NO_TEXT = "(The message has no text; see the attachments.)"


class EmailIntakeError(ValueError):
    """The input is not an email message Hearth can record."""


@dataclass
class ParsedEmail:
    contact_name: str = ""
    contact_email: str = ""
    subject: str = NO_SUBJECT
    description: str = ""
    received_at: datetime | None = None
    attachments: list[SimpleUploadedFile] = field(default_factory=list)

    def inquiry_fields(self) -> dict[str, Any]:
        return {
            "channel": Inquiry.Channel.EMAIL,
            "source_type": Inquiry.SourceType.OTHER,
            "contact_name": self.contact_name,
            "contact_email": self.contact_email,
            "subject": self.subject,
            "description": self.description,
            "received_at": self.received_at,
        }


def inquiry_from_email(raw: bytes, *, actor: Any = None) -> Inquiry:
    """Record the message `raw` as a new inquiry (with its attachments, all or nothing).
    Raises EmailIntakeError when `raw` is not a message, and the service's
    ValidationError (a field map) when the inquiry cannot be recorded, for example an
    attachment of a type the office does not accept."""
    parsed = parse_message(raw)
    return services.inquiry_create(
        actor=actor, attachments=parsed.attachments, **parsed.inquiry_fields()
    )


def parse_message(raw: bytes, *, now: datetime | None = None) -> ParsedEmail:
    if not raw or not raw.strip():
        raise EmailIntakeError("The message is empty.")
    if len(raw) > MAX_MESSAGE_BYTES:
        raise EmailIntakeError(
            f"The message is {len(raw) / 1048576:.1f} MB; the limit is "
            f"{MAX_MESSAGE_BYTES // 1048576} MB."
        )
    message = BytesParser(policy=policy.default).parsebytes(raw)
    if not isinstance(message, EmailMessage) or not _looks_like_email(message):
        raise EmailIntakeError(
            "This is not an email message: it has no From, Date or Subject header."
        )
    name, address = _sender(message)
    parsed = ParsedEmail(
        contact_name=name[:150],
        contact_email=address,
        subject=_subject(message),
        received_at=_received_at(message, now or clock.now()),
        attachments=_attachments(message),
    )
    parsed.description = _body_text(message) or (NO_TEXT if parsed.attachments else "")
    if not parsed.description:
        raise EmailIntakeError("The message has neither text nor attachments.")
    return parsed


def _looks_like_email(message: EmailMessage) -> bool:
    # The parser accepts anything; a message has at least one of these headers (and a
    # headerless blob parses with none of them).
    return any(message.get(name) is not None for name in ("From", "Date", "Subject"))


def _header(message: EmailMessage, name: str) -> Any:
    try:
        return message[name]
    except (HeaderParseError, ValueError, IndexError):
        return None


def _sender(message: EmailMessage) -> tuple[str, str]:
    for header_name in ("From", "Sender"):
        header = _header(message, header_name)
        addresses: tuple[Address, ...] = getattr(header, "addresses", ()) or ()
        if not addresses:
            continue
        first = addresses[0]
        address = (first.addr_spec or "").strip()
        try:
            validate_email(address)
        except ValidationError:
            # Keep what the sender wrote as the name; an unusable address is dropped.
            return (first.display_name or address).strip(), ""
        # Domains are case-insensitive; the part before the @ is kept as written.
        local, _, domain = address.rpartition("@")
        return (first.display_name or "").strip(), f"{local}@{domain.lower()}"
    return "", ""


def _subject(message: EmailMessage) -> str:
    subject = " ".join(str(_header(message, "Subject") or "").split())
    if not subject:
        return NO_SUBJECT
    return subject if len(subject) <= 200 else subject[:199] + "…"


def _received_at(message: EmailMessage, now: datetime) -> datetime:
    header = _header(message, "Date")
    sent = getattr(header, "datetime", None)
    if sent is None:
        return now
    if sent.tzinfo is None:
        # "-0000": the time is UTC, with no information about the sender's zone.
        sent = sent.replace(tzinfo=UTC)
    return min(sent, now)


def _body_text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    try:
        content = body.get_content()
    except (LookupError, ValueError):  # an unknown charset, a broken encoding
        payload = body.get_payload(decode=True) or b""
        content = payload.decode("utf-8", errors="replace")
    if not isinstance(content, str):
        return ""
    if body.get_content_subtype() == "html":
        content = html_to_text(content)
    return _tidy(content)


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip().replace("\x00", "")


class _TextExtractor(HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}
    SKIPPED = {"script", "style", "head", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))


def html_to_text(html: str) -> str:
    """The text of an HTML email: tags, scripts and styles dropped, paragraphs and line
    breaks kept as new lines."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    text = unescape("".join(extractor.parts))
    return "\n".join(line.strip() for line in text.split("\n"))


def _attachments(message: EmailMessage) -> list[SimpleUploadedFile]:
    files = []
    for number, part in enumerate(message.iter_attachments(), start=1):
        content_type = part.get_content_type()
        filename = _filename(part, number)
        if part.get_content_maintype() == "message":
            # A forwarded message: keep it whole, as an .eml file.
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) else inner
            content = inner.as_bytes() if hasattr(inner, "as_bytes") else bytes(inner)
        else:
            content = part.get_payload(decode=True) or b""
        files.append(SimpleUploadedFile(filename, content, content_type=content_type))
    return files


def _filename(part: EmailMessage, number: int) -> str:
    name = part.get_filename() or ""
    # Only the last component: a name like "../../etc/passwd" stays a plain name.
    name = re.split(r"[\\/]", name)[-1].strip().replace("\x00", "")
    if name in {"", ".", ".."}:
        extension = ".eml" if part.get_content_type() == "message/rfc822" else ""
        name = f"attachment-{number}{extension}"
    return name[:200]
