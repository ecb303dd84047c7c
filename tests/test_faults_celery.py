"""A Celery worker killed in the middle of the nightly report rebuild loses nothing.

The job is acknowledged only when it is done (acks_late), so the broker hands it out again
once the visibility timeout has passed; the killed run's transaction never committed, so the
redelivered run writes every report exactly once.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
import redis

from scoring.models import ModelFit, RaterStats, Report, ReportKind, ReportSnapshot
from tests.scoring.conftest import given_scorecard, person
from tests.support.servers import celery_worker, children, kill_tree, run_database_url, wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
]

VISIBILITY_TIMEOUT = "2"


def _blocked_on(conn: psycopg.Connection, table: str) -> list[int]:
    """Backends waiting for a lock on table (other than conn's own)."""
    rows = conn.execute(
        "SELECT pid FROM pg_locks WHERE relation = %s::regclass AND NOT granted",
        [table],
    ).fetchall()
    return [pid for (pid,) in rows]


def _alive(conn: psycopg.Connection, pids: list[int]) -> bool:
    row = conn.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [pids]
    ).fetchone()
    assert row is not None  # count(*) always answers one row
    return bool(row[0])


def _left_in_broker(queue_name: str) -> int:
    """Messages of this queue still waiting or taken but not acknowledged."""
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    unacked = [
        json.loads(raw) for raw in client.hvals("unacked")
    ]  # [message, exchange, routing key]
    return int(client.llen(queue_name)) + sum(1 for entry in unacked if entry[2] == queue_name)


@dataclass
class Seeded:
    raters: list[Any]
    cards: dict[int, int]  # candidate id -> released scorecards


@pytest.fixture
def seeded() -> Seeded:
    raters = [person() for _ in range(3)]
    cards = {}
    for c in range(4):
        candidate = person()
        cards[candidate.pk] = 2 + c
        for k in range(2 + c):
            scores = [1 + (c + k + step) % 4 for step in range(7)]
            given_scorecard(raters[k % 3], candidate, scores, days_ago=3 + k)
    return Seeded(raters, cards)


@contextlib.contextmanager
def rebuild_held_mid_write() -> Iterator[psycopg.Connection]:
    """Hold the table the rebuild writes its model fit to: a run gets that far (rater model
    fitted, every report built, its transaction open) and waits there, to be killed."""
    holder = psycopg.connect(run_database_url())
    watcher = psycopg.connect(run_database_url(), autocommit=True)
    try:
        holder.execute("LOCK TABLE scoring_modelfit IN EXCLUSIVE MODE")
        yield watcher
        holder.rollback()
    finally:
        holder.close()
        watcher.close()


def assert_rebuilt_once(result: dict[str, Any], seeded: Seeded) -> None:
    assert result["skipped"] is False
    fit = ModelFit.objects.get()  # one fit: the killed run left none, the job ran once more
    assert result["fit_id"] == fit.pk
    reports = {report.user_id: report for report in Report.objects.all()}
    assert set(reports) == set(seeded.cards)
    for user_id, report in reports.items():
        assert report.kind == ReportKind.NIGHTLY
        assert report.fit_id == fit.pk
        assert report.n_scorecards == seeded.cards[user_id]
        assert ReportSnapshot.objects.filter(user_id=user_id).count() == 1
    assert RaterStats.objects.filter(fit=fit).count() == len(seeded.raters)


def test_a_worker_killed_mid_rebuild_is_redone_once_and_the_reports_are_right(
    queue,
    seeded,
) -> None:
    from scoring.tasks import reports_rebuild_all

    env = {"CELERY_VISIBILITY_TIMEOUT": VISIBILITY_TIMEOUT}
    with rebuild_held_mid_write() as watcher, celery_worker(queue, pool="prefork", **env) as worker:
        job = reports_rebuild_all.apply_async(queue=queue)
        wait_for(lambda: _blocked_on(watcher, "scoring_modelfit"), timeout=60)
        stuck = _blocked_on(watcher, "scoring_modelfit")
        kill_tree(worker)
    # The killed run's database session ends once it finds its client gone: its transaction
    # rolls back and its lock on the rebuild is released.
    with psycopg.connect(run_database_url(), autocommit=True) as watcher:
        wait_for(lambda: not _alive(watcher, stuck), timeout=30)
    assert not ModelFit.objects.exists()
    assert not Report.objects.exists()
    assert _left_in_broker(queue) == 1  # taken, never acknowledged

    with celery_worker(queue, pool="prefork", **env):
        result = job.get(timeout=90)
        wait_for(lambda: _left_in_broker(queue) == 0, timeout=30)
    assert_rebuilt_once(result, seeded)


def test_a_job_whose_child_process_dies_runs_again_once_the_dead_run_lets_go(
    queue,
    seeded,
) -> None:
    """The worker survives and hands the job out again at once (reject_on_worker_lost), while
    the dead run's database session may still hold the rebuild lock: the job must wait for
    it and run, not skip the night's rebuild."""
    from scoring.tasks import reports_rebuild_all

    env = {"REPORT_REBUILD_BUSY_RETRY_SECONDS": "1"}
    with celery_worker(queue, pool="prefork", **env) as worker:
        with rebuild_held_mid_write() as watcher:
            job = reports_rebuild_all.apply_async(queue=queue)
            wait_for(lambda: _blocked_on(watcher, "scoring_modelfit"), timeout=60)
            (child,) = children(worker.pid)
            os.kill(child, signal.SIGKILL)
            # A new child takes the job again while the dead run still holds the lock.
            wait_for(lambda: job.state in {"RETRY", "SUCCESS"}, timeout=60)
        result = job.get(timeout=90)
        wait_for(lambda: _left_in_broker(queue) == 0, timeout=30)
    assert_rebuilt_once(result, seeded)
