"""Per-process rooms: the in-memory document of each active room, group commit and fan-out.

One `Registry` per event loop (one per server process) holds a `Room` per document that has a
local socket. An update from a socket is queued; the registry commits everything queued in one
transaction (group commit), then applies it to the room's document and sends it to the room's
other local sockets directly and, in one channel-layer message per batch, to the other
processes. Same-process sockets never go through the channel layer.

The cross-process hop uses its own channel layer, `LIVE_LAYER`: on Redis that is channels_redis's
pub/sub layer, one PUBLISH per batch pushed to every process (the list-based default layer
costs several round trips per message and a polled read, which doubled edit-to-peer latency;
bench/README.md). Pub/sub delivers at most once, which the log makes safe: each committed
update carries its document's gap-free sequence number, and a process that sees a gap (a
message lost while Redis was away) or finds the log ahead of it during the periodic check
reads the missing updates back from the database.

Storage stays bounded whatever a socket sends. An update the room's document already holds
(a resend, a step 2 overlapping what is known) is neither stored nor sent on; identical
bytes queued by two sockets are committed once. What is stored is counted on the document's
row in the commit transaction, so the limits hold across sockets and processes: the log
since the last checkpoint asks for compaction at half of LIVE_MAX_LOG_BYTES and refuses past
it, and checkpoint plus log refuse past LIVE_MAX_DOCUMENT_BYTES.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
import weakref
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from pycrdt import Awareness, Doc, get_update, merge_updates
from redis.exceptions import TimeoutError as RedisTimeout

from interviews.live import protocol, selectors, services
from interviews.live.awareness import decode_state
from interviews.live.layout import DocumentKind
from sevenstep.jobs import enqueue_on_commit

log = logging.getLogger(__name__)

T = TypeVar("T")

# Awareness changes that came from another process or from expiry are not forwarded again.
REMOTE = "remote"
AWARENESS_TIMEOUT_MS = 30_000
GAP_GRACE_SECONDS = 0.5
FANOUT_GROUP = "live.rooms"
LIVE_LAYER = "live"  # the CHANNEL_LAYERS alias of the cross-process hop
# A room that asked for a checkpoint asks again after this long if its log is still full.
COMPACT_RETRY_SECONDS = 1.0


class Refused(Exception):
    """The interview has ended: the update was not stored."""


class StoreUnavailable(Exception):
    """The database did not take the batch; the client keeps its edits and re-sends them."""


class DocumentFull(Exception):
    """Storing the update would take the document past LIVE_MAX_DOCUMENT_BYTES."""


class LogFull(Exception):
    """The log since the last checkpoint is full until compaction catches up."""


class TooManySockets(Exception):
    """The user holds as many sockets in this room or this process as allowed."""


class Member(Protocol):
    async def deliver(self, frame: bytes) -> None: ...


@dataclass(frozen=True, slots=True)
class RoomKey:
    interview_id: int
    kind: DocumentKind


# Commits run on one dedicated thread that keeps its database connection between batches;
# opening a connection per batch would cost more than the batch itself.
_store_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live-store")


def _guarded(fn: Callable[..., T], kwargs: dict[str, Any]) -> T:
    try:
        return fn(**kwargs)
    except (OperationalError, InterfaceError):
        connection.close()  # reconnect on the next batch
        raise


def _close_connection() -> None:
    connection.close()


async def in_store_thread(fn: Callable[..., T], **kwargs: Any) -> T:
    """Run a database function on the store thread."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_store_executor, functools.partial(_guarded, fn, kwargs))


