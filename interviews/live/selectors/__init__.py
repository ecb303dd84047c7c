"""Reads of the live room: who may join, the stored documents, exports and the replay."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from pycrdt import Doc, Text, merge_updates

from interviews.live.layout import SCRATCH, DocumentKind, step_text
from interviews.live.models import Checkpoint, DocumentUpdate, LiveDocument
from interviews.live.selectors.replay import interview_replay as interview_replay
from interviews.models import (
    Interview,
    InterviewRole,
    InterviewStatus,
    TimelineEvent,
    TimelineKind,
)
from interviews.models.sessions import ACTIVE_STATUSES
from sevenstep.consumers import (
    CLOSE_FORBIDDEN,
    CLOSE_NOT_FOUND,
    CLOSE_TOO_EARLY,
    CLOSE_UNAUTHENTICATED,
)
from sevenstep.framework import STEPS, step_budget_seconds

log = logging.getLogger(__name__)

EMPTY_UPDATE = b"\x00\x00"


class RoomRefused(Exception):
    """The socket may not join; `code` is the websocket close code to send."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code


@dataclass(frozen=True, slots=True)
class RoomAccess:
    interview_id: int
    user_id: int
    role: InterviewRole
    read_only: bool


def room_access(
    *, interview_id: int, user: object, kind: str | None, now: datetime | None = None
) -> RoomAccess:
    """Decide whether a user may join an interview's room (kind None: the control channel).

    Only participants join, from LIVE_JOIN_EARLY_MINUTES before the start; the candidate
    never sees the private notes; once the interview is over the room is read-only.
    """
    if not getattr(user, "is_authenticated", False):
        raise RoomRefused(CLOSE_UNAUTHENTICATED, "log in first")
    interview = (
        Interview.objects.filter(pk=interview_id)
        .only("pk", "interviewer_id", "candidate_id", "status", "starts_at")
        .first()
    )
    role = interview.role_of(user.pk) if interview is not None else None  # type: ignore[attr-defined]
    if interview is None or role is None:
        # The same answer as for a missing id, so outsiders cannot probe which ids exist.
        raise RoomRefused(CLOSE_NOT_FOUND, "no such interview")
    if kind == DocumentKind.PRIVATE and role != InterviewRole.INTERVIEWER:
        raise RoomRefused(CLOSE_FORBIDDEN, "the private notes are the interviewer's")
    now = now or timezone.now()
    read_only = interview.status not in ACTIVE_STATUSES
    if not read_only and now < interview.room_opens_at:
        raise RoomRefused(CLOSE_TOO_EARLY, "the room is not open yet")
    return RoomAccess(interview.pk, user.pk, role, read_only)  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class StoredState:
    update: bytes
    seq: int


def document_state(*, document_id: int, upto_seq: int | None = None) -> StoredState:
    """Return the stored document (latest checkpoint + the log after it) as one update."""
    checkpoints = Checkpoint.objects.filter(document_id=document_id)
    if upto_seq is not None:
        checkpoints = checkpoints.filter(seq__lte=upto_seq)
    checkpoint = checkpoints.order_by("-seq").only("seq", "state").first()
    parts: list[bytes] = []
    seq = 0
    if checkpoint is not None:
        parts.append(bytes(checkpoint.state))
        seq = checkpoint.seq
    for row_seq, data in updates_after(document_id=document_id, after_seq=seq, upto_seq=upto_seq):
        parts.append(data)
        seq = row_seq
    if not parts:
        return StoredState(EMPTY_UPDATE, seq)
    try:
        merged = merge_updates(*parts)
        Doc().apply_update(merged)
    except (RuntimeError, ValueError):
        merged = _without_unappliable(document_id, parts)
    return StoredState(merged, seq)


def _without_unappliable(document_id: int, parts: list[bytes]) -> bytes:
    """Rebuild a document one stored update at a time, leaving out any it cannot take.

    The live room refuses such updates before storing them; this keeps a document readable
    should one have been stored anyway (by an older version, say), instead of losing it all.
    """
    doc: Doc = Doc()
    for index, part in enumerate(parts):
        try:
            doc.apply_update(part)
        except (RuntimeError, ValueError):
            log.error("live: document %s: stored update #%d cannot be applied; skipped",
                      document_id, index)  # fmt: skip
    return doc.get_update()


