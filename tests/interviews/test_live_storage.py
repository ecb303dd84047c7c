"""Bounded storage of the live room: resends add nothing, and limits hold across sockets."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
import websockets
from channels.db import database_sync_to_async
from django.db.models import Sum
from django.db.models.functions import Length
from pycrdt import Doc, Text, merge_updates

from interviews.live import protocol, selectors, services
from interviews.live.layout import DocumentKind
from interviews.live.models import DocumentUpdate, LiveDocument
from interviews.live.rooms import Registry
from tests.interviews.helpers import eager_tasks
from tests.support.servers import asgi_server
from tests.support.yjs import YClient, joined, live_interview, ws_path

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("disconnect_everyone"),
]


@pytest.fixture
def interview(interviewer, candidate):
    return live_interview(interviewer, candidate)


def logged(interview_id: int) -> tuple[int, int]:
    """Return how many updates the interview's notes log holds, and their bytes."""
    rows = DocumentUpdate.objects.filter(document__interview_id=interview_id)
    return rows.count(), rows.aggregate(total=Sum(Length("data")))["total"] or 0


def stored_text(interview_id: int, name: str) -> str:
    return selectors.stored_texts(interview_id=interview_id, kind=DocumentKind.NOTES)[name]


async def settle(client: YClient) -> None:
    """Wait until the room has handled everything the client sent before."""
    await client.sync()


async def test_resent_and_overlapping_updates_are_stored_once(interview, interviewer) -> None:
    ivy = await joined(interview, interviewer)
    sent = [await ivy.type("step-1", word) for word in ("two ", "towers ", "retrieval")]
    await settle(ivy)
    assert await database_sync_to_async(logged)(interview.pk) == (3, sum(map(len, sent)))
    # A client that reconnects resends what it has: the same updates, their merge, the whole
    # document as a step 2; none of it is new to the room.
    resends = [*sent, merge_updates(*sent), ivy.doc.get_update(), merge_updates(*sent[1:])]
    for _ in range(20):
        for update in resends:
            await ivy.send(protocol.update_message(update))
    await settle(ivy)
    assert await database_sync_to_async(logged)(interview.pk) == (3, sum(map(len, sent)))
    assert await database_sync_to_async(stored_text)(interview.pk, "step-1") == (
        "two towers retrieval"
    )


async def test_an_update_that_only_deletes_is_stored_and_reaches_the_peer_once(
    interview, interviewer, candidate
) -> None:
    ivy = await joined(interview, interviewer)
    carl = await joined(interview, candidate)
    await ivy.type("step-2", "rank by clicks")
    carl.apply(await carl.message())
    before = ivy.doc.get_state()
    del ivy.text("step-2")[7:]  # moves no state vector: only the delete set
    deletion = ivy.doc.get_update(before)
    for _ in range(5):
        await ivy.send(protocol.update_message(deletion))
    carl.apply(await carl.message())
    assert str(carl.text("step-2")) == "rank by"
    assert await carl.nothing(0.3)  # the resends went nowhere
    await settle(ivy)
    assert (await database_sync_to_async(logged)(interview.pk))[0] == 2
    assert await database_sync_to_async(stored_text)(interview.pk, "step-2") == "rank by"


async def test_the_same_bytes_from_two_sockets_at_once_are_stored_once(
    interview, interviewer
) -> None:
    tabs = [await joined(interview, interviewer) for _ in range(3)]
    doc: Doc = Doc()
    doc.get("step-3", type=Text).insert(0, "offline edits from a laptop")
    update = doc.get_update()
    for tab in tabs:
        await tab.send(protocol.update_message(update))
    for tab in tabs:
        await settle(tab)
    assert (await database_sync_to_async(logged)(interview.pk))[0] == 1


async def test_a_full_log_refuses_with_4429_until_a_checkpoint_is_taken(
    interview, interviewer, settings, monkeypatch
) -> None:
    settings.LIVE_MAX_LOG_BYTES = 1500
    asked: list[int] = []
    monkeypatch.setattr(Registry, "_compact", lambda self, room: asked.append(room.document_id))
    ivy = await joined(interview, interviewer)
    for _ in range(3):
        await ivy.type("step-4", "x" * 600)  # 1,200 bytes logged: past half the budget
    assert await ivy.close_code() == 4429
    document = await database_sync_to_async(LiveDocument.objects.get)(interview=interview)
    assert asked and set(asked) == {document.pk}
    assert document.log_bytes <= 1500
    assert (await database_sync_to_async(logged)(interview.pk))[1] == document.log_bytes
    # Compaction folds the log into a checkpoint, and the room takes updates again.
    await database_sync_to_async(services.document_compact)(document_id=document.pk)
    await database_sync_to_async(document.refresh_from_db)()
    assert document.log_bytes == 0 and document.checkpoint_bytes > 1200
    again = await joined(interview, interviewer)
    await again.sync()
    await again.type("step-4", "y")
    await settle(again)
    assert await database_sync_to_async(stored_text)(interview.pk, "step-4") == "x" * 1200 + "y"


