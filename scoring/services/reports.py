"""Weakness reports: requesting a rebuild after a submission (debounced), building them."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from scoring.models import ReportState


def report_request(*, user_id: int) -> int:
    """Mark the user's report stale; return the version a rebuild must reach."""
    ReportState.objects.get_or_create(user_id=user_id)
    ReportState.objects.filter(user_id=user_id).update(
        requested_version=F("requested_version") + 1, requested_at=timezone.now()
    )
    version = (
        ReportState.objects.filter(user_id=user_id)
        .values_list("requested_version", flat=True)
        .get()
    )
    return version
