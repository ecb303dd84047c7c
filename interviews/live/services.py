"""Writes of the live room: append updates in one transaction per batch, compact documents."""

from __future__ import annotations

import enum
import functools
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Min, Q, QuerySet, Sum
from django.db.models.functions import Length
from django.utils import timezone
from pycrdt import get_update

from interviews.live import selectors
from interviews.live.layout import DocumentKind, control_group
from interviews.live.models import (
    Checkpoint,
    DocumentUpdate,
    LiveDocument,
    RecordingChunk,
    RecordingConsent,
    recording_storage,
)
from interviews.models import Interview, InterviewStatus, TimelineEvent, TimelineKind
from interviews.models.sessions import ACTIVE_STATUSES, CALL_KINDS
from sevenstep.errors import ApplicationError, Conflict
from sevenstep.locks import exclusive

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PendingUpdate:
    document_id: int
    interview_id: int
    data: bytes
    author_id: int | None


class Refusal(enum.Enum):
    """Why an update of an open interview was not stored."""

    DOCUMENT_FULL = "document_full"  # checkpoint plus log would pass LIVE_MAX_DOCUMENT_BYTES
    LOG_FULL = "log_full"  # the log since the checkpoint would pass LIVE_MAX_LOG_BYTES


class Appended(list[int | Refusal | None]):
    """Each update's seq, its Refusal, or None when the interview has ended."""

    def __init__(self, seqs: list[int | Refusal | None], log_bytes: dict[int, int]) -> None:
        super().__init__(seqs)
        self.log_bytes = log_bytes  # each document's log since its checkpoint, after the batch


def document_get_or_create(*, interview_id: int, kind: DocumentKind) -> LiveDocument:
    """Return the interview's document of this kind, creating it on first use."""
    try:
        with transaction.atomic():
            document, _ = LiveDocument.objects.get_or_create(interview_id=interview_id, kind=kind)
    except IntegrityError:
        # Another process created it between our read and our insert.
        document = LiveDocument.objects.get(interview_id=interview_id, kind=kind)
    return document


def _chunks(items: list[T], size: int = 1000) -> list[list[T]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def updates_append(*, pending: Sequence[PendingUpdate]) -> Appended:
    """Commit a batch of updates in one transaction; return each one's seq or refusal.

    Document rows are locked in id order (two processes committing to the same documents
    never deadlock) and held until commit, so seq order is commit order and gap-free.
    Updates to an interview that has ended are refused inside this transaction: ending an
    interview takes the same locks, so no update slips in after the end. So are updates that
    would take the document's stored bytes past its limits: the counts live on the locked
    row, so sockets in parallel, on any number of processes, cannot pass a limit together.

    Plain SQL on purpose: this runs for every keystroke of every room, on a thread that
    shares the interpreter with the event loop, so per-row ORM work would slow every socket.
    """
    documents = LiveDocument._meta.db_table
    interviews = Interview._meta.db_table
    updates = DocumentUpdate._meta.db_table
    document_ids = sorted({item.document_id for item in pending})
    marks = ", ".join(["%s"] * len(document_ids))
    lock = " FOR UPDATE OF d" if connection.features.has_select_for_update_of else ""
    open_statuses = [str(status) for status in ACTIVE_STATUSES]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.id, d.seq, d.interview_id, d.checkpoint_bytes, d.log_bytes "
            f"FROM {documents} d WHERE d.id IN ({marks}) ORDER BY d.id{lock}",
            document_ids,
        )
        current: dict[int, int] = {}
        interview_of: dict[int, int] = {}
        checkpoint_bytes: dict[int, int] = {}
        log_bytes: dict[int, int] = {}
        for document_id, seq, interview_id, checkpoint_size, log_size in cursor.fetchall():
            current[document_id] = seq
            interview_of[document_id] = interview_id
            checkpoint_bytes[document_id] = checkpoint_size
            log_bytes[document_id] = log_size
        # The status is read in a statement of its own, after the locks are held: a statement
        # sees what was committed before it began, so an end committed while this one waited
        # for the locks is seen (read in the locking statement, it would not be).
        interview_ids = sorted(set(interview_of.values()))
        cursor.execute(
            f"SELECT id, status FROM {interviews} "
            f"WHERE id IN ({', '.join(['%s'] * len(interview_ids))})",
            interview_ids,
        )
        open_interviews = {pk for pk, status in cursor.fetchall() if status in open_statuses}
        writable = {pk for pk, interview in interview_of.items() if interview in open_interviews}
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        next_seq = dict(current)
        logged = dict(log_bytes)
        rows: list[tuple[object, ...]] = []
        seqs: list[int | Refusal | None] = []
        for item in pending:
            if item.document_id not in writable:
                seqs.append(None)
                continue
            log_after = logged[item.document_id] + len(item.data)
            stored_after = checkpoint_bytes[item.document_id] + log_after
            if (
                stored_after > settings.LIVE_MAX_DOCUMENT_BYTES
                or len(item.data) > settings.LIVE_MAX_LOG_BYTES  # would never fit
            ):
                seqs.append(Refusal.DOCUMENT_FULL)
                continue
            if log_after > settings.LIVE_MAX_LOG_BYTES:
                seqs.append(Refusal.LOG_FULL)
                continue
            logged[item.document_id] = log_after
            next_seq[item.document_id] += 1
            seq = next_seq[item.document_id]
            seqs.append(seq)
            rows.append((item.document_id, seq, item.data, now, item.author_id))
        # A statement per chunk rather than per row: a round trip per row would cost more
        # than the commit itself. Chunks stay under every backend's limit on parameters.
        for chunk in _chunks(rows):
            cursor.execute(
                f"INSERT INTO {updates} (document_id, seq, data, created_at, author_id) VALUES "
                + ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk)),
                [value for row in chunk for value in row],
            )
        changed = [(pk, seq, logged[pk]) for pk, seq in next_seq.items() if seq != current[pk]]
        for chunk in _chunks(changed):
            whens = " ".join(["WHEN %s THEN %s"] * len(chunk))
            cursor.execute(
                f"UPDATE {documents} SET seq = CASE id {whens} END, "
                f"log_bytes = CASE id {whens} END "
                f"WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                [value for pk, seq, _ in chunk for value in (pk, seq)]
                + [value for pk, _, size in chunk for value in (pk, size)]
                + [pk for pk, _, _ in chunk],
            )
    return Appended(seqs, logged)


