"""The registry: this process's rooms, which sockets are in them, and the tasks that serve them.

One `Registry` per event loop (one per server process) holds a `Room` per document that has a
local socket. Its parts live beside it: group commit (`commit.py`), the fan-out to other
processes (`fanout.py`) and the catch-up from the log (`recovery.py`); this module keeps
membership and the lifecycle of the background tasks, which start with the first room and
stop with the last.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections import Counter
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings

from interviews.live import metrics
from interviews.live.layout import DocumentKind
from interviews.live.rooms.commit import GroupCommit, close_store_connection, in_store_thread
from interviews.live.rooms.fanout import FANOUT_GROUP, Fanout
from interviews.live.rooms.recovery import Recovery
from interviews.live.rooms.room import Member, Room, RoomKey
from sevenstep.jobs import enqueue_on_commit


class TooManySockets(Exception):
    """The user holds as many sockets in this room or this process as allowed."""


class Registry(GroupCommit, Fanout, Recovery):
    """This process's rooms: membership and the background tasks' lifecycle."""

    def __init__(self) -> None:
        self.rooms: dict[RoomKey, Room] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._spawned: set[asyncio.Task[Any]] = set()
        self.sockets: Counter[int] = Counter()  # open document sockets per user, all rooms
        super().__init__()

    # --- membership ---------------------------------------------------------------------
    async def join(
        self, key: RoomKey, member: Member, *, read_only: bool, user_id: int | None = None
    ) -> Room:
        """Add a socket to its room, loading the room first if it is new here."""
        if user_id is not None and self.sockets[user_id] >= settings.LIVE_MAX_SOCKETS_PER_USER:
            raise TooManySockets()
        while True:
            room = self.rooms.get(key)
            if room is None:
                room = Room(self, key)
                self.rooms[key] = room
                self._start()
                try:
                    await room.load(read_only=read_only)
                except BaseException as exc:
                    if self.rooms.get(key) is room:
                        del self.rooms[key]
                    error = exc if isinstance(exc, Exception) else RuntimeError()
                    room.ready.set_exception(error)
                    room.ready.exception()  # retrieved: waiters get it through shield below
                    raise
                room.ready.set_result(None)
            else:
                await asyncio.shield(room.ready)
            if self.rooms.get(key) is room:
                break
            # Everyone else left and the room was dropped while this socket waited for it
            # to load: joining it would leave this socket outside fan-out and housekeeping.
        if user_id is not None:
            # Counted per process: a cap across processes would cost a Redis round trip per
            # join, and each process's share is what its memory and loop pay for.
            if (
                room.sockets[user_id] >= settings.LIVE_MAX_SOCKETS_PER_ROOM
                or self.sockets[user_id] >= settings.LIVE_MAX_SOCKETS_PER_USER
            ):
                if not room.members:
                    await self.leave(room, member)  # drop the room this socket loaded
                raise TooManySockets()
            room.users[member] = user_id
            room.sockets[user_id] += 1
            self.sockets[user_id] += 1
        room.members[member] = set()
        return room

    async def leave(self, room: Room, member: Member) -> None:
        user_id = room.users.pop(member, None)
        if user_id is not None:
            for counts in (room.sockets, self.sockets):
                counts[user_id] -= 1
                if counts[user_id] <= 0:
                    del counts[user_id]
        controlled = room.members.pop(member, None)
        if controlled:
            # No ghost cursors: tell everyone this socket's clients are gone.
            room.awareness.remove_awareness_states(sorted(controlled), None)
            room.flush_awareness()
        if room.members or self.rooms.get(room.key) is not room:
            return
        del self.rooms[room.key]
        self.release(room)
        if room._gap_check is not None:
            room._gap_check.cancel()
        if room.dirty:
            self._compact(room)
        if not self.rooms:
            await self._stop()

    def _compact(self, room: Room) -> None:
        # Lost if the broker is down: the next close or a full log asks again.
        enqueue = database_sync_to_async(enqueue_on_commit)
        self.spawn(enqueue("interviews.live.tasks.compact_document", room.document_id))

    # --- lifecycle ----------------------------------------------------------------------
    def spawn(self, coroutine: Any) -> None:
        task = asyncio.ensure_future(coroutine)
        self._spawned.add(task)
        task.add_done_callback(self._spawned.discard)

    def _start(self) -> None:
        if not self._tasks:
            self._tasks = [
                asyncio.create_task(self._commit_loop()),
                asyncio.create_task(self._housekeeping()),
                asyncio.create_task(metrics.watch(self)),
            ]

    async def _stop(self) -> None:
        """Stop the background tasks once no room is left (and free the store connection)."""
        for _ in range(1000):
            if not (self.queue or self._in_flight):
                break
            await asyncio.sleep(0.01)
        if self.rooms:
            return  # a socket joined while the last commits drained
        tasks, self._tasks = self._tasks, []
        # Let go of the fan-out channel before waiting on anything: a socket that joins
        # while the tasks wind down subscribes afresh instead of finding a channel in
        # mid-teardown and staying off the fan-out.
        channel, self.channel = self.channel, None
        outbox, self.outbox = self.outbox, {}
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.layer is not None and channel is not None:
            with contextlib.suppress(Exception):
                # The last word (the closed rooms' release), so peers stop sending here.
                await self.send_outbox(outbox, channel)
            with contextlib.suppress(Exception):
                await self.layer.group_discard(FANOUT_GROUP, channel)
        await in_store_thread(close_store_connection)
        if self.loop_store is not None:
            await self.loop_store.close()


_registries: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Registry] = (
    weakref.WeakKeyDictionary()
)


def registry() -> Registry:
    """Return this event loop's registry (one per server process)."""
    loop = asyncio.get_running_loop()
    found = _registries.get(loop)
    if found is None:
        found = _registries[loop] = Registry()
    return found


async def interview_ended(interview_id: int) -> None:
    """Make the interview's rooms read-only here and in every other process."""
    reg = registry()
    items = []
    for kind in DocumentKind:
        room = reg.rooms.get(RoomKey(interview_id, kind))
        if room is not None:
            room.read_only = True
        items.append({"type": "ended", "interview": interview_id, "kind": str(kind)})
    if reg.layer is not None:
        await reg.layer.group_send(
            FANOUT_GROUP, {"type": "live.batch", "sender": reg.channel or "", "items": items}
        )
