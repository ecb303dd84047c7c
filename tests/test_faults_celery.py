"""A Celery worker killed in the middle of the nightly report rebuild loses nothing.

The job is acknowledged only when it is done (acks_late), so the broker hands it out again
once the visibility timeout has passed; the killed run's transaction never committed, so the
redelivered run writes every report exactly once.
"""

from __future__ import annotations

import json

import psycopg
import pytest
import redis
from django.db import connection

from scoring.models import ModelFit, RaterStats, Report, ReportKind, ReportSnapshot
from tests.scoring.conftest import given_scorecard, person
from tests.scoring.test_jobs import queue, rubric_v1, wait_for  # noqa: F401 (fixtures)
from tests.support.servers import celery_worker, kill_tree

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
]

VISIBILITY_TIMEOUT = "2"


def _dsn() -> str:
    db = connection.settings_dict
    return (
        f"host={db.get('HOST') or '127.0.0.1'} port={db.get('PORT') or 5432} "
        f"user={db.get('USER') or 'postgres'} dbname={db['NAME']}"
    )


def _blocked_on(conn: psycopg.Connection, table: str) -> list[int]:
    """Backends waiting for a lock on table (other than conn's own)."""
    rows = conn.execute(
        "SELECT pid FROM pg_locks WHERE relation = %s::regclass AND NOT granted",
        [table],
    ).fetchall()
    return [pid for (pid,) in rows]


def _alive(conn: psycopg.Connection, pids: list[int]) -> bool:
    row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [pids])
    return bool(row.fetchone()[0])


def _left_in_broker(queue_name: str) -> int:
    """Messages of this queue still waiting or taken but not acknowledged."""
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    unacked = [
        json.loads(raw) for raw in client.hvals("unacked")
    ]  # [message, exchange, routing key]
    return int(client.llen(queue_name)) + sum(1 for entry in unacked if entry[2] == queue_name)


def test_a_worker_killed_mid_rebuild_is_redone_once_and_the_reports_are_right(
    queue,  # noqa: F811
    rubric_v1,  # noqa: F811
) -> None:  # type: ignore[no-untyped-def]
    from scoring.tasks import reports_rebuild_all

    raters = [person() for _ in range(3)]
    candidates = [person() for _ in range(4)]
    cards = {}
    for c, candidate in enumerate(candidates):
        cards[candidate.pk] = 2 + c
        for k in range(2 + c):
            scores = [1 + (c + k + step) % 4 for step in range(7)]
            given_scorecard(raters[k % 3], candidate, scores, days_ago=3 + k)

    # Hold the table the rebuild writes its model fit to: the job gets that far (rater model
    # fitted, every report built, its transaction open) and waits there to be killed.
    holder = psycopg.connect(_dsn())
    try:
        holder.execute("LOCK TABLE scoring_modelfit IN EXCLUSIVE MODE")
        watcher = psycopg.connect(_dsn(), autocommit=True)
        env = {"CELERY_VISIBILITY_TIMEOUT": VISIBILITY_TIMEOUT}
        with celery_worker(queue, pool="prefork", **env) as worker:
            job = reports_rebuild_all.apply_async(queue=queue)
            wait_for(lambda: _blocked_on(watcher, "scoring_modelfit"), timeout=60)
            stuck = _blocked_on(watcher, "scoring_modelfit")
            kill_tree(worker)
        holder.rollback()
        # The killed run's database session ends once it finds its client gone: its
        # transaction rolls back and its lock on the rebuild is released.
        wait_for(lambda: not _alive(watcher, stuck), timeout=30)
        watcher.close()
    finally:
        holder.close()
    assert not ModelFit.objects.exists()
    assert not Report.objects.exists()
    assert _left_in_broker(queue) == 1  # taken, never acknowledged

    with celery_worker(queue, pool="prefork", **env):
        result = job.get(timeout=90)
        wait_for(lambda: _left_in_broker(queue) == 0, timeout=30)

    assert result["skipped"] is False
    fit = ModelFit.objects.get()  # one fit: the killed run left none, the job ran once more
    assert result["fit_id"] == fit.pk
    reports = {report.user_id: report for report in Report.objects.all()}
    assert set(reports) == {candidate.pk for candidate in candidates}
    for user_id, report in reports.items():
        assert report.kind == ReportKind.NIGHTLY
        assert report.fit_id == fit.pk
        assert report.n_scorecards == cards[user_id]
        assert ReportSnapshot.objects.filter(user_id=user_id).count() == 1
    assert RaterStats.objects.filter(fit=fit).count() == len(raters)