async def test_a_flood_of_ever_new_updates_stores_about_one_log_budget_per_interval(
    interview, interviewer, settings
) -> None:
    settings.LIVE_MAX_LOG_BYTES = 20_000
    settings.LIVE_COMPACT_MIN_SECONDS = 3600  # one checkpoint in this test, at most
    doc: Doc = Doc()
    text = doc.get("scratch", type=Text)
    sent = 0
    with eager_tasks():
        for _ in range(6):  # reconnecting whenever closed, as a client does
            client = await joined(interview, interviewer)
            for index in range(10):
                before = doc.get_state()
                if index % 2 == 0:
                    text.insert(0, "z" * 4000)  # new content every time...
                else:
                    del text[0:4000]  # ...gone again at once: the document stays small
                update = doc.get_update(before)
                sent += len(update)
                await client.send(protocol.update_message(update))
            await client.nothing(0.2)
            await client.disconnect()
    stored = await database_sync_to_async(logged)(interview.pk)
    assert sent > 100_000
    # One budget before the only checkpoint and one after it.
    assert stored[1] <= 2 * 20_000
    document = await database_sync_to_async(LiveDocument.objects.get)(interview=interview)
    # The checkpoint holds the document as it stood (at most one 4,000-character insert that
    # had not been deleted yet), not the 100 kB and more the flood sent.
    assert document.checkpoint_bytes < 4000 + 500


def test_the_commit_refuses_what_would_pass_the_document_limit(interview, settings) -> None:
    settings.LIVE_MAX_DOCUMENT_BYTES = 1000
    document = services.document_get_or_create(interview_id=interview.pk, kind=DocumentKind.NOTES)
    pending = []
    for index in range(5):
        doc: Doc = Doc()
        doc.get("step-1", type=Text).insert(0, str(index) * 300)
        pending.append(services.PendingUpdate(document.pk, interview.pk, doc.get_update(), None))
    result = services.updates_append(pending=pending)
    stored = [seq for seq in result if isinstance(seq, int)]
    assert stored == [1, 2, 3]
    assert result[3:] == [services.Refusal.DOCUMENT_FULL] * 2
    document.refresh_from_db()
    assert document.log_bytes == logged(interview.pk)[1] <= 1000


def test_an_error_of_the_sqlite_store_comes_out_as_djangos() -> None:
    """The store thread reconnects on Django's OperationalError (`_guarded`): the SQLite
    commit's own cursor must raise that, not sqlite3's, or a broken connection stays."""
    from django.db import OperationalError
    from django.db.utils import ConnectionHandler

    from interviews.live.services.documents import _QmarkCursor

    handler = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
    )
    db = handler["default"]
    try:
        with db.cursor() as wrapper:
            cursor = _QmarkCursor(wrapper)
            cursor.execute("SELECT %s + %s", [1, 2])
            assert cursor.fetchall() == [(3,)]
            with pytest.raises(OperationalError):
                cursor.execute("SELECT seq FROM no_such_table WHERE id = %s", [1])
    finally:
        db.close()


async def test_a_user_gets_a_capped_number_of_sockets_per_room_and_per_process(
    interview, interviewer, settings
) -> None:
    settings.LIVE_MAX_SOCKETS_PER_ROOM = 2
    settings.LIVE_MAX_SOCKETS_PER_USER = 3
    first = await joined(interview, interviewer)
    await joined(interview, interviewer)
    extra = YClient(ws_path(interview.pk, "notes", interviewer))
    await extra.connect()
    assert await extra.close_code() == 4429
    await joined(interview, interviewer, "private")  # another room: the third socket
    other = YClient(ws_path(interview.pk, "private", interviewer))
    await other.connect()
    assert await other.close_code() == 4429  # past the user's cap for the process
    await first.disconnect()
    await joined(interview, interviewer)  # a socket closed: room for one more


def stored_bytes(interview_id: int) -> int:
    return logged(interview_id)[1]


async def _flood_in_parallel(urls: list[str], updates: list[bytes]) -> list[int | None]:
    """Open every socket, then send one update on each at once; return each close code."""
    sockets = [await websockets.connect(url, max_size=None) for url in urls]
    for ws in sockets:
        await ws.recv()  # the server's step 1: the socket is in its room

    async def send_and_listen(ws, update: bytes) -> int | None:
        await ws.send(protocol.update_message(update))
        try:
            while True:
                await asyncio.wait_for(ws.recv(), timeout=3)
        except websockets.ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd is not None else None
        except TimeoutError:
            await ws.close()
            return None

    return list(
        await asyncio.gather(
            *(send_and_listen(ws, u) for ws, u in zip(sockets, updates, strict=True))
        )
    )


def distinct_updates(count: int, size: int) -> list[bytes]:
    updates = []
    for index in range(count):
        doc: Doc = Doc()
        doc.get("scratch", type=Text).insert(0, chr(ord("a") + index % 26) * size)
        updates.append(doc.get_update())
    return updates


PARALLEL_LIMITS = {
    "LIVE_MAX_DOCUMENT_BYTES": str(512 * 1024),
    "LIVE_MAX_LOG_BYTES": str(1024 * 1024),
    "LIVE_MAX_SOCKETS_PER_ROOM": "100",
    "LIVE_MAX_SOCKETS_PER_USER": "100",
}


