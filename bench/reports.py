"""Report benchmark: the nightly rebuild and one incremental update against a plain GROUP BY.

    .venv/bin/python bench/reports.py                        # 10k users, 100k scorecards
    .venv/bin/python bench/reports.py --users 2000 --scorecards 20000
    .venv/bin/python bench/reports.py --reuse                # keep the data of the last run

Needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/
sevenstep_bench_reports; the database is created and migrated if missing, and its users,
interviews and scorecards are replaced). Peers rate peers: skills, rater leniency and noise as
in tests/scoring/test_estimation.py, scorecards spread over a year, every interview with a
timeline, a few pitfall tags; most candidates wrote feedback, many with a self-assessment.
All scorecards are released (their deadline has passed).

Measured in the same run, warm cache, median of --repeat runs:
- baseline: one plain SQL GROUP BY (mean score per candidate and step) over the same rows,
  results fetched;
- the nightly rebuild (steady state: timelines already summarised, the previous night's fit and
  reports to start from, every scorecard a day older than the night before), with its phases;
  before each night the tables it writes are vacuumed, as autovacuum does in production between
  nights (this server runs with autovacuum off);
- once, the same rebuild when every report has to be rewritten (as after a change of the
  report's format);
- once, a cold night: no stored fit to start from (the first night), which measures the spread
  correction (as a night does again once the ratings have grown by a fifth);
- one incremental update of a single user's report (the job a submission triggers).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "platform")]

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/sevenstep_bench_reports"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
os.environ.pop("REDIS_URL", None)  # jobs are called directly; nothing is enqueued
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_ENV", "development")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import numpy as np  # noqa: E402
import psycopg  # noqa: E402

STEP_MEANS = np.array([2.8, 2.7, 2.5, 2.6, 2.4, 2.2, 2.0])
LEVELS = ["new_grad", "mid", "senior", "staff"]
PITFALLS = ["no_online_metric", "ignores_monitoring", "complex_model_no_baseline", "no_tradeoffs"]
BASELINE_SQL = """
SELECT sc.candidate_id, ss.step, avg(ss.score), count(ss.score)
FROM scoring_stepscore ss JOIN scoring_scorecard sc ON sc.id = ss.scorecard_id
WHERE sc.status = 'submitted'
GROUP BY sc.candidate_id, ss.step
"""


def ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django() -> None:
    import django
    from django.core.management import call_command

    ensure_database(os.environ["DATABASE_URL"])
    django.setup()
    call_command("migrate", verbosity=0)


# --- data ---------------------------------------------------------------------------------------


def copy_model(model: Any, n: int, columns: dict[str, Any]) -> None:
    """COPY n rows into a model's table; unnamed fields take their default (or NULL)."""
    from django.db import connection

    from sevenstep.bulk import copy_text

    fields = model._meta.concrete_fields
    cols: list[list[str]] = []
    for field in fields:
        if field.attname in columns:
            given = columns[field.attname]
            if isinstance(given, np.ndarray) and given.dtype.kind in "iuf":
                cols.append(given.astype(str).tolist())
            elif isinstance(given, list):
                cols.append([copy_text(v) for v in given])
            else:
                cols.append([copy_text(given)] * n)
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            cols.append([copy_text(datetime.now(UTC))] * n)
        else:  # the field's default, "" for text, or NULL
            cols.append([copy_text(field.get_default())] * n)
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy,
    ):
        for start in range(0, n, 50_000):
            rows = zip(*(col[start : start + 50_000] for col in cols), strict=True)
            copy.write("".join("\t".join(row) + "\n" for row in rows))


def reset_sequence(table: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"coalesce((SELECT max(id) FROM {table}), 1))"
        )


