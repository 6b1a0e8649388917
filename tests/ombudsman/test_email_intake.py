"""Email intake: `manage.py ingest_email`, POST /api/ombudsman/inquiries/ingest-email/, and
the parsing of real multipart messages."""

import io
import subprocess
import sys
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from agency import clock
from agency.roles import Role
from ombudsman.email_intake import NO_SUBJECT, NO_TEXT, html_to_text, parse_message
from ombudsman.models import Inquiry, InquiryAttachment, InquiryEvent
from tests.factories import make_user
from tests.ombudsman.factories import make_ombudsman

NOW = "2026-11-23 10:00:00-05:00"  # a Monday
FIXTURE = Path(__file__).parent / "fixtures" / "letter_with_pdf.eml"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ROOT = Path(__file__).resolve().parents[2]
INGEST = reverse("ombudsman-inquiry-ingest-email")


@pytest.fixture(autouse=True)
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def message(
    *,
    sender='"Dana Reyes" <Dana.Reyes@Example.org>',
    subject="Respite care for our foster son",
    date="Fri, 20 Nov 2026 18:30:00 -0500",
    text="We asked for respite care in October.\nNobody has called back.",
    html=None,
    attachments=(("request.pdf", "application", "pdf", PDF),),
) -> bytes:
    """A real multipart email, built the way a mail client builds one."""
    email = EmailMessage()
    if sender:
        email["From"] = sender
    email["To"] = "ombudsman@hearth.example"
    if subject is not None:
        email["Subject"] = subject
    if date:
        email["Date"] = date
    if text is not None:
        email.set_content(text)
    if html is not None:
        if text is None:
            email.set_content(html, subtype="html")
        else:
            email.add_alternative(html, subtype="html")
    for filename, maintype, subtype, content in attachments:
        email.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return email.as_bytes()


def ingest(path: str | Path) -> str:
    out = io.StringIO()
    call_command("ingest_email", str(path), stdout=out)
    return out.getvalue()


# --- the command ------------------------------------------------------------------------------


def test_command_records_a_multipart_message_with_its_pdf(db, tmp_path):
    path = tmp_path / "message.eml"
    path.write_bytes(message())

    output = ingest(path)

    inquiry = Inquiry.objects.get()
    assert (inquiry.channel, inquiry.source_type) == ("email", "other")
    assert inquiry.contact_name == "Dana Reyes"
    assert inquiry.contact_email == "Dana.Reyes@example.org"
    assert inquiry.subject == "Respite care for our foster son"
    assert inquiry.description == "We asked for respite care in October.\nNobody has called back."
    # Sent Friday 18:30: after hours, so received Monday 08:00 and due Wednesday 17:00.
    assert inquiry.received_at == datetime.fromisoformat("2026-11-20T18:30:00-05:00")
    assert clock_local(inquiry.initial_response_due_at) == "2026-11-25 17:00"
    assert inquiry.created_by is None
    (attachment,) = inquiry.attachments.all()
    assert (attachment.name, attachment.content_type, attachment.size) == (
        "request.pdf", "application/pdf", len(PDF),
    )  # fmt: skip
    assert attachment.file.read() == PDF
    received = inquiry.events.get(kind=InquiryEvent.Kind.RECEIVED)
    assert received.actor is None and received.method == "email"
    assert f"Recorded {inquiry.reference}" in output
    assert "Initial response due Wednesday 25 November 2026 at 17:00 (EST)" in output
    assert "Attachments: request.pdf." in output


def clock_local(instant) -> str:
    from django.utils import timezone

    return f"{timezone.localtime(instant):%Y-%m-%d %H:%M}"


def test_command_reads_the_fixture_file(db):
    output = ingest(FIXTURE)

    inquiry = Inquiry.objects.get()
    assert inquiry.contact_name == "María Ortiz"
    assert inquiry.contact_email == "maria.ortiz@example.org"
    assert inquiry.subject == "Visits with my grandson stopped in October"
    # The plain-text part is preferred to the HTML one.
    assert inquiry.description.startswith("Hello,\n\nMy grandson has been in foster care")
    assert "<p>" not in inquiry.description
    assert inquiry.attachments.get().name == "agency-letter.pdf"
    assert inquiry.attachments.get().file.read().startswith(b"%PDF-1.4")
    assert inquiry.reference in output


