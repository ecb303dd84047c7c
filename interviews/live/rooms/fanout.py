"""Fan-out: the updates and awareness changes of this process's rooms, sent to the other processes.

The cross-process hop uses its own channel layer, `LIVE_LAYER`: on Redis that is channels_redis's
pub/sub layer (the list-based default layer costs several round trips per message and a polled
read, which doubled edit-to-peer latency; bench/README.md). Pub/sub delivers at most once, which
the log makes safe: each committed update carries its document's gap-free sequence number, and a
process that sees a gap (a message lost while Redis was away) or finds the log ahead of it during
the periodic check reads the missing updates back from the database (`recovery.py`).

A room's updates go only to the processes that hold the same room (its `peers`), one message
per peer and batch on that process's own channel. When both participants are on one process
(rooms routed by interview at the proxy, deploy/nginx.conf) nothing crosses: sending every batch
to every process cost each process the decoding of the whole deployment's traffic, and at 200
rooms on two processes 70 µs per update and half the p99 (bench/README.md). Who holds a room is
announced to every process on the shared group, `FANOUT_GROUP`: a process that opens a room says
"hold" with the highest seq it knows and the peers it has, and again at every housekeeping pass;
a process holding the same room adds it as a peer and, when it was new or the announcer did not
list it, answers directly with the same, and its local cursors; so the peer relation becomes
mutual, and heals if a "release" was lost. A seq beyond what the room has is read back from the
log, so what either side committed before they knew of each other is caught up at once. A room
that closes says "release"; a peer silent for PEER_PERIODS housekeeping periods is dropped (a
process that died).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from typing import TYPE_CHECKING, Any

from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from redis.exceptions import TimeoutError as RedisTimeout

from interviews.live import metrics, protocol
from interviews.live.layout import DocumentKind
from interviews.live.rooms.room import REMOTE, Room, RoomKey

log = logging.getLogger(__name__)

FANOUT_GROUP = "live.rooms"
LIVE_LAYER = "live"  # the CHANNEL_LAYERS alias of the cross-process hop
# A peer that has not announced its room in this many housekeeping periods has gone.
PEER_PERIODS = 3


class Fanout:
    """The registry's channel-layer subscription, its outbox and the loops that move them."""

    rooms: dict[RoomKey, Room]
    _tasks: list[asyncio.Task[None]]

    if TYPE_CHECKING:  # provided by the registry and the recovery

        def spawn(self, coroutine: Any) -> None: ...

        async def catch_up(self, room: Room) -> None: ...

    def __init__(self) -> None:
        super().__init__()
        layer = get_channel_layer(LIVE_LAYER)
        # The in-memory layer only reaches this process, where local fan-out already delivered.
        self.layer = None if isinstance(layer, InMemoryChannelLayer) else layer
        self.channel: str | None = None
        # Items waiting for the next batch, by where they go: a peer's channel, or None for
        # every process (FANOUT_GROUP).
        self.outbox: dict[str | None, list[dict[str, Any]]] = {}
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
        """Queue an item for the processes that hold the room; the next batch carries it."""
        for peer in room.peers:
            self._queue(peer, room, item)

    def announce(self, room: Room) -> None:
        """Tell every process that this one holds the room, and how far its log goes."""
        self._queue(None, room, self._hold(room))

    def release(self, room: Room) -> None:
        """Tell every process that this one no longer holds the room."""
        self._queue(None, room, {"type": "release", "channel": self.channel})

    def _hold(self, room: Room) -> dict[str, Any]:
        return {"type": "hold", "channel": self.channel, "seq": room.known, "peers": [*room.peers]}

    def _queue(self, to: str | None, room: Room, item: dict[str, Any]) -> None:
        if self.layer is None or self.channel is None:
            return
        item = item | {"interview": room.key.interview_id, "kind": str(room.key.kind)}
        self.outbox.setdefault(to, []).append(item)
        self.outbox_ready.set()

    async def _send_loop(self) -> None:
        while True:
            await self.outbox_ready.wait()
            self.outbox_ready.clear()
            await asyncio.sleep(0)
            outbox, self.outbox = self.outbox, {}
            failed = not await self.send_outbox(outbox, self.channel)
            if self.fanout_failing and not failed:
                log.warning("live: fan-out to other processes works again")
            self.fanout_failing = failed

    async def send_outbox(
        self, outbox: dict[str | None, list[dict[str, Any]]], sender: str | None
    ) -> bool:
        """Send each destination its batch from `sender`; whether every send went out."""
        assert self.layer is not None
        sent = True
        for to, items in outbox.items():
            batch = metrics.stamped({"type": "live.batch", "sender": sender, "items": items})
            try:
                if to is None:
                    await self.layer.group_send(FANOUT_GROUP, batch)
                else:
                    await self.layer.send(to, batch)
            except Exception:
                # The receivers find the updates in the log (a gap, or the next check). Said
                # once per outage, not once per batch.
                if sent and not self.fanout_failing:
                    log.warning("live: fan-out to other processes failed", exc_info=True)
                sent = False
        return sent

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
        elif kind == "awareness":
            if room.ready.done():
                room.apply_awareness(item["update"], REMOTE, owner=item.get("user"))
            else:  # a peer's cursors, sent as this room said it holds it: once it has loaded
                room.ready.add_done_callback(functools.partial(_apply_when_loaded, room, item))
        elif kind == "hold":
            listed = self.channel in item.get("peers", ())
            self._on_hold(room, str(item["channel"]), int(item["seq"]), listed=listed)
        elif kind == "release":
            room.peers.pop(str(item["channel"]), None)
        elif kind == "ended":
            room.read_only = True

    def _on_hold(self, room: Room, peer: str, seq: int, *, listed: bool) -> None:
        """Another process holds this room: send it the room's updates from now on.

        `listed`: whether its announcement named this process among its peers.
        """
        if peer == self.channel:
            return
        known = peer in room.peers
        room.peers[peer] = time.monotonic()
        if room.heard(seq):
            self.spawn(self.catch_up(room))
        if known and listed:
            return
        # Answer on its own channel: it learns of this process, of how far the log goes here,
        # and of the cursors of this process's sockets, which it has not seen.
        self._queue(peer, room, self._hold(room))
        for item in room.local_awareness():
            self._queue(peer, room, item)

    def drop_silent_peers(self, room: Room) -> None:
        """Forget the peers that stopped announcing the room (a process that died)."""
        gone = time.monotonic() - PEER_PERIODS * settings.LIVE_RESYNC_SECONDS
        for peer, heard in list(room.peers.items()):
            if heard < gone:
                del room.peers[peer]


def _apply_when_loaded(room: Room, item: dict[str, Any], ready: asyncio.Future[None]) -> None:
    if ready.cancelled() or ready.exception() is not None:
        return
    try:
        room.apply_awareness(item["update"], REMOTE, owner=item.get("user"))
    except Exception:
        log.exception("live: bad fan-out item awareness")
