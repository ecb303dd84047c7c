"""A room: the in-memory document of one interview's document in this process, and its sockets.

The room holds the document as far as this process has applied the update log (`applied`,
with `ahead` for updates that arrived beyond a gap), its awareness states and which socket
controls which awareness client. Storing, fan-out and healing are the registry's
(`registry.py`); the room only applies what it is given and sends it to its local sockets.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from channels.db import database_sync_to_async
from django.conf import settings
from pycrdt import Awareness, Doc, get_update, merge_updates

from interviews.live import protocol, selectors, services
from interviews.live.awareness import decode_state
from interviews.live.layout import DocumentKind

if TYPE_CHECKING:
    from interviews.live.rooms.registry import Registry

# Awareness changes that came from another process or from expiry are not forwarded again.
REMOTE = "remote"
AWARENESS_TIMEOUT_MS = 30_000
GAP_GRACE_SECONDS = 0.5
# The rooms are tended in this many slices over each LIVE_RESYNC_SECONDS (recovery.py).
HOUSEKEEPING_SLICES = 15


class Member(Protocol):
    def post(self, frame: bytes) -> None:
        """Queue a frame for the socket and return at once; its frames go out in order."""


@dataclass(frozen=True, slots=True)
class RoomKey:
    interview_id: int
    kind: DocumentKind


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
        # The other processes that hold this room, by channel, with when they last said so:
        # the fan-out sends the room's updates to them only (fanout.py).
        self.peers: dict[str, float] = {}
        self._heard = 0  # the highest seq another process said it knows
        self._gap_check: asyncio.TimerHandle | None = None
        # Which slice of the rooms' housekeeping this one falls in (recovery.py).
        self.housekeeping_slice = random.randrange(HOUSEKEEPING_SLICES)

    def __repr__(self) -> str:
        return f"<Room {self.key.interview_id}/{self.key.kind} seq={self.applied}>"

    async def load(self, *, read_only: bool) -> None:
        document = await database_sync_to_async(services.document_get_or_create)(
            interview_id=self.key.interview_id, kind=self.key.kind
        )
        self.document_id = document.pk
        # Listen before reading, so nothing committed elsewhere in between is missed, and
        # say that this process holds the room, so the others send it what they commit.
        await self.registry.subscribe()
        self.registry.announce(self)
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
        if self._heard > self.known:
            self.registry.spawn(self.registry.catch_up(self))

    @property
    def known(self) -> int:
        """The highest seq this room has applied (beyond a gap, if any)."""
        return max(self.applied, max(self.ahead, default=0))

    def heard(self, seq: int) -> bool:
        """Another process knows the log up to `seq`: whether this room should read it back."""
        self._heard = max(self._heard, seq)
        return self.loaded and seq > self.known

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

    def broadcast(self, frame: bytes, *, skip: Member | None = None) -> None:
        """Queue the frame for every socket of the room but `skip`; nothing waits on a socket.

        The commit loop and the fan-out serve every room of the process: awaiting each send in
        turn made every room wait on each socket's writes (and on the slowest reader).
        """
        for member in self.members:
            if member is not skip:
                member.post(frame)

    def _on_awareness(self, topic: str, change: tuple[dict[str, list[int]], Any]) -> None:
        if topic == "update":
            self._awareness_changes.append(change)

    def apply_awareness(
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
        self.flush_awareness()
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

    def flush_awareness(self) -> None:
        changes, self._awareness_changes = self._awareness_changes, []
        for change, origin in changes:
            client_ids = change["added"] + change["updated"] + change["removed"]
            inner = self.awareness.encode_awareness_update(client_ids)
            self.broadcast(protocol.awareness_frame(inner), skip=origin)
            if origin is not REMOTE and origin != "timeout":
                item: dict[str, Any] = {"type": "awareness", "update": inner}
                owners = {self.owners.get(client_id) for client_id in client_ids}
                if len(owners) == 1 and None not in owners:
                    item["user"] = owners.pop()  # the other processes keep the id with its user
                self.registry.publish(self, item)

    def local_awareness(self) -> list[dict[str, Any]]:
        """The cursors of this process's sockets, as fan-out items (one per user)."""
        by_owner: dict[int | None, list[int]] = {}
        for claimed in self.members.values():
            for client_id in sorted(claimed & self.awareness.states.keys()):
                by_owner.setdefault(self.owners.get(client_id), []).append(client_id)
        items = []
        for owner, client_ids in by_owner.items():
            item: dict[str, Any] = {
                "type": "awareness",
                "update": self.awareness.encode_awareness_update(client_ids),
            }
            if owner is not None:
                item["user"] = owner
            items.append(item)
        return items

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
