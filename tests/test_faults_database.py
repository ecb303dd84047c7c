"""PostgreSQL briefly unavailable: the API answers 503 in the error shape and recovers by itself."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
import websockets
from channels.db import database_sync_to_async
from django.db import connection
from pycrdt import Doc, Text

from accounts.services import api_token_create
from interviews.live import protocol, selectors
from interviews.live.layout import DocumentKind
from sevenstep.consumers import CLOSE_INTERNAL_ERROR
from tests.support.faults import cuttable_proxy
from tests.support.servers import asgi_server
from tests.support.yjs import live_interview, ws_path

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


# Once the database is back, requests succeed again within this long, with no restart.
RECOVERY_SECONDS = 5.0


@pytest.mark.parametrize("pool_size", ["10", "0"], ids=["pooled", "unpooled"])
def test_api_answers_503_while_postgres_is_away_and_recovers(candidate, pool_size) -> None:
    token = api_token_create(user=candidate, name="faults")[1]
    db = connection.settings_dict
    with cuttable_proxy(db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)) as proxy:
        url = f"postgres://{db.get('USER') or 'postgres'}@127.0.0.1:{proxy.port}/{db['NAME']}"
        with asgi_server({"DATABASE_URL": url, "DATABASE_POOL_SIZE": pool_size}) as server:
            headers = {"Authorization": f"Token {token}"}
            with httpx.Client(base_url=server.http_url, headers=headers, timeout=10) as http:
                assert http.get("/api/me/").status_code == 200

                proxy.cut()
                during = http.get("/api/me/")
                assert during.status_code == 503
                assert during.json()["error"]["code"] == "service_unavailable"
                ready = http.get("/readyz")
                assert ready.status_code == 503
                assert ready.json()["checks"]["database"]["ok"] is False

                # An outage longer than the pool's reconnect attempts.
                time.sleep(7)
                assert http.get("/api/me/").status_code == 503

                proxy.restore()
                back = time.monotonic()
                after = http.get("/api/me/")
                while after.status_code == 503 and time.monotonic() - back < RECOVERY_SECONDS:
                    time.sleep(0.2)
                    after = http.get("/api/me/")
                assert after.status_code == 200
                assert after.json()["email"] == candidate.email
                assert http.get("/readyz").status_code == 200


def test_the_live_room_refuses_edits_while_postgres_is_away_and_stores_them_after(
    interviewer, candidate
) -> None:
    """An edit the database cannot take closes its socket (1011); once the database is back,
    the client's resync stores it and the room commits again.

    The room commits on a connection of its own (interviews/live/rooms/store.py): once cut, it
    must be dropped and opened anew, not kept broken for every later batch.
    """
    interview = live_interview(interviewer, candidate)
    doc: Doc = Doc()
    text = doc.get("step-1", type=Text)

    def typed(word: str) -> bytes:
        before = doc.get_state()
        text.insert(len(str(text)), word)
        return protocol.update_message(doc.get_update(before))

    async def stored(expected: str) -> None:
        for _ in range(200):
            texts = await database_sync_to_async(selectors.stored_texts)(
                interview_id=interview.pk, kind=DocumentKind.NOTES
            )
            if texts.get("step-1") == expected:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"never stored {expected!r}: {texts}")

    db = connection.settings_dict
    with cuttable_proxy(db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)) as proxy:
        url = f"postgres://{db.get('USER') or 'postgres'}@127.0.0.1:{proxy.port}/{db['NAME']}"
        with asgi_server({"DATABASE_URL": url, "DATABASE_POOL_SIZE": "10"}) as server:
            # Tickets are issued here, by the test's own connection, not through the proxy.
            first, again = (
                f"{server.ws_url}{ws_path(interview.pk, 'notes', interviewer)}" for _ in "12"
            )

            async def through_the_outage() -> int | None:
                async with websockets.connect(first) as ws:
                    await ws.recv()  # the server's step 1: the socket is in the room
                    await ws.send(typed("two towers "))
                    await stored("two towers ")
                    proxy.cut()
                    await ws.send(typed("retrieval"))
                    try:
                        while True:
                            await asyncio.wait_for(ws.recv(), timeout=20)
                    except websockets.ConnectionClosed as closed:
                        return closed.rcvd.code if closed.rcvd else None

            async def after_the_outage() -> None:
                # Reconnect as a client does: answer the server's step 1 with what it lacks.
                async with websockets.connect(again) as ws:
                    frame = await asyncio.wait_for(ws.recv(), timeout=10)
                    assert isinstance(frame, bytes)
                    first_frame = protocol.parse(frame)
                    assert first_frame.kind == protocol.Kind.SYNC_STEP1
                    await ws.send(protocol.sync_step2(doc, first_frame.payload))
                    await stored("two towers retrieval")
                    await ws.send(typed(" ranking"))
                    await stored("two towers retrieval ranking")

            assert asyncio.run(through_the_outage()) == CLOSE_INTERNAL_ERROR
            proxy.restore()
            asyncio.run(after_the_outage())