class Room:
    def __init__(self, registry: Registry, key: RoomKey) -> None:
        self.registry = registry
        self.key = key
        self.doc: Doc = Doc()
        self.awareness = Awareness(self.doc)
        self.awareness.set_local_state(None)  # the server has no cursor of its own
        self.awareness.observe(self._on_awareness)
        self._awareness_changes: list[tuple[dict[str, list[int]], Any]] = []
        # Each member with the awareness client ids its socket controls.
        self.members: dict[Member, set[int]] = {}
        # The user each awareness client id of this room belongs to (the first to announce it).
        self.owners: dict[int, int] = {}
        self.users: dict[Member, int] = {}  # each member's user, for the socket caps
        self.sockets: Counter[int] = Counter()  # open sockets per user
        # Update bytes queued for commit: the same bytes from another socket wait for these.
        self.queued: dict[bytes, asyncio.Future[int]] = {}
        # The document's state vector and its update of deletions only, until it next changes.
        self._state: bytes | None = None
        self._deleted: bytes | None = None
        self.compact_asked = 0.0  # when this process last asked for a checkpoint (monotonic)
        self.document_id = 0
        self.applied = 0  # every update up to this seq is in self.doc
        self.ahead: set[int] = set()  # applied seqs beyond a gap
        self.size = 0
        self.read_only = False
        self.dirty = False
        self.compacted = 0  # the seq up to which a checkpoint was last asked for
        self.loaded = False
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._early: list[tuple[list[int], list[bytes]]] = []
        self._gap_check: asyncio.TimerHandle | None = None

    def __repr__(self) -> str:
        return f"<Room {self.key.interview_id}/{self.key.kind} seq={self.applied}>"

    async def load(self, *, read_only: bool) -> None:
        document = await database_sync_to_async(services.document_get_or_create)(
            interview_id=self.key.interview_id, kind=self.key.kind
        )
        self.document_id = document.pk
        # Listen before reading, so nothing committed elsewhere in between is missed.
        await self.registry.subscribe()
        stored = await database_sync_to_async(selectors.document_state)(
            document_id=self.document_id
        )
        self.doc.apply_update(stored.update)
        self.applied = self.compacted = stored.seq
        self.size = len(stored.update)
        self.read_only = read_only
        self.loaded = True
        for seqs, updates in self._early:
            self.apply_remote(seqs, updates)
        self._early.clear()

    def mark(self, seq: int) -> bool:
        """Record that update `seq` is in the document; False if it already was."""
        if seq <= self.applied or seq in self.ahead:
            return False
        if seq == self.applied + 1:
            self.applied = seq
            while self.applied + 1 in self.ahead:
                self.ahead.discard(self.applied + 1)
                self.applied += 1
        else:
            self.ahead.add(seq)
        return True

    def apply(self, seq: int, update: bytes) -> bool:
        if not self.mark(seq):
            return False
        self._state = self._deleted = None
        self.doc.apply_update(update)
        self.size += len(update)
        return True

    def changes(self, update: bytes) -> bool:
        """Whether the update holds anything this room's document lacks.

        A duplicate moves neither the state vector nor the delete set; checking both matters,
        as an update that only deletes moves no state vector. Decided without applying the
        update: what is left of it beyond the state vector must carry no structs and only
        deletions the document already has (merging them into its delete set changes nothing).
        An update the document cannot place yet counts as a change: it is stored, as before.
        """
        if self._state is None:
            self._state = self.doc.get_state()
        unseen = get_update(update, self._state)
        if unseen[0] != 0:  # the count of clients with structs beyond the state vector
            return True
        if unseen == protocol.EMPTY_UPDATE:
            return False
        if self._deleted is None:
            self._deleted = self.doc.get_update(self._state)
        return merge_updates(self._deleted, unseen) != self._deleted

    def apply_remote(self, seqs: list[int], updates: list[bytes]) -> list[bytes]:
        """Apply updates another process committed; return those that were new here."""
        if not self.loaded:
            self._early.append((seqs, updates))
            return []
        fresh = [
            update for seq, update in zip(seqs, updates, strict=True) if self.apply(seq, update)
        ]
        self.watch_gap()
        return fresh

    def watch_gap(self) -> None:
        """Fill a gap from the log if it is still open after a grace period."""
        if self.ahead and self._gap_check is None:
            loop = asyncio.get_running_loop()
            self._gap_check = loop.call_later(GAP_GRACE_SECONDS, self._check_gap)

    def _check_gap(self) -> None:
        self._gap_check = None
        if self.ahead and self.registry.rooms.get(self.key) is self:
            self.registry.spawn(self.registry.catch_up(self))

    async def broadcast(self, frame: bytes, *, skip: Member | None = None) -> None:
        for member in list(self.members):
            if member is not skip:
                await member.deliver(frame)

    def _on_awareness(self, topic: str, change: tuple[dict[str, list[int]], Any]) -> None:
        if topic == "update":
            self._awareness_changes.append(change)

    async def apply_awareness(
        self,
        update: bytes,
        origin: Any,
        *,
        owner: int | None,
        admit: Callable[[], bool] | None = None,
    ) -> bool:
        """Apply an awareness update from a local socket (or REMOTE) and pass it on.

        `owner` is the user whose socket sent it. A local socket's update is checked before
        pycrdt decodes it: a few entries, each small; those that would change a state must
        fit the schema and be client ids of the socket's own (raises AwarenessRefused,
        AwarenessTooLarge or ProtocolError). A REMOTE update was checked by the process its
        socket is on. `admit` rate-limits the updates that change something (raises
        AwarenessTooFast). Return whether anything was applied.
        """
        if origin is REMOTE:
            # Bounded by the sender's checks; only the entries' ids are needed here.
            entries = protocol.parse_awareness(
                update, max_entries=len(update), max_state_bytes=len(update)
            )
        else:
            entries = protocol.parse_awareness(
                update,
                max_entries=settings.LIVE_AWARENESS_MAX_ENTRIES,
                max_state_bytes=settings.LIVE_AWARENESS_STATE_BYTES,
            )
            # y-websocket sends back every awareness update it receives (its update handler
            # does not look at the origin), so a stock client's frame repeats the others'
            # states at the clock the server already has. Such entries change nothing and
            # are dropped unread; only the ones that would change a state are checked.
            entries = [entry for entry in entries if self._changes(entry)]
            if not entries:
                return False
            if admit is not None and not admit():
                raise protocol.AwarenessTooFast("awareness changes too often")
            for entry in entries:
                decode_state(entry.state)
            self._claim(origin, owner, [entry.client_id for entry in entries])
            update = protocol.awareness_update(entries)
        try:
            self.awareness.apply_awareness_update(update, origin)
        except (ValueError, IndexError, UnicodeDecodeError, RuntimeError) as exc:
            self._awareness_changes.clear()
            raise protocol.ProtocolError("malformed awareness update") from exc
        if origin is REMOTE:
            for entry in entries:
                if owner is not None:
                    self.owners.setdefault(entry.client_id, owner)
                if entry.removes:
                    continue
                # The client now speaks through another process (it reconnected there): a
                # local socket it left behind must not remove its state when it closes.
                for claimed in self.members.values():
                    claimed.discard(entry.client_id)
        await self.flush_awareness()
        return True

    def _changes(self, entry: protocol.AwarenessEntry) -> bool:
        """Whether pycrdt would apply the entry (the same test y-protocols makes)."""
        meta = self.awareness.meta.get(entry.client_id)
        clock = 0 if meta is None else meta["clock"]
        return clock < entry.clock or (
            clock == entry.clock and entry.removes and entry.client_id in self.awareness.states
        )

    def _claim(self, member: Any, owner: int | None, client_ids: list[int]) -> None:
        """Let `member` set these client ids, or raise AwarenessRefused.

        A socket owns the first ids it announces (a Yjs client has one); an id stays with the
        user who first announced it in this room, so nobody can overwrite or remove another
        participant's cursor, even after it timed out. The same user may take an id over from
        another socket of theirs (a tab that reconnected before its old socket closed).
        """
        claimed = self.members.get(member)
        if claimed is None or owner is None:
            raise protocol.AwarenessRefused("the socket is not in the room")
        fresh = set(client_ids) - claimed
        if any(self.owners.get(client_id, owner) != owner for client_id in client_ids):
            raise protocol.AwarenessRefused("another participant's awareness client")
        if len(claimed) + len(fresh) > settings.LIVE_AWARENESS_CLIENTS_PER_SOCKET:
            raise protocol.AwarenessRefused("more awareness clients than a socket may have")
        held = {c for c in self.awareness.states if self.owners.get(c) == owner}
        if len(held | fresh) > settings.LIVE_AWARENESS_CLIENTS_PER_USER:
            # Bounds the states in a room, so the frame of all of them that a joining client
            # gets (and sends back) stays within LIVE_AWARENESS_MAX_ENTRIES.
            raise protocol.AwarenessRefused("more awareness clients than a user may have")
        for other, theirs in self.members.items():
            if other is not member:
                theirs.difference_update(fresh)
        claimed.update(fresh)
        for client_id in client_ids:
            self.owners[client_id] = owner

    async def flush_awareness(self) -> None:
        changes, self._awareness_changes = self._awareness_changes, []
        for change, origin in changes:
            client_ids = change["added"] + change["updated"] + change["removed"]
            inner = self.awareness.encode_awareness_update(client_ids)
            await self.broadcast(protocol.awareness_frame(inner), skip=origin)
            if origin is not REMOTE and origin != "timeout":
                item: dict[str, Any] = {"type": "awareness", "update": inner}
                owners = {self.owners.get(client_id) for client_id in client_ids}
                if len(owners) == 1 and None not in owners:
                    item["user"] = owners.pop()  # the other processes keep the id with its user
                self.registry.publish(self, item)

    def prune_awareness(self) -> None:
        now = int(time.time() * 1000)
        stale = [
            client_id
            for client_id, meta in self.awareness.meta.items()
            if client_id in self.awareness.states
            and now - meta["lastUpdated"] >= AWARENESS_TIMEOUT_MS
        ]
        if stale:
            self.awareness.remove_awareness_states(stale, "timeout")


