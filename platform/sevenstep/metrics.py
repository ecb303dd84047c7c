"""Prometheus metrics of every web process, and the one scrape that adds them up.

The deployment runs several server processes (granian workers, replicas), so prometheus_client
runs in its multiprocess mode: each process writes its values to memory-mapped files in
PROMETHEUS_MULTIPROC_DIR (config.settings.operations points it at SEVENSTEP_VAR_DIR/prometheus
before anything imports the library, which picks its mode at import), and whichever process
answers /metrics reads every file. Counters and histograms are summed across processes; the
per-process gauges ("liveall") carry a pid label and are dropped with their process.

Files of dead processes: the library wants the directory emptied before a run starts (compose
mounts a fresh tmpfs there, bin/run empties it), and each web process, as it starts, removes what
dead processes left (`prune_dead_processes`, config/asgi.py). A dead process's live gauges always
go (`mark_process_dead`, as the library documents). Its counters stay while any other process of
the run is alive, so the sums never go down under a running Prometheus; when the starting process
finds no other writer alive, the previous run is over and everything it wrote goes (a counter
reset, which `rate()` understands).

What is recorded on a hot path costs one memory-mapped write under a lock (about a microsecond;
README, "Metrics"). The live room's own metrics are in `interviews/live/metrics.py`.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
from collections.abc import Awaitable, Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import redis
from django.conf import settings
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)

# Seconds; from a cached answer (1 ms) to a request that should have been a job (10 s).
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

HTTP_LATENCY = Histogram(
    "sevenstep_http_request_duration_seconds",
    "Time from the first middleware to the response, per route pattern (not per raw path).",
    ["method", "route", "status"],
    buckets=LATENCY_BUCKETS,
)
WEBSOCKETS_OPEN = Gauge(
    "sevenstep_websockets_open",
    "Websockets this process holds open, every endpoint.",
    multiprocess_mode="liveall",
)
WEBSOCKET_CLOSES = Counter(
    "sevenstep_websocket_closes_total",
    "Websockets closed, by close code, its meaning and who closed (server or client).",
    ["code", "reason", "by"],
)
CELERY_QUEUE_DEPTH = "sevenstep_celery_queue_length"


@functools.cache
def _close_reasons() -> dict[int, str]:
    """The close codes we send (sevenstep.consumers.CLOSE_*) and the standard ones clients send.

    A client may send any code from 1000 to 4999: the others count as "other", so the label
    stays bounded. Read on first use: this module is imported before Django is set up.
    """
    from sevenstep import consumers

    return {
        1000: "normal",
        1001: "going_away",
        1005: "no_status",
        1006: "abnormal",
        1012: "service_restart",
        **{
            value: name.removeprefix("CLOSE_").lower()
            for name, value in vars(consumers).items()
            if name.startswith("CLOSE_") and isinstance(value, int)
        },
    }


# --- HTTP ---------------------------------------------------------------------------------
def observe_http(method: str, route: str, status: int, seconds: float) -> None:
    """Record one HTTP answer under its route pattern."""
    HTTP_LATENCY.labels(method if method in _METHODS else "other", route, str(status)).observe(
        seconds
    )


# --- websockets ---------------------------------------------------------------------------
def close_reason(code: int) -> tuple[str, str]:
    """Return the (code, reason) labels of a close code; unknown codes share one pair."""
    reason = _close_reasons().get(code)
    return (str(code), reason) if reason is not None else ("other", "other")


ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


def websocket_metrics(app: ASGIApp) -> ASGIApp:
    """Count this process's open websockets and how each one closed, around the whole stack.

    At the ASGI level every consumer's closes are seen, the handshake refusals of the auth
    middleware included, and a consumer needs no code of its own. Per frame this costs a
    comparison: only the close and the disconnect are counted.
    """

    async def counted(scope: dict[str, Any], receive: Any, send: Any) -> None:
        closed = False

        async def watched_send(message: Mapping[str, Any]) -> None:
            nonlocal closed
            if message["type"] == "websocket.close" and not closed:
                closed = True
                WEBSOCKET_CLOSES.labels(*close_reason(message.get("code", 1000)), "server").inc()
            await send(message)

        async def watched_receive() -> Mapping[str, Any]:
            nonlocal closed
            message = await receive()
            if message["type"] == "websocket.disconnect" and not closed:
                closed = True
                WEBSOCKET_CLOSES.labels(*close_reason(message.get("code", 1005)), "client").inc()
            return message

        WEBSOCKETS_OPEN.inc()
        try:
            await app(scope, watched_receive, watched_send)
        finally:
            WEBSOCKETS_OPEN.dec()

    return counted


# --- the scrape ---------------------------------------------------------------------------
class CeleryQueueCollector(Collector):
    """Read the Celery queue's length from the broker at scrape time (Redis brokers only).

    Kombu keeps a Redis queue as a list per priority step: the queue's name, and the name with
    a separator and the step for the non-default priorities; their lengths add up.
    """

    PRIORITY_SEPARATOR = "\x06\x16"
    PRIORITY_STEPS = (3, 6, 9)

    def __init__(self, broker_url: str, queue: str) -> None:
        self.client = redis.Redis.from_url(
            broker_url, socket_timeout=1.0, socket_connect_timeout=1.0
        )
        self.queue = queue

    def collect(self) -> Iterator[Metric]:
        keys = [self.queue] + [
            f"{self.queue}{self.PRIORITY_SEPARATOR}{step}" for step in self.PRIORITY_STEPS
        ]
        try:
            with self.client.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.llen(key)
                lengths = pipe.execute()
        except redis.RedisError:
            # No figure rather than a wrong one: an absent series is what alerts look for.
            log.warning("metrics: could not read the Celery queue length", exc_info=True)
            return
        family = GaugeMetricFamily(
            CELERY_QUEUE_DEPTH,
            "Jobs waiting in the Celery queue (read from the broker).",
            labels=["queue"],
        )
        family.add_metric([self.queue], float(sum(lengths)))
        yield family


_celery_collectors: dict[tuple[str, str], CeleryQueueCollector] = {}


def _celery_queue() -> CeleryQueueCollector | None:
    """This process's queue-length collector (one Redis client for every scrape), if any."""
    url = settings.CELERY_BROKER_URL
    if settings.CELERY_TASK_ALWAYS_EAGER or not url.startswith(("redis://", "rediss://")):
        return None
    key = (url, settings.CELERY_TASK_DEFAULT_QUEUE)
    if key not in _celery_collectors:
        _celery_collectors[key] = CeleryQueueCollector(*key)
    return _celery_collectors[key]


def scrape() -> bytes:
    """Return every process's metrics, added up, in the Prometheus text format."""
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(multiproc_dir()))
    celery = _celery_queue()
    if celery is not None:
        registry.register(celery)
    return generate_latest(registry)


# --- the directory ------------------------------------------------------------------------
def multiproc_dir() -> Path:
    return Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def prune_dead_processes(path: Path | None = None) -> None:
    """Remove what dead processes left in the metrics directory (run at process start)."""
    path = path or multiproc_dir()
    owners: dict[int, list[Path]] = {}
    for file in path.glob("*.db"):
        with contextlib.suppress(ValueError):
            owners.setdefault(int(file.stem.rsplit("_", 1)[1]), []).append(file)
    me = os.getpid()
    others_alive = any(pid != me and _alive(pid) for pid in owners)
    for pid, files in owners.items():
        if pid == me or _alive(pid):
            continue
        if others_alive:
            # Another process of this run lives on: only the dead one's live gauges go, its
            # counters stay in the sums. A sibling starting at once may remove them first.
            with contextlib.suppress(FileNotFoundError):
                mark_process_dead(pid, str(path))
        else:
            for file in files:
                file.unlink(missing_ok=True)
