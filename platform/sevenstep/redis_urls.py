"""The database a Redis URL names, read one way by the settings and by the test workers.

Nothing here imports Django: the test workers' plugin reads it before the settings load.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit


def redis_db(url: str) -> int:
    """Return the database number a Redis URL names: its path, else `?db=`, else 0."""
    parts = urlsplit(url)
    db = parts.path.strip("/") or parse_qs(parts.query).get("db", ["0"])[0]
    return int(db) if db.isdigit() else 0
