from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from agency import services
from agency.models import ClosureDay


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date: use YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = "Add, remove or list closure days (days the agency is closed: not business days)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Add a closure day.")
        add.add_argument("day", help="YYYY-MM-DD")
        add.add_argument("--reason", required=True, help='e.g. "Snow storm"')
        remove = sub.add_parser("remove", help="Remove a closure day.")
        remove.add_argument("day", help="YYYY-MM-DD")
        sub.add_parser("list", help="List closure days.")

    def handle(self, *args, action, **options):
        try:
            if action == "add":
                closure = services.closure_day_add(
                    day=_day(options["day"]), reason=options["reason"]
                )
                self.stdout.write(self.style.SUCCESS(f"Added closure day {closure}."))
            elif action == "remove":
                day = _day(options["day"])
                services.closure_day_remove(day=day)
                self.stdout.write(self.style.SUCCESS(f"Removed closure day {day:%Y-%m-%d}."))
            else:
                for closure in ClosureDay.objects.all():
                    self.stdout.write(str(closure))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
