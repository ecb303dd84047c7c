"""Storage of the live room's documents: an append-only update log plus compacted checkpoints.

The log is the source of truth. Each document hands out a gap-free sequence number per update
under a row lock, so a process that missed a fan-out message can tell (a gap) and catch up
from the log. Checkpoints only make loading fast; the raw log is kept for replay.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from interviews.live.layout import DocumentKind
from interviews.models import Interview


class LiveDocument(models.Model):
    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=16, choices=DocumentKind.choices)
    # The sequence number of the last committed update; bumped under a row lock.
    seq = models.PositiveBigIntegerField(default=0)
    # What the room holds in storage, kept under the same row lock as `seq` so every process
    # sees one count: the bytes of the latest checkpoint and of the log after it. Their sum
    # is held under LIVE_MAX_DOCUMENT_BYTES and the log alone under LIVE_MAX_LOG_BYTES.
    checkpoint_bytes = models.PositiveBigIntegerField(default=0)
    log_bytes = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "kind"], name="live_document_one_per_kind"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=DocumentKind.values), name="live_document_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of interview {self.interview_id}"


class DocumentUpdate(models.Model):
    """One Yjs update exactly as a client sent it, committed before anyone else saw it."""

    document = models.ForeignKey(LiveDocument, on_delete=models.CASCADE, related_name="updates")
    seq = models.PositiveBigIntegerField()
    data = models.BinaryField()
    created_at = models.DateTimeField()
    # Who sent it, for the replay; null when the author is gone.
    author = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["document", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["document", "seq"], name="live_update_seq_unique"),
            models.CheckConstraint(condition=Q(seq__gte=1), name="live_update_seq_positive"),
        ]

    def __str__(self) -> str:
        return f"update {self.seq} of document {self.document_id}"


class Checkpoint(models.Model):
    """The document merged through update `seq`: load it, then apply the log after it."""

    document = models.ForeignKey(LiveDocument, on_delete=models.CASCADE, related_name="checkpoints")
    seq = models.PositiveBigIntegerField()
    state = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "-seq"]
        constraints = [
            models.UniqueConstraint(fields=["document", "seq"], name="live_checkpoint_seq_unique"),
            models.CheckConstraint(condition=Q(seq__gte=1), name="live_checkpoint_seq_positive"),
        ]

    def __str__(self) -> str:
        return f"checkpoint {self.seq} of document {self.document_id}"
