"""Give the role groups the permissions of case plans (agency.roles)."""

from django.db import migrations

from agency.roles import sync_role_groups


class Migration(migrations.Migration):
    dependencies = [("casework", "0006_case_plans")]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]
