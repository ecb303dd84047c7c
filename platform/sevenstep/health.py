"""Readiness probes for the database, the channel layer and the Celery broker."""

from __future__ import annotations

from dataclasses import dataclass

import redis
from django.conf import settings
from django.db import connection
from kombu import Connection

_TIMEOUT = 1.0


@dataclass(frozen=True)
class Probe:
    name: str
    ok: bool
    detail: str


def probe_database() -> Probe:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not ready"
        connection.close()
        return Probe("database", False, type(exc).__name__)
    return Probe("database", True, connection.vendor)


def probe_channel_layer() -> Probe:
    config = settings.CHANNEL_LAYERS["default"]
    if config["BACKEND"].endswith("InMemoryChannelLayer"):
        return Probe("channel_layer", True, "in-memory")
    for host in config.get("CONFIG", {}).get("hosts", []):
        address = host if isinstance(host, str) else host.get("address", "")
        try:
            client = redis.Redis.from_url(
                address, socket_timeout=_TIMEOUT, socket_connect_timeout=_TIMEOUT
            )
            client.ping()
            client.close()
        except redis.RedisError as exc:
            return Probe("channel_layer", False, type(exc).__name__)
    return Probe("channel_layer", True, "redis")


def probe_broker() -> Probe:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return Probe("broker", True, "in-process")
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=_TIMEOUT) as conn:
            conn.ensure_connection(max_retries=1, timeout=_TIMEOUT)
    except Exception as exc:  # kombu raises transport-specific errors
        return Probe("broker", False, type(exc).__name__)
    return Probe("broker", True, "reachable")


def readiness() -> list[Probe]:
    return [probe_database(), probe_channel_layer(), probe_broker()]