@dataclass(slots=True)
class _Pending:
    room: Room
    data: bytes
    author_id: int | None
    origin: Member | None
    future: asyncio.Future[int] = field(repr=False)


class Registry:
    def __init__(self) -> None:
        self.rooms: dict[RoomKey, Room] = {}
        self.queue: list[_Pending] = []
        self.wakeup = asyncio.Event()
        layer = get_channel_layer(LIVE_LAYER)
        # The in-memory layer only reaches this process, where local fan-out already delivered.
        self.layer = None if isinstance(layer, InMemoryChannelLayer) else layer
        self.channel: str | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._spawned: set[asyncio.Task[Any]] = set()
        self._committing = False
        self.outbox: list[dict[str, Any]] = []
        self.outbox_ready = asyncio.Event()
        self.fanout_failing = False
        self.sockets: Counter[int] = Counter()  # open document sockets per user, all rooms

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
            await room.flush_awareness()
        if room.members or self.rooms.get(room.key) is not room:
            return
        del self.rooms[room.key]
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

    # --- group commit -------------------------------------------------------------------
    async def commit(
        self, room: Room, update: bytes, *, author_id: int | None, origin: Member | None
    ) -> int:
        """Store an update, then send it to the room; return its seq once committed."""
        queued = room.queued.get(update)
        if queued is not None:
            # Another socket sent these very bytes and they are on their way: store them once.
            return await asyncio.shield(queued)
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        room.queued[update] = future
        self.queue.append(_Pending(room, update, author_id, origin, future))
        self.wakeup.set()
        return await future

    async def _commit_loop(self) -> None:
        while True:
            await self.wakeup.wait()
            self.wakeup.clear()
            # Let the frames that are already readable join this batch.
            await asyncio.sleep(0)
            batch, self.queue = self.queue, []
            if batch:
                self._committing = True
                try:
                    await self._commit(batch)
                except Exception:
                    # Every other room of the process commits through this loop: it must
                    # outlive any one batch. Whoever still waits hears the store failed.
                    log.exception("live: a batch of %d updates failed", len(batch))
                    for item in batch:
                        if not item.future.done():
                            item.future.set_exception(StoreUnavailable())
                finally:
                    self._committing = False
                    for item in batch:
                        if item.room.queued.get(item.data) is item.future:
                            del item.room.queued[item.data]

    async def _commit(self, batch: list[_Pending]) -> None:
        pending = [
            services.PendingUpdate(
                document_id=item.room.document_id,
                interview_id=item.room.key.interview_id,
                data=item.data,
                author_id=item.author_id,
            )
            for item in batch
        ]
        try:
            seqs = await in_store_thread(services.updates_append, pending=pending)
        except Exception:
            log.exception("live: could not commit %d updates", len(batch))
            for item in batch:
                if not item.future.done():
                    item.future.set_exception(StoreUnavailable())
            return
        outgoing: dict[Room, tuple[list[int], list[bytes]]] = {}
        log_full: set[Room] = set()
        for item, seq in zip(batch, seqs, strict=True):
            if not isinstance(seq, int):
                if seq is services.Refusal.LOG_FULL:
                    log_full.add(item.room)
                if not item.future.done():
                    item.future.set_exception(_REFUSALS[seq]())
                continue
            room = self.rooms.get(item.room.key, item.room)
            try:
                room.apply(seq, item.data)  # marks the seq before applying the update
            except (RuntimeError, ValueError):
                # Stored but not appliable here (the protocol check refuses such updates, so
                # this is a bug): the seq is marked, so the room goes on; loads skip it.
                log.exception("live: committed update %s/%d cannot be applied", room, seq)
            room.watch_gap()
            room.dirty = True
            await room.broadcast(protocol.update_message(item.data), skip=item.origin)
            seqs_out, updates_out = outgoing.setdefault(room, ([], []))
            seqs_out.append(seq)
            updates_out.append(item.data)
            if not item.future.done():
                item.future.set_result(seq)
        for room, (seqs_out, updates_out) in outgoing.items():
            self.publish(room, {"type": "updates", "seqs": seqs_out, "updates": updates_out})
        half = settings.LIVE_MAX_LOG_BYTES // 2
        for room in log_full | {
            room for room in outgoing if seqs.log_bytes.get(room.document_id, 0) >= half
        }:
            self._ask_compaction(room)

    def _ask_compaction(self, room: Room) -> None:
        """Ask for a checkpoint of a room whose log passed half its budget (not too often)."""
        now = time.monotonic()
        if now - room.compact_asked >= COMPACT_RETRY_SECONDS:
            room.compact_asked = now
            room.compacted = room.applied
            self._compact(room)

    # --- other processes ----------------------------------------------------------------
    # All processes share one group and send one message per batch. A group per room cost a
    # few Redis round trips per room per batch plus one receive per message, and collapsed at
    # 200 rooms on two processes (bench/README.md). Every process reads every batch and keeps
    # the items of the rooms it serves.
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
                await self.layer.group_send(
                    FANOUT_GROUP, {"type": "live.batch", "sender": self.channel, "items": items}
                )
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
            for item in message.get("items", ()):
                try:
                    await self._on_remote(item)
                except Exception:
                    log.exception("live: bad fan-out item %s", item.get("type"))

    async def _on_remote(self, item: dict[str, Any]) -> None:
        key = RoomKey(int(item["interview"]), DocumentKind(item["kind"]))
        room = self.rooms.get(key)
        if room is None:
            return
        kind = item["type"]
        if kind == "updates":
            fresh = room.apply_remote(list(item["seqs"]), list(item["updates"]))
            for update in fresh:
                await room.broadcast(protocol.update_message(update))
        elif kind == "awareness" and room.ready.done():
            await room.apply_awareness(item["update"], REMOTE, owner=item.get("user"))
        elif kind == "ended":
            room.read_only = True

    # --- self-healing -------------------------------------------------------------------
    async def catch_up(self, room: Room) -> None:
        """Apply what the log holds beyond what this room has, and send it to its sockets."""
        rows = await in_store_thread(
            selectors.updates_after, document_id=room.document_id, after_seq=room.applied
        )
        for seq, update in rows:
            if room.apply(seq, update):
                await room.broadcast(protocol.update_message(update))

    async def _housekeeping(self) -> None:
        while True:
            await asyncio.sleep(settings.LIVE_RESYNC_SECONDS)
            rooms = [room for room in self.rooms.values() if room.ready.done()]
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
        await room.broadcast(protocol.sync_step1(room.doc))
        room.prune_awareness()
        await room.flush_awareness()

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
            ]

    async def _stop(self) -> None:
        """Stop the background tasks once no room is left (and free the store connection)."""
        for _ in range(1000):
            if not (self.queue or self._committing):
                break
            await asyncio.sleep(0.01)
        if self.rooms:
            return  # a socket joined while the last commits drained
        tasks, self._tasks = self._tasks, []
        # Let go of the fan-out channel before waiting on anything: a socket that joins
        # while the tasks wind down subscribes afresh instead of finding a channel in
        # mid-teardown and staying off the fan-out.
        channel, self.channel = self.channel, None
        self.outbox.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.layer is not None and channel is not None:
            with contextlib.suppress(Exception):
                await self.layer.group_discard(FANOUT_GROUP, channel)
        await in_store_thread(_close_connection)


_REFUSALS: dict[services.Refusal | None, type[Exception]] = {
    None: Refused,
    services.Refusal.DOCUMENT_FULL: DocumentFull,
    services.Refusal.LOG_FULL: LogFull,
}

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
