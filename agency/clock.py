"""The one source of "now" in Hearth. Tests move it with time_machine."""

from datetime import date, datetime

from django.utils import timezone


def now() -> datetime:
    """The current instant, timezone-aware (UTC)."""
    return timezone.now()


def local_now() -> datetime:
    """The current instant in the agency's time zone (America/New_York)."""
    return timezone.localtime(now())


def today() -> date:
    """Today's date in the agency's time zone, not UTC's."""
    return local_now().date()