def document_compact(*, document_id: int) -> Checkpoint | None:
    """Merge the log into a new checkpoint; the raw log stays for replay.

    At most one checkpoint per LIVE_COMPACT_MIN_SECONDS: each one gives the log its budget
    back, so this is what bounds the bytes a flood of ever-new updates can store.
    """
    with exclusive(f"live:compact:{document_id}", expires=300) as held:
        if not held:
            return None  # another worker is compacting this document
        latest = (
            Checkpoint.objects.filter(document_id=document_id)
            .order_by("-seq")
            .only("seq", "created_at")
            .first()
        )
        recent = timezone.now() - timedelta(seconds=settings.LIVE_COMPACT_MIN_SECONDS)
        if latest is not None and latest.created_at > recent:
            return None
        stored = selectors.document_state(document_id=document_id)
        if stored.seq == 0 or (latest is not None and latest.seq >= stored.seq):
            return None
        # Through a document, so content deleted since is dropped (merging updates keeps it):
        # a checkpoint is as large as the document, not as everything ever typed into it.
        doc = selectors.doc_from_update(stored.update)
        state = doc.get_update()
        if get_update(stored.update, doc.get_state())[0] != 0:
            state = stored.update  # structs still waiting for what they follow: keep them all
        try:
            with transaction.atomic():
                # Under the row lock the appends take, so the counts move with the log.
                LiveDocument.objects.select_for_update().filter(pk=document_id).first()
                checkpoint = Checkpoint.objects.create(
                    document_id=document_id, seq=stored.seq, state=state
                )
                tail = DocumentUpdate.objects.filter(document_id=document_id, seq__gt=stored.seq)
                LiveDocument.objects.filter(pk=document_id).update(
                    checkpoint_bytes=len(state),
                    log_bytes=tail.aggregate(total=Sum(Length("data")))["total"] or 0,
                )
                return checkpoint
        except IntegrityError:
            return None


# --- recording ------------------------------------------------------------------------
#
# Each browser records its own microphone and uploads it in chunks; the server keeps them
# only while both participants consent. Every decision is taken under the interview's row
# lock, so a chunk and a withdrawal of consent are ordered: after the withdrawal commits, no
# chunk is stored. Storage files are written outside the lock (a slow store must not hold up
# the session) and removed again when the row is refused; deleted rows take their files with
# them after the commit, so a rolled-back delete never leaves rows without bytes.

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


def call_event_record(
    *, interview_id: int, user_id: int, kind: TimelineKind, now: datetime | None = None
) -> bool:
    """Record a participant joining, leaving or (un)muting the call; say whether it was.

    Only while the room is open, and at most CALL_MAX_TIMELINE_EVENTS per participant: each
    event is a replay moment, and a client flapping its microphone must not grow the replay.
    Past the cap the call goes on unrecorded. Both screens hear of it after the commit.
    """
    assert kind in CALL_KINDS
    now = now or timezone.now()
    with transaction.atomic():
        # The row lock orders concurrent events of one interview, so the cap holds exactly.
        interview = Interview.objects.select_for_update().filter(pk=interview_id).first()
        if interview is None or interview.status not in ACTIVE_STATUSES:
            return False
        if not interview.is_participant(user_id):
            return False
        recorded = TimelineEvent.objects.filter(
            interview=interview, actor_id=user_id, kind__in=CALL_KINDS
        ).count()
        if recorded >= settings.CALL_MAX_TIMELINE_EVENTS:
            return False
        TimelineEvent.objects.create(interview=interview, kind=kind, at=now, actor_id=user_id)
        transaction.on_commit(functools.partial(control_notify, interview_id=interview.pk))
    return True


def control_notify(*, interview_id: int) -> None:
    """Send the interview's session state to its control sockets in every process."""
    layer = get_channel_layer()
    if layer is None:
        return
    state = selectors.session_snapshot(interview_id=interview_id)
    try:
        async_to_sync(layer.group_send)(
            control_group(interview_id), {"type": "control.changed", "state": state}
        )
    except Exception:
        # The change is committed; a socket that missed it sees it on its next state message.
        log.warning("live: could not broadcast interview %s's state", interview_id, exc_info=True)


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
