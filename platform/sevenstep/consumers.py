"""A tiny authenticated websocket endpoint that proves routing and auth end to end."""

from __future__ import annotations

from channels.generic.websocket import AsyncJsonWebsocketConsumer

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
CLOSE_TOO_EARLY = 4425  # the interview's room is not open yet
CLOSE_RATE_LIMITED = 4429
CLOSE_ROOM_CLOSED = 4410  # the interview has ended: nothing more happens in its room
CLOSE_REPLACED = 4409  # the same user opened the call in another tab, which takes over


class PingConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        await self.accept()
        if not self.scope["user"].is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        await self.send_json({"type": "hello", "user": self.scope["user"].pk})

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            await self.close(code=CLOSE_UNSUPPORTED_DATA)
            return
        try:
            content = await self.decode_json(text_data)
        except ValueError:
            content = None
        if not isinstance(content, dict) or content.get("type") != "ping":
            await self.close(code=CLOSE_BAD_MESSAGE)
            return
        await self.send_json({"type": "pong", "user": self.scope["user"].pk})
