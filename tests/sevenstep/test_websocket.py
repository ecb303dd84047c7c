"""Websocket auth: refused without credentials, accepted with a ticket or a same-origin cookie."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets
from channels.testing import WebsocketCommunicator
from rest_framework.test import APIClient

from config.asgi import application
from tests.support.servers import asgi_server

pytestmark = pytest.mark.django_db(transaction=True)


def ticket_for(user) -> str:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client.post("/api/auth/ws-ticket/").json()["ticket"]


async def test_anonymous_socket_is_closed_with_4401() -> None:
    communicator = WebsocketCommunicator(application, "/ws/ping/")
    connected, _ = await communicator.connect()
    assert connected
    closed = await communicator.receive_output()
    assert closed["type"] == "websocket.close"
    assert closed["code"] == 4401


async def test_a_ticket_authenticates_a_non_browser_client(candidate) -> None:  # type: ignore[no-untyped-def]
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
    assert (await communicator.receive_output())["code"] == 4401


async def test_a_foreign_origin_is_refused_before_the_handshake(candidate) -> None:  # type: ignore[no-untyped-def]
    communicator = WebsocketCommunicator(
        application, "/ws/ping/", headers=[(b"origin", b"https://evil.example")]
    )
    connected, code = await communicator.connect()
    assert not connected
    assert code == 4403


async def test_a_binary_frame_on_a_json_socket_closes_only_that_socket(candidate) -> None:  # type: ignore[no-untyped-def]
    from asgiref.sync import sync_to_async

    ticket = await sync_to_async(ticket_for)(candidate)
    communicator = WebsocketCommunicator(application, f"/ws/ping/?ticket={ticket}")
    await communicator.connect()
    await communicator.receive_json_from()
    await communicator.send_to(bytes_data=b"\x00\x01")
    assert (await communicator.receive_output())["code"] == 1003


def test_real_server_refuses_anonymous_and_accepts_a_session_cookie(candidate, password) -> None:  # type: ignore[no-untyped-def]
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

        async def scenario() -> tuple[int, dict]:  # type: ignore[type-arg]
            async with websockets.connect(f"{server.ws_url}/ws/ping/") as anon:
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    await anon.recv()
                anon_code = closed.value.rcvd.code
            async with websockets.connect(
                f"{server.ws_url}/ws/ping/",
                additional_headers={"Cookie": cookie},
                origin=server.http_url,
            ) as browser:
                hello = json.loads(await browser.recv())
            return anon_code, hello

        anon_code, hello = asyncio.run(scenario())
    assert anon_code == 4401
    assert hello == {"type": "hello", "user": candidate.pk}
