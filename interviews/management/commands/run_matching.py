"""Run a matching run now: `python manage.py run_matching`."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from interviews.services import matching


class Command(BaseCommand):
    help = "Pair the open interview requests now (the beat job does this every few minutes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--key", help="Run key; running the same key again does nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        key = options["key"] or f"manual-{uuid.uuid4().hex[:12]}"
        run = matching.matching_run(key=key)
        self.stdout.write(f"run {run.key}: {run.status} {json.dumps(run.stats)}")
