"""Writes of the interview's recording: consent, chunks, deletion and retention.

Each browser records its own microphone and uploads it in chunks; the server keeps them
only while both participants consent. Every decision is taken under the interview's row
lock, so a chunk and a withdrawal of consent are ordered: after the withdrawal commits, no
chunk is stored. Storage files are written outside the lock (a slow store must not hold up
the session) and removed again when the row is refused; deleted rows take their files with
them after the commit, so a rolled-back delete never leaves rows without bytes.
"""

from __future__ import annotations

import functools
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Min, Q, QuerySet, Sum
from django.utils import timezone

from interviews.live import selectors
from interviews.live.models import RecordingChunk, RecordingConsent, recording_storage
from interviews.live.services.control import control_notify
from interviews.models import Interview, InterviewStatus, TimelineEvent, TimelineKind
from interviews.models.sessions import ACTIVE_STATUSES
from sevenstep.errors import ApplicationError, Conflict

log = logging.getLogger(__name__)

AUDIO_TYPES = {"audio/webm": "webm", "audio/ogg": "ogg"}
# How far a browser's claim of where its chunk began may run ahead of the server's clock.
CLIENT_CLOCK_AHEAD = timedelta(seconds=5)


@dataclass(frozen=True, slots=True)
class StoredChunk:
    chunk: RecordingChunk
    created: bool


def _participant_interview(interview_id: int, user_id: int, *, lock: bool = False) -> Interview:
    rows = Interview.objects.select_for_update() if lock else Interview.objects.all()
    interview = rows.filter(pk=interview_id).first()
    if interview is None or not interview.is_participant(user_id):
        # Alike for missing and foreign interviews, as every interview endpoint answers.
        raise ApplicationError("No such interview.", code="not_found", status_code=404)
    return interview


def _require_room_open(interview: Interview, now: datetime) -> None:
    if interview.status not in ACTIVE_STATUSES:
        raise Conflict("The interview has ended; its room is closed.", code="room_closed")
    if now < interview.room_opens_at:
        raise Conflict("The room is not open yet.", code="room_not_open")


def _require_recording(interview: Interview, now: datetime) -> None:
    """Refuse a chunk unless the room takes them and both participants consent right now."""
    if interview.status == InterviewStatus.COMPLETED and interview.ended_at is not None:
        # The recorder's last slice leaves the browser after the end; it still belongs.
        grace = timedelta(seconds=settings.RECORDING_GRACE_SECONDS)
        if now > interview.ended_at + grace:
            raise Conflict("The interview has ended; its recording is closed.", code="room_closed")
    else:
        _require_room_open(interview, now)
    if not selectors.recording_state(interview=interview)["active"]:
        raise Conflict(
            "Recording needs both participants' consent.", code="recording_not_consented"
        )


def _too_large(message: str, code: str) -> ApplicationError:
    return ApplicationError(message, code=code, status_code=413)


def recording_consent_set(
    *, interview_id: int, user_id: int, consent: bool, now: datetime | None = None
) -> dict[str, object]:
    """Turn a participant's consent to recording on or off; return the recording state.

    Each change, and the recording starting or stopping with it, is a timeline event in
    server time; both screens hear of it on the control channel after the commit.
    """
    now = now or timezone.now()
    with transaction.atomic():
        interview = _participant_interview(interview_id, user_id, lock=True)
        _require_room_open(interview, now)
        if _consent_change(interview, user_id, consent, now):
            transaction.on_commit(functools.partial(control_notify, interview_id=interview.pk))
        return selectors.recording_state(interview=interview)


def _consent_change(interview: Interview, user_id: int, consent: bool, now: datetime) -> bool:
    """Record a consent change under the caller's row lock; say whether anything changed."""
    mine = RecordingConsent.objects.filter(interview=interview, user_id=user_id).first()
    if (mine.consented if mine is not None else False) == consent:
        return False
    # Withdrawing is never refused; only agreeing again and again is capped.
    if consent and mine is not None and mine.changes >= settings.RECORDING_MAX_CONSENT_CHANGES:
        raise Conflict(
            "Consent to recording has been changed too often in this interview.",
            code="too_many_consent_changes",
        )
    was_active = selectors.recording_state(interview=interview)["active"]
    if mine is None:
        mine = RecordingConsent(interview=interview, user_id=user_id)
    mine.consented = consent
    mine.changes += 1
    mine.changed_at = now
    mine.save()
    kinds = [TimelineKind.RECORDING_CONSENTED if consent else TimelineKind.RECORDING_WITHDRAWN]
    active = selectors.recording_state(interview=interview)["active"]
    if active != was_active:
        kinds.append(TimelineKind.RECORDING_STARTED if active else TimelineKind.RECORDING_STOPPED)
    TimelineEvent.objects.bulk_create(
        TimelineEvent(interview=interview, kind=kind, at=now, actor_id=user_id) for kind in kinds
    )
    return True


