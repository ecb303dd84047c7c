"""Publish a new rubric version from a JSON document: `python manage.py publish_rubric FILE`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scoring.services.rubrics import rubric_publish
from sevenstep.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Publish a rubric version (same format as scoring/data/rubric_v1.json). Existing "
        "versions never change; scorecards keep the version they were written against."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("document", type=Path)

    def handle(self, *args: Any, document: Path, **options: Any) -> None:
        try:
            rubric = rubric_publish(document=json.loads(document.read_text()))
        except (OSError, ValueError, KeyError, ApplicationError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"published {rubric}; new scorecards use it from now on")
