"""The per-process room registry when joins and leaves interleave with loading and stopping."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from channels.db import database_sync_to_async

from interviews.live import selectors
from interviews.live.layout import DocumentKind
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
