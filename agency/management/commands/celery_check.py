from celery.exceptions import TimeoutError as CeleryTimeout
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from agency.tasks import ping


class Command(BaseCommand):
    help = "Send one task through the Celery broker and wait for a worker's answer."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=30, help="Seconds to wait.")

    def handle(self, *args, timeout, **options):
        self.stdout.write(f"Sending agency.tasks.ping through {settings.CELERY_BROKER_URL} ...")
        result = ping.delay()
        try:
            answer = result.get(timeout=timeout)
        except CeleryTimeout:
            raise CommandError(f"No worker answered within {timeout:g} seconds.") from None
        if answer != "pong":
            raise CommandError(f"The worker answered {answer!r} instead of 'pong'.")
        self.stdout.write(self.style.SUCCESS(f"A worker answered {answer!r} (task {result.id})."))
