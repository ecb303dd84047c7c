"""A socket that stops reading, on a real server: the room goes on, and lets go of its queue.

The room queues what it sends to each socket and never waits on a send (interviews/live/
consumers.py, `post`): before, the commit loop awaited every socket's send in turn, so one
client that did not read held up the commits of every room in the process. The tab that fell
behind is closed: once it reads again it finds the close (1013) after what the server had
handed over, or, if it came back later than LIVE_SOCKET_CLOSE_SECONDS, the connection ended.
Either way a stock client reconnects at once and resyncs.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import httpx
import pytest
from pycrdt import Doc, Text, create_update_message
from websockets.client import ClientProtocol
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State
from websockets.sync.client import ClientConnection, connect
from websockets.uri import parse_uri

from accounts.services import ws_ticket_issue
from interviews.live import protocol
from interviews.live.protocol import Kind
from sevenstep.consumers import CLOSE_TRY_AGAIN_LATER
from tests.support.metrics import sample
from tests.support.servers import asgi_server
from tests.support.yjs import live_interview

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

CHUNK = 100_000  # characters per edit
EDITS = 100  # 10 MB in all: more than the kernel's socket buffers hold for a client
OUTBOX = 256 * 1024
CLOSE_SECONDS = 10
# How long a tab that reads again may take to find its socket closed: what the server holds
# for it drains in well under a second; the rest is room for a loaded machine.
BOUND = 15


def _open(url: str, user: Any) -> ClientConnection:
    return connect(f"{url}?ticket={ws_ticket_issue(user=user)}", max_size=None)


class Frozen:
    """A client that opens the socket and then reads nothing: a tab whose machine froze.

    A plain socket with a small receive window, speaking websockets' own sans-I/O protocol;
    the stock clients read in a background thread, so they never stop reading.
    """

    def __init__(self, url: str, user: Any) -> None:
        self.protocol = ClientProtocol(
            parse_uri(f"{url}?ticket={ws_ticket_issue(user=user)}"), max_size=None
        )
        host, port = url.removeprefix("ws://").split("/", 1)[0].split(":")
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.settimeout(60)
        self.sock.connect((host, int(port)))
        self.protocol.send_request(self.protocol.connect())
        for data in self.protocol.data_to_send():
            self.sock.sendall(data)
        while self.protocol.state is State.CONNECTING:
            self.protocol.receive_data(self.sock.recv(4096))
        assert self.protocol.state is State.OPEN, self.protocol.handshake_exc
        self.protocol.events_received()  # the handshake's response

    def resume(self) -> float | None:
        """Read again to the end of the connection: the seconds it took, None if still open."""
        start = time.monotonic()
        self.sock.settimeout(BOUND)
        while time.monotonic() - start < BOUND:
            try:
                data = self.sock.recv(65536)
            except TimeoutError:
                return None
            except ConnectionResetError:
                data = b""
            if not data:
                self.protocol.receive_eof()
                return time.monotonic() - start
            self.protocol.receive_data(data)
            self.protocol.events_received()  # the notes it missed: it resyncs on reconnecting
        return None


class Follower(threading.Thread):
    """Read a socket to its end, applying every update to a document of its own."""

    def __init__(self, conn: ClientConnection) -> None:
        super().__init__(daemon=True)
        self.conn = conn
        self.doc: Doc = Doc()
        self.close_code: int | None = None
        self.length = 0  # of the notes, read by the test's thread (the document stays here)

    def run(self) -> None:
        notes = self.doc.get("notes", type=Text)
        try:
            for frame in self.conn:
                assert isinstance(frame, bytes)
                message = protocol.parse(frame)
                if message.kind in (Kind.UPDATE, Kind.SYNC_STEP2):
                    self.doc.apply_update(message.payload)
                    self.length = len(notes)
        except ConnectionClosed as closed:
            self.close_code = closed.rcvd.code if closed.rcvd else None


class Watcher(threading.Thread):
    """Scrape the server's metrics until the frozen tabs overflowed, then resume one of them.

    It reads again at once, well within LIVE_SOCKET_CLOSE_SECONDS of its overflow.
    """

    def __init__(self, http_url: str, frozen: Frozen, overflows: int) -> None:
        super().__init__(daemon=True)
        self.http_url = http_url
        self.frozen = frozen
        self.overflows = overflows
        self.seen: float | None = None  # when the overflows showed, on the monotonic clock
        self.took: float | None = None

    def run(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if scrape(self.http_url, "sevenstep_live_outbox_overflows_total") >= self.overflows:
                self.seen = time.monotonic()
                self.took = self.frozen.resume()
                return
            time.sleep(0.05)


def scrape(http_url: str, name: str) -> float:
    response = httpx.get(f"{http_url}/metrics", headers={"Authorization": "Bearer operator"})
    return sample(response.text, name)


def test_a_socket_that_stops_reading_holds_up_nobody_and_is_closed(
    interviewer, candidate, tmp_path
) -> None:
    interview = live_interview(interviewer, candidate)
    env = {
        "METRICS_TOKEN": "operator",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),  # this server's counters only
        "LIVE_SOCKET_OUTBOX_BYTES": str(OUTBOX),
        "LIVE_SOCKET_CLOSE_SECONDS": str(CLOSE_SECONDS),
        "LIVE_MAX_DOCUMENT_BYTES": str(64 * 1024 * 1024),
        "LIVE_MAX_LOG_BYTES": str(64 * 1024 * 1024),
        "LIVE_RATE_PER_SECOND": "1000",
        "LIVE_RATE_BURST": "1000",
    }
    with asgi_server(env) as running:
        url = f"{running.ws_url}/ws/interviews/{interview.pk}/notes"
        # Two of the candidate's other tabs freeze: one comes back soon, one much later.
        soon = Frozen(url, candidate)
        late = Frozen(url, candidate)
        watcher = Watcher(running.http_url, soon, overflows=2)
        watcher.start()
        reader = Follower(_open(url, interviewer))
        reader.start()
        writer = Follower(_open(url, candidate))
        writer.start()
        doc: Doc = Doc()
        notes = doc.get("notes", type=Text)
        for _ in range(EDITS):
            before = doc.get_state()
            notes += "x" * CHUNK
            writer.conn.send(create_update_message(doc.get_update(before)))
        deadline = time.monotonic() + 60
        while reader.length < EDITS * CHUNK and time.monotonic() < deadline:
            time.sleep(0.1)
        # Everything reached the interviewer while the frozen tabs had read nothing.
        assert reader.length == EDITS * CHUNK
        assert reader.close_code is None and writer.close_code is None

        # Each frozen tab fell more than the bound behind: the room let go of what it queued
        # for it. The tab that reads again soon gets what was handed over, then the close.
        watcher.join(timeout=120 + BOUND)
        assert watcher.seen is not None, "the frozen tabs never overflowed"
        assert scrape(running.http_url, "sevenstep_live_outbox_overflows_total") == 2
        assert watcher.took is not None, "reading again, the tab never found its socket closed"
        assert soon.protocol.close_rcvd is not None
        assert soon.protocol.close_rcvd.code == CLOSE_TRY_AGAIN_LATER

        # The tab that stays frozen does not hold its connection on the server past
        # LIVE_SOCKET_CLOSE_SECONDS: only the interviewer's and the writer's remain.
        deadline = watcher.seen + CLOSE_SECONDS + 30
        while time.monotonic() < deadline:
            if scrape(running.http_url, "sevenstep_websockets_open") == 2:
                break
            time.sleep(0.2)
        assert scrape(running.http_url, "sevenstep_websockets_open") == 2
        # Reading again, much later, it finds the connection ended.
        assert late.resume() is not None
        reader.conn.close()
        writer.conn.close()
