"""/metrics: only the operator's token reads it, and it adds up every process's figures."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from importlib import import_module
from pathlib import Path

import pytest
from django.test import Client

from sevenstep import metrics
from tests.support.metrics import sample
from tests.support.servers import ROOT, process_env

TOKEN = "operators-only-0123456789"


def scraped(client: Client) -> str:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def operator(settings) -> Client:
    """A client holding the metrics token, against the app as a server process loads it."""
    import_module("config.asgi")  # every module that defines metrics, the live room's too
    settings.METRICS_TOKEN = TOKEN
    return Client()


def test_metrics_are_a_missing_page_while_no_token_is_set(settings) -> None:
    settings.METRICS_TOKEN = ""
    response = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "authorization",
    [None, "", f"Basic {TOKEN}", f"Bearer {TOKEN[:-1]}", f"Bearer {TOKEN}x", "Bearer", TOKEN],
)
def test_anyone_without_the_token_gets_the_missing_page(operator, authorization) -> None:
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    response = operator.get("/metrics", **headers)
    missing = operator.get("/api/no-such-endpoint/")
    assert response.status_code == 404
    assert response.json() == missing.json()
    assert b"sevenstep_" not in response.content


def test_the_operator_reads_the_metrics_in_the_prometheus_format(operator) -> None:
    response = operator.get("/metrics", HTTP_AUTHORIZATION=f"bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response["Cache-Control"].startswith("max-age=0")
    text = response.content.decode()
    for name in (
        "sevenstep_websockets_open",
        "sevenstep_live_rooms_open",
        "sevenstep_live_updates_committed_total",
        "sevenstep_live_awareness_messages_total",
        "sevenstep_live_commit_duration_seconds",
        "sevenstep_live_fanout_lag_seconds",
        "sevenstep_event_loop_lag_seconds",
    ):
        assert f"# TYPE {name} " in text, name


@pytest.mark.django_db
def test_http_latency_is_labelled_with_the_route_pattern_never_the_path(operator) -> None:
    route = "api/interviews/<int:pk>/"
    before = sample(scraped(operator), "sevenstep_http_request_duration_seconds_count", route=route)
    for pk in (101, 202, 303):
        operator.get(f"/api/interviews/{pk}/")
    text = scraped(operator)
    assert sample(text, "sevenstep_http_request_duration_seconds_count", route=route) == (
        before + 3
    )
    assert "/api/interviews/101/" not in text and "interviews/202" not in text
    operator.get("/api/made-up/12345/")
    assert "made-up" not in scraped(operator)  # not the path, nor any part of it


WRITER = """
import django, os, sys
django.setup()
from sevenstep import metrics
metrics.WEBSOCKET_CLOSES.labels("4429", "rate_limited", "server").inc(3)
metrics.WEBSOCKETS_OPEN.inc()
print(os.getpid(), flush=True)
sys.stdin.read()  # alive until the test closes stdin
"""


def test_a_scrape_adds_up_the_counts_of_every_process(operator) -> None:
    """Another server process writes to the same directory; the scrape sums both."""
    labels = {"code": "4429", "reason": "rate_limited", "by": "server"}
    before = sample(scraped(operator), "sevenstep_websocket_closes_total", **labels)
    writer = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(WRITER)],
        cwd=ROOT,
        env=process_env(
            DJANGO_SETTINGS_MODULE="config.settings",
            PROMETHEUS_MULTIPROC_DIR=os.environ["PROMETHEUS_MULTIPROC_DIR"],
        ),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdin is not None
        pid = writer.stdout.readline().strip()
        metrics.WEBSOCKET_CLOSES.labels(*labels.values()).inc(2)
        text = scraped(operator)
        assert sample(text, "sevenstep_websocket_closes_total", **labels) == before + 5
        # Per-process gauges keep each process apart.
        assert sample(text, "sevenstep_websockets_open", pid=pid) == 1
        assert sample(text, "sevenstep_websockets_open", pid=str(os.getpid())) == 0
    finally:
        writer.communicate("", timeout=30)
    # Dead, its live gauge goes when the next process starts; its count stays in the sum
    # while this process lives, so the total never goes down under a running Prometheus.
    subprocess.run(
        [sys.executable, "-c", "from sevenstep.metrics import prune_dead_processes as p; p()"],
        cwd=ROOT,
        env=process_env(PROMETHEUS_MULTIPROC_DIR=os.environ["PROMETHEUS_MULTIPROC_DIR"]),
        check=True,
    )
    text = scraped(operator)
    assert f'sevenstep_websockets_open{{pid="{pid}"}}' not in text
    assert sample(text, "sevenstep_websocket_closes_total", **labels) == before + 5


def _dead_pid() -> int:
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    return finished.pid


def test_a_new_run_removes_everything_a_finished_run_left(tmp_path: Path) -> None:
    dead = _dead_pid()
    left = [tmp_path / f"{kind}_{dead}.db" for kind in ("counter", "histogram", "gauge_liveall")]
    for file in left:
        file.write_bytes(b"")
    metrics.prune_dead_processes(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_dead_process_loses_only_its_live_gauges_while_another_lives(tmp_path: Path) -> None:
    dead, alive = _dead_pid(), os.getppid()
    names = [f"{kind}_{pid}.db" for pid in (dead, alive) for kind in ("counter", "gauge_liveall")]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    metrics.prune_dead_processes(tmp_path)
    assert sorted(file.name for file in tmp_path.iterdir()) == sorted(
        {f"counter_{dead}.db", f"counter_{alive}.db", f"gauge_liveall_{alive}.db"}
    )


def test_close_codes_are_named_and_unknown_ones_share_one_label() -> None:
    assert metrics.close_reason(4429) == ("4429", "rate_limited")
    assert metrics.close_reason(4404) == ("4404", "not_found")
    assert metrics.close_reason(1000) == ("1000", "normal")
    assert metrics.close_reason(4999) == ("other", "other")


def test_without_a_redis_broker_there_is_no_queue_length(operator, settings) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert "sevenstep_celery_queue_length" not in scraped(operator)


@pytest.mark.redis
def test_the_celery_queue_length_is_read_from_the_broker(operator, settings, queue) -> None:
    """Jobs nobody took yet, at every priority, counted at scrape time."""
    import redis

    from config.celery_app import app

    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    for priority in (None, None, 9):
        app.send_task("sevenstep.nothing", queue=queue, priority=priority)
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        assert sample(scraped(operator), "sevenstep_celery_queue_length", queue=queue) == 3
    finally:
        broker.delete(queue, *(f"{queue}\x06\x16{step}" for step in (3, 6, 9)))
    assert sample(scraped(operator), "sevenstep_celery_queue_length", queue=queue) == 0


@pytest.mark.django_db
def test_no_account_reads_the_metrics_not_even_staff(operator, staff) -> None:
    """Only the token opens /metrics: a signed-in staff member's session does not."""
    staff.is_superuser = True
    staff.save()
    operator.force_login(staff)
    assert operator.get("/metrics").status_code == 404
    assert operator.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
