"""The live room under a network drop, and the diagram board shared through the notes document."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from pycrdt import Doc, Map

from interviews.live.layout import BOARD
from interviews.live.models import LiveDocument
from interviews.live.selectors import document_state
from tests.e2e.conftest import log_in, screenshot
from tests.factories import InterviewFactory, UserFactory
from tests.support.servers import free_port


class FlakyLink:
    """A TCP relay in front of the server whose network can be cut and restored."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.port = free_port()
        self.online = True
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if not self.online:
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            with self._lock:
                self._sockets |= {client, upstream}
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    def _pipe(self, source: socket.socket, target: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                target.sendall(data)
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Drop every open connection and refuse new ones, like a dead Wi-Fi."""
        self.online = False
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            self._sockets.clear()

    def restore(self) -> None:
        self.online = True

    def close(self) -> None:
        self.cut()
        self._listener.close()


@pytest.fixture
def flaky_link(e2e_server) -> Iterator[FlakyLink]:
    link = FlakyLink(e2e_server.port)
    yield link
    link.close()


def _live_interview():
    ivy = UserFactory(email="ivy@example.com", profile__display_name="Ivy")
    carl = UserFactory(email="carl@example.com", profile__display_name="Carl")
    return InterviewFactory(
        interviewer=ivy, candidate=carl, starts_at=timezone.now() + timedelta(minutes=2)
    )


def test_the_room_reconnects_by_itself_and_delivers_edits_made_offline(
    new_page, password, flaky_link
) -> None:
    interview = _live_interview()
    room = f"/interviews/{interview.pk}/room"
    interviewer = new_page()
    candidate = new_page(base_url=f"http://127.0.0.1:{flaky_link.port}")
    log_in(interviewer, "ivy@example.com", password, room)
    log_in(candidate, "carl@example.com", password, room)
    badge = candidate.get_by_test_id("connection")
    badge.get_by_text("Connected").wait_for()
    interviewer.get_by_test_id("connection").get_by_text("Connected").wait_for()

    flaky_link.cut()
    badge.get_by_text("Connection lost — reconnecting…").wait_for()
    screenshot(candidate, "30-room-reconnecting")
    candidate.locator(".notes .cm-content").click()
    candidate.keyboard.type("written while offline")
    interviewer.wait_for_timeout(500)
    assert "written while offline" not in interviewer.locator(".notes .cm-content").inner_text()

    flaky_link.restore()
    badge.get_by_text("Connected").wait_for()
    interviewer.locator(".notes .cm-content").get_by_text("written while offline").wait_for()


def test_a_shape_drawn_on_the_board_reaches_the_partner_and_is_stored(new_page, password) -> None:
    interview = _live_interview()
    room = f"/interviews/{interview.pk}/room"
    interviewer = new_page()
    candidate = new_page()
    log_in(interviewer, "ivy@example.com", password, room)
    log_in(candidate, "carl@example.com", password, room)
    for page in (interviewer, candidate):
        page.get_by_test_id("connection").get_by_text("Connected").wait_for()
        page.get_by_role("tab", name="Diagram board").click()
        page.locator(".board canvas").first.wait_for()

    candidate.get_by_title("Rectangle", exact=False).first.click()
    box = candidate.locator(".board").bounding_box()
    # Right of the style panel that opens with the tool.
    candidate.mouse.move(box["x"] + 420, box["y"] + 200)
    candidate.mouse.down()
    candidate.mouse.move(box["x"] + 640, box["y"] + 320, steps=10)
    candidate.mouse.up()

    def stored_shapes() -> list[str]:
        document = LiveDocument.objects.get(interview=interview, kind="notes")
        doc: Doc = Doc()
        doc.apply_update(document_state(document_id=document.pk).update)
        board = doc.get(BOARD, type=Map)
        return [e["type"] for e in board.values() if not e.get("isDeleted")]

    deadline = time.monotonic() + 10
    while stored_shapes() != ["rectangle"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert stored_shapes() == ["rectangle"]

    # The interviewer's board now holds one element: select everything and its style panel shows.
    interviewer.locator(".board canvas").last.click(position={"x": 40, "y": 400})
    interviewer.keyboard.press("Control+A")
    interviewer.get_by_text("Stroke", exact=False).first.wait_for()
    screenshot(interviewer, "31-board-interviewer")
