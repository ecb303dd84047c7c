"""The Redis channel layer, with a connection pool that waits for a connection in a burst.

channels_redis takes one connection from its pool for every send, group send and receive.
redis-py's asyncio pool holds at most 100 connections and raises MaxConnectionsError on the
101st at once: in a burst (every call of a busy process negotiating in the same second) the
consumer that asked died and its socket closed with no status. This layer's pool is bounded
the same way but makes the 101st wait its turn (up to `pool_timeout` seconds), so a burst costs
latency, not sockets, and a process never holds more than `max_connections` to Redis.
"""

from __future__ import annotations

from typing import Any

from channels_redis.core import RedisChannelLayer as _RedisChannelLayer
from redis.asyncio import BlockingConnectionPool


class RedisChannelLayer(_RedisChannelLayer):
    """channels_redis's layer; hosts given as {"address": url, ...} share a blocking pool."""

    def __init__(
        self, *args: Any, max_connections: int = 100, pool_timeout: float = 10, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.max_connections = max_connections
        self.pool_timeout = pool_timeout

    def create_pool(self, index: int) -> Any:
        host = dict(self.hosts[index])
        if "address" not in host:  # Sentinel and host/port entries: channels_redis's own pool
            return super().create_pool(index)
        address = host.pop("address")
        return BlockingConnectionPool.from_url(
            address, max_connections=self.max_connections, timeout=self.pool_timeout, **host
        )
