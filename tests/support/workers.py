"""Give each pytest-xdist worker its own files and Redis database, before Django reads settings.

Loaded as a plugin (`-p tests.support.workers` in pyproject.toml's addopts), so it runs before
pytest-django imports the settings. Each worker already has a PostgreSQL test database of its
own (tests/conftest.py names it after the process). What the workers would otherwise share:
- SEVENSTEP_VAR_DIR: the SQLite test database, media, mail and the Prometheus multiprocess
  files, which test_metrics reads back;
- the Redis database: the channel layer's groups, the live rooms' pub/sub (named after the
  database number) and the Celery broker. Both workers' databases count their interviews from
  1, so on one Redis database the rooms of one would hear the other's.
Without xdist (PYTEST_XDIST_WORKER unset) nothing changes.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from sevenstep.redis_urls import redis_db

ROOT = Path(__file__).resolve().parents[2]


def _worker_number() -> int | None:
    found = re.fullmatch(r"gw(\d+)", os.environ.get("PYTEST_XDIST_WORKER", ""))
    return int(found[1]) if found else None


def redis_url_for_worker(url: str, number: int) -> str:
    """The URL of the Redis database `number` below the one `url` names (wrapping past 0).

    The database is read as settings' `pubsub_prefix` reads it (sevenstep.redis_urls), and
    written back in the path, with `?db=` dropped: redis-py would let the query win.
    """
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    query.pop("db", None)
    ours = (redis_db(url) - number) % 16
    return urlunsplit(parts._replace(path=f"/{ours}", query=urlencode(query, doseq=True)))


number = _worker_number()
if number is not None:
    var = Path(os.environ.get("SEVENSTEP_VAR_DIR", ROOT / "var")) / f"worker{number}"
    os.environ["SEVENSTEP_VAR_DIR"] = str(var)
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)  # under the worker's own var directory
    if os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = redis_url_for_worker(os.environ["REDIS_URL"], number)