def recording_chunk_store(
    *,
    interview_id: int,
    user_id: int,
    seq: int,
    data: bytes,
    content_type: str,
    offset_ms: int | None = None,
    now: datetime | None = None,
) -> StoredChunk:
    """Store one chunk of a participant's own microphone, once per seq.

    A chunk already stored under its seq is answered as stored (the browser retried after
    losing our answer); chunks may come in any order. Refused, in the error shape, when the
    recording is not running (consent, room), or when it would pass the interview's caps.
    """
    now = now or timezone.now()
    interview = _participant_interview(interview_id, user_id)
    existing = RecordingChunk.objects.filter(interview=interview, user_id=user_id, seq=seq).first()
    if existing is not None:
        return StoredChunk(existing, created=False)
    media_type = content_type.split(";")[0].strip().lower()
    if media_type not in AUDIO_TYPES:
        raise ApplicationError(
            "A chunk is audio/webm or audio/ogg (Opus).", code="unsupported_media_type",
            status_code=415,
        )  # fmt: skip
    if not data:
        raise ApplicationError("The chunk is empty.", code="empty_chunk")
    if len(data) > settings.RECORDING_MAX_CHUNK_BYTES:
        raise _too_large(
            f"A chunk holds at most {settings.RECORDING_MAX_CHUNK_BYTES} bytes.", "chunk_too_large"
        )
    _require_recording(interview, now)
    at = _chunk_start(interview, now, offset_ms)
    # A random part makes every upload's name its own: two racing retries of one seq never
    # write the same object (S3 has no "create if absent"), and the loser removes only its own.
    name = recording_storage().save(
        f"recordings/{interview.pk}/{user_id}/{seq:010d}-{secrets.token_hex(6)}"
        f".{AUDIO_TYPES[media_type]}",
        ContentFile(data),
    )
    try:
        with transaction.atomic():
            interview = _participant_interview(interview_id, user_id, lock=True)
            _require_recording(interview, now)
            stored = RecordingChunk.objects.filter(interview=interview, user_id=user_id, seq=seq)
            if (existing := stored.first()) is not None:
                recording_storage().delete(name)
                return StoredChunk(existing, created=False)
            _require_room_for(interview, at=at, size=len(data))
            chunk = RecordingChunk.objects.create(
                interview=interview, user_id=user_id, seq=seq, at=at, size=len(data),
                content_type=media_type, name=name,
            )  # fmt: skip
    except BaseException:
        recording_storage().delete(name)
        raise
    return StoredChunk(chunk, created=True)


def _chunk_start(interview: Interview, now: datetime, offset_ms: int | None) -> datetime:
    """Return where a chunk begins: the browser's claim if the server's clock allows it."""
    if offset_ms is None:
        return now
    at = selectors.recording_clock_origin(interview) + timedelta(milliseconds=offset_ms)
    if not interview.room_opens_at <= at <= now + CLIENT_CLOCK_AHEAD:
        raise ApplicationError(
            "offset_ms is not a moment of this interview's clock up to now.",
            code="invalid_offset",
            fields={"offset_ms": ["Not between the room's opening and now."]},
        )
    return at


def _require_room_for(interview: Interview, *, at: datetime, size: int) -> None:
    """Refuse a chunk that would take the interview's recording past its caps."""
    totals = RecordingChunk.objects.filter(interview=interview).aggregate(
        size=Sum("size"), first=Min("at")
    )
    if (totals["size"] or 0) + size > settings.RECORDING_MAX_BYTES:
        raise _too_large(
            f"The interview's recording is full ({settings.RECORDING_MAX_BYTES} bytes).",
            "recording_full",
        )
    first = totals["first"]
    if first is not None and at - first > timedelta(seconds=settings.RECORDING_MAX_SECONDS):
        raise _too_large(
            f"The interview's recording is at its {settings.RECORDING_MAX_SECONDS} s limit.",
            "recording_too_long",
        )


def recording_delete(*, interview_id: int, user_id: int, now: datetime | None = None) -> int:
    """Delete both tracks of an interview for good; return how many chunks went.

    The deleting participant's consent is withdrawn too, or the next chunk would begin a new
    recording that person just asked to be rid of.
    """
    now = now or timezone.now()
    with transaction.atomic():
        interview = _participant_interview(interview_id, user_id, lock=True)
        changed = False
        if interview.status in ACTIVE_STATUSES:
            changed = _consent_change(interview, user_id, False, now)
        else:
            RecordingConsent.objects.filter(interview=interview, user_id=user_id).update(
                consented=False, changed_at=now
            )
        deleted = _chunks_delete(RecordingChunk.objects.filter(interview=interview))
        if changed:
            transaction.on_commit(functools.partial(control_notify, interview_id=interview.pk))
    return deleted


def _chunks_delete(chunks: QuerySet[RecordingChunk]) -> int:
    """Delete chunk rows, and their files once the deletion is committed."""
    names = list(chunks.values_list("name", flat=True))
    chunks.delete()

    def remove_files() -> None:
        for name in names:
            try:
                recording_storage().delete(name)
            except Exception:
                # The row is gone, so nothing serves the file; a leftover is only storage space.
                # Any error: each backend raises its own (OSError, botocore's ClientError, ...),
                # and this runs after the commit, where raising would turn a done delete into a 500.
                log.warning("live: could not delete recording file %s", name, exc_info=True)

    transaction.on_commit(remove_files)
    return len(names)


def recordings_purge(*, now: datetime | None = None) -> int:
    """Delete recordings that began more than RECORDING_RETENTION_DAYS ago; return the chunks."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.RECORDING_RETENTION_DAYS)
    expired = (
        RecordingChunk.objects.values("interview_id")
        .annotate(first=Min("at"))
        .filter(first__lt=cutoff)
        .values_list("interview_id", flat=True)
    )
    deleted = 0
    for interview_id in list(expired):
        with transaction.atomic():
            deleted += _chunks_delete(RecordingChunk.objects.filter(interview_id=interview_id))
    return deleted


def recordings_erase_for_user(*, user_id: int) -> int:
    """Delete every recording of an interview the user took part in, and their consents."""
    interviews = Interview.objects.filter(Q(interviewer_id=user_id) | Q(candidate_id=user_id))
    RecordingConsent.objects.filter(user_id=user_id).delete()
    return _chunks_delete(RecordingChunk.objects.filter(interview__in=interviews))
