"""Per-process rooms: the in-memory document of each active room, group commit and fan-out.

One `Registry` per event loop (one per server process) holds a `Room` per document that has a
local socket. An update from a socket is queued; the registry commits everything queued in one
transaction (group commit), then applies it to the room's document and sends it to the room's
other local sockets directly and, in one channel-layer message per batch, to the other
processes. Same-process sockets never go through the channel layer.

The parts, each explained in its module: `room` (one document and its sockets), `registry`
(membership and the background tasks' lifecycle), `commit` (group commit and the storage
bounds), `fanout` (the cross-process hop, at most once) and `recovery` (gaps and the periodic
check read back from the log).
"""

from interviews.live.rooms.commit import DocumentFull, LogFull, Refused, StoreUnavailable
from interviews.live.rooms.fanout import FANOUT_GROUP, LIVE_LAYER
from interviews.live.rooms.registry import Registry, TooManySockets, interview_ended, registry
from interviews.live.rooms.room import Member, Room, RoomKey

__all__ = [
    "FANOUT_GROUP",
    "LIVE_LAYER",
    "DocumentFull",
    "LogFull",
    "Member",
    "Refused",
    "Registry",
    "Room",
    "RoomKey",
    "StoreUnavailable",
    "TooManySockets",
    "interview_ended",
    "registry",
]
