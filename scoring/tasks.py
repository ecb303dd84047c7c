"""Report jobs: thin shells around scoring.services.reports (acks_late, retried on outages)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError

from scoring.services import nightly, reports

_TRANSIENT = (OperationalError, InterfaceError)


@shared_task(
    name="scoring.report_update",
    acks_late=True,
    autoretry_for=_TRANSIENT,
    retry_backoff=True,
    max_retries=8,
)
def report_update(user_id: int, version: int | None = None) -> bool:
    """Rebuild one user's report if version is still the latest request."""
    return reports.report_update(user_id=user_id, version=version)


@shared_task(
    name="scoring.reports_request_released",
    acks_late=True,
    autoretry_for=_TRANSIENT,
    retry_backoff=True,
    max_retries=3,
)
def reports_request_released() -> int:
    """Update the reports that scorecards released by their deadline changed (every few minutes)."""
    return reports.reports_request_released()


@shared_task(
    name="scoring.reports_rebuild_all",
    acks_late=True,
    autoretry_for=_TRANSIENT,
    retry_backoff=True,
    max_retries=5,
)
def reports_rebuild_all() -> dict[str, Any]:
    """Refit the rater model and rebuild every report (nightly)."""
    return asdict(nightly.reports_rebuild_all())
