"""The Redis channel layer as configured: a burst of sockets sending at once loses nothing.

A process's sockets share one Redis connection pool and one inbox. Two hundred calls
negotiating in the same second send ~1,600 ICE candidates at once; with redis-py's own pool
the 101st concurrent send raised MaxConnectionsError (killing the socket that sent it), and
with an inbox of 1,000 the rest of the burst was dropped.
"""

from __future__ import annotations

import asyncio

import pytest
from channels.layers import channel_layers
from django.conf import settings

pytestmark = pytest.mark.redis

BURST = 1_600


@pytest.fixture
async def layer():
    layer = channel_layers.make_backend("default")
    await layer.flush()
    yield layer
    await layer.flush()
    await layer.close_pools()


async def test_a_burst_of_sends_from_one_process_waits_for_connections_instead_of_failing(
    layer,
) -> None:
    receivers = [await layer.new_channel() for _ in range(200)]
    # Every send at once, as 200 sockets relaying their candidates in the same tick do.
    await asyncio.gather(
        *(
            layer.send(receivers[n % len(receivers)], {"type": "call.signal", "n": n})
            for n in range(BURST)
        )
    )
    pool = layer.connection(0).connection_pool
    assert (
        len(pool._in_use_connections) + len(pool._available_connections)
        <= (settings.CHANNEL_LAYERS["default"]["CONFIG"]["max_connections"])
    )

    async def inbox(channel: str) -> list[int]:  # each socket reads its own channel in turn
        return [(await layer.receive(channel))["n"] for _ in range(BURST // len(receivers))]

    heard = await asyncio.wait_for(asyncio.gather(*(inbox(c) for c in receivers)), 30)
    assert sorted(n for messages in heard for n in messages) == list(range(BURST))
