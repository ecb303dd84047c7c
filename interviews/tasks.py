"""Celery shells around the scheduling services: take ids, call one service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from interviews.models import MatchRun, MatchRunStatus
from interviews.services import instant, matching, notifications
from sevenstep.jobs import TRANSIENT_ERRORS, Job


@shared_task(base=Job, name="interviews.notify")
def interview_notify(interview_ids: list[int], kind: str) -> int:
    """Email both participants about a booking, cancellation, reschedule or no-show."""
    return notifications.notification_send(interview_ids=interview_ids, kind=kind)


@shared_task(base=Job, name="interviews.send_due_reminders")
def send_due_reminders() -> int:
    """Send the 24-hour and 15-minute reminders that are due (beat, every minute)."""
    return notifications.reminders_send_due()


class MatchingBusy(Exception):
    """Another matching run holds the lock."""


@shared_task(base=Job, name="interviews.match_scheduled")
def match_scheduled() -> dict[str, object]:
    """Run matching for this beat tick (every few minutes); a busy lock skips the tick."""
    run = matching.matching_run(key=matching.run_key_for_tick(timezone.now()))
    return {"run": run.pk, "status": run.status, **run.stats}


@shared_task(
    base=Job,
    name="interviews.match_run",
    # A busy lock is waited for longer than a transient error is: another run may take minutes.
    autoretry_for=(*TRANSIENT_ERRORS, MatchingBusy),
    retry_backoff=5,
    max_retries=20,
)
def match_run(run_id: int) -> dict[str, object]:
    """Run an on-demand matching run; wait for a run in progress by retrying."""
    key = MatchRun.objects.values_list("key", flat=True).get(pk=run_id)
    run = matching.matching_run(key=key)
    if run.status == MatchRunStatus.PENDING:
        raise MatchingBusy(key)
    return {"run": run.pk, "status": run.status, **run.stats}


@shared_task(base=Job, name="interviews.instant_sweep")
def instant_sweep() -> int:
    """Expire closed tabs in the instant queue and pair whoever waits (beat, every 10 s)."""
    return instant.instant_sweep()
