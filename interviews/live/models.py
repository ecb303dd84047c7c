"""Storage of the live room's documents: an append-only update log plus compacted checkpoints.

The log is the source of truth. Each document hands out a gap-free sequence number per update
under a row lock, so a process that missed a fan-out message can tell (a gap) and catch up
from the log. Checkpoints only make loading fast; the raw log is kept for replay.
"""

from __future__ import annotations

from django.core.files.storage import Storage, storages
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

    # No index of its own: the unique (document, seq) index serves every lookup by document,
    # and one index fewer is one b-tree fewer written by every commit of every keystroke.
    document = models.ForeignKey(
        LiveDocument, on_delete=models.CASCADE, related_name="updates", db_index=False
    )
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


class RecordingConsent(models.Model):
    """One participant's "record this interview" switch; recording runs only while both are on."""

    interview = models.ForeignKey(
        Interview, on_delete=models.CASCADE, related_name="recording_consents"
    )
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    consented = models.BooleanField(default=False)
    # How often the switch was flipped: each flip is a timeline event, so the count is capped.
    changes = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "user"], name="recording_consent_one_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"consent of user {self.user_id} to record interview {self.interview_id}"


def recording_storage() -> Storage:
    """Return where recording chunks are kept: STORAGES["recordings"] (files, or S3)."""
    return storages["recordings"]


class RecordingChunk(models.Model):
    """A few seconds of one participant's own microphone, as their browser's recorder cut it.

    The bytes live in the recordings storage under `name`; a track is its speaker's chunks joined in
    seq order (a MediaRecorder stream cut into slices joins back into one valid file).
    """

    interview = models.ForeignKey(
        Interview, on_delete=models.CASCADE, related_name="recording_chunks"
    )
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveIntegerField()
    # Where the chunk begins, in server time: offsets on the interview clock are taken from it
    # on reading, because the clock's origin (the start) may come after the first chunks.
    at = models.DateTimeField()
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=64)
    # (help_text predates STORAGES["recordings"]; changing it would only churn a migration.)
    name = models.CharField(max_length=255, help_text="The chunk's file in the default storage.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["interview", "user", "seq"]
        constraints = [
            # A retried upload is stored once: the same seq of the same speaker is one row.
            models.UniqueConstraint(
                fields=["interview", "user", "seq"], name="recording_chunk_seq_unique"
            ),
        ]
        indexes = [models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"chunk {self.seq} of user {self.user_id} in interview {self.interview_id}"