def test_parallel_sockets_cannot_store_past_the_document_limit(interview, interviewer) -> None:
    updates = distinct_updates(24, 100 * 1024)
    with asgi_server(PARALLEL_LIMITS) as server:
        urls = [f"{server.ws_url}{ws_path(interview.pk, 'notes', interviewer)}" for _ in updates]
        codes = asyncio.run(_flood_in_parallel(urls, updates))
    assert stored_bytes(interview.pk) <= 512 * 1024
    refused = [code for code in codes if code is not None]
    assert len(refused) >= len(updates) - 5 and set(refused) == {4413}


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
def test_parallel_sockets_on_two_processes_cannot_store_past_the_document_limit(
    interview, interviewer
) -> None:
    updates = distinct_updates(24, 100 * 1024)
    with asgi_server(PARALLEL_LIMITS) as one, asgi_server(PARALLEL_LIMITS) as two:
        urls = [
            f"{server.ws_url}{ws_path(interview.pk, 'notes', interviewer)}"
            for server in (one, two)
            for _ in range(len(updates) // 2)
        ]
        codes = asyncio.run(_flood_in_parallel(urls, updates))
    assert stored_bytes(interview.pk) <= 512 * 1024
    refused = [code for code in codes if code is not None]
    assert len(refused) >= len(updates) - 5 and set(refused) == {4413}


@pytest.mark.postgres
def test_the_database_function_commits_a_batch_as_the_python_rules_do(
    interviewer, candidate, settings
) -> None:
    """On PostgreSQL a batch is one call of `live_updates_append`: it must give what `_append`
    gives, update by update, across documents, limits and an interview that has ended."""
    from datetime import timedelta

    from django.db import transaction

    from interviews.live.services import documents
    from interviews.models import InterviewStatus

    settings.LIVE_MAX_DOCUMENT_BYTES = 1500
    settings.LIVE_MAX_LOG_BYTES = 1000
    open_one = live_interview(interviewer, candidate)
    ended = live_interview(
        interviewer,
        candidate,
        status=InterviewStatus.COMPLETED,
        starts_at=open_one.starts_at - timedelta(hours=3),
    )
    notes = services.document_get_or_create(interview_id=open_one.pk, kind=DocumentKind.NOTES)
    private = services.document_get_or_create(interview_id=open_one.pk, kind=DocumentKind.PRIVATE)
    gone = services.document_get_or_create(interview_id=ended.pk, kind=DocumentKind.NOTES)
    LiveDocument.objects.filter(pk=private.pk).update(checkpoint_bytes=900)

    def update(size: int) -> bytes:
        doc: Doc = Doc()
        doc.get("step-1", type=Text).insert(0, "x" * size)
        return doc.get_update()

    sizes = [(notes, 300), (private, 200), (gone, 10), (notes, 300), (private, 200),
             (notes, 300), (notes, 2000), (private, 300), (notes, 50)]  # fmt: skip
    pending = [
        services.PendingUpdate(document.pk, document.interview_id, update(size), candidate.pk)
        for document, size in sizes
    ]

    def committed(
        append: Callable[[list[services.PendingUpdate]], services.Appended],
    ) -> tuple[list[object], dict[int, int], list[tuple[object, ...]]]:
        with transaction.atomic():
            result = append(pending)
            stored = list(
                DocumentUpdate.objects.order_by("document_id", "seq").values_list(
                    "document_id", "seq", "data", "author_id"
                )
            )
            rows = list(LiveDocument.objects.order_by("pk").values_list("pk", "seq", "log_bytes"))
            transaction.set_rollback(True)
        return list(result), result.log_bytes, [*stored, *rows]

    in_python = committed(documents._append)
    full, log_full = services.Refusal.DOCUMENT_FULL, services.Refusal.LOG_FULL
    assert in_python[0] == [1, 1, None, 2, 2, 3, full, full, log_full]
    assert committed(documents._append_in_database) == in_python


@pytest.mark.postgres
async def test_a_batch_still_in_flight_when_the_store_closes_does_not_leave_its_connection_open(
    interview,
) -> None:
    from interviews.live.rooms.store import LoopStore

    document = await database_sync_to_async(services.document_get_or_create)(
        interview_id=interview.pk, kind=DocumentKind.NOTES
    )
    doc: Doc = Doc()
    doc.get("step-1", type=Text).insert(0, "a/b test")
    pending = [services.PendingUpdate(document.pk, interview.pk, doc.get_update(), None)]
    store = LoopStore()
    await store.append(pending)  # opens the connection; it is idle between batches
    [connection] = store.idle
    in_flight = asyncio.ensure_future(store.append(pending))
    await asyncio.sleep(0)  # the batch took the connection and waits on the database
    assert store.idle == []
    await store.close()  # the registry stops while the batch is in flight
    await in_flight
    assert store.idle == [] and connection.closed
    assert await database_sync_to_async(logged)(interview.pk) != (0, 0)