def updates_after(
    *, document_id: int, after_seq: int, upto_seq: int | None = None
) -> list[tuple[int, bytes]]:
    """Return the logged updates after a sequence number, in order."""
    rows = DocumentUpdate.objects.filter(document_id=document_id, seq__gt=after_seq)
    if upto_seq is not None:
        rows = rows.filter(seq__lte=upto_seq)
    return [(seq, bytes(data)) for seq, data in rows.order_by("seq").values_list("seq", "data")]


def document_seqs(*, document_ids: Iterable[int]) -> dict[int, int]:
    """Return the last committed sequence number of each document."""
    return dict(LiveDocument.objects.filter(pk__in=list(document_ids)).values_list("pk", "seq"))


def doc_from_update(update: bytes) -> Doc:
    doc: Doc = Doc()
    doc.apply_update(update)
    return doc


def texts_of(doc: Doc) -> dict[str, str]:
    """Return the text of every section of a notes document, empty where untouched."""
    names = [step_text(info.step) for info in STEPS] + [SCRATCH]
    return {name: str(doc.get(name, type=Text)) for name in names}


def stored_texts(*, interview_id: int, kind: DocumentKind) -> dict[str, str]:
    """Return the sections of an interview's stored document (empty if never edited)."""
    document = LiveDocument.objects.filter(interview_id=interview_id, kind=kind).first()
    update = EMPTY_UPDATE if document is None else document_state(document_id=document.pk).update
    return texts_of(doc_from_update(update))


