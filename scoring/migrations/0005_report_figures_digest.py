"""Reports: per-step figures as one binary block, the body as json, a digest of the content.

Reports written before keep their figures in body["steps"] (Report.document reads both) until
the next nightly rebuild, which rewrites them: their digest is empty.
"""

import scoring.models.reports
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('scoring', '0004_timing_columns'),
    ]

    operations = [
        migrations.AddField(
            model_name='report',
            name='digest',
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='report',
            name='figures',
            field=models.BinaryField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='report',
            name='body',
            field=scoring.models.reports.DocumentField(),
        ),
    ]
