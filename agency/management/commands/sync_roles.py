from django.apps import apps
from django.core.management.base import BaseCommand

from agency.roles import ROLE_PERMISSIONS, sync_role_groups


class Command(BaseCommand):
    help = "Create the role groups and set their permissions from agency.roles."

    def handle(self, *args, **options):
        sync_role_groups(apps)
        self.stdout.write(self.style.SUCCESS(f"{len(ROLE_PERMISSIONS)} role groups in step."))
