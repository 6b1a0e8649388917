"""Celery through a real worker process on the configured broker (Redis in CI)."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail

from agency import tasks
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker_queue():
    """Start `celery worker` in a subprocess consuming a queue of its own, so it takes
    only this test's messages; stop it afterwards."""
    queue = f"hearth-test-{uuid.uuid4().hex[:8]}"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--queues",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield queue
    process.terminate()
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    assert "Traceback" not in output, output


@pytest.mark.celery_worker
def test_a_task_runs_through_a_real_worker_and_its_result_comes_back(worker_queue):
    if os.environ.get("HEARTH_REQUIRE_BROWSER") == "1":  # CI: the broker must be Redis
        assert settings.CELERY_BROKER_URL.startswith("redis://")
    result = tasks.ping.apply_async(queue=worker_queue)
    assert result.get(timeout=60) == "pong"


@pytest.mark.django_db
def test_an_email_reminder_delivered_twice_is_sent_once():
    recipient = make_user(email="worker@hearth.example")
    notification = tasks.services.notification_send(
        recipient=recipient, kind="test", subject="IFF due in 4 hours", link="/calendar/"
    )
    # The task as a worker would run it, twice (a retry, a duplicate message).
    first = tasks.deliver_notification_email.apply(args=[notification.pk]).get()
    second = tasks.deliver_notification_email.apply(args=[notification.pk]).get()
    assert (first, second) == (True, False)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "[Hearth] IFF due in 4 hours"
    assert mail.outbox[0].body.endswith("/calendar/")


@pytest.mark.django_db
def test_pending_email_sweep_sends_what_the_delivery_task_missed(time_machine):
    time_machine.move_to("2026-11-23 10:00:00-05:00")
    recipient = make_user(email="worker@hearth.example")
    tasks.services.notification_send(recipient=recipient, kind="test", subject="Lost task")
    time_machine.move_to("2026-11-23 10:05:00-05:00")
    assert tasks.deliver_pending_emails.apply().get() == 1
    assert tasks.deliver_pending_emails.apply().get() == 0
    assert len(mail.outbox) == 1
