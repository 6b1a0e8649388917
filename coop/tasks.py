"""COOP jobs: thin wrappers over the services (scheduled in config/celery.py).

Safe to run twice or on two workers at once: every reminder is claimed through a unique
key per recipient, plan, quarter and threshold."""

from celery import shared_task

from agency import clock
from coop import services


@shared_task
def send_coop_reminders() -> dict[str, int]:
    """The daily sweep: senior administrators with duties still open 30 and 7 days before
    the quarter's due day (COOP rules); OPM once a quarter's due day has passed with
    duties open."""
    return services.coop_reminders_send(today=clock.today())
