"""Recompute the key-indicator facts now (Celery does it every 15 minutes and nightly)."""

from django.core.management.base import BaseCommand, CommandError

from quality import facts


class Command(BaseCommand):
    help = (
        "Recompute the key-indicator facts (member-months and tallies) for the last N "
        "months (default: the window the dashboards offer, QualityRules.facts_months)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, help="how many months, ending this month")

    def handle(self, *args, months=None, **options):
        if months is not None and not 1 <= months <= 120:
            raise CommandError("--months must be between 1 and 120.")
        run = facts.facts_refresh_recent(months=months) if months else facts.facts_refresh_window()
        seconds = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(
            f"Refreshed {run.first_month:%Y-%m} to {run.last_month:%Y-%m}: "
            f"{run.member_months} member-months, {run.tallies} tallies in {seconds:.1f}s."
        )
