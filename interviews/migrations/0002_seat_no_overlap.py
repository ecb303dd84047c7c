"""On PostgreSQL, a user's active seats can never overlap: an exclusion constraint says so."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE interviews_seat ADD CONSTRAINT seat_no_overlap
    EXCLUDE USING gist (user_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (active);
"""
DROP = "ALTER TABLE interviews_seat DROP CONSTRAINT IF EXISTS seat_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("interviews", "0001_core")]
    operations = [migrations.RunPython(forwards, backwards)]
