"""Prometheus metrics of the live room: rooms, sockets, commits, fan-out and the event loop.

Defined beside the rooms they watch and exposed with every other metric of the process
(`sevenstep.metrics`, multiprocess mode). The rooms call in at three places only: after each
group commit, on each fan-out batch sent and received, and when the registry starts its tasks
(`watch`, the sampler of the rooms, sockets and event-loop lag of this process).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from prometheus_client import Counter, Gauge, Histogram

from sevenstep.metrics import LATENCY_BUCKETS

if TYPE_CHECKING:
    from interviews.live.rooms import Registry

# How often each process samples its rooms and measures its event loop's lag.
WATCH_SECONDS = 0.5

ROOMS_OPEN = Gauge(
    "sevenstep_live_rooms_open",
    "Live-room documents this process holds in memory (sampled every 0.5 s).",
    multiprocess_mode="liveall",
)
SOCKETS_OPEN = Gauge(
    "sevenstep_live_sockets_open",
    "Document sockets in this process's live rooms (sampled every 0.5 s).",
    multiprocess_mode="liveall",
)
UPDATES_COMMITTED = Counter(
    "sevenstep_live_updates_committed_total",
    "Document updates stored by group commit (rate() gives updates per second).",
)
COMMIT_SECONDS = Histogram(
    "sevenstep_live_commit_duration_seconds",
    "Time one group commit's transaction took, from queueing it on the store thread.",
    buckets=LATENCY_BUCKETS,
)
COMMIT_BATCH = Histogram(
    "sevenstep_live_commit_batch_size",
    "Updates in one group commit.",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512),
)
FANOUT_LAG = Histogram(
    "sevenstep_live_fanout_lag_seconds",
    "From a fan-out batch's send in one process to its receipt in another (wall clocks).",
    buckets=LATENCY_BUCKETS,
)
LOOP_LAG = Histogram(
    "sevenstep_event_loop_lag_seconds",
    "How late a 0.5 s sleep of the event loop wakes up, in a process serving live rooms.",
    buckets=LATENCY_BUCKETS,
)
AWARENESS_RECEIVED = Counter(
    "sevenstep_live_awareness_messages_total",
    "Awareness frames (cursors, names) received from document sockets.",
)
OUTBOX_OVERFLOWS = Counter(
    "sevenstep_live_outbox_overflows_total",
    "Document sockets closed (1013) because more than LIVE_SOCKET_OUTBOX_BYTES waited for them.",
)


def committed(seqs: Sequence[object], *, seconds: float) -> None:
    """Record one group commit: its time, its size and how many updates it stored."""
    COMMIT_SECONDS.observe(seconds)
    COMMIT_BATCH.observe(len(seqs))
    UPDATES_COMMITTED.inc(sum(1 for seq in seqs if isinstance(seq, int)))


def stamped(message: dict[str, Any]) -> dict[str, Any]:
    """Add the send time to a fan-out batch message."""
    message["sent"] = time.time()
    return message


def received(message: dict[str, Any]) -> None:
    """Record how long a fan-out batch took from its sender (stamped) to this process."""
    sent = message.get("sent")
    if isinstance(sent, float):
        FANOUT_LAG.observe(max(0.0, time.time() - sent))


async def watch(registry: Registry) -> None:
    """Sample this process's rooms and sockets, and its event loop's lag, while rooms are open."""
    loop = asyncio.get_running_loop()
    try:
        while True:
            ROOMS_OPEN.set(len(registry.rooms))
            SOCKETS_OPEN.set(sum(len(room.members) for room in registry.rooms.values()))
            started = loop.time()
            await asyncio.sleep(WATCH_SECONDS)
            LOOP_LAG.observe(max(0.0, loop.time() - started - WATCH_SECONDS))
    finally:
        # The registry stops its tasks with its last room.
        ROOMS_OPEN.set(0)
        SOCKETS_OPEN.set(0)
