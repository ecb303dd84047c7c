"""A standing request can name the question its owner wants to practise as the candidate."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("interviews", "0006_presence_evidence")]

    operations = [
        migrations.AddField(
            model_name="interviewrequest",
            name="question",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="interviews.question",
            ),
        ),
    ]
