"""A trigram index for the queue's search (Postgres only: SQLite, the development
default, scans instead) and the role groups' Ombudsman permissions (agency.roles)."""

from django.db import migrations

from agency.roles import sync_role_groups

TRIGRAM_INDEX = (
    "CREATE INDEX IF NOT EXISTS inquiry_search_trgm ON ombudsman_inquiry "
    "USING gin (search_document gin_trgm_ops)"
)


def add_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(TRIGRAM_INDEX)


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS inquiry_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("ombudsman", "0001_inquiries")]

    operations = [
        migrations.RunPython(add_search_index, drop_search_index),
        migrations.RunPython(sync_role_groups, migrations.RunPython.noop),
    ]
