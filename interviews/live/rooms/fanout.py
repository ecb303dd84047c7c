"""Fan-out: the updates and awareness changes of this process's rooms, sent to the other processes.

The cross-process hop uses its own channel layer, `LIVE_LAYER`: on Redis that is channels_redis's
pub/sub layer, one PUBLISH per batch pushed to every process (the list-based default layer
costs several round trips per message and a polled read, which doubled edit-to-peer latency;
bench/README.md). Pub/sub delivers at most once, which the log makes safe: each committed
update carries its document's gap-free sequence number, and a process that sees a gap (a
message lost while Redis was away) or finds the log ahead of it during the periodic check
reads the missing updates back from the database (`recovery.py`).

All processes share one group and send one message per batch. A group per room cost a few
Redis round trips per room per batch plus one receive per message, and collapsed at 200 rooms
on two processes (bench/README.md). Every process reads every batch and keeps the items of
the rooms it serves. Same-process sockets never go through the channel layer.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from channels.layers import InMemoryChannelLayer, get_channel_layer
from redis.exceptions import TimeoutError as RedisTimeout

from interviews.live import metrics, protocol
from interviews.live.layout import DocumentKind
from interviews.live.rooms.room import REMOTE, Room, RoomKey

log = logging.getLogger(__name__)

FANOUT_GROUP = "live.rooms"
LIVE_LAYER = "live"  # the CHANNEL_LAYERS alias of the cross-process hop


class Fanout:
    """The registry's channel-layer subscription, its outbox and the loops that move them."""

    rooms: dict[RoomKey, Room]
    _tasks: list[asyncio.Task[None]]

    def __init__(self) -> None:
        super().__init__()
        layer = get_channel_layer(LIVE_LAYER)
        # The in-memory layer only reaches this process, where local fan-out already delivered.
        self.layer = None if isinstance(layer, InMemoryChannelLayer) else layer
        self.channel: str | None = None
        self.outbox: list[dict[str, Any]] = []
        self.outbox_ready = asyncio.Event()
        self.fanout_failing = False

    async def subscribe(self) -> None:
        if self.layer is None or self.channel is not None:
            return
        # The default prefix: channels_redis serves all of a process's channels from one key.
        self.channel = await self.layer.new_channel()
        await self.layer.group_add(FANOUT_GROUP, self.channel)
        self._tasks += [
            asyncio.create_task(self._receive_loop()),
            asyncio.create_task(self._send_loop()),
        ]

    def publish(self, room: Room, item: dict[str, Any]) -> None:
        """Queue an item for the other processes; the next batch message carries it."""
        if self.layer is None or self.channel is None:
            return
        item |= {"interview": room.key.interview_id, "kind": str(room.key.kind)}
        self.outbox.append(item)
        self.outbox_ready.set()

    async def _send_loop(self) -> None:
        assert self.layer is not None
        while True:
            await self.outbox_ready.wait()
            self.outbox_ready.clear()
            await asyncio.sleep(0)
            items, self.outbox = self.outbox, []
            if not items:
                continue
            try:
                batch = {"type": "live.batch", "sender": self.channel, "items": items}
                await self.layer.group_send(FANOUT_GROUP, metrics.stamped(batch))
            except Exception:
                # The receivers find the updates in the log (a gap, or the next check). Said
                # once per outage, not once per batch.
                if not self.fanout_failing:
                    log.warning("live: fan-out to other processes failed", exc_info=True)
                self.fanout_failing = True
            else:
                if self.fanout_failing:
                    log.warning("live: fan-out to other processes works again")
                self.fanout_failing = False

    async def _receive_loop(self) -> None:
        assert self.layer is not None and self.channel is not None
        channel = self.channel
        while True:
            try:
                message = await self.layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except (TimeoutError, RedisTimeout):
                # A blocking read that timed out on a busy loop, not an outage: read again at
                # once (a batch it may have lost shows as a gap, healed from the log).
                log.info("live: channel layer receive timed out; reading again")
                continue
            except Exception:
                log.warning("live: channel layer receive failed", exc_info=True)
                await asyncio.sleep(1)
                continue
            if message.get("sender") == channel:
                continue
            metrics.received(message)
            for item in message.get("items", ()):
                try:
                    self._on_remote(item)
                except Exception:
                    log.exception("live: bad fan-out item %s", item.get("type"))

    def _on_remote(self, item: dict[str, Any]) -> None:
        key = RoomKey(int(item["interview"]), DocumentKind(item["kind"]))
        room = self.rooms.get(key)
        if room is None:
            return
        kind = item["type"]
        if kind == "updates":
            fresh = room.apply_remote(list(item["seqs"]), list(item["updates"]))
            for update in fresh:
                room.broadcast(protocol.update_message(update))
        elif kind == "awareness" and room.ready.done():
            room.apply_awareness(item["update"], REMOTE, owner=item.get("user"))
        elif kind == "ended":
            room.read_only = True
