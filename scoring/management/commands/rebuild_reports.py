"""Refit the rater model and rebuild every report now: `python manage.py rebuild_reports`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from scoring.services.nightly import reports_rebuild_all


class Command(BaseCommand):
    help = "Run the nightly report rebuild now, in this process (it takes the same lock)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = reports_rebuild_all()
        if result.skipped:
            self.stdout.write("another rebuild is running; nothing done")
            return
        phases = ", ".join(
            f"{name} {seconds:.2f}s" for name, seconds in (result.seconds or {}).items()
        )
        self.stdout.write(
            f"rebuilt {result.users} reports from {result.ratings} ratings by {result.raters} "
            f"raters ({result.written} changed and written, {result.deferred} left to their "
            f"pending update); {phases}"
        )
