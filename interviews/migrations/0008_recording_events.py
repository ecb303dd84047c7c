"""The timeline records consent to recording, and when the recording starts and stops."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0007_fair_practice"),
    ]

    operations = [
        migrations.AlterField(
            model_name="timelineevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("started", "Interview started"),
                    ("step_entered", "Step entered"),
                    ("ended", "Interview ended"),
                    ("recording_consented", "Agreed to record"),
                    ("recording_withdrawn", "Withdrew consent to record"),
                    ("recording_started", "Recording started"),
                    ("recording_stopped", "Recording stopped"),
                ],
                max_length=32,
            ),
        ),
    ]