def test_command_reads_standard_input(db, monkeypatch):
    stdin = io.TextIOWrapper(io.BytesIO(message(subject="From stdin")), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)

    output = ingest("-")

    assert Inquiry.objects.get().subject == "From stdin"
    assert Inquiry.objects.get().reference in output


def test_command_reads_standard_input_without_an_argument(db, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(message())))
    out = io.StringIO()

    call_command("ingest_email", stdout=out)

    assert Inquiry.objects.count() == 1


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b"", "The message is empty."),
        (b"just some words\nand more words\n", "This is not an email message"),
        (message(text=None, attachments=()), "neither text nor attachments"),
    ],
)
def test_command_refuses_what_is_not_a_usable_message(db, tmp_path, raw, error):
    path = tmp_path / "bad.eml"
    path.write_bytes(raw)

    with pytest.raises(CommandError, match=error):
        ingest(path)

    assert Inquiry.objects.count() == 0


def test_command_refuses_an_unsupported_attachment_and_stores_nothing(db, tmp_path, settings):
    path = tmp_path / "message.eml"
    path.write_bytes(
        message(
            attachments=[
                ("request.pdf", "application", "pdf", PDF),
                ("invoice.exe", "application", "x-msdownload", b"MZ\x90\x00"),
            ]
        )
    )

    with pytest.raises(CommandError, match=r"invoice\.exe: files of this type are not accepted"):
        ingest(path)

    assert Inquiry.objects.count() == 0
    assert InquiryAttachment.objects.count() == 0
    assert InquiryEvent.objects.count() == 0
    assert not Path(settings.MEDIA_ROOT).exists() or not any(Path(settings.MEDIA_ROOT).rglob("*.*"))


def test_command_says_when_the_file_cannot_be_read(db, tmp_path):
    with pytest.raises(CommandError, match=r"Cannot read .*missing\.eml"):
        ingest(tmp_path / "missing.eml")


