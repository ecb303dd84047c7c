"""Scoring's reaction to account erasure."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from accounts.signals import user_erased


@receiver(user_erased)
def forget_reports(sender: Any, user: Any, **kwargs: Any) -> None:
    """Delete what was derived about the erased user; the scorecards stay for their partners."""
    from scoring.models import Report, ReportSnapshot, ReportState

    Report.objects.filter(user=user).delete()
    ReportSnapshot.objects.filter(user=user).delete()
    ReportState.objects.filter(user=user).delete()
