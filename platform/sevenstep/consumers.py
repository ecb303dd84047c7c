"""Close codes, the frame guards and the JSON websocket base shared by every consumer; ping."""

from __future__ import annotations

import time
from typing import Any, TypeVar

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from sevenstep import jsonbounds

# Close codes shared by every consumer.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_BAD_MESSAGE = 4400
CLOSE_UNSUPPORTED_DATA = 1003
CLOSE_INVALID_PAYLOAD = 1007  # a frame that does not decode (malformed Yjs message, bad JSON)
CLOSE_MESSAGE_TOO_BIG = 1009
CLOSE_INTERNAL_ERROR = 1011  # storage unavailable: the client reconnects and re-sends
# The socket fell too far behind what it is sent (it does not read): it reconnects and resyncs.
CLOSE_TRY_AGAIN_LATER = 1013
CLOSE_DOCUMENT_TOO_LARGE = 4413
# An awareness entry the socket may not set: another client's id, more client ids than a
# socket may own, or a state outside what the app puts there (unknown key, colour not #rrggbb).
CLOSE_AWARENESS_REFUSED = 4422
CLOSE_TOO_EARLY = 4425  # the interview's room is not open yet
CLOSE_RATE_LIMITED = 4429
CLOSE_ROOM_CLOSED = 4410  # the interview has ended: nothing more happens in its room
CLOSE_REPLACED = 4409  # the same user opened the call in another tab, which takes over


F = TypeVar("F", str, bytes)


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


class FrameRefused(Exception):
    """A client frame the socket will not read; `code` is the close code that answers it."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def frame_admit(
    data: F | None, *, bucket: TokenBucket | None = None, max_bytes: int | None = None
) -> F:
    """Return a frame's data if the socket reads it, or raise FrameRefused.

    `data` is the frame's text or bytes, whichever the socket speaks: None means the client
    sent the other kind (1003). The length comes before the rate, so a flood of big frames
    costs a length check each (1009); then the bucket, if the socket has one (4429). A socket
    whose decoder bounds the size itself passes no max_bytes.
    """
    if data is None:
        raise FrameRefused(CLOSE_UNSUPPORTED_DATA)
    if max_bytes is not None and len(data) > max_bytes:
        raise FrameRefused(CLOSE_MESSAGE_TOO_BIG)
    if bucket is not None and not bucket.take():
        raise FrameRefused(CLOSE_RATE_LIMITED)
    return data


def frame_json(text: str, *, max_bytes: int | None = None, max_depth: int | None = None) -> Any:
    """Decode a JSON frame within bounds (WS_JSON_MAX_* unless given), or raise FrameRefused."""
    try:
        return jsonbounds.loads(
            text,
            max_bytes=settings.WS_JSON_MAX_BYTES if max_bytes is None else max_bytes,
            max_depth=settings.WS_JSON_MAX_DEPTH if max_depth is None else max_depth,
        )
    except jsonbounds.JsonTooLarge as refused:
        raise FrameRefused(CLOSE_MESSAGE_TOO_BIG) from refused
    except jsonbounds.JsonRefused as refused:  # not JSON, or nested too deep
        raise FrameRefused(CLOSE_INVALID_PAYLOAD) from refused


class DirectDispatch:
    """Dispatch a socket's frames and layer messages without a hop to the database thread.

    Channels' dispatch first recycles stale database connections on the one thread that runs
    every socket's database work: a hop per frame and per layer message, each queued behind
    the other sockets' queries. In a burst (every call of a process negotiating at once) that
    queue, not the work, set the pace. Our consumers reach the database only through
    database_sync_to_async, which recycles connections around each call itself.
    """

    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)


class BoundedJsonConsumer(DirectDispatch, AsyncJsonWebsocketConsumer):
    """A JSON consumer whose messages are bounded in size and depth before they are decoded.

    A binary frame closes with 1003, an oversized one with 1009, one that is not JSON or nests
    too deep with 1007; the decoded content goes to receive_json as usual.
    """

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            content = frame_json(frame_admit(text_data))
        except FrameRefused as refused:
            await self.close(code=refused.code)
            return
        await self.receive_json(content)


class PingConsumer(BoundedJsonConsumer):
    """A tiny authenticated websocket endpoint that proves routing and auth end to end."""

    async def connect(self) -> None:
        await self.accept()
        if not self.scope["user"].is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        await self.send_json({"type": "hello", "user": self.scope["user"].pk})

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict) or content.get("type") != "ping":
            await self.close(code=CLOSE_BAD_MESSAGE)
            return
        await self.send_json({"type": "pong", "user": self.scope["user"].pk})
