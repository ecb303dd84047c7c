"""Close codes and the JSON websocket base shared by every consumer; the ping endpoint."""

from __future__ import annotations

from typing import Any

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
CLOSE_DOCUMENT_TOO_LARGE = 4413
# An awareness entry the socket may not set: another client's id, more client ids than a
# socket may own, or a state outside what the app puts there (unknown key, colour not #rrggbb).
CLOSE_AWARENESS_REFUSED = 4422
CLOSE_TOO_EARLY = 4425  # the interview's room is not open yet
CLOSE_RATE_LIMITED = 4429
CLOSE_ROOM_CLOSED = 4410  # the interview has ended: nothing more happens in its room
CLOSE_REPLACED = 4409  # the same user opened the call in another tab, which takes over


def bounded_json(text: str) -> Any:
    """Decode a JSON websocket message within WS_JSON_MAX_BYTES and WS_JSON_MAX_DEPTH."""
    return jsonbounds.loads(
        text, max_bytes=settings.WS_JSON_MAX_BYTES, max_depth=settings.WS_JSON_MAX_DEPTH
    )


def refusal_code(refused: jsonbounds.JsonRefused) -> int:
    """The close code for a JSON message the server will not decode."""
    if isinstance(refused, jsonbounds.JsonTooLarge):
        return CLOSE_MESSAGE_TOO_BIG
    return CLOSE_INVALID_PAYLOAD


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
        if text_data is None:
            await self.close(code=CLOSE_UNSUPPORTED_DATA)
            return
        try:
            content = bounded_json(text_data)
        except jsonbounds.JsonRefused as refused:
            await self.close(code=refusal_code(refused))
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
