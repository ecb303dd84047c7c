"""Settings: the database, Redis (channel layers, cache, broker) and the Celery schedule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab

from config.settings.base import BASE_DIR, env_int, env_str

# --- database -------------------------------------------------------------------------
VAR_DIR = Path(env_str("SEVENSTEP_VAR_DIR", str(BASE_DIR / "var")))
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=0, conn_health_checks=True)
    }
    # Web processes borrow PostgreSQL connections from a pool (config/asgi.py turns it on):
    # opening one per request or websocket handshake costs more than most requests. Workers and
    # commands, which fork or run once, connect as usual.
    # SQLite (DATABASE_URL=sqlite:///path, a documented form) has no pool: its driver refuses
    # the option, so only PostgreSQL gets one.
    pooled = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    if pooled and (DATABASE_POOL_SIZE := env_int("DATABASE_POOL_SIZE", 0)):
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": DATABASE_POOL_SIZE,
            "timeout": env_int("DATABASE_POOL_TIMEOUT", 2),
            # Give up a reconnect attempt soon: its delay doubles while it lasts, so a long one
            # would leave the pool empty long after the database is back. The next request that
            # finds the pool empty starts a new attempt.
            "reconnect_timeout": 5,
        }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(Path(env_str("SQLITE_PATH", str(VAR_DIR / "sevenstep.sqlite3")))),
            # WAL lets the ASGI server, a worker and the tests read while one writes.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # A file, not :memory:, so a server started by a test sees the test database.
            "TEST": {"NAME": str(VAR_DIR / "test.sqlite3")},
        }
    }
DATABASE_IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- redis: channel layer, cache, broker ---------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")


def pubsub_prefix(redis_url: str) -> str:
    """Name the pub/sub channels after the Redis database number, as keys are scoped by it.

    Redis pub/sub ignores database numbers: without this, two deployments (or test runs) on one
    Redis server with different databases would hear each other's live-room fan-out.
    """
    from sevenstep.redis_urls import redis_db

    return f"asgi.db{redis_db(redis_url)}."


if REDIS_URL:
    CHANNEL_LAYERS: dict[str, dict[str, Any]] = {
        "default": {
            # channels_redis's layer with a pool that makes a burst wait for a connection
            # instead of failing the consumer that asked (sevenstep/layers.py).
            "BACKEND": "sevenstep.layers.RedisChannelLayer",
            # A consumer waits on its channel with a 5 s blocking pop; redis-py's default socket
            # timeout is also 5 s, so an idle socket's read could time out just before the
            # empty answer arrived and the consumer died. Reads get a longer timeout.
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "socket_timeout": 30}],
                # Messages waiting for one process (its sockets share one inbox in Redis). A
                # call's browser sends its ICE candidates in one burst: 200 calls negotiating
                # at once put 1,600 in a process's inbox within a fraction of a second, and
                # what does not fit is dropped. Expiry bounds how long any of it stays.
                "capacity": env_int("CHANNEL_LAYER_CAPACITY", 10_000),
                "expiry": 30,
                "max_connections": env_int("CHANNEL_LAYER_MAX_CONNECTIONS", 100),
                "pool_timeout": 10,
            },
        },
        # Live rooms' cross-process fan-out: pushed, one PUBLISH per batch. At most once is
        # enough there: rooms heal lost messages from the update log
        # (interviews/live/rooms/fanout.py).
        "live": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": pubsub_prefix(REDIS_URL)},
        },
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_PREFIX", "sevenstep"),
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer"},
        "live": {"BACKEND": "channels.layers.InMemoryChannelLayer"},
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Without a broker, jobs run in-process as they are enqueued (said at startup).
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A job taken by a worker that then died goes back to the queue after this many seconds
# (jobs are acknowledged only when done); longer than the longest job, the nightly rebuild.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "sevenstep")
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {}


def every(task: str, seconds: int) -> dict[str, object]:
    """A periodic job whose tick expires after its own period: a tick that waited that long is
    dropped, since the next one does the same work."""
    return {"task": task, "schedule": float(seconds), "options": {"expires": seconds}}


# Refit the rater model and rebuild every weakness report each night.
CELERY_BEAT_SCHEDULE["scoring-nightly-rebuild"] = {
    "task": "scoring.reports_rebuild_all",
    "schedule": crontab(hour=3, minute=30),
}
# Scorecards released by their deadline (no feedback came) reach the candidate's report within
# minutes, like a submission, instead of waiting for the night.
CELERY_BEAT_SCHEDULE["scoring-request-released"] = every("scoring.reports_request_released", 300)
# Pair open interview requests, send due reminders, keep the instant-match queue moving.
CELERY_BEAT_SCHEDULE["interviews-matching"] = every("interviews.match_scheduled", 300)
CELERY_BEAT_SCHEDULE["interviews-reminders"] = every("interviews.send_due_reminders", 60)
CELERY_BEAT_SCHEDULE["interviews-instant-sweep"] = every("interviews.instant_sweep", 10)
# Delete recordings past RECORDING_RETENTION_DAYS, files and all.
CELERY_BEAT_SCHEDULE["live-recordings-purge"] = {
    "task": "live.recordings_purge",
    "schedule": crontab(hour=4, minute=10),
}
