"""The loadtest_rooms command writes clients that the live room accepts."""

from __future__ import annotations

import io
import json
from urllib.parse import urlencode, urlparse

import pytest
from channels.db import database_sync_to_async
from django.core.management import CommandError, call_command

from interviews.live.protocol import Kind
from interviews.models import Interview
from tests.support.yjs import YClient

pytestmark = pytest.mark.django_db(transaction=True)


def generate(tmp_path, auth: str, rooms: int = 2) -> list[dict]:
    out = tmp_path / "clients.json"
    call_command(
        "loadtest_rooms",
        rooms=rooms,
        base_url="ws://127.0.0.1:8765",
        out=out,
        auth=auth,
        stdout=io.StringIO(),
    )
    return json.loads(out.read_text())


@pytest.mark.parametrize("auth", ["session", "ticket"])
async def test_every_generated_client_joins_its_room(tmp_path, auth) -> None:
    clients = await database_sync_to_async(generate)(tmp_path, auth)
    assert len(clients) == 4
    assert await database_sync_to_async(Interview.objects.count)() == 2
    assert len({client["url"] for client in clients}) == 2
    for client in clients:
        url = urlparse(client["url"])
        assert url.scheme == "ws" and url.netloc == "127.0.0.1:8765"
        assert client["room"] == "notes"
        query = f"?{urlencode(client['params'])}" if client["params"] else ""
        socket = YClient(f"{url.path}/{client['room']}{query}")
        # A real client names the host it connects to; the Origin check compares the two.
        socket.communicator.scope["headers"] = [(b"host", url.netloc.encode())] + [
            (name.lower().encode(), value.encode()) for name, value in client["headers"].items()
        ]
        await socket.connect()
        assert (await socket.message()).kind == Kind.SYNC_STEP1
        await socket.disconnect()


def test_the_base_url_must_be_a_websocket_url(tmp_path) -> None:
    with pytest.raises(CommandError):
        call_command("loadtest_rooms", rooms=1, base_url="http://x", out=tmp_path / "c.json")
