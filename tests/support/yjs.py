"""A y-websocket client on pycrdt for consumer tests, and helpers to set up live interviews."""

from __future__ import annotations

import contextlib
import json
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
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


SPARE_TICKETS = 20


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


async def joined(interview: Any, user: Any, room: str = "notes") -> YClient:
    """Connect a YClient to a room and read the server's opening step 1."""
    client = YClient(ws_path(interview.pk, room, user))
    await client.connect()
    first = await client.message()
    assert first.kind == protocol.Kind.SYNC_STEP1
    return client


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


HARNESS = Path(__file__).resolve().parents[1] / "interviews" / "yjs_harness"


def ensure_harness() -> str:
    """Return the node binary, installing the harness's locked packages if missing."""
    import os
    import shutil

    import pytest

    node = shutil.which("node")
    if node is None:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("REQUIRE_SERVICES=1 but node is not installed", pytrace=False)
        pytest.skip("needs Node.js for the real Yjs client")
    if not (HARNESS / "node_modules" / "y-websocket").is_dir():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HARNESS, check=True
        )
    return node


class YjsHarness:
    """Stock Yjs clients in one Node process, driven command by command (see driver.mjs)."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [ensure_harness(), str(HARNESS / "driver.mjs")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self._seq = 0
        self._answers: dict[int, dict[str, Any]] = {}
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            answer = json.loads(line)
            with self._cond:
                self._answers[answer["seq"]] = answer
                self._cond.notify_all()

    def send(self, cmd: str, **fields: Any) -> int:
        assert self.proc.stdin is not None
        self._seq += 1
        self.proc.stdin.write(json.dumps({"seq": self._seq, "cmd": cmd, **fields}) + "\n")
        self.proc.stdin.flush()
        return self._seq

    def wait(self, seq: int, timeout: float = 30) -> dict[str, Any]:
        with self._cond:
            if not self._cond.wait_for(lambda: seq in self._answers, timeout):
                raise TimeoutError(f"harness did not answer command {seq}")
            answer = self._answers.pop(seq)
        if not answer["ok"]:
            raise RuntimeError(answer["error"])
        return answer

    def call(self, cmd: str, timeout: float = 30, **fields: Any) -> dict[str, Any]:
        return self.wait(self.send(cmd, **fields), timeout)

    def open(
        self, client: str, base_url: str, interview_id: int, user: Any, room: str = "notes"
    ) -> dict[str, Any]:
        """Open a stock client and wait until it synced; the answer holds its client_id."""
        return self.call(
            "open",
            id=client,
            url=f"{base_url}/ws/interviews/{interview_id}",
            room=room,
            params={"ticket": ws_ticket_issue(user=user)},
            # Tickets are single-use: one spare for each time the client may reconnect.
            tickets=[ws_ticket_issue(user=user) for _ in range(SPARE_TICKETS)],
        )

    def texts(self, client: str) -> dict[str, str]:
        return self.call("state", id=client)["texts"]

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                self.send("exit")
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@dataclass(frozen=True, slots=True)
class Unmet:
    """What a polled condition saw while it does not hold (reported if it never does)."""

    seen: Any


def wait_until(
    condition: Callable[..., bool | Unmet], timeout: float = 15, interval: float = 0.05
) -> None:
    """Poll a condition until it returns True; fail with the last value it returned.

    Only True counts: a condition that returns anything else (an `Unmet` with what it saw, a
    truthy tuple by mistake) keeps the wait going, so a slip can fail a test but never pass one.
    It is called with no argument; `...` lets a lambda bind a loop variable as a default
    (`lambda peer=peer: ...`), which mypy cannot match against `Callable[[], ...]`.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value is True:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met in {timeout}s: {value!r}")
        time.sleep(interval)


def decode_state_vector(state: bytes) -> dict[int, int]:
    """Decode a Yjs state vector: {client id: clock}."""
    from pycrdt import Decoder

    decoder = Decoder(state)
    count = decoder.read_var_uint()
    return {decoder.read_var_uint(): decoder.read_var_uint() for _ in range(count)}
