"""The per-process room registry when joins and leaves interleave with loading and stopping."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import sqlite3
import time
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.db import connection
from pycrdt import Doc, Text

from interviews.live import selectors
from interviews.live.layout import DocumentKind
from interviews.live.models import DocumentUpdate
from interviews.live.rooms import FANOUT_GROUP, Registry, RoomKey

pytestmark = pytest.mark.django_db(transaction=True)


class Member:
    def __init__(self) -> None:
        self.frames: list[bytes] = []

    def post(self, frame: bytes) -> None:
        self.frames.append(frame)


async def test_a_socket_waiting_for_a_room_to_load_never_joins_a_dropped_room(
    interviewer, candidate, monkeypatch
) -> None:
    from tests.support.yjs import live_interview

    interview = await database_sync_to_async(live_interview)(interviewer, candidate)
    real_state = selectors.document_state

    def slow_state(**kwargs: Any) -> Any:
        time.sleep(0.3)
        return real_state(**kwargs)

    monkeypatch.setattr(selectors, "document_state", slow_state)
    registry, key = Registry(), RoomKey(interview.pk, DocumentKind.NOTES)
    carl, ivy = Member(), Member()

    async def carl_opens_and_closes_the_tab() -> None:
        room = await registry.join(key, carl, read_only=False)
        await registry.leave(room, carl)

    first = asyncio.create_task(carl_opens_and_closes_the_tab())
    await asyncio.sleep(0.05)
    ivy_room = await registry.join(key, ivy, read_only=False)  # waits for Carl's room to load
    await first
    # Ivy is in the registry's room, so her edits are committed and fanned out.
    assert registry.rooms.get(key) is ivy_room
    assert ivy in ivy_room.members
    seq = await asyncio.wait_for(
        registry.commit(ivy_room, b"\x00\x00", author_id=None, origin=ivy), timeout=5
    )
    assert seq == 1
    await registry.leave(ivy_room, ivy)


class SlowUnsubscribeLayer:
    """A fan-out layer whose cancelled receive() first unsubscribes, a round trip to Redis."""

    def __init__(self) -> None:
        self.groups: dict[str, set[str]] = {}
        self.made = 0

    async def new_channel(self) -> str:
        self.made += 1
        return f"channel-{self.made}"

    async def group_add(self, group: str, channel: str) -> None:
        self.groups.setdefault(group, set()).add(channel)

    async def group_discard(self, group: str, channel: str) -> None:
        self.groups.get(group, set()).discard(channel)

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        return None

    async def receive(self, channel: str) -> dict[str, Any]:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            await asyncio.sleep(0.3)
            raise
        return {}


async def test_a_room_opened_while_the_last_one_closes_stays_on_the_fan_out(
    interviewer, candidate
) -> None:
    from tests.support.yjs import live_interview

    interview = await database_sync_to_async(live_interview)(interviewer, candidate)
    registry, layer = Registry(), SlowUnsubscribeLayer()
    registry.layer = layer
    key = RoomKey(interview.pk, DocumentKind.NOTES)
    carl, ivy = Member(), Member()
    room = await registry.join(key, carl, read_only=False)
    leaving = asyncio.create_task(registry.leave(room, carl))  # the last socket: stop
    while registry._tasks:  # the stop is now winding its tasks down
        await asyncio.sleep(0)
    room = await registry.join(key, ivy, read_only=False)  # Ivy opens the notes just then
    await leaving
    try:
        assert registry.channel is not None
        assert registry.channel in layer.groups[FANOUT_GROUP]
    finally:
        await registry.leave(room, ivy)


def _edits(count: int) -> list[bytes]:
    """`count` distinct Yjs updates, each one typed character."""
    doc: Doc = Doc()
    text = doc.get("step-1", type=Text)
    updates = []
    for index in range(count):
        before = doc.get_state()
        text += chr(ord("a") + index % 26)
        updates.append(doc.get_update(before))
    return updates


async def test_a_busy_process_spaces_its_commits_and_a_quiet_one_commits_at_once(
    interviewer, candidate, settings
) -> None:
    """Under a stream of edits a batch starts LIVE_COMMIT_SPACING_MS after the one before, so
    the edits meanwhile share it; an edit after a quiet spell is stored without that wait."""
    from tests.support.yjs import live_interview

    settings.LIVE_COMMIT_SPACING_MS = 300
    interview = await database_sync_to_async(live_interview)(interviewer, candidate)
    registry, member = Registry(), Member()
    room = await registry.join(RoomKey(interview.pk, DocumentKind.NOTES), member, read_only=False)
    loop = asyncio.get_running_loop()
    batches: list[tuple[float, int]] = []
    store = registry._commit

    async def recorded(batch: list[Any]) -> None:
        batches.append((loop.time(), len(batch)))
        await store(batch)

    registry._commit = recorded  # type: ignore[method-assign]
    edits = _edits(41)
    try:
        # After a quiet spell: stored at once, far sooner than the spacing.
        started = loop.time()
        assert await registry.commit(room, edits[0], author_id=None, origin=member) == 1
        assert batches[0][0] - started < 0.15
        # A stream of edits, one every 25 ms for a second.
        typed = []
        for edit in edits[1:]:
            typed.append(
                asyncio.ensure_future(registry.commit(room, edit, author_id=None, origin=member))
            )
            await asyncio.sleep(0.025)
        assert await asyncio.gather(*typed) == list(range(2, 42))
    finally:
        await registry.leave(room, member)
    starts = [start for start, _ in batches]
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.3 - 0.005
    assert sum(size for _, size in batches) == 41
    assert len(batches) <= 6  # ~1.25 s of edits in batches 0.3 s apart, not 41 commits
    assert str(room.doc.get("step-1", type=Text)) == ("abcdefghijklmnopqrstuvwxyz" * 2)[:41]


def _rows_in_the_database_file(document_id: int) -> int:
    """The document's updates in the SQLite database file itself, not in its write-ahead log."""
    path = connection.settings_dict["NAME"]
    with contextlib.closing(sqlite3.connect(f"file:{path}?immutable=1", uri=True)) as file:
        (count,) = file.execute(
            f"SELECT count(*) FROM {DocumentUpdate._meta.db_table} WHERE document_id = ?",
            (document_id,),
        ).fetchone()
    return int(count)


