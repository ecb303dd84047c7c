"""Websocket auth: refused without credentials, accepted with a ticket or a same-origin cookie."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient
from websockets.typing import Origin

from config.asgi import application
from tests.support.servers import asgi_server
from tests.support.sockets import close_code

pytestmark = pytest.mark.django_db(transaction=True)


def ticket_for(user) -> str:
    client = APIClient()
    client.force_authenticate(user)
    return client.post("/api/auth/ws-ticket/").json()["ticket"]


async def test_anonymous_socket_is_closed_with_4401() -> None:
    communicator = WebsocketCommunicator(application, "/ws/ping/")
    connected, _ = await communicator.connect()
    assert connected
    assert await close_code(communicator) == 4401


async def test_a_ticket_authenticates_a_non_browser_client(candidate) -> None:
    from asgiref.sync import sync_to_async

    ticket = await sync_to_async(ticket_for)(candidate)
    communicator = WebsocketCommunicator(application, f"/ws/ping/?ticket={ticket}")
    connected, _ = await communicator.connect()
    assert connected
    assert await communicator.receive_json_from() == {"type": "hello", "user": candidate.pk}
    await communicator.send_json_to({"type": "ping"})
    assert (await communicator.receive_json_from())["type"] == "pong"
    await communicator.disconnect()


async def test_a_forged_ticket_is_refused() -> None:
    communicator = WebsocketCommunicator(application, "/ws/ping/?ticket=1:forged:sig")
    await communicator.connect()
    assert await close_code(communicator) == 4401


async def test_a_foreign_origin_is_refused_before_the_handshake(candidate) -> None:
    communicator = WebsocketCommunicator(
        application, "/ws/ping/", headers=[(b"origin", b"https://evil.example")]
    )
    connected, code = await communicator.connect()
    assert not connected
    assert code == 4403


async def handshake(headers: list[tuple[bytes, bytes]], path: str = "/ws/ping/") -> int | None:
    """Open a socket with these headers; return the close code, or None if it stayed open."""
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect()
    if not connected:
        return code
    output = await communicator.receive_output()
    await communicator.disconnect()
    return output.get("code") if output["type"] == "websocket.close" else None


@pytest.mark.parametrize(
    ("host", "origin"),
    [
        # another port on the same host is another site (any local dev server)
        ("127.0.0.1:8000", "http://127.0.0.1:6666"),
        ("localhost:8000", "http://localhost:3000"),
        # another scheme is another origin
        ("localhost:8000", "https://localhost:8000"),
        ("127.0.0.1:8000", "http://localhost:8001"),
        ("[::1]:8000", "http://[::1]:8001"),
        # a Host the settings do not allow cannot vouch for itself
        ("evil.example", "http://evil.example"),
        ("localhost:8000", "null"),
        ("localhost:8000", "http://localhost:8000/path"),
        ("localhost:8000", "http://localhost:99999"),
    ],
)
async def test_a_cookie_from_another_scheme_host_or_port_is_refused(host: str, origin: str) -> None:
    headers = [(b"host", host.encode()), (b"origin", origin.encode())]
    assert await handshake(headers) == 4403


@pytest.mark.parametrize(
    ("host", "origin"),
    [
        # make run on 127.0.0.1:8000, reached by either name or over IPv6
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("localhost:8000", "http://localhost:8000"),
        ("[::1]:8000", "http://[::1]:8000"),
        # the Vite dev server proxies /ws and keeps the Host it was asked for
        ("localhost:5173", "http://localhost:5173"),
        # a default port may be written or left out
        ("localhost", "http://localhost:80"),
        # SITE_URL is allowed whatever Host a proxy passes on
        ("web:8000", "http://localhost:8000"),
    ],
)
async def test_the_page_s_own_origin_passes_the_origin_check(host: str, origin: str) -> None:
    headers = [(b"host", host.encode()), (b"origin", origin.encode())]
    # anonymous, so the consumer's 4401 shows the origin check was passed
    assert await handshake(headers) == 4401


async def test_a_session_cookie_opens_a_socket_while_the_session_lasts(candidate) -> None:
    client = Client()
    await database_sync_to_async(client.force_login)(candidate)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    headers = [
        (b"host", b"localhost:8000"),
        (b"origin", b"http://localhost:8000"),
        (b"cookie", cookie.encode()),
    ]
    communicator = WebsocketCommunicator(application, "/ws/ping/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    assert await communicator.receive_json_from() == {"type": "hello", "user": candidate.pk}
    await communicator.disconnect()
    # Signed out elsewhere: the session is gone, and its cookie opens nothing.
    await database_sync_to_async(client.logout)()
    assert await handshake(headers) == 4401


async def test_behind_a_tls_proxy_the_forwarded_scheme_decides(settings) -> None:
    settings.ALLOWED_HOSTS = ["sevenstep.example"]
    settings.SITE_URL = "https://other.example"
    settings.CSRF_TRUSTED_ORIGINS = []
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    host = (b"host", b"sevenstep.example")
    https = [host, (b"origin", b"https://sevenstep.example"), (b"x-forwarded-proto", b"https")]
    assert await handshake(https) == 4401
    plain = [host, (b"origin", b"http://sevenstep.example"), (b"x-forwarded-proto", b"https")]
    assert await handshake(plain) == 4403


async def test_a_trusted_origin_from_the_settings_is_allowed(settings) -> None:
    settings.CSRF_TRUSTED_ORIGINS = ["https://app.example:8443"]
    headers = [(b"host", b"localhost:8000"), (b"origin", b"https://app.example:8443")]
    assert await handshake(headers) == 4401
    headers = [(b"host", b"localhost:8000"), (b"origin", b"https://app.example")]
    assert await handshake(headers) == 4403


async def test_a_ticket_opens_only_one_socket(candidate) -> None:
    from asgiref.sync import sync_to_async

    ticket = await sync_to_async(ticket_for)(candidate)
    first = WebsocketCommunicator(application, f"/ws/ping/?ticket={ticket}")
    await first.connect()
    assert (await first.receive_json_from())["type"] == "hello"
    assert await handshake([], f"/ws/ping/?ticket={ticket}") == 4401
    await first.disconnect()


async def test_a_ticket_fetched_before_logout_opens_nothing(candidate, password) -> None:
    from asgiref.sync import sync_to_async

    def ticket_then_logout() -> str:
        client = APIClient()
        client.post(
            "/api/auth/login/",
            {"email": candidate.email, "password": password},
            format="json",
        )
        ticket = client.post("/api/auth/ws-ticket/").json()["ticket"]
        assert client.post("/api/auth/logout/").status_code == 204
        return ticket

    ticket = await sync_to_async(ticket_then_logout)()
    assert await handshake([], f"/ws/ping/?ticket={ticket}") == 4401


async def test_a_binary_frame_on_a_json_socket_closes_only_that_socket(candidate) -> None:
    from asgiref.sync import sync_to_async

    ticket = await sync_to_async(ticket_for)(candidate)
    communicator = WebsocketCommunicator(application, f"/ws/ping/?ticket={ticket}")
    await communicator.connect()
    await communicator.receive_json_from()
    await communicator.send_to(bytes_data=b"\x00\x01")
    assert (await communicator.receive_output())["code"] == 1003
    # Finish the consumer on this test's loop: one left waiting on the Redis layer's blocking
    # read can hang the loop's teardown.
    await communicator.disconnect()


def test_real_server_refuses_anonymous_and_accepts_a_session_cookie(candidate, password) -> None:
    with asgi_server() as server:
        import httpx

        with httpx.Client(base_url=server.http_url) as http:
            csrf = http.get("/api/auth/csrf/").json()["csrf_token"]
            login = http.post(
                "/api/auth/login/",
                json={"email": candidate.email, "password": password},
                headers={"X-CSRFToken": csrf, "Referer": server.http_url},
            )
            assert login.status_code == 200, login.text
            cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())

        async def scenario() -> tuple[int, dict]:
            async with websockets.connect(f"{server.ws_url}/ws/ping/") as anon:
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    await anon.recv()
                assert closed.value.rcvd is not None
                anon_code = closed.value.rcvd.code
            async with websockets.connect(
                f"{server.ws_url}/ws/ping/",
                additional_headers={"Cookie": cookie},
                origin=Origin(server.http_url),
            ) as browser:
                hello = json.loads(await browser.recv())
            # The same cookie from a page on another port of the same host is refused.
            other_port = server.http_url.rsplit(":", 1)[0] + ":6666"
            with pytest.raises(websockets.InvalidStatus, match="403"):
                async with websockets.connect(
                    f"{server.ws_url}/ws/ping/",
                    additional_headers={"Cookie": cookie},
                    origin=Origin(other_port),
                ):
                    pass
            return anon_code, hello

        anon_code, hello = asyncio.run(scenario())
    assert anon_code == 4401
    assert hello == {"type": "hello", "user": candidate.pk}
