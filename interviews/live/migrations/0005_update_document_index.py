"""The update log's index on document alone goes: the unique (document, seq) index serves it.

Every commit of every keystroke wrote both. Only the index is dropped (the table is not
rebuilt, which SQLite's altered field would do): its name is the one Django gave it on both
backends.
"""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "live_documentupdate_document_id_c93bf846"


class Migration(migrations.Migration):
    dependencies = [
        ("live", "0004_append_function"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="documentupdate",
                    name="document",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="updates",
                        to="live.livedocument",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {INDEX}",
                    reverse_sql=f"CREATE INDEX {INDEX} ON live_documentupdate (document_id)",
                ),
            ],
        ),
    ]
