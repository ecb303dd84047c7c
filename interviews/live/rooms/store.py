"""The group commit's connection on PostgreSQL: one call per batch, awaited on the event loop.

On PostgreSQL a batch is one statement (`live_updates_append`, migration live 0004), so it
needs no transaction of Django's and no thread: the registry keeps psycopg async connections
in autocommit and awaits the call on its own loop. The store thread it replaces
cost each batch two hops between threads, and each hop waited for the interpreter while the
loop was busy (bench/README.md). Other databases commit on the store thread (`commit.py`).

Connections are opened on first use with the settings Django connects with (one per batch in
flight, LIVE_COMMITS_IN_FLIGHT), and closed when the last room of the process closes. A batch
that fails closes its connection, so the next batch reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any

import psycopg
from django.db import connections

from interviews.live import services
from interviews.live.services.documents import APPEND_SQL, append_arguments, appended

# A batch that takes longer than this is given up (the clients re-send on reconnecting); a
# slow disk's flush takes a few hundred milliseconds at worst.
STORE_TIMEOUT_SECONDS = 10.0
CONNECT_TIMEOUT_SECONDS = 5


def _connection_params() -> dict[str, Any]:
    params = connections["default"].get_connection_params()
    params.pop("cursor_factory", None)  # Django's cursor classes are synchronous
    params.setdefault("connect_timeout", CONNECT_TIMEOUT_SECONDS)
    return params


class LoopStore:
    """A registry's PostgreSQL connections for its group commit, one per batch in flight."""

    def __init__(self) -> None:
        self.idle: list[psycopg.AsyncConnection[Any]] = []
        # Counts the closes: a batch still in flight when the store closed (the registry
        # stopped) closes its connection when it ends, instead of leaving it idle and open.
        self.closes = 0

    async def append(self, pending: Sequence[services.PendingUpdate]) -> services.Appended:
        """Commit a batch in one call; raise if the database did not take it."""
        opened_in = self.closes
        connection = self.idle.pop() if self.idle else None
        try:
            async with asyncio.timeout(STORE_TIMEOUT_SECONDS):
                if connection is None or connection.closed:
                    connection = await psycopg.AsyncConnection.connect(
                        **_connection_params(), autocommit=True
                    )
                cursor = await connection.execute(APPEND_SQL, append_arguments(pending))
                rows = await cursor.fetchall()
        except BaseException:
            # Whatever state the connection is in now (broken, mid-statement), it is not
            # trusted again: the next batch opens a new one.
            await _close(connection)
            raise
        if opened_in == self.closes:
            self.idle.append(connection)
        else:
            await _close(connection)
        return appended(pending, rows)

    async def close(self) -> None:
        self.closes += 1
        idle, self.idle = self.idle, []
        for connection in idle:
            await _close(connection)


async def _close(connection: psycopg.AsyncConnection[Any] | None) -> None:
    if connection is not None and not connection.closed:
        with contextlib.suppress(Exception):  # already broken: nothing left to release
            await connection.close()
