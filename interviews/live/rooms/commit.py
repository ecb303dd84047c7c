"""Group commit: every update queued in this process is stored in one transaction per batch.

An update from a socket is queued; the commit loop stores everything queued in one
transaction (batches start at least LIVE_COMMIT_SPACING_MS apart), then applies each update to
its room's document, sends it to the room's other local sockets directly and hands it to the
fan-out for the other processes.

Storage stays bounded whatever a socket sends. An update the room's document already holds
(a resend, a step 2 overlapping what is known) is neither stored nor sent on; identical
bytes queued by two sockets are committed once. What is stored is counted on the document's
row in the commit transaction, so the limits hold across sockets and processes: the log
since the last checkpoint asks for compaction at half of LIVE_MAX_LOG_BYTES and refuses past
it, and checkpoint plus log refuse past LIVE_MAX_DOCUMENT_BYTES.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection

from interviews.live import metrics, protocol, services
from interviews.live.rooms.room import Member, Room, RoomKey
from interviews.live.rooms.store import LoopStore

log = logging.getLogger(__name__)

T = TypeVar("T")

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


# Commits run on one dedicated thread that keeps its database connection between batches;
# opening a connection per batch would cost more than the batch itself.
STORE_THREAD = "live-store"
_store_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=STORE_THREAD)


def _guarded(fn: Callable[..., T], kwargs: dict[str, Any]) -> T:
    try:
        return fn(**kwargs)
    except (OperationalError, InterfaceError):
        connection.close()  # reconnect on the next batch
        raise


def close_store_connection() -> None:
    """Close the store thread's connection (run it there, with in_store_thread)."""
    connection.close()


async def in_store_thread(fn: Callable[..., T], **kwargs: Any) -> T:
    """Run a database function on the store thread."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_store_executor, functools.partial(_guarded, fn, kwargs))


@dataclass(slots=True)
class _Pending:
    room: Room
    data: bytes
    author_id: int | None
    origin: Member | None
    future: asyncio.Future[int] = field(repr=False)


class GroupCommit:
    """The registry's commit queue and the loop that stores it."""

    rooms: dict[RoomKey, Room]

    def __init__(self) -> None:
        super().__init__()
        self.queue: list[_Pending] = []
        self.wakeup = asyncio.Event()
        # Batches being stored: on PostgreSQL up to LIVE_COMMITS_IN_FLIGHT at once, each on a
        # connection of its own, so a batch does not wait for the one before it to flush. Two
        # batches touching one document still commit in order: each locks the document's row.
        self._in_flight: set[asyncio.Task[None]] = set()
        # PostgreSQL commits on the loop, in one call per batch; other databases on the thread.
        self.loop_store = LoopStore() if settings.DATABASE_IS_POSTGRES else None

    if TYPE_CHECKING:  # provided by the registry and the fan-out

        def publish(self, room: Room, item: dict[str, Any]) -> None: ...

        def _compact(self, room: Room) -> None: ...

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
        slots = settings.LIVE_COMMITS_IN_FLIGHT if self.loop_store is not None else 1
        spacing = settings.LIVE_COMMIT_SPACING_MS / 1000
        loop = asyncio.get_running_loop()
        last = 0.0
        while True:
            await self.wakeup.wait()
            self.wakeup.clear()
            # Let the frames that are already readable join this batch and, while edits stream
            # in, those of the rest of LIVE_COMMIT_SPACING_MS since the last batch started.
            await asyncio.sleep(max(0.0, last + spacing - loop.time()))
            last = loop.time()
            while len(self._in_flight) >= slots:
                # Whatever arrives meanwhile joins the next batch.
                await asyncio.wait(self._in_flight, return_when=asyncio.FIRST_COMPLETED)
            batch, self.queue = self.queue, []
            if batch:
                task = asyncio.ensure_future(self._commit_batch(batch))
                self._in_flight.add(task)
                task.add_done_callback(self._in_flight.discard)

    async def _commit_batch(self, batch: list[_Pending]) -> None:
        try:
            await self._commit(batch)
        except Exception:
            # Every other room of the process commits through this loop: it must outlive any
            # one batch. Whoever still waits hears the store failed.
            log.exception("live: a batch of %d updates failed", len(batch))
            for item in batch:
                if not item.future.done():
                    item.future.set_exception(StoreUnavailable())
        finally:
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
        started = time.perf_counter()
        try:
            if self.loop_store is not None:
                seqs = await self.loop_store.append(pending)
            else:
                seqs = await in_store_thread(services.updates_append, pending=pending)
        except Exception:
            log.exception("live: could not commit %d updates", len(batch))
            for item in batch:
                if not item.future.done():
                    item.future.set_exception(StoreUnavailable())
            return
        metrics.committed(seqs, seconds=time.perf_counter() - started)
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
            room.broadcast(protocol.update_message(item.data), skip=item.origin)
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


_REFUSALS: dict[services.Refusal | None, type[Exception]] = {
    None: Refused,
    services.Refusal.DOCUMENT_FULL: DocumentFull,
    services.Refusal.LOG_FULL: LogFull,
}
