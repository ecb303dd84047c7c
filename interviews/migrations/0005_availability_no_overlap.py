"""On PostgreSQL, a user's own availability windows can never overlap."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE interviews_availabilitywindow ADD CONSTRAINT availability_no_overlap
    EXCLUDE USING gist (user_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&);
"""
DROP = (
    "ALTER TABLE interviews_availabilitywindow DROP CONSTRAINT IF EXISTS availability_no_overlap;"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("interviews", "0004_scheduling")]
    operations = [migrations.RunPython(forwards, backwards)]
