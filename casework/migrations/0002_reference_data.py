"""Reference data every installation starts with, and the casework permissions of the
role groups (agency.roles)."""

from django.db import migrations

from agency.roles import sync_role_groups

# OMB race categories (1997 standard), plus the answers a person may give instead.
RACES = [
    ("american_indian_alaska_native", "American Indian or Alaska Native"),
    ("asian", "Asian"),
    ("black", "Black or African American"),
    ("native_hawaiian_pacific_islander", "Native Hawaiian or Other Pacific Islander"),
    ("white", "White"),
    ("declined", "Declined to answer"),
    ("unknown", "Unknown"),
]


def load(apps, schema_editor):
    Race = apps.get_model("casework", "Race")
    for order, (code, label) in enumerate(RACES):
        Race.objects.update_or_create(code=code, defaults={"label": label, "order": order})
    # The CT differential-response slides count 15 exceptional circumstances without
    # naming them: placeholders until an administrator enters the agency's list.
    Circumstance = apps.get_model("casework", "ExceptionalCircumstance")
    for n in range(1, 16):
        Circumstance.objects.get_or_create(
            name=f"Placeholder exceptional circumstance {n:02d}",
            defaults={
                "description": "Placeholder: replace with the agency's own exceptional "
                "circumstance in Django admin (Casework > Exceptional circumstances)."
            },
        )


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_initial"), ("agency", "0003_reference_counter")]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
        migrations.RunPython(sync_role_groups, migrations.RunPython.noop),
    ]
