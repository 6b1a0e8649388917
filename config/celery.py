"""The Celery app and the whole beat schedule, in one place.

Exactly one beat process may run per deployment (see README, "Scaling out"); every
periodic job is a sweep over due rows that is safe to run twice.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("hearth")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Every 5 minutes: email any notification whose delivery task was lost (a worker
    # died, the broker restarted). Claims are conditional, so nothing is sent twice.
    "agency-deliver-pending-emails": {
        "task": "agency.tasks.deliver_pending_emails",
        "schedule": crontab(minute="*/5"),
    },
}
