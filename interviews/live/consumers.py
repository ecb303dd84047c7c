"""Websocket endpoints of the live room: the Yjs documents (notes, private) and control."""

from __future__ import annotations

import time
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from interviews.live import protocol, selectors
from interviews.live.layout import DocumentKind
from interviews.live.protocol import Kind, ProtocolError
from interviews.live.rooms import Refused, Room, RoomKey, StoreUnavailable, registry
from sevenstep.consumers import (
    CLOSE_DOCUMENT_TOO_LARGE,
    CLOSE_INTERNAL_ERROR,
    CLOSE_INVALID_PAYLOAD,
    CLOSE_MESSAGE_TOO_BIG,
    CLOSE_RATE_LIMITED,
    CLOSE_UNSUPPORTED_DATA,
)


class TokenBucket:
    """Allow `rate` messages a second on average and bursts of up to `burst`."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class DocumentConsumer(AsyncWebsocketConsumer):
    """Speak y-websocket for one document of an interview, as the reference server does."""

    kind: DocumentKind = DocumentKind.NOTES
    # Rooms reach other processes themselves; a socket never needs a channel of its own.
    channel_layer_alias = None

    room: Room | None = None
    closing = False

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' dispatch hops to a thread on every frame to recycle database connections;
        # this consumer never touches the database on its async path, so skip the hop.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        await self.accept()
        try:
            access = await database_sync_to_async(selectors.room_access)(
                interview_id=int(self.scope["url_route"]["kwargs"]["interview_id"]),
                user=self.scope["user"],
                kind=self.kind,
            )
        except selectors.RoomRefused as refused:
            await self.shut(refused.code)
            return
        self.access = access
        self.bucket = TokenBucket(settings.LIVE_RATE_PER_SECOND, settings.LIVE_RATE_BURST)
        self.room = await registry().join(
            RoomKey(access.interview_id, self.kind), self, read_only=access.read_only
        )
        await self.deliver(protocol.sync_step1(self.room.doc))
        states = list(self.room.awareness.states)
        if states:
            await self.deliver(protocol.awareness_message(self.room.awareness, states))

    async def disconnect(self, code: int) -> None:
        self.closing = True
        if self.room is not None:
            room, self.room = self.room, None
            await registry().leave(room, self)

    async def shut(self, code: int) -> None:
        """Close this socket only; the room and the process carry on."""
        if not self.closing:
            self.closing = True
            await self.close(code=code)

    async def deliver(self, frame: bytes) -> None:
        if self.closing:
            return
        try:
            await self.send(bytes_data=frame)
        except Exception:  # the socket went away mid-send; disconnect() cleans up
            self.closing = True

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        room = self.room
        if self.closing or room is None:
            return
        if bytes_data is None:
            await self.shut(CLOSE_UNSUPPORTED_DATA)
            return
        if len(bytes_data) > settings.LIVE_MAX_MESSAGE_BYTES:
            await self.shut(CLOSE_MESSAGE_TOO_BIG)
            return
        if not self.bucket.take():
            await self.shut(CLOSE_RATE_LIMITED)
            return
        try:
            await self.handle(room, protocol.parse(bytes_data))
        except ProtocolError:
            await self.shut(CLOSE_INVALID_PAYLOAD)

    async def handle(self, room: Room, message: protocol.Message) -> None:
        if message.kind == Kind.SYNC_STEP1:
            await self.deliver(protocol.sync_step2(room.doc, message.payload))
        elif message.kind in (Kind.SYNC_STEP2, Kind.UPDATE):
            await self.store(room, message.payload)
        elif message.kind == Kind.AWARENESS:
            await room.apply_awareness(message.payload, self)
        elif message.kind == Kind.QUERY_AWARENESS:
            await self.deliver(
                protocol.awareness_message(room.awareness, list(room.awareness.states))
            )
        # Kind.AUTH flows from server to client only; a client sending one is ignored.

    async def store(self, room: Room, update: bytes) -> None:
        if update == protocol.EMPTY_UPDATE:
            return
        protocol.check_update(update)
        if room.read_only:
            await self.deliver(protocol.permission_denied("the interview has ended"))
            return
        if room.size + len(update) > settings.LIVE_MAX_DOCUMENT_BYTES:
            await self.shut(CLOSE_DOCUMENT_TOO_LARGE)
            return
        try:
            await registry().commit(room, update, author_id=self.access.user_id, origin=self)
        except Refused:
            room.read_only = True
            await self.deliver(protocol.permission_denied("the interview has ended"))
        except StoreUnavailable:
            await self.shut(CLOSE_INTERNAL_ERROR)


class NotesConsumer(DocumentConsumer):
    kind = DocumentKind.NOTES


class PrivateNotesConsumer(DocumentConsumer):
    kind = DocumentKind.PRIVATE
