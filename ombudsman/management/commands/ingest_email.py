import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ombudsman.email_intake import MAX_MESSAGE_BYTES, EmailIntakeError, inquiry_from_email


def _read(source: str) -> bytes:
    if source == "-":
        stream = getattr(sys.stdin, "buffer", sys.stdin)
        data = stream.read(MAX_MESSAGE_BYTES + 1)
        return data.encode("utf-8", errors="surrogateescape") if isinstance(data, str) else data
    try:
        with Path(source).open("rb") as message_file:
            return message_file.read(MAX_MESSAGE_BYTES + 1)
    except OSError as exc:
        raise CommandError(f"Cannot read {source}: {exc.strerror or exc}.") from None


class Command(BaseCommand):
    help = (
        "Record an email (an RFC 822 message, e.g. an .eml file) as a new Ombudsman "
        "inquiry: sender, subject, text and attachments. Prints its reference and the "
        "initial response's due time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            default="-",
            help="The message file; '-' or nothing reads it from standard input.",
        )

    def handle(self, *args, path: str, **options):
        raw = _read(path)
        try:
            inquiry = inquiry_from_email(raw)
        except EmailIntakeError as exc:
            raise CommandError(f"Not recorded: {exc}") from None
        except ValidationError as exc:
            raise CommandError(f"Not recorded: {' '.join(exc.messages)}") from None
        due = timezone.localtime(inquiry.initial_response_due_at)
        self.stdout.write(self.style.SUCCESS(f"Recorded {inquiry.reference}: {inquiry.subject}"))
        self.stdout.write(f"Initial response due {due:%A %d %B %Y at %H:%M} ({due:%Z}).")
        names = [attachment.name for attachment in inquiry.attachments.all()]
        if names:
            self.stdout.write(f"Attachments: {', '.join(names)}.")
