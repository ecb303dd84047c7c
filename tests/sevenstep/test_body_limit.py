"""Request bodies over MAX_REQUEST_BODY_BYTES are refused as soon as the limit is crossed.

Whatever the framing: a Content-Length over the limit is refused before a byte of the body is
read, and a chunked body (which declares no length) is counted as it arrives and refused the
moment the count passes the limit, without reading the rest.
"""

from __future__ import annotations

import json
import select
import socket
import time
from typing import Any

import pytest
from channels.testing import ApplicationCommunicator

from config.asgi import application
from tests.sevenstep.test_errors import assert_error_shape
from tests.support.servers import asgi_server

LIMIT = 64 * 1024
CHUNK = 16 * 1024


def http_scope(headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/auth/token/",
        "raw_path": b"/api/auth/token/",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


async def answer(communicator: ApplicationCommunicator) -> tuple[int, dict[str, Any], dict]:
    start = await communicator.receive_output(timeout=5)
    assert start["type"] == "http.response.start", start
    body = await communicator.receive_output(timeout=5)
    headers = {name.decode(): value.decode() for name, value in start["headers"]}
    return start["status"], headers, json.loads(body["body"])


@pytest.mark.django_db
async def test_a_declared_length_over_the_limit_is_refused_before_any_body_is_read(
    settings,
) -> None:
    settings.MAX_REQUEST_BODY_BYTES = LIMIT
    declared = [(b"content-length", str(300 * 1024 * 1024).encode())]
    communicator = ApplicationCommunicator(application, http_scope(declared))
    # Not a byte of the body is sent: the answer comes from the headers alone.
    status, headers, body = await answer(communicator)
    assert status == 413
    assert_error_shape(body, "request_too_large")
    assert headers["connection"] == "close"


@pytest.mark.django_db
async def test_a_content_length_that_is_not_a_number_is_a_400(settings) -> None:
    communicator = ApplicationCommunicator(application, http_scope([(b"content-length", b"1e9")]))
    status, _, body = await answer(communicator)
    assert status == 400
    assert_error_shape(body, "bad_request")


@pytest.mark.django_db
async def test_a_chunked_body_is_refused_once_it_passes_the_limit_and_no_more_is_read(
    settings,
) -> None:
    settings.MAX_REQUEST_BODY_BYTES = LIMIT
    communicator = ApplicationCommunicator(application, http_scope([]))
    sent = 0
    # The body never ends: chunk after chunk, each saying more follows.
    while sent <= LIMIT:
        await communicator.send_input(
            {"type": "http.request", "body": b" " * CHUNK, "more_body": True}
        )
        sent += CHUNK
    for _ in range(8):
        await communicator.send_input(
            {"type": "http.request", "body": b" " * CHUNK, "more_body": True}
        )
    status, _, body = await answer(communicator)
    assert status == 413
    assert_error_shape(body, "request_too_large")
    # The application took the chunks up to the one that crossed the limit and no more.
    assert communicator.input_queue.qsize() == 8


@pytest.mark.django_db
async def test_a_body_within_the_limit_reaches_the_view(settings) -> None:
    settings.MAX_REQUEST_BODY_BYTES = LIMIT
    communicator = ApplicationCommunicator(application, http_scope([]))
    for part in (b'{"email": ', b'"x@example.com"}'):
        await communicator.send_input({"type": "http.request", "body": part, "more_body": True})
    await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
    status, _, body = await answer(communicator)
    assert status == 400
    assert_error_shape(body, "validation_error")
    assert "password" in body["error"]["fields"]


def test_a_real_server_refuses_a_chunked_body_that_never_ends_early_and_stops_reading() -> None:
    # What the client manages to send before the answer includes what the kernel buffers on both
    # sides of a loopback connection (a few MiB at most); the old code read without end.
    slack = 8 * 1024 * 1024
    with asgi_server({"MAX_REQUEST_BODY_BYTES": str(LIMIT)}) as server:
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, CHUNK)
        sock.sendall(
            b"POST /api/auth/token/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b"%x\r\n%s\r\n" % (CHUNK, b" " * CHUNK)
        sock.setblocking(False)
        sent, received, closed = 0, b"", False
        deadline = time.monotonic() + 60
        while not closed and time.monotonic() < deadline:
            answered = b"\r\n\r\n" in received
            readable, writable, _ = select.select([sock], [] if answered else [sock], [], 1)
            if readable:
                try:
                    data = sock.recv(65536)
                except ConnectionResetError:
                    data = b""
                received += data
                closed = not data
            elif writable:
                assert sent < LIMIT + slack, f"no answer after {sent} bytes of body"
                offset = sent % len(chunk)
                try:
                    sent += sock.send(chunk[offset:])
                except BlockingIOError:
                    pass
                except (BrokenPipeError, ConnectionResetError):
                    answered = True
        sock.close()
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), received[:200]
    assert_error_shape(json.loads(body))
    # The server closed the connection instead of draining a body that never ends.
    assert closed, "the connection stayed open after the 413"
    print(f"\n413 after {sent} bytes sent (limit {LIMIT})")
