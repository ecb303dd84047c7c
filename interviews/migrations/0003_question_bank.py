"""Load the curated question bank shipped in interviews/data/questions.json."""

import json
from pathlib import Path

from django.db import migrations

BANK = Path(__file__).resolve().parents[1] / "data" / "questions.json"


def load(apps, schema_editor):
    Question = apps.get_model("interviews", "Question")
    for entry in json.loads(BANK.read_text()):
        Question.objects.update_or_create(
            slug=entry["slug"],
            defaults={
                "title": entry["title"],
                "domain": entry["domain"],
                "level": entry["level"],
                "prompt": entry["prompt"],
                "guide": entry["guide"],
                "emphasis": entry["emphasis"],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("interviews", "0002_seat_no_overlap")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
