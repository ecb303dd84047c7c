"""Recording: each participant's consent, and the chunks of their own microphone."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0008_recording_events"),
        ("live", "0002_log_budget"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="RecordingChunk",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seq", models.PositiveIntegerField()),
                ("at", models.DateTimeField()),
                ("size", models.PositiveIntegerField()),
                ("content_type", models.CharField(max_length=64)),
                (
                    "name",
                    models.CharField(
                        help_text="The chunk's file in the default storage.", max_length=255
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "interview",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recording_chunks",
                        to="interviews.interview",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["interview", "user", "seq"],
                "indexes": [models.Index(fields=["at"], name="live_record_at_222169_idx")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("interview", "user", "seq"), name="recording_chunk_seq_unique"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="RecordingConsent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("consented", models.BooleanField(default=False)),
                ("changes", models.PositiveIntegerField(default=0)),
                ("changed_at", models.DateTimeField()),
                (
                    "interview",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recording_consents",
                        to="interviews.interview",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("interview", "user"), name="recording_consent_one_per_user"
                    )
                ],
            },
        ),
    ]
