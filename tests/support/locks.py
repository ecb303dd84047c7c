"""Hold a sevenstep.locks lock as another process would."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import connection

from sevenstep.locks import advisory_key, exclusive


@contextlib.contextmanager
def lock_held_elsewhere(name: str) -> Iterator[None]:
    """Hold the lock called name from outside this process: its own connection on PostgreSQL
    (an advisory lock is re-entrant within one session), the shared cache elsewhere."""
    if connection.vendor != "postgresql":
        with exclusive(name) as held:
            assert held
            yield
        return
    import psycopg

    params = connection.settings_dict
    with psycopg.connect(
        host=params["HOST"] or "127.0.0.1",
        port=params["PORT"] or 5432,
        user=params["USER"],
        dbname=params["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [advisory_key(name)])
        try:
            yield
        finally:
            other.execute("SELECT pg_advisory_unlock(%s)", [advisory_key(name)])
