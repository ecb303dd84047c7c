"""Count each document's stored bytes (latest checkpoint, log after it) on its row."""

from django.db import migrations, models
from django.db.models.functions import Length


def count_stored_bytes(apps, schema_editor):  # type: ignore[no-untyped-def]
    LiveDocument = apps.get_model("live", "LiveDocument")
    Checkpoint = apps.get_model("live", "Checkpoint")
    DocumentUpdate = apps.get_model("live", "DocumentUpdate")
    for document in LiveDocument.objects.all().iterator():
        latest = (
            Checkpoint.objects.filter(document_id=document.pk)
            .annotate(size=Length("state"))
            .order_by("-seq")
            .values_list("seq", "size")
            .first()
        )
        seq, checkpoint_bytes = latest or (0, 0)
        log_bytes = (
            DocumentUpdate.objects.filter(document_id=document.pk, seq__gt=seq)
            .aggregate(total=models.Sum(Length("data")))["total"]
            or 0
        )
        LiveDocument.objects.filter(pk=document.pk).update(
            checkpoint_bytes=checkpoint_bytes or 0, log_bytes=log_bytes
        )


class Migration(migrations.Migration):
    dependencies = [("live", "0001_documents")]

    operations = [
        migrations.AddField(
            model_name="livedocument",
            name="checkpoint_bytes",
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="livedocument",
            name="log_bytes",
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.RunPython(count_stored_bytes, migrations.RunPython.noop),
    ]
