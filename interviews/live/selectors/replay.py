"""The replay: the timeline, and the notes' changes between its moments, page by page."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from pycrdt import Doc

from interviews.live.layout import DocumentKind
from interviews.live.models import DocumentUpdate, LiveDocument
from interviews.models import Interview, InterviewRole, TimelineEvent

# Rows of the raw log read per database round trip: each may be up to LIVE_MAX_MESSAGE_BYTES,
# so a fixed row count would let a log of large updates fill the memory of the reader.
_LOG_CHUNK_BYTES = 16 * 1024 * 1024


class _LogReader:
    """Apply a document's raw update log in order, up to a moment at a time."""

    def __init__(self, interview: Interview, kind: DocumentKind) -> None:
        self.doc: Doc = Doc()
        # What the replay last sent of this document, and when the latest applied edit was made.
        self.sent = self.doc.get_state()
        self.unsent = False
        self.last_at: datetime | None = None
        self._pending: tuple[datetime, bytes | memoryview] | None = None
        document = LiveDocument.objects.filter(interview=interview, kind=kind).first()
        self._rows: Iterator[tuple[datetime, bytes | memoryview]] = iter(())
        if document is not None:
            chunk = max(1, _LOG_CHUNK_BYTES // settings.LIVE_MAX_MESSAGE_BYTES)
            self._rows = (
                DocumentUpdate.objects.filter(document=document)
                .order_by("seq")
                .values_list("created_at", "data")
                .iterator(chunk_size=chunk)
            )

    def until(self, moment: datetime | None) -> None:
        """Apply every update stored up to moment (all of them for None)."""
        while True:
            if self._pending is None:
                self._pending = next(self._rows, None)
                if self._pending is None:
                    break
            if moment is not None and self._pending[0] > moment:
                break
            self.doc.apply_update(bytes(self._pending[1]))
            self.unsent = True
            self.last_at = self._pending[0]
            self._pending = None

    def delta(self) -> bytes:
        """Return what the document gained since the replay last sent it."""
        return self.doc.get_update(self.sent)

    def mark_sent(self) -> None:
        self.sent = self.doc.get_state()
        self.unsent = False


@dataclass(frozen=True, slots=True)
class ReplayPart:
    moment: int
    document: DocumentKind
    update: bytes
    at: datetime | None


@dataclass(frozen=True, slots=True)
class _Moment:
    event: int  # the event it leads up to; len(events) after the last
    at: datetime | None  # None: the end of the log
    frame: bool  # between two events: sent only within the frames' byte budget


def _moments(times: list[datetime]) -> list[_Moment]:
    """Return the replay's moments in time order: the events, the frames between them, the end.

    Frames sit on a grid from the first event, LIVE_REPLAY_FRAME_SECONDS apart, or wider so
    that at most LIVE_REPLAY_MAX_FRAMES fit before the last event: how often the notes are
    shown within a step does not depend on how often anyone wrote.
    """
    moments: list[_Moment] = []
    grid: list[datetime] = []
    if len(times) > 1:
        span = (times[-1] - times[0]).total_seconds()
        most = settings.LIVE_REPLAY_MAX_FRAMES
        every = max(settings.LIVE_REPLAY_FRAME_SECONDS, span / max(1, most), 1)
        count = min(most, math.ceil(span / every) - 1)
        grid = [times[0] + timedelta(seconds=every * k) for k in range(1, count + 1)]
    frames = iter(grid)
    following = next(frames, None)
    for index, at in enumerate(times):
        while following is not None and following <= at:
            if following < at:
                moments.append(_Moment(index, following, frame=True))
            following = next(frames, None)
        moments.append(_Moment(index, at, frame=False))
    moments.append(_Moment(len(times), None, frame=False))
    return moments


def interview_replay(
    *, interview: Interview, role: InterviewRole, start: int = 0
) -> dict[str, object]:
    """Return one page of the replay: the timeline and, from part `start` on, the notes deltas.

    Part k is what one document gained between two moments (each of the timeline's events,
    the frames between them, then the end of the log): a Yjs update against the state the
    earlier parts built. Being a diff of the document, never the raw log between the moments,
    each part is at most the document's own size (LIVE_MAX_DOCUMENT_BYTES) however the log
    was written, and no moment repeats the text before it. Frames show how the notes grew
    within a step; a participant who floods the log could make every frame a whole document,
    so frames stop once their parts reach LIVE_REPLAY_FRAME_BYTES in all (the edits then
    arrive with the next event). A page stops before LIVE_REPLAY_PAGE_BYTES (but holds at
    least one part); `next` says where the following page starts. The interviewer's private
    notes come as parts of their own, for the interviewer only.
    """
    events = list(
        TimelineEvent.objects.filter(interview=interview)
        .order_by("at", "pk")
        .values_list("kind", "step", "at", "actor_id")
    )
    kinds = [DocumentKind.NOTES]
    if role == InterviewRole.INTERVIEWER:
        kinds.append(DocumentKind.PRIVATE)
    readers = {kind: _LogReader(interview, kind) for kind in kinds}
    parts: list[ReplayPart] = []
    size, index, following, frame_bytes = 0, 0, None, 0
    for moment in _moments([at for _, _, at, _ in events]):
        if moment.frame and frame_bytes >= settings.LIVE_REPLAY_FRAME_BYTES:
            continue
        for kind in kinds:
            reader = readers[kind]
            reader.until(moment.at)
            if not reader.unsent:
                continue
            delta = b""
            if moment.frame:
                # Counted on every page alike, so each page numbers the parts the same way.
                delta = reader.delta()
                if frame_bytes + len(delta) > settings.LIVE_REPLAY_FRAME_BYTES:
                    frame_bytes = settings.LIVE_REPLAY_FRAME_BYTES
                    continue
                frame_bytes += len(delta)
            if index >= start:
                delta = delta or reader.delta()
                if parts and size + len(delta) > settings.LIVE_REPLAY_PAGE_BYTES:
                    following = index
                    break
                at = moment.at if moment.at is not None else reader.last_at
                parts.append(ReplayPart(moment.event, kind, delta, at))
                size += len(delta)
            reader.mark_sent()
            index += 1
        if following is not None:
            break
    return {
        "interview": interview.pk,
        "events": [
            {"kind": kind, "step": step, "at": at, "role": interview.role_of(actor)}
            for kind, step, at, actor in events
        ],
        "start": start,
        "parts": parts,
        "next": following,
    }
