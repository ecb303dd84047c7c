"""Celery shells around the live room's services."""

from __future__ import annotations

from celery import shared_task

from interviews.live import services
from sevenstep.jobs import Job


# The name Celery gave it before names were explicit: jobs already queued still carry it.
@shared_task(base=Job, name="interviews.live.tasks.compact_document", ignore_result=True)
def compact_document(document_id: int) -> None:
    """Merge a document's log into a checkpoint."""
    services.document_compact(document_id=document_id)


@shared_task(base=Job, name="live.recordings_purge", ignore_result=True)
def recordings_purge() -> None:
    """Delete recordings past RECORDING_RETENTION_DAYS."""
    services.recordings_purge()
