"""Agency jobs. Tasks take ids, call a service, and are safe to run twice."""

from datetime import timedelta

from celery import shared_task

from agency import clock, services
from agency.models import Notification


@shared_task
def ping() -> str:
    """Answers "pong": proves a worker is consuming and results come back."""
    return "pong"


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def deliver_notification_email(self, notification_id: int) -> bool:
    try:
        return services.notification_email_deliver(notification_id=notification_id)
    except OSError as exc:  # SMTP down or refusing: try again later.
        raise self.retry(exc=exc) from exc


@shared_task
def deliver_pending_emails() -> int:
    """Sweep: email notifications whose delivery task was lost. Waits two minutes so a
    task queued at creation normally gets there first; the claim makes a race harmless."""
    cutoff = clock.now() - timedelta(minutes=2)
    pending = Notification.objects.filter(
        emailed_at__isnull=True, created_at__lt=cutoff, recipient__email__gt=""
    ).values_list("pk", flat=True)[:500]
    return sum(services.notification_email_deliver(notification_id=pk) for pk in pending)