def test_the_command_line_exits_non_zero_with_a_clear_message(tmp_path):
    """Run as an operator would: `manage.py ingest_email` with a file that is not email.
    (The message is refused before the database is touched.)"""
    path = tmp_path / "notes.txt"
    path.write_bytes(b"shopping list\nmilk\n")

    result = subprocess.run(
        [sys.executable, "manage.py", "ingest_email", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 1
    assert "Not recorded: This is not an email message" in result.stderr
    assert result.stdout == ""


# --- parsing ----------------------------------------------------------------------------------


def test_html_only_message_is_stored_as_text(db):
    html = (
        "<html><head><style>p {color: red}</style><title>x</title></head><body>"
        "<p>Our caseworker&rsquo;s visits &amp; calls stopped.</p>"
        "<script>alert('x')</script><p>Please help.<br>Dana</p></body></html>"
    )

    parsed = parse_message(message(text=None, html=html, attachments=()))

    assert (
        parsed.description == "Our caseworker\u2019s visits & calls stopped.\n\nPlease help.\nDana"
    )


def test_html_to_text_drops_tags_but_keeps_paragraphs():
    assert html_to_text("<div>One</div><div>Two <b>bold</b></div>").split() == [
        "One", "Two", "bold",
    ]  # fmt: skip
    text = html_to_text("<p>a &lt; b</p><img src=x onerror=alert(1)><p>c</p>")
    assert text.split() == ["a", "<", "b", "c"]
    assert "a < b\n" in text
    assert "onerror" not in text


def test_missing_subject_sender_and_date_fall_back(db):
    parsed = parse_message(message(sender=None, subject="", date=None))

    assert parsed.subject == NO_SUBJECT
    assert (parsed.contact_name, parsed.contact_email) == ("", "")
    assert parsed.received_at == clock.now()


def test_a_date_in_the_future_is_taken_as_now(db):
    future = format_datetime(datetime.fromisoformat("2026-12-25T09:00:00-05:00"))

    assert parse_message(message(date=future)).received_at == clock.now()


def test_an_unreadable_date_is_taken_as_now(db):
    assert parse_message(message(date="the day before yesterday")).received_at == clock.now()


def test_a_date_without_a_zone_is_utc(db):
    parsed = parse_message(message(date="Mon, 23 Nov 2026 13:00:00 -0000"))

    assert parsed.received_at == datetime.fromisoformat("2026-11-23T08:00:00-05:00")


def test_an_unusable_sender_address_is_dropped_but_the_name_kept(db):
    parsed = parse_message(message(sender="Dana Reyes <not an address>"))

    assert parsed.contact_email == ""
    assert parsed.contact_name.startswith("Dana Reyes")


def test_a_long_subject_is_shortened_to_fit(db):
    parsed = parse_message(message(subject="Respite " * 40))

    assert len(parsed.subject) == 200
    assert parsed.subject.endswith("…")


def test_a_message_with_only_an_attachment_says_so(db):
    parsed = parse_message(message(text=None))

    assert parsed.description == NO_TEXT
    assert [upload.name for upload in parsed.attachments] == ["request.pdf"]


def test_a_forwarded_message_is_kept_as_an_eml_attachment(db):
    inner = EmailMessage()
    inner["From"] = "caseworker@agency.example"
    inner["Subject"] = "Re: visits"
    inner.set_content("Visits resume next week.")
    outer = EmailMessage()
    outer["From"] = "dana@example.org"
    outer["Subject"] = "Fwd: visits"
    outer.set_content("See below: it never happened.")
    outer.add_attachment(inner)

    (attachment,) = parse_message(outer.as_bytes()).attachments

    assert attachment.content_type == "message/rfc822"
    assert attachment.name == "attachment-1.eml"
    assert b"Visits resume next week." in attachment.read()


def test_attachment_names_cannot_climb_out_of_their_folder(db):
    (upload,) = parse_message(
        message(attachments=[("../../etc/passwd.pdf", "application", "pdf", PDF)])
    ).attachments

    assert upload.name == "passwd.pdf"


# --- the API endpoint ------------------------------------------------------------------------


@pytest.fixture
def staff(db):
    return make_ombudsman()


def test_endpoint_takes_the_raw_message(client, staff):
    client.force_login(staff)

    response = client.post(INGEST, message(), content_type="message/rfc822")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["channel"] == "email"
    assert data["source_type"] == "other"
    assert data["contact_email"] == "Dana.Reyes@example.org"
    assert data["initial_response_due_at"] == "2026-11-25T17:00:00-05:00"
    assert [a["name"] for a in data["attachments"]] == ["request.pdf"]
    assert Inquiry.objects.get().created_by == staff


def test_endpoint_takes_an_uploaded_eml_file(client, staff):
    client.force_login(staff)

    with FIXTURE.open("rb") as upload:
        response = client.post(INGEST, {"message": upload})

    assert response.status_code == 201, response.json()
    assert response.json()["subject"] == "Visits with my grandson stopped in October"
    assert response.json()["attachments"][0]["name"] == "agency-letter.pdf"


@pytest.mark.parametrize(
    ("raw", "field", "error"),
    [
        (b"not an email", "message", "This is not an email message"),
        (
            message(attachments=[("run.exe", "application", "x-msdownload", b"MZ")]),
            "attachments",
            "run.exe: files of this type are not accepted",
        ),
    ],
)
def test_endpoint_answers_a_field_map_and_stores_nothing(client, staff, raw, field, error):
    client.force_login(staff)

    response = client.post(INGEST, raw, content_type="message/rfc822")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert error in response.json()[field][0]
    assert Inquiry.objects.count() == 0


def test_endpoint_without_a_message_answers_a_field_map(client, staff):
    client.force_login(staff)

    response = client.post(INGEST, {})

    assert response.status_code == 400
    assert list(response.json()) == ["message"]


@pytest.mark.parametrize(
    "role", [Role.COMMISSIONERS_OFFICE, Role.CASEWORKER, Role.SYSTEM_ADMINISTRATOR, None]
)
def test_endpoint_is_for_the_ombudsmans_office_only(client, db, role):
    client.force_login(make_user(role))

    response = client.post(INGEST, message(), content_type="message/rfc822")

    assert response.status_code == 403
    assert Inquiry.objects.count() == 0


def test_endpoint_refuses_the_anonymous(client, db):
    assert client.post(INGEST, message(), content_type="message/rfc822").status_code == 403
    assert Inquiry.objects.count() == 0
