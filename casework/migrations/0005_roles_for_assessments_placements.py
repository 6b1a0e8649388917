"""Give the role groups the permissions of assessments, placements and permanency
decisions (agency.roles)."""

from django.db import migrations

from agency.roles import sync_role_groups


class Migration(migrations.Migration):
    dependencies = [("casework", "0004_assessments_placements")]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]
