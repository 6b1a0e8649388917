"""Ombudsman jobs: thin wrappers over the reminder services (scheduled in config/celery.py).

Both are safe to run twice or on two workers at once: every notice is claimed through a
unique key (per inquiry and threshold; the digest per lead and day)."""

from celery import shared_task

from agency import clock
from ombudsman import services


@shared_task
def sweep_inquiry_reminders() -> dict[str, int]:
    """Due soon (to the assignee), overdue and unassigned too long (to the lead)."""
    return services.reminders_sweep(now=clock.now())


@shared_task
def send_ombudsman_digest() -> int:
    """The lead's morning digest; skipped on holidays and closure days."""
    return services.digest_send(now=clock.now())
