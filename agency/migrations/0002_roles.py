"""Create one group per role with its model permissions (agency.roles)."""

from django.db import migrations

from agency.roles import sync_role_groups


class Migration(migrations.Migration):
    dependencies = [
        ("agency", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("axes", "0010_accessattemptexpiration"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]
