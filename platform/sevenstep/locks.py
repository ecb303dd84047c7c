"""One lock across processes: `exclusive(name)`.

On PostgreSQL it is a session advisory lock: the server releases it if the process holding it
dies, so a killed worker never leaves it held. Elsewhere (SQLite, one machine) it is a cache
entry that expires, so a crashed holder blocks the next run only until then.
"""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache
from django.db import connection


def advisory_key(name: str) -> int:
    """Return the PostgreSQL advisory lock number standing for name."""
    return zlib.crc32(name.encode())


@contextmanager
def exclusive(name: str, *, expires: int = 3600) -> Iterator[bool]:
    """Try to hold the lock called name; yield whether this process got it, release it after.

    Never waits: a caller that does not get the lock decides what to do (skip, retry later).
    `expires` bounds how long the cache fallback outlives a holder that died (seconds).
    """
    if connection.vendor == "postgresql":
        key = advisory_key(name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            acquired = bool(cursor.fetchone()[0])
        try:
            yield acquired
        finally:
            if acquired:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return
    token = uuid.uuid4().hex
    acquired = cache.add(f"lock:{name}", token, timeout=expires)
    try:
        yield acquired
    finally:
        if acquired and cache.get(f"lock:{name}") == token:
            cache.delete(f"lock:{name}")
