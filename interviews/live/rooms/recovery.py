"""Recovery: a room that missed updates (a gap, a lost batch) reads them back from the log.

Besides filling gaps, the periodic check keeps each room's log short (it asks for a
checkpoint every LIVE_COMPACT_EVERY updates), measures its document, asks every client for
what this process lacks and expires stale awareness states.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from django.conf import settings

from interviews.live import protocol, selectors
from interviews.live.rooms.commit import in_store_thread
from interviews.live.rooms.room import HOUSEKEEPING_SLICES, Room, RoomKey

log = logging.getLogger(__name__)


class Recovery:
    """The registry's catch-up from the log and its periodic housekeeping."""

    rooms: dict[RoomKey, Room]

    if TYPE_CHECKING:  # provided by the registry

        def _compact(self, room: Room) -> None: ...

        def announce(self, room: Room) -> None: ...

        def drop_silent_peers(self, room: Room) -> None: ...

    async def catch_up(self, room: Room) -> None:
        """Apply what the log holds beyond what this room has, and send it to its sockets."""
        rows = await in_store_thread(
            selectors.updates_after, document_id=room.document_id, after_seq=room.applied
        )
        for seq, update in rows:
            if room.apply(seq, update):
                room.broadcast(protocol.update_message(update))

    async def _housekeeping(self) -> None:
        """Tend every room once per LIVE_RESYNC_SECONDS, a slice of the rooms at a time.

        Each room has its own slice (drawn when it loads), so the work and the step 2 that
        every client sends back are spread over the period: with every room at once, 400
        answers arrived together at 200 rooms, the one burst of slow edits left once the
        other stalls were gone (bench/README.md).
        """
        tick = 0
        while True:
            await asyncio.sleep(settings.LIVE_RESYNC_SECONDS / HOUSEKEEPING_SLICES)
            tick = (tick + 1) % HOUSEKEEPING_SLICES
            rooms = [
                room
                for room in self.rooms.values()
                if room.ready.done() and room.housekeeping_slice == tick
            ]
            if not rooms:
                continue
            try:
                stored = await in_store_thread(
                    selectors.document_seqs, document_ids=[room.document_id for room in rooms]
                )
            except Exception:
                log.warning("live: resync check failed", exc_info=True)
                stored = {}
            for room in rooms:
                try:
                    await self._tend(room, stored)
                except Exception:
                    # One room's trouble (a database blip while catching up) must not stop
                    # the resync of every room of the process.
                    log.warning("live: housekeeping of %s failed", room, exc_info=True)

    async def _tend(self, room: Room, stored: dict[int, int]) -> None:
        if stored.get(room.document_id, 0) > room.applied or room.ahead:
            await self.catch_up(room)
        if room.applied - room.compacted >= settings.LIVE_COMPACT_EVERY:
            # A long session keeps the log behind its checkpoint short, so a process that
            # joins late loads the checkpoint and a short tail.
            room.compacted = room.applied
            self._compact(room)
        # The size limit is on the document, not on the traffic it has seen: resent and
        # overlapping updates add nothing to it.
        room.size = len(room.doc.get_update())
        # Ask each client for anything this process lacks (its answer is a step 2).
        room.broadcast(protocol.sync_step1(room.doc))
        room.prune_awareness()
        room.flush_awareness()
        # Tell the other processes again that this one holds the room (a peer that missed
        # the first word, or a process that came since), and let go of peers that went quiet.
        self.drop_silent_peers(room)
        self.announce(room)
