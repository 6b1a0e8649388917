"""Casework jobs: thin wrappers over the reminder sweeps (scheduled in config/celery.py)."""

from celery import shared_task

from agency import clock
from casework.services import court, meetings, reminders, supervision


@shared_task
def send_iff_reminders() -> int:
    return reminders.iff_reminders_send(now=clock.now())


@shared_task
def send_visit_reminders() -> int:
    return reminders.visit_reminders_send(today=clock.today())


@shared_task
def send_assessment_reminders() -> int:
    return reminders.assessment_reminders_send(today=clock.today())


@shared_task
def send_home_study_reminders() -> int:
    return reminders.home_study_reminders_send(today=clock.today())


@shared_task
def send_plan_review_reminders() -> int:
    return reminders.plan_review_reminders_send(today=clock.today())


@shared_task
def send_meeting_reminders() -> int:
    return meetings.meeting_reminders_send(today=clock.today())


@shared_task
def send_court_report_reminders() -> int:
    return court.court_report_reminders_send(today=clock.today())


@shared_task
def send_next_step_reminders() -> int:
    return supervision.next_step_reminders_send(today=clock.today())
