"""A y-websocket client on pycrdt for consumer tests, and helpers to set up live interviews."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from channels.testing import WebsocketCommunicator
from django.utils import timezone
from pycrdt import Doc, Text, YMessageType, YSyncMessageType, create_update_message

from accounts.services import ws_ticket_issue
from config.asgi import application
from interviews.live import protocol


def live_interview(interviewer: Any, candidate: Any, **fields: Any) -> Any:
    """Create an interview that starts in five minutes, so its room is open."""
    from tests.factories import InterviewFactory

    fields.setdefault("starts_at", timezone.now() + timedelta(minutes=5))
    return InterviewFactory(interviewer=interviewer, candidate=candidate, **fields)


def ws_path(interview_id: int, room: str, user: Any | None) -> str:
    path = f"/ws/interviews/{interview_id}/{room}"
    return f"{path}?ticket={ws_ticket_issue(user=user)}" if user is not None else path


class YClient:
    """One socket with its own pycrdt document, speaking y-websocket frame by frame."""

    opened: list[YClient] = []

    def __init__(self, path: str) -> None:
        self.communicator = WebsocketCommunicator(application, path)
        self.doc: Doc = Doc()
        YClient.opened.append(self)

    @classmethod
    async def disconnect_all(cls) -> None:
        """Disconnect every client a test opened, so each room empties and lets go."""
        while cls.opened:
            await cls.opened.pop().disconnect()

    async def connect(self) -> None:
        connected, _ = await self.communicator.connect()
        assert connected

    async def frame(self, timeout: float = 3) -> bytes:
        output = await self.communicator.receive_output(timeout)
        if output["type"] == "websocket.close":
            raise ConnectionClosed(output.get("code", 1000))
        assert output.get("bytes") is not None, output
        return output["bytes"]

    async def message(self, timeout: float = 3) -> protocol.Message:
        return protocol.parse(await self.frame(timeout))

    async def close_code(self, timeout: float = 3) -> int:
        while True:
            output = await self.communicator.receive_output(timeout)
            if output["type"] == "websocket.close":
                return int(output.get("code", 1000))

    async def nothing(self, timeout: float = 0.3) -> bool:
        return await self.communicator.receive_nothing(timeout)

    async def send(self, frame: bytes) -> None:
        await self.communicator.send_to(bytes_data=frame)

    async def sync(self) -> None:
        """Send our step 1 and apply the server's step 2 (skipping other frames)."""
        await self.send(protocol.sync_step1(self.doc))
        while True:
            message = await self.message()
            if message.kind == protocol.Kind.SYNC_STEP2:
                self.doc.apply_update(message.payload)
                return

    def text(self, name: str) -> Text:
        return self.doc.get(name, type=Text)

    async def type(self, name: str, value: str, index: int | None = None) -> bytes:
        """Insert text locally and send the update; return it."""
        before = self.doc.get_state()
        text = self.text(name)
        text.insert(len(text) if index is None else index, value)
        update = self.doc.get_update(before)
        await self.send(create_update_message(update))
        return update

    def apply(self, message: protocol.Message) -> None:
        assert message.kind in (protocol.Kind.UPDATE, protocol.Kind.SYNC_STEP2), message
        self.doc.apply_update(message.payload)

    async def disconnect(self) -> None:
        if self.communicator.future.done():
            return
        await self.communicator.disconnect()


class ConnectionClosed(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def awareness_frame(client_id: int, clock: int, state: dict[str, Any] | None) -> bytes:
    import json

    from pycrdt import Encoder, create_awareness_message

    encoder = Encoder()
    encoder.write_var_uint(1)
    encoder.write_var_uint(client_id)
    encoder.write_var_uint(clock)
    encoder.write_var_string(json.dumps(state))
    return create_awareness_message(encoder.to_bytes())


SYNC = YMessageType.SYNC
STEP1 = YSyncMessageType.SYNC_STEP1
