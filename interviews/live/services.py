"""Writes of the live room: append updates in one transaction per batch, compact documents."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Case, Value, When
from django.utils import timezone

from interviews.live import selectors
from interviews.live.layout import DocumentKind
from interviews.live.models import Checkpoint, DocumentUpdate, LiveDocument
from interviews.models import Interview
from interviews.models.sessions import ACTIVE_STATUSES

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PendingUpdate:
    document_id: int
    interview_id: int
    data: bytes
    author_id: int | None


def document_get_or_create(*, interview_id: int, kind: DocumentKind) -> LiveDocument:
    """Return the interview's document of this kind, creating it on first use."""
    try:
        with transaction.atomic():
            document, _ = LiveDocument.objects.get_or_create(interview_id=interview_id, kind=kind)
    except IntegrityError:
        # Another process created it between our read and our insert.
        document = LiveDocument.objects.get(interview_id=interview_id, kind=kind)
    return document


def updates_append(*, pending: Sequence[PendingUpdate]) -> list[int | None]:
    """Commit a batch of updates in one transaction; return each one's seq, None if refused.

    Document rows are locked in id order (two processes committing to the same documents
    never deadlock) and held until commit, so seq order is commit order and gap-free.
    Updates to an interview that has ended are refused inside this transaction: ending an
    interview takes the same locks, so no update slips in after the end.
    """
    with transaction.atomic():
        current = dict(
            LiveDocument.objects.select_for_update()
            .filter(pk__in={item.document_id for item in pending})
            .order_by("pk")
            .values_list("pk", "seq")
        )
        open_interviews = set(
            Interview.objects.filter(
                pk__in={item.interview_id for item in pending}, status__in=ACTIVE_STATUSES
            ).values_list("pk", flat=True)
        )
        now = timezone.now()
        next_seq = dict(current)
        rows: list[DocumentUpdate] = []
        seqs: list[int | None] = []
        for item in pending:
            if item.interview_id not in open_interviews or item.document_id not in current:
                seqs.append(None)
                continue
            next_seq[item.document_id] += 1
            seq = next_seq[item.document_id]
            seqs.append(seq)
            rows.append(
                DocumentUpdate(
                    document_id=item.document_id,
                    seq=seq,
                    data=item.data,
                    created_at=now,
                    author_id=item.author_id,
                )
            )
        changed = {pk: seq for pk, seq in next_seq.items() if seq != current[pk]}
        if changed:
            LiveDocument.objects.filter(pk__in=changed).update(
                seq=Case(*(When(pk=pk, then=Value(seq)) for pk, seq in changed.items()))
            )
            DocumentUpdate.objects.bulk_create(rows)
    return seqs


def document_compact(*, document_id: int) -> Checkpoint | None:
    """Merge the log into a new checkpoint; the raw log stays for replay."""
    lock = f"live:compact:{document_id}"
    if not cache.add(lock, 1, timeout=300):
        return None  # another worker is compacting this document
    try:
        stored = selectors.document_state(document_id=document_id)
        latest = Checkpoint.objects.filter(document_id=document_id).order_by("-seq").first()
        if stored.seq == 0 or (latest is not None and latest.seq >= stored.seq):
            return None
        try:
            with transaction.atomic():
                return Checkpoint.objects.create(
                    document_id=document_id, seq=stored.seq, state=stored.update
                )
        except IntegrityError:
            return None
    finally:
        cache.delete(lock)
