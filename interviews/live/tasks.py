"""Celery shells around the live room's services."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from interviews.live import services


@shared_task(acks_late=True, ignore_result=True)
def compact_document(document_id: int) -> None:
    """Merge a document's log into a checkpoint."""
    services.document_compact(document_id=document_id)


def enqueue_compaction(document_id: int) -> None:
    transaction.on_commit(lambda: compact_document.delay(document_id))


@shared_task(name="live.recordings_purge", acks_late=True, ignore_result=True)
def recordings_purge() -> None:
    """Delete recordings past RECORDING_RETENTION_DAYS."""
    services.recordings_purge()
