"""Websocket endpoints of the live room: the Yjs documents (notes, private) and control."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer
from django.conf import settings
from django.utils import timezone

from interviews.live import metrics, protocol, selectors
from interviews.live.layout import DocumentKind, control_group
from interviews.live.protocol import Kind, ProtocolError
from interviews.live.rooms import (
    DocumentFull,
    LogFull,
    Refused,
    Room,
    RoomKey,
    StoreUnavailable,
    TooManySockets,
    interview_ended,
    registry,
)
from interviews.services import session
from sevenstep.consumers import (
    CLOSE_AWARENESS_REFUSED,
    CLOSE_BAD_MESSAGE,
    CLOSE_DOCUMENT_TOO_LARGE,
    CLOSE_INTERNAL_ERROR,
    CLOSE_INVALID_PAYLOAD,
    CLOSE_MESSAGE_TOO_BIG,
    CLOSE_RATE_LIMITED,
    CLOSE_TRY_AGAIN_LATER,
    DirectDispatch,
    FrameRefused,
    TokenBucket,
    frame_admit,
    frame_json,
)
from sevenstep.errors import ApplicationError
from sevenstep.logs import bind_interview, unbound


class DocumentConsumer(DirectDispatch, AsyncWebsocketConsumer):
    """Speak y-websocket for one document of an interview, as the reference server does."""

    kind: DocumentKind = DocumentKind.NOTES
    # Rooms reach other processes themselves; a socket never needs a channel of its own.
    channel_layer_alias = None

    room: Room | None = None
    closing = False
    awareness_bucket: TokenBucket | None = None
    writer: asyncio.Task[None] | None = None
    owed: int | None = None  # the close shut() asked for, which the receive loop sends
    task: asyncio.Task[Any] | None = None  # the one running the receive loop
    parked = False  # the receive loop waits for the client
    interrupted = False  # shut() cancelled that wait

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # What the room has queued for this socket, sent in order by one writer task at a time.
        self.outbox: deque[bytes] = deque()
        self.outbox_bytes = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        # With no channel of its own a socket has one source of messages, so a plain loop
        # replaces Channels' await_many_dispatch, which starts a task for every frame.
        self.scope = scope
        self.channel_layer = None
        self.base_send = send
        task = self.task = asyncio.current_task()
        assert task is not None
        with contextlib.suppress(StopConsumer):
            while True:
                if self.owed is not None:
                    await self._hang_up(self.owed)
                self.parked = True
                try:
                    message = await receive()
                except asyncio.CancelledError:
                    # shut() stopped the wait to send its close, unless the server also
                    # cancels this socket (shutting down): then it goes.
                    if not self.interrupted:
                        raise
                    self.interrupted = False
                    if task.uncancel():
                        raise
                    continue
                finally:
                    self.parked = False
                await self.dispatch(message)

    async def connect(self) -> None:
        await self.accept()
        interview_id = int(self.scope["url_route"]["kwargs"]["interview_id"])
        bind_interview(interview_id)
        try:
            access = await database_sync_to_async(selectors.room_access)(
                interview_id=interview_id, user=self.scope["user"], kind=self.kind
            )
        except selectors.RoomRefused as refused:
            self.shut(refused.code)
            return
        self.access = access
        await database_sync_to_async(session.participant_seen)(
            interview_id=access.interview_id, user_id=access.user_id
        )
        self.bucket = TokenBucket(settings.LIVE_RATE_PER_SECOND, settings.LIVE_RATE_BURST)
        try:
            with unbound():  # the registry's tasks, started here, serve every interview
                self.room = await registry().join(
                    RoomKey(access.interview_id, self.kind),
                    self,
                    read_only=access.read_only,
                    user_id=access.user_id,
                )
        except TooManySockets:
            # Retryable: the client gets in once one of its other sockets closes.
            self.shut(CLOSE_RATE_LIMITED)
            return
        self.post(protocol.sync_step1(self.room.doc))
        states = list(self.room.awareness.states)
        if states:
            self.post(protocol.awareness_message(self.room.awareness, states))

    async def disconnect(self, code: int) -> None:
        self.closing = True
        if self.room is not None:
            room, self.room = self.room, None
            await registry().leave(room, self)

    def shut(self, code: int) -> None:
        """Close this socket only, from the receive loop; the room and the process carry on.

        On granian a close waits for the send in flight, and for the receive waiting for the
        client to send a frame: a frozen tab would never get it, and its connection would stay
        open. So the queue is let go and, if the loop waits for the client, that wait is
        cancelled: the loop then stops the send in flight and closes (_hang_up). The loop's
        own task is cancelled, not a task wrapped around each receive(), which would cost a
        task per frame; granian's default asyncio tasks can be cancelled, its rust ones not.
        """
        if self.closing:
            return
        self.closing = True
        self.owed = code
        self.outbox.clear()
        self.outbox_bytes = 0
        if self.parked and self.task is not None and not self.interrupted:
            self.interrupted = True
            self.task.cancel()

    async def _hang_up(self, code: int) -> None:
        """Stop sending and close; let go of the connection if the close does not get out.

        What was handed to the server for this socket goes out first, then the close: a tab
        that reads again gets it then. Past LIVE_SOCKET_CLOSE_SECONDS the close is cancelled,
        which drops the connection: the tab, reading again, finds it ended. Either way the
        server then reports the disconnect, and the socket leaves its room.
        """
        self.owed = None
        if self.writer is not None:
            self.writer.cancel()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(settings.LIVE_SOCKET_CLOSE_SECONDS):
                await self.close(code=code)

    def post(self, frame: bytes) -> None:
        """Queue a frame for this socket; a writer task sends the queue in order.

        Nobody waits on the send: the room's commit loop and fan-out serve every room of the
        process. A socket that does not read what it is sent (a stalled or hostile client)
        would hold its frames here without end: once more than LIVE_SOCKET_OUTBOX_BYTES wait
        behind the frame being sent, it is shut (1013) and its client resyncs on reconnecting.
        """
        if self.closing:
            return
        if self.outbox and self.outbox_bytes + len(frame) > settings.LIVE_SOCKET_OUTBOX_BYTES:
            metrics.OUTBOX_OVERFLOWS.inc()
            self.shut(CLOSE_TRY_AGAIN_LATER)
            return
        self.outbox.append(frame)
        self.outbox_bytes += len(frame)
        if self.writer is None:
            self.writer = asyncio.ensure_future(self._write())

    async def _write(self) -> None:
        try:
            while self.outbox and not self.closing:
                frame = self.outbox.popleft()
                self.outbox_bytes -= len(frame)
                await self.send(bytes_data=frame)
        except Exception:  # the socket went away mid-send; disconnect() cleans up
            self.closing = True
        finally:
            self.writer = None

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        room = self.room
        if self.closing or room is None:
            return
        try:
            frame = frame_admit(
                bytes_data, max_bytes=settings.LIVE_MAX_MESSAGE_BYTES, bucket=self.bucket
            )
            await self.handle(room, protocol.parse(frame))
        except FrameRefused as refused:
            self.shut(refused.code)
        except ProtocolError:
            self.shut(CLOSE_INVALID_PAYLOAD)

    async def handle(self, room: Room, message: protocol.Message) -> None:
        if message.kind == Kind.SYNC_STEP1:
            self.post(protocol.sync_step2(room.doc, message.payload))
        elif message.kind in (Kind.SYNC_STEP2, Kind.UPDATE):
            await self.store(room, message.payload)
        elif message.kind == Kind.AWARENESS:
            await self.aware(room, message.payload)
        elif message.kind == Kind.QUERY_AWARENESS:
            self.post(protocol.awareness_message(room.awareness, list(room.awareness.states)))
        # Kind.AUTH flows from server to client only; a client sending one is ignored.

    async def aware(self, room: Room, update: bytes) -> None:
        """Apply this socket's awareness update within its bounds, or close the socket.

        The size comes first, so a flood of big frames costs a length check each; the rate
        counts the frames that change a state. A malformed frame raises ProtocolError (1007).
        """
        metrics.AWARENESS_RECEIVED.inc()
        if len(update) > settings.LIVE_AWARENESS_MAX_BYTES:
            self.shut(CLOSE_MESSAGE_TOO_BIG)
            return
        if self.awareness_bucket is None:
            self.awareness_bucket = TokenBucket(
                settings.LIVE_AWARENESS_RATE_PER_SECOND, settings.LIVE_AWARENESS_RATE_BURST
            )
        try:
            room.apply_awareness(
                update, self, owner=self.access.user_id, admit=self.awareness_bucket.take
            )
        except protocol.AwarenessTooFast:
            self.shut(CLOSE_RATE_LIMITED)
        except protocol.AwarenessTooLarge:
            self.shut(CLOSE_MESSAGE_TOO_BIG)
        except protocol.AwarenessRefused:
            self.shut(CLOSE_AWARENESS_REFUSED)

    async def store(self, room: Room, update: bytes) -> None:
        if update == protocol.EMPTY_UPDATE:
            return
        protocol.check_update(update)
        if room.read_only:
            self.post(protocol.permission_denied("the interview has ended"))
            return
        if not room.changes(update):
            return  # the room holds it already: nothing to store, nobody lacks it
        if room.size + len(update) > settings.LIVE_MAX_DOCUMENT_BYTES:
            self.shut(CLOSE_DOCUMENT_TOO_LARGE)
            return
        try:
            await registry().commit(room, update, author_id=self.access.user_id, origin=self)
        except Refused:
            room.read_only = True
            self.post(protocol.permission_denied("the interview has ended"))
        except DocumentFull:
            self.shut(CLOSE_DOCUMENT_TOO_LARGE)
        except LogFull:
            # The client keeps the update and re-sends it on reconnecting, after compaction.
            self.shut(CLOSE_RATE_LIMITED)
        except StoreUnavailable:
            self.shut(CLOSE_INTERNAL_ERROR)


class NotesConsumer(DocumentConsumer):
    kind = DocumentKind.NOTES


class PrivateNotesConsumer(DocumentConsumer):
    kind = DocumentKind.PRIVATE


PRESENCE_HEARTBEAT_SECONDS = 20
PRESENCE_EXPIRY_SECONDS = 60


class ControlConsumer(DirectDispatch, AsyncJsonWebsocketConsumer):
    """The session channel: presence per role, the current step and clock, the timeline.

    The interviewer's actions go through the session service, which checks the role and
    records the timeline; the new state then goes to every control socket of the interview in
    every process. Presence is kept by the sockets themselves: each says hello on joining,
    answers hellos, repeats itself every PRESENCE_HEARTBEAT_SECONDS and says bye on leaving;
    an entry not heard from for PRESENCE_EXPIRY_SECONDS (its process died) is dropped.
    """

    access: selectors.RoomAccess | None = None

    async def connect(self) -> None:
        await self.accept()
        self.interview_id = int(self.scope["url_route"]["kwargs"]["interview_id"])
        bind_interview(self.interview_id)
        try:
            access = await database_sync_to_async(selectors.room_access)(
                interview_id=self.interview_id, user=self.scope["user"], kind=None
            )
        except selectors.RoomRefused as refused:
            await self.close(code=refused.code)
            return
        self.access = access
        await database_sync_to_async(session.participant_seen)(
            interview_id=access.interview_id, user_id=access.user_id
        )
        self.bucket = TokenBucket(settings.LIVE_RATE_PER_SECOND, settings.LIVE_RATE_BURST)
        self.group = control_group(self.interview_id)
        name = await database_sync_to_async(selectors.participant_name)(user_id=access.user_id)
        self.me = {"user_id": access.user_id, "display_name": name, "role": access.role}
        self.present: dict[str, tuple[dict[str, object], float]] = {
            self.channel_name: (self.me, time.monotonic())
        }
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send_state(await self.snapshot())
        await self.channel_layer.group_send(self.group, self.presence_message("control.hello"))
        self.heartbeat = asyncio.ensure_future(self._heartbeat())

    async def disconnect(self, code: int) -> None:
        if self.access is None:
            return
        self.heartbeat.cancel()
        await self.channel_layer.group_send(self.group, self.presence_message("control.bye"))
        await self.channel_layer.group_discard(self.group, self.channel_name)

    def presence_message(self, kind: str) -> dict[str, object]:
        return {"type": kind, "channel": self.channel_name, "entry": self.me}

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(PRESENCE_HEARTBEAT_SECONDS)
            await self.channel_layer.group_send(self.group, self.presence_message("control.here"))
            cutoff = time.monotonic() - PRESENCE_EXPIRY_SECONDS
            stale = [ch for ch, (_, seen) in self.present.items() if seen < cutoff]
            if stale and self.channel_name not in stale:
                for channel in stale:
                    del self.present[channel]
                await self.send_presence()

    # --- from the client ----------------------------------------------------------------
    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.access is None:
            return
        try:
            content = frame_json(frame_admit(text_data, bucket=self.bucket))
        except FrameRefused as refused:
            await self.close(code=refused.code)
            return
        action = content.get("type") if isinstance(content, dict) else None
        handler = _ACTIONS.get(action) if isinstance(action, str) else None
        if handler is None:
            await self.close(code=CLOSE_BAD_MESSAGE)
            return
        await handler(self, content)

    async def on_start(self, content: dict[str, object]) -> None:
        if await self._change(session.session_start):
            await self._notify()

    async def on_next_step(self, content: dict[str, object]) -> None:
        if await self._change(session.session_next_step):
            await self._notify()

    async def on_goto_step(self, content: dict[str, object]) -> None:
        step = content.get("step")
        if not isinstance(step, int) or isinstance(step, bool):
            await self.send_json(
                {"type": "error", "code": "invalid_step", "message": "Say which step."}
            )
            return
        if await self._change(session.session_goto_step, step=step):
            await self._notify()

    async def on_end(self, content: dict[str, object]) -> None:
        if await self._change(session.session_end):
            await interview_ended(self.interview_id)
            await self._notify()

    async def _change(self, service: Callable[..., object], **arguments: object) -> bool:
        """Run a session service as this participant; tell the client if it refuses."""
        assert self.access is not None
        try:
            await database_sync_to_async(service)(
                interview_id=self.interview_id, user_id=self.access.user_id, **arguments
            )
        except ApplicationError as error:
            await self.send_json({"type": "error", "code": error.code, "message": error.message})
            return False
        return True

    async def _notify(self) -> None:
        """Send the session's new state to every control socket of the interview."""
        state = await self.snapshot()
        await self.channel_layer.group_send(self.group, {"type": "control.changed", "state": state})

    # --- from the group -----------------------------------------------------------------
    async def control_changed(self, event: dict[str, object]) -> None:
        await self.send_state(event["state"])  # type: ignore[arg-type]

    async def control_hello(self, event: dict[str, object]) -> None:
        if event["channel"] != self.channel_name:
            await self.channel_layer.send(
                event["channel"],
                self.presence_message("control.here"),
            )
        await self.control_here(event)

    async def control_here(self, event: dict[str, object]) -> None:
        channel = str(event["channel"])
        known = channel in self.present
        self.present[channel] = (event["entry"], time.monotonic())  # type: ignore[assignment]
        if not known:
            await self.send_presence()

    async def control_bye(self, event: dict[str, object]) -> None:
        if self.present.pop(str(event["channel"]), None) is not None:
            await self.send_presence()

    # --- to the client ------------------------------------------------------------------
    async def snapshot(self) -> dict[str, object]:
        return await database_sync_to_async(selectors.session_snapshot)(
            interview_id=self.interview_id
        )

    def presence(self) -> list[dict[str, object]]:
        by_user: dict[object, dict[str, object]] = {}
        for entry, _ in self.present.values():
            by_user[entry["user_id"]] = entry
        return sorted(by_user.values(), key=lambda entry: str(entry["role"]))

    async def send_state(self, state: dict[str, object]) -> None:
        await self.send_json(
            {
                "type": "state",
                "state": {**state, "presence": self.presence()},
                "server_time": _now_iso(),
            }
        )

    async def send_presence(self) -> None:
        await self.send_json(
            {"type": "presence", "presence": self.presence(), "server_time": _now_iso()}
        )


def _now_iso() -> str:
    return timezone.now().isoformat().replace("+00:00", "Z")


# One handler per client action; anything else closes the socket (4400).
_ACTIONS: dict[str, Callable[[ControlConsumer, dict[str, object]], Awaitable[None]]] = {
    "start": ControlConsumer.on_start,
    "next_step": ControlConsumer.on_next_step,
    "goto_step": ControlConsumer.on_goto_step,
    "end": ControlConsumer.on_end,
}