def _checkpoint() -> None:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")


async def test_on_sqlite_the_store_copies_its_log_into_the_database_every_4000_pages(
    interviewer, candidate, settings
) -> None:
    """A commit that copies the write-ahead log into the database file holds its batch; the
    store thread's commits do it every 4,000 pages of log, not at SQLite's 1,000."""
    from tests.support.yjs import live_interview

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write-ahead log; PostgreSQL checkpoints on its own")
    settings.LIVE_COMMIT_SPACING_MS = 0
    interview = await database_sync_to_async(live_interview)(interviewer, candidate)
    registry, member = Registry(), Member()
    room = await registry.join(RoomKey(interview.pk, DocumentKind.NOTES), member, read_only=False)
    await asyncio.to_thread(_checkpoint)  # the schema and the fixtures, into the file
    edits = iter(_edits(3000))
    try:
        # One commit each, 3-5 pages of log: past SQLite's 1,000 pages, short of 4,000.
        for seq in range(1, 601):
            assert await registry.commit(room, next(edits), author_id=None, origin=member) == seq
        assert await asyncio.to_thread(_rows_in_the_database_file, room.document_id) == 0
        # Past 4,000 pages a commit copies the log: the rows reach the file.
        seq = 600
        while await asyncio.to_thread(_rows_in_the_database_file, room.document_id) == 0:
            seq += 1
            assert seq <= 3000, "no commit copied the log into the database file"
            assert await registry.commit(room, next(edits), author_id=None, origin=member) == seq
    finally:
        await registry.leave(room, member)
