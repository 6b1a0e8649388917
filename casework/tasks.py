"""Casework jobs: thin wrappers over the reminder sweeps (scheduled in config/celery.py)."""

from celery import shared_task

from agency import clock
from casework.services import reminders


@shared_task
def send_iff_reminders() -> int:
    return reminders.iff_reminders_send(now=clock.now())


@shared_task
def send_visit_reminders() -> int:
    return reminders.visit_reminders_send(today=clock.today())
