"""Report jobs: thin shells around scoring.services.reports."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from celery import Task, shared_task
from django.conf import settings

from scoring.services import nightly, reports
from sevenstep.jobs import Job


@shared_task(base=Job, name="scoring.report_update")
def report_update(user_id: int, version: int | None = None) -> bool:
    """Rebuild one user's report if version is still the latest request."""
    return reports.report_update(user_id=user_id, version=version)


@shared_task(base=Job, name="scoring.reports_request_released")
def reports_request_released() -> int:
    """Update the reports that scorecards released by their deadline changed (every few minutes)."""
    return reports.reports_request_released()


# How often a rebuild comes back while another holds the lock before it gives up.
BUSY_RETRIES = 24


@shared_task(bind=True, base=Job, name="scoring.reports_rebuild_all")
def reports_rebuild_all(self: Task) -> dict[str, Any]:
    """Refit the rater model and rebuild every report (nightly).

    A run that finds the lock held does not skip the night: the holder may be a worker that
    died mid-run and whose database session is not closed yet, while this is its job handed
    out again. It comes back later and runs.
    """
    result = nightly.reports_rebuild_all()
    # In-process (no broker), a retry would run again at once: report the skip instead.
    if result.skipped and not self.request.is_eager:
        raise self.retry(
            countdown=settings.REPORT_REBUILD_BUSY_RETRY_SECONDS, max_retries=BUSY_RETRIES
        )
    return asdict(result)