def generate(users: int, scorecards: int, seed: int) -> None:
    """Replace the benchmark data: users, interviews with timelines, submitted scorecards."""
    from django.db import connection, transaction

    from accounts.models import Profile, User
    from interviews.models import Interview, Question, TimelineEvent
    from scoring.models import InterviewerFeedback, Rubric, Scorecard, StepScore

    rng = np.random.default_rng(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE accounts_user, scoring_modelfit RESTART IDENTITY CASCADE")

    user_ids = np.arange(1, users + 1)
    questions = list(Question.objects.values_list("pk", flat=True))
    rubric = Rubric.objects.current()
    assert rubric is not None, "the migrations seed a rubric"
    rubric_id = rubric.pk
    skill = STEP_MEANS + rng.normal(0, 0.4, (users, 1)) + rng.normal(0, 0.35, (users, 7))
    leniency = rng.normal(0, 0.45, users)
    noise = rng.uniform(0.3, 0.8, users)
    self_bias = rng.normal(0.2, 0.4, users)  # most people think a little better of themselves

    candidate = rng.integers(0, users, scorecards)
    interviewer = (candidate + rng.integers(1, users, scorecards)) % users
    ended = [now - timedelta(days=float(d)) for d in rng.uniform(3, 365, scorecards)]
    started = [end - timedelta(minutes=45) for end in ended]

    with transaction.atomic():
        copy_model(
            User,
            users,
            {
                "id": user_ids,
                "password": "!",
                "email": [f"bench{i}@example.com" for i in user_ids],
                "date_joined": now,
            },
        )
        copy_model(
            Profile,
            users,
            {
                "id": user_ids,
                "user_id": user_ids,
                "display_name": [f"Bench {i}" for i in user_ids],
                "target_level": [LEVELS[i] for i in rng.choice(4, users, p=[0.2, 0.4, 0.3, 0.1])],
            },
        )
        interview_ids = np.arange(1, scorecards + 1)
        copy_model(
            Interview,
            scorecards,
            {
                "id": interview_ids,
                "interviewer_id": user_ids[interviewer],
                "candidate_id": user_ids[candidate],
                "question_id": rng.choice(questions, scorecards),
                "starts_at": started,
                "ends_at": ended,
                "status": "completed",
                "started_at": started,
                "ended_at": ended,
            },
        )
        # Each interview: started, steps in order (the last one or two sometimes never
        # reached), ended; time per step scattered around the framework's budget.
        reached = np.where(
            rng.random(scorecards) < 0.12, 5, np.where(rng.random(scorecards) < 0.2, 6, 7)
        )
        share = np.array([0.10, 0.10, 0.15, 0.25, 0.15, 0.15, 0.10]) * 45 * 60
        events_interview: list[int] = []
        events_kind: list[str] = []
        events_step: list[int | None] = []
        events_at: list[datetime] = []
        spent = np.maximum(share * rng.lognormal(0, 0.4, (scorecards, 7)), 30).astype(int)
        for i in range(scorecards):
            at = started[i]
            events_interview.append(i + 1)
            events_kind.append("started")
            events_step.append(None)
            events_at.append(at)
            for entered in range(int(reached[i])):
                events_interview.append(i + 1)
                events_kind.append("step_entered")
                events_step.append(entered + 1)
                events_at.append(at)
                at += timedelta(seconds=int(spent[i, entered]))
            events_interview.append(i + 1)
            events_kind.append("ended")
            events_step.append(None)
            events_at.append(at)
        copy_model(
            TimelineEvent,
            len(events_at),
            {
                "id": np.arange(1, len(events_at) + 1),
                "interview_id": events_interview,
                "kind": events_kind,
                "step": events_step,
                "at": events_at,
            },
        )
        # Step scores go in before their scorecards are submitted-and-inserted: the trigger
        # that freezes a submitted scorecard's steps finds no scorecard yet, and the foreign
        # key is checked at commit.
        card = np.repeat(np.arange(scorecards), 7)
        step = np.tile(np.arange(7), scorecards)
        score = np.clip(
            np.round(
                skill[candidate[card], step]
                + leniency[interviewer[card]]
                + rng.normal(0, noise[interviewer[card]])
            ),
            1,
            4,
        ).astype(int)
        missed = step >= reached[card]
        copy_model(
            StepScore,
            card.size,
            {
                "id": np.arange(1, card.size + 1),
                "scorecard_id": card + 1,
                "step": step + 1,
                "score": [None if m else int(s) for s, m in zip(score, missed, strict=True)],
                "not_reached": missed.tolist(),
                "evidence": [
                    "" if m else f"Step {st + 1}: covered the essentials."
                    for st, m in zip(step, missed, strict=True)
                ],
                "moments": "[]",
            },
        )
        tags = [
            list(rng.choice(PITFALLS, int(k), replace=False)) if k else []
            for k in rng.choice(3, scorecards, p=[0.6, 0.3, 0.1])
        ]
        copy_model(
            Scorecard,
            scorecards,
            {
                "id": interview_ids,
                "interview_id": interview_ids,
                "rubric_id": rubric_id,
                "interviewer_id": user_ids[interviewer],
                "candidate_id": user_ids[candidate],
                "status": "submitted",
                "submitted_at": [end + timedelta(hours=1) for end in ended],
                "recommendation": "hire",
                "pitfalls": tags,
            },
        )
        # Feedback from 70% of the candidates, 60% of them scoring themselves on some steps.
        wrote = np.flatnonzero(rng.random(scorecards) < 0.7)
        claims = [
            {
                str(step + 1): int(
                    np.clip(round(skill[candidate[i], step] + self_bias[candidate[i]]), 1, 4)
                )
                for step in range(int(reached[i]))
                if rng.random() < 0.6
            }
            if rng.random() < 0.6
            else {}
            for i in wrote
        ]
        copy_model(
            InterviewerFeedback,
            wrote.size,
            {
                "id": np.arange(1, wrote.size + 1),
                "interview_id": interview_ids[wrote],
                "candidate_id": user_ids[candidate[wrote]],
                "interviewer_id": user_ids[interviewer[wrote]],
                "usefulness": rng.integers(1, 6, wrote.size),
                "specificity": rng.integers(1, 6, wrote.size),
                "preparedness": rng.integers(1, 6, wrote.size),
                "self_assessment": claims,
                "status": "submitted",
                "submitted_at": [ended[i] + timedelta(hours=2) for i in wrote],
            },
        )
    for table in (
        "accounts_user",
        "accounts_profile",
        "interviews_interview",
        "interviews_timelineevent",
        "scoring_stepscore",
        "scoring_scorecard",
        "scoring_interviewerfeedback",
    ):
        reset_sequence(table)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


# --- measuring ------------------------------------------------------------------------------


def timed(fn: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def vacuum_derived() -> None:
    """Vacuum what the rebuild writes, as autovacuum does between two nights in production."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM scoring_report, scoring_reportsnapshot, scoring_reportstate, "
            "scoring_raterstats, scoring_modelfit"
        )


def baseline() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(BASELINE_SQL)
        return len(cursor.fetchall())


def cold_night(night: Callable[[], Any]) -> Any:
    """Run a night as the first one runs (or one after the model was reset): no stored fit to
    start from, so the sweeps start from nothing and the spread correction is measured."""
    from scoring import estimation as est
    from scoring.selectors.report_inputs import RaterModel
    from scoring.services import nightly

    stored = nightly.rater_model_load
    nightly.rater_model_load = lambda: RaterModel(fit=None, params=est.Params.prior())
    try:
        return night()
    finally:
        nightly.rater_model_load = stored


def row(name: str, seconds: Iterable[float], note: str = "") -> list[str]:
    values = sorted(seconds)
    median = statistics.median(values)
    return [name, f"{median * 1000:,.1f}", f"{values[-1] * 1000:,.1f}", note]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--scorecards", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--updates", type=int, default=100, help="incremental updates to time")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep the data of the last run")
    args = parser.parse_args()

    setup_django()
    from django.db import connections
    from django.db.backends.postgresql.base import DatabaseWrapper
    from django.db.models import Max
    from django.utils import timezone

    from accounts.models import User
    from scoring.models import InterviewTiming, ModelFit, Report, Scorecard, StepScore
    from scoring.services.nightly import reports_rebuild_all
    from scoring.services.reports import report_update

    same = User.objects.count() == args.users and Scorecard.objects.count() == args.scorecards
    if not (args.reuse and same):
        start = time.perf_counter()
        generate(args.users, args.scorecards, args.seed)
        print(f"setup: {time.perf_counter() - start:.1f} s (COPY)")
    postgresql = connections["default"]
    assert isinstance(postgresql, DatabaseWrapper)
    step_scores = StepScore.objects.count()
    load_before = os.getloadavg()[0]
    print(
        f"data: {User.objects.count():,} users, {Scorecard.objects.count():,} scorecards, "
        f"{step_scores:,} step scores, PostgreSQL {postgresql.pg_version // 10000}"
    )

    first = None
    if InterviewTiming.objects.count() < args.scorecards:
        first, _ = timed(reports_rebuild_all, 1)  # summarises every timeline once
    baseline()  # warm the cache the same way for both
    base_times, groups = timed(baseline, args.repeat)
    # Each rebuild is a later night: every scorecard is a day older, so reports change
    # (recency weights, the refitted model) as they do in production. On --reuse the nights go
    # on after the last run's: a night dated before a stored fit would start from that later fit.
    today = max(
        timezone.now(),
        ModelFit.objects.aggregate(last=Max("fitted_at"))["last"] or timezone.now(),
    )
    nights = iter(range(1, 2 * args.repeat + 3))

    def night() -> Any:
        vacuum_derived()
        begin = time.perf_counter()
        result = reports_rebuild_all(now=today + timedelta(days=next(nights)))
        return time.perf_counter() - begin, result

    night()  # the night before: a fit and reports to start from
    runs = [night() for _ in range(args.repeat)]
    rebuild_times, result = [seconds for seconds, _ in runs], runs[-1][1]
    Report.objects.update(digest=None)  # as after a change of format: every report differs
    full_time, full = night()
    cold_time, cold = cold_night(night)
    rng = np.random.default_rng(args.seed)
    who = rng.choice(list(User.objects.values_list("pk", flat=True)), args.updates, replace=False)
    update_times = []
    for user_id in who:
        start = time.perf_counter()
        report_update(user_id=int(user_id))
        update_times.append(time.perf_counter() - start)

    base = statistics.median(base_times)
    rebuild = statistics.median(rebuild_times)
    table = [
        row("plain SQL GROUP BY (baseline)", base_times, f"{groups:,} (candidate, step) means"),
        row(
            "nightly rebuild, all reports",
            rebuild_times,
            f"{result.users:,} reports ({', '.join(f'{r.written:,}' for _, r in runs)} changed)"
            f", {result.ratings:,} ratings; {rebuild / base:.1f}x baseline",
        ),
        *[row(f"  - {phase}", [seconds], "") for phase, seconds in (result.seconds or {}).items()],
        row(
            "nightly rebuild, every report rewritten",
            [full_time],
            f"{full.written:,} written; {full_time / base:.1f}x baseline",
        ),
        row(
            "cold night (no fit to start from)",
            [cold_time],
            f"{cold.written:,} written; {cold_time / base:.1f}x baseline",
        ),
        *[row(f"  - {phase}", [seconds], "") for phase, seconds in (cold.seconds or {}).items()],
        row(
            "incremental update, one user",
            update_times,
            f"p95 {np.percentile(update_times, 95) * 1000:.1f} ms over {len(update_times)} users",
        ),
    ]
    if first:
        table.insert(1, row("first rebuild (summarises timelines)", first, "once, then cached"))
    widths = [
        max(len(r[i]) for r in [["what", "median ms", "max ms", "note"], *table]) for i in range(4)
    ]
    for line in [["what", "median ms", "max ms", "note"], ["-" * w for w in widths], *table]:
        print(" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)))
    print(
        f"\nload average (1 min) {load_before:.1f} before, {os.getloadavg()[0]:.1f} after, "
        f"on {os.cpu_count()} cores"
    )
    print(
        f"targets: rebuild within 5x baseline: {'met' if rebuild <= 5 * base else 'MISSED'} "
        f"({rebuild / base:.1f}x); incremental update under 50 ms: "
        f"{'met' if statistics.median(update_times) < 0.05 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
