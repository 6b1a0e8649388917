# Load the Celery app with Django so `shared_task` binds to it and
# `transaction.on_commit(task.delay)` publishes through Hearth's broker.
from config.celery import app as celery_app

__all__ = ("celery_app",)