def session_snapshot(*, interview_id: int) -> dict[str, object]:
    """Return the session state every control socket shows: status, step, clock."""
    interview = Interview.objects.get(pk=interview_id)
    timeline = list(
        TimelineEvent.objects.filter(interview_id=interview_id)
        .order_by("at", "pk")
        .values_list("kind", "step", "at")
    )
    entered = [(step, at) for kind, step, at in timeline if kind == TimelineKind.STEP_ENTERED]
    last_step, step_started_at = entered[-1] if entered else (None, None)
    # Ending clears the row's current step, but the session stopped on the last one entered:
    # both people, and anyone who reloads, must see the step it ended on, not "no step".
    ended = interview.status == InterviewStatus.COMPLETED
    step = last_step if ended else interview.current_step
    return {
        "interview": interview.pk,
        "status": interview.status,
        "current_step": step,
        "step_started_at": _iso(step_started_at) if step else None,
        "step_budget_seconds": step_budget_seconds(step) if step else None,
        "starts_at": _iso(interview.starts_at),
        "ends_at": _iso(interview.ends_at),
        "started_at": _iso(interview.started_at),
        "ended_at": _iso(interview.ended_at),
        "timeline": [
            {"kind": kind, "step": event_step, "at": _iso(at)} for kind, event_step, at in timeline
        ],
        "recording": recording_state(interview=interview),
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def participant_name(*, user_id: int) -> str:
    from accounts.models import Profile

    name = Profile.objects.filter(user_id=user_id).values_list("display_name", flat=True).first()
    return name or "Participant"


def interview_for_reader(*, interview_id: int, user_id: int) -> tuple[Interview, InterviewRole]:
    """Return an interview and the reader's role in it; everyone else gets a 404.

    A 404 rather than a 403, as for a missing id, so outsiders cannot probe which ids exist.
    """
    from rest_framework.exceptions import NotFound

    interview = Interview.objects.filter(pk=interview_id).first()
    role = interview.role_of(user_id) if interview is not None else None
    if interview is None or role is None:
        raise NotFound("No such interview.")
    return interview, role


def notes_markdown(texts: dict[str, str]) -> str:
    """Render a notes document as Markdown, one section per framework step."""
    parts = []
    for info in STEPS:
        body = texts[step_text(info.step)].strip()
        parts.append(f"## {info.step.value}. {info.step.label}\n\n{body or '_No notes._'}\n")
    if texts[SCRATCH].strip():
        parts.append(f"## Scratch\n\n{texts[SCRATCH].strip()}\n")
    return "\n".join(parts)


def _notes_body(texts: dict[str, str]) -> dict[str, object]:
    return {
        "sections": [
            {
                "step": info.step.value,
                "name": step_text(info.step),
                "title": info.step.label,
                "text": texts[step_text(info.step)],
            }
            for info in STEPS
        ],
        "scratch": texts[SCRATCH],
        "markdown": notes_markdown(texts),
    }


def notes_export(*, interview: Interview, role: InterviewRole) -> dict[str, object]:
    """Return the shared notes (and, for the interviewer, the private ones) per step."""
    private = None
    if role == InterviewRole.INTERVIEWER:
        private = _notes_body(stored_texts(interview_id=interview.pk, kind=DocumentKind.PRIVATE))
    return {
        "interview": interview.pk,
        "notes": _notes_body(stored_texts(interview_id=interview.pk, kind=DocumentKind.NOTES)),
        "private": private,
    }


def call_config(
    *, interview_id: int, user_id: int, now: datetime | None = None
) -> dict[str, object]:
    """Return what a participant's browser needs to place the interview's call."""
    from rest_framework.exceptions import NotFound

    from interviews.live.turn import ice_servers
    from sevenstep.errors import Conflict

    interview = Interview.objects.filter(pk=interview_id).first()
    role = interview.role_of(user_id) if interview is not None else None
    if interview is None or role is None:
        # Alike for missing and foreign interviews, as the detail endpoint answers.
        raise NotFound("No such interview.")
    now = now or timezone.now()
    if interview.status not in ACTIVE_STATUSES:
        raise Conflict("The interview has ended; its call is over.", code="room_closed")
    if now < interview.room_opens_at:
        raise Conflict("The room is not open yet; the call opens with it.", code="room_not_open")
    servers, expires_at = ice_servers(user_id=user_id, now=now)
    return {
        "role": role,
        "polite": role == InterviewRole.CANDIDATE,
        "ice_servers": servers,
        "credentials_expire_at": expires_at,
        "signalling_path": f"/ws/interviews/{interview.pk}/call",
        "recording": recording_state(interview=interview),
    }


# --- recording ------------------------------------------------------------------------


def recording_clock_origin(interview: Interview) -> datetime:
    """Return the zero of the interview clock: the start, or the planned start before it."""
    return interview.started_at or interview.starts_at


def recording_state(*, interview: Interview) -> dict[str, object]:
    """Return who consented to recording, and whether it runs (only while both have)."""
    from interviews.live.models import RecordingConsent

    consented = set(
        RecordingConsent.objects.filter(interview=interview, consented=True).values_list(
            "user_id", flat=True
        )
    )
    both = {interview.interviewer_id, interview.candidate_id}
    return {
        "consented": {
            InterviewRole.INTERVIEWER.value: interview.interviewer_id in consented,
            InterviewRole.CANDIDATE.value: interview.candidate_id in consented,
        },
        "active": both <= consented,
    }


def recording_tracks(*, interview: Interview) -> dict[str, object]:
    """Return each speaker's track: its size, its start on the interview clock, its address."""
    from django.db.models import Count, Min, Sum

    from interviews.live.models import RecordingChunk

    origin = recording_clock_origin(interview)
    rows = (
        RecordingChunk.objects.filter(interview=interview)
        .values("user_id")
        .annotate(chunks=Count("pk"), size=Sum("size"), first=Min("at"))
    )
    by_user = {row["user_id"]: row for row in rows}
    tracks = []
    for role, user_id in (
        (InterviewRole.INTERVIEWER, interview.interviewer_id),
        (InterviewRole.CANDIDATE, interview.candidate_id),
    ):
        row = by_user.get(user_id)
        if row is None:
            continue
        first_type = (
            RecordingChunk.objects.filter(interview=interview, user_id=user_id)
            .order_by("seq")
            .values_list("content_type", flat=True)
            .first()
        )
        tracks.append(
            {
                "role": role,
                "chunks": row["chunks"],
                "bytes": row["size"],
                "start_offset_ms": round((row["first"] - origin).total_seconds() * 1000),
                "content_type": first_type,
                "url": f"/api/interviews/{interview.pk}/recording/tracks/{role.value}/",
            }
        )
    return {
        "interview": interview.pk,
        "clock_origin": origin,
        **recording_state(interview=interview),
        "tracks": tracks,
    }


def recording_track_chunks(*, interview: Interview, role: str) -> tuple[str, list[tuple[str, int]]]:
    """Return a speaker's track: its content type, its chunks' files and sizes in seq order.

    404 when the speaker recorded nothing.
    """
    from rest_framework.exceptions import NotFound

    from interviews.live.models import RecordingChunk

    if role not in InterviewRole.values:
        raise NotFound("No such track.")
    user_id = (
        interview.interviewer_id if role == InterviewRole.INTERVIEWER else interview.candidate_id
    )
    rows = list(
        RecordingChunk.objects.filter(interview=interview, user_id=user_id)
        .order_by("seq")
        .values_list("content_type", "name", "size")
    )
    if not rows:
        raise NotFound("No such track.")
    return rows[0][0], [(name, size) for _, name, size in rows]
