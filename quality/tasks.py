"""Quality jobs: thin wrappers over the services (scheduled in config/celery.py).

Safe to run twice or on two workers at once: every reminder is claimed through a unique
key per recipient, child and due day."""

from celery import shared_task

from agency import clock
from quality.services import acr


@shared_task
def acr_reminders() -> int:
    """Administrative Case Reviews due within the reminder days, or overdue (to the
    case's primary worker and the unit's supervisor)."""
    return acr.acr_reminders_send(today=clock.today())
