"""Quality jobs: thin wrappers over the services (scheduled in config/celery.py).

Safe to run twice or on two workers at once: every reminder is claimed through a unique
key per recipient, child and due day."""

from celery import shared_task

from agency import clock
from quality import facts
from quality.services import acr, data_requests, sqr


@shared_task
def acr_reminders() -> int:
    """Administrative Case Reviews due within the reminder days, or overdue (to the
    case's primary worker and the unit's supervisor)."""
    return acr.acr_reminders_send(today=clock.today())


@shared_task
def refresh_recent_indicators() -> int:
    """The key-indicator facts of this month and the last (every 15 minutes)."""
    return facts.facts_refresh_recent(months=2).member_months


# The whole window (24 months by default) takes minutes at state scale.
@shared_task(soft_time_limit=3600, time_limit=3900)
def refresh_all_indicators() -> int:
    """Every month the dashboards offer (nightly): late entries to older months count."""
    return facts.facts_refresh_window().member_months


@shared_task
def sqr_recommendation_reminders() -> int:
    """Recommendations of Special Qualitative Reviews due within 14 days, or overdue (to
    their owner; the notice names no review)."""
    return sqr.sqr_recommendation_reminders_send(today=clock.today())


@shared_task
def send_data_request_reminders() -> dict[str, int]:
    """ORE data requests due within the due-soon business days (3 by default) or overdue,
    to the analyst and every ORE lead (daily, business mornings); none while a request
    waits for a project scope. Once per request, threshold and due date."""
    return data_requests.data_request_reminders_send(today=clock.today())
