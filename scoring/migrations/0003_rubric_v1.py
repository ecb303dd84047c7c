"""Publish rubric v1 from scoring/data/rubric_v1.json."""

from django.db import migrations


def publish(apps, schema_editor):
    from scoring.services.rubrics import rubric_document_load, rubric_publish

    names = ["Rubric", "RubricSection", "RubricCriterion", "RubricPitfall"]
    models = {name: apps.get_model("scoring", name) for name in names}
    if not models["Rubric"].objects.filter(version=1).exists():
        rubric_publish(document=rubric_document_load(1), models=models)


def unpublish(apps, schema_editor):
    apps.get_model("scoring", "Rubric").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("scoring", "0002_submitted_is_final")]
    operations = [migrations.RunPython(publish, unpublish)]
