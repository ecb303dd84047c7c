"""Time-on-step in seven columns; the summaries are a cache, so they are recomputed."""

from django.db import migrations, models


def forget_summaries(apps, schema_editor):
    apps.get_model("scoring", "InterviewTiming").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('scoring', '0003_rubric_v1'),
    ]

    operations = [
        migrations.RunPython(forget_summaries, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='interviewtiming',
            name='seconds',
        ),
        migrations.AddField(
            model_name='interviewtiming',
            name='seconds_1',
            field=models.PositiveIntegerField(null=True),
        ),
        migrations.AddField(
            model_name='interviewtiming',
            name='seconds_2',
            field=models.PositiveIntegerField(null=True),
        ),
        migrations.AddField(
            model_name='interviewtiming',
            name='seconds_3',
            field=models.PositiveIntegerField(null=True),
        ),
        migrations.AddField(
            model_name='interviewtiming',
            name='seconds_4',
            field=models.PositiveIntegerField(null=True),
        ),
        migrations.AddField(
            model_name='interviewtiming',
            name='seconds_5',
            field=models.PositiveIntegerField(null=True),
        ),
        migrations.AddField(
            model_name='interviewtiming',
            name='seconds_6',
            field=models.PositiveIntegerField(null=True),
        ),
        migrations.AddField(
            model_name='interviewtiming',
            name='seconds_7',
            field=models.PositiveIntegerField(null=True),
        ),
    ]
