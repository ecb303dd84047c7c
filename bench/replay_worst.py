"""Replay benchmark: response bytes and peak memory of GET /api/interviews/{id}/replay/.

    .venv/bin/python bench/replay_worst.py                    # embedded (SQLite) and PostgreSQL
    .venv/bin/python bench/replay_worst.py --setups embedded --doc-mib 2   # quicker, smaller

Three interviews are written straight into the database (timeline events, and the notes' update
log as a room would have stored it, with timestamps between the events):
- normal: the seven steps in order, ~18 kB of shared notes typed in 300 small edits, a few
  private ones;
- issue: the finding of issue 18, 150 step changes after 0.9 MB of notes (only possible before
  the step-change cap; it is written directly);
- worst: the worst a participant can make under today's caps: every step change the cap allows
  (LIVE_MAX_STEP_CHANGES, so that many + 3 events), and before each of them the interviewer
  rewrites the whole shared document to --doc-mib MiB (default: LIVE_MAX_DOCUMENT_BYTES, in
  LIVE_MAX_MESSAGE_BYTES updates); the private notes are filled once to the same size.
- frames: one step as long as LIVE_REPLAY_MAX_FRAMES frames take (an hour by default), and
  before every frame the interviewer rewrites the whole shared document to --frame-doc-mib
  (default 1 MiB): what a flood costs the frames within a step, which stop at
  LIVE_REPLAY_FRAME_BYTES. Measured by walking every page ("all pages": the sum of the
  responses, the highest peak of any page and the time of the walk).

Each measurement runs in a fresh process (the server's work, through the real view and JSON
renderer, with Django's test client): "peak MB" is that process's peak resident memory (VmHWM)
minus its resident memory just before the request. The old shape (every event with the full
text at that moment) is the code before this change, kept below as the baseline; it is measured
on the normal and issue interviews only (on the worst one it would build gigabytes). The new
shape is paged: its first page and its last page (the one that replays the whole log) are
measured, as the interviewer (who also gets the private notes).

Databases: SQLite in a temporary file; PostgreSQL at BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/sevenstep_replay_bench, created and migrated if missing,
its interviews replaced).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/sevenstep_replay_bench"


def django_setup() -> None:
    sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_ENV", "development")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def rss_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)


# --- writing the interviews ------------------------------------------------------------------
class Log:
    """Edits of one document, each stored as the update a room would have logged."""

    def __init__(self, interview: Any, kind: str) -> None:
        from pycrdt import Doc

        from interviews.live.models import LiveDocument

        self.doc: Doc = Doc()
        self.document = LiveDocument.objects.create(interview=interview, kind=kind)
        self.seq = 0
        self.author = interview.interviewer_id

    def edit(self, at: datetime, change: Any) -> None:
        from interviews.live.models import DocumentUpdate

        before = self.doc.get_state()
        change(self.doc)
        self.seq += 1
        DocumentUpdate.objects.create(
            document=self.document,
            seq=self.seq,
            data=self.doc.get_update(before),
            created_at=at,
            author_id=self.author,
        )

    def close(self) -> None:
        self.document.seq = self.seq
        self.document.save(update_fields=["seq"])


def append(name: str, text: str) -> Any:
    from pycrdt import Text

    def change(doc: Any) -> None:
        section = doc.get(name, type=Text)
        section.insert(len(section), text)

    return change


def clear(doc: Any) -> None:
    from pycrdt import Text

    for name in [f"step-{n}" for n in range(1, 8)] + ["scratch"]:
        section = doc.get(name, type=Text)
        if len(section):
            del section[0 : len(section)]


def interview_with(events: list[tuple[str, int | None, datetime]]) -> Any:
    from interviews.models import Interview, InterviewStatus, TimelineEvent
    from tests.factories import InterviewFactory

    start = events[0][2]
    interview = InterviewFactory(starts_at=start, ends_at=start + timedelta(hours=2))
    Interview.objects.filter(pk=interview.pk).update(
        status=InterviewStatus.COMPLETED, started_at=start, ended_at=events[-1][2]
    )
    TimelineEvent.objects.bulk_create(
        TimelineEvent(interview=interview, kind=kind, step=step, at=at) for kind, step, at in events
    )
    return interview


def timeline(start: datetime, steps: list[int]) -> list[tuple[str, int | None, datetime]]:
    events: list[tuple[str, int | None, datetime]] = [("started", None, start)]
    events += [
        ("step_entered", step, start + timedelta(seconds=10 * i)) for i, step in enumerate(steps)
    ]
    events.append(("ended", None, events[-1][2] + timedelta(seconds=10)))
    return events


def write_normal(start: datetime) -> int:
    events = timeline(start, list(range(1, 8)))
    interview = interview_with(events)
    notes, private = Log(interview, "notes"), Log(interview, "private")
    for i in range(300):
        step = 1 + i * 7 // 300
        notes.edit(
            events[1 + step - 1][2] + timedelta(seconds=1 + i % 8),
            append(f"step-{step}", f"word{i:04d} " * 6),
        )
    for i in range(30):
        private.edit(events[1][2] + timedelta(seconds=2), append("step-1", f"private remark {i} "))
    notes.close()
    private.close()
    return interview.pk


def write_issue(start: datetime) -> int:
    events = timeline(start, [2 + i % 2 for i in range(151)])
    interview = interview_with(events)
    notes = Log(interview, "notes")
    for i in range(9):
        notes.edit(start, append(f"step-{1 + i % 7}", "x" * 100_000))
    notes.close()
    return interview.pk


def write_worst(start: datetime, doc_bytes: int) -> tuple[int, int]:
    from django.conf import settings

    changes = settings.LIVE_MAX_STEP_CHANGES
    events = timeline(start, [1] + [2 + i % 2 for i in range(changes)])
    interview = interview_with(events)
    notes, private = Log(interview, "notes"), Log(interview, "private")
    # An update must fit in one message, with room for the framing.
    chunk = min(settings.LIVE_MAX_MESSAGE_BYTES - 1024, doc_bytes)
    parts = 0
    previous = None
    for index, (_, _, at) in enumerate(events):
        if at == previous:  # the start enters step 1 at the same instant: one moment of edits
            continue
        previous = at
        letter = chr(ord("a") + index % 26)
        notes.edit(at - timedelta(seconds=1), clear)
        for offset in range(0, doc_bytes, chunk):
            size = min(chunk, doc_bytes - offset)
            notes.edit(
                at - timedelta(seconds=1), append(f"step-{1 + offset // chunk % 7}", letter * size)
            )
        parts += 1
    for offset in range(0, doc_bytes, chunk):
        private.edit(events[-1][2], append("step-1", "p" * min(chunk, doc_bytes - offset)))
    parts += 1
    notes.close()
    private.close()
    return interview.pk, parts


def write_frames(start: datetime, doc_bytes: int) -> int:
    from django.conf import settings

    every = settings.LIVE_REPLAY_FRAME_SECONDS
    frames = settings.LIVE_REPLAY_MAX_FRAMES
    end = start + timedelta(seconds=every * (frames + 1))
    events = [("started", None, start), ("step_entered", 1, start), ("ended", None, end)]
    interview = interview_with(events)
    notes = Log(interview, "notes")
    chunk = min(settings.LIVE_MAX_MESSAGE_BYTES - 1024, doc_bytes)
    for frame in range(1, frames + 1):
        at = start + timedelta(seconds=every * frame - 1)
        letter = chr(ord("a") + frame % 26)
        notes.edit(at, clear)
        for offset in range(0, doc_bytes, chunk):
            size = min(chunk, doc_bytes - offset)
            notes.edit(at, append(f"step-{1 + offset // chunk % 7}", letter * size))
    notes.close()
    return interview.pk


def prepare(doc_mib: float, frame_doc_mib: float = 1.0, cases: str = "all") -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User
    from interviews.models import Interview

    call_command("migrate", verbosity=0)
    Interview.objects.all().delete()
    User.objects.all().delete()
    start = datetime(2030, 1, 1, 10, tzinfo=UTC)
    made: dict[str, Any] = {}
    if cases != "frames":
        made["normal"] = write_normal(start)
        made["issue"] = write_issue(start)
        # Just under the limit: the room refuses the update that would cross it.
        made["worst"], made["worst_parts"] = write_worst(
            start, int(doc_mib * 1024 * 1024) - 64 * 1024
        )
    if cases in ("all", "frames"):
        made["frames"] = write_frames(start, int(frame_doc_mib * 1024 * 1024) - 64 * 1024)
    with connection.cursor() as cursor:
        cursor.execute("SELECT SUM(LENGTH(data)) FROM live_documentupdate")
        (logged,) = cursor.fetchone()
    return {**made, "log_bytes": logged}


# --- the replay as it was before this change (the baseline) ----------------------------------
def old_replay(interview: Any, role: str) -> dict[str, object]:
    from interviews.live.layout import DocumentKind
    from interviews.live.models import DocumentUpdate, LiveDocument
    from interviews.live.selectors import doc_from_update, texts_of
    from interviews.models import TimelineEvent

    def reader(kind: str) -> Any:
        from pycrdt import Doc

        doc: Doc = Doc()
        document = LiveDocument.objects.filter(interview=interview, kind=kind).first()
        rows: Iterator[tuple[datetime, bytes | memoryview]] = iter(())
        if document is not None:
            rows = (
                DocumentUpdate.objects.filter(document=document)
                .order_by("seq")
                .values_list("created_at", "data")
                .iterator(chunk_size=500)
            )
        pending: list[tuple[datetime, bytes | memoryview] | None] = [None]

        def until(moment: datetime | None) -> dict[str, str]:
            while True:
                if pending[0] is None:
                    pending[0] = next(rows, None)
                    if pending[0] is None:
                        break
                if moment is not None and pending[0][0] > moment:
                    break
                doc.apply_update(bytes(pending[0][1]))
                pending[0] = None
            return texts_of(doc)

        return until

    del doc_from_update
    events = list(
        TimelineEvent.objects.filter(interview=interview)
        .order_by("at", "pk")
        .values_list("kind", "step", "at")
    )
    notes = reader(DocumentKind.NOTES)
    private = reader(DocumentKind.PRIVATE) if role == "interviewer" else None
    timeline_ = []
    for kind, step, at in events:
        frame = {"kind": kind, "step": step, "at": at, "notes": notes(at)}
        if private is not None:
            frame["private"] = private(at)
        timeline_.append(frame)
    return {
        "interview": interview.pk,
        "timeline": timeline_,
        "final": notes(None),
        "private_final": private(None) if private is not None else None,
    }


# --- one measurement, in a process of its own ------------------------------------------------
def measure(shape: str, interview_id: int, start: int) -> None:
    django_setup()
    import gc

    from rest_framework.renderers import JSONRenderer
    from rest_framework.test import APIClient

    from interviews.models import Interview

    interview = Interview.objects.select_related("interviewer").get(pk=interview_id)
    client = APIClient()
    client.force_authenticate(interview.interviewer)
    # Warm the imports and the connection outside the measurement (with nothing that reads
    # the notes, whose memory would then be reused and hide the request's), then reset the peak.
    import interviews.live.selectors  # noqa: F401

    assert client.get("/api/me/").status_code == 200
    JSONRenderer().render({"at": interview.starts_at})
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")
    before = rss_kib("VmRSS")
    following: int | dict[str, float] | None
    if shape == "old":
        body = JSONRenderer().render(old_replay(interview, "interviewer"))
        size, following = len(body), None
    elif shape == "walk":
        size, cursor, pages, began = 0, start, 0, time.monotonic()
        while cursor is not None:
            response = client.get(f"/api/interviews/{interview_id}/replay/", {"start": cursor})
            assert response.status_code == 200, response.content[:300]
            size, pages = size + len(response.content), pages + 1
            cursor = json.loads(response.content)["next"]
        following = {"pages": pages, "seconds": round(time.monotonic() - began, 1)}
    else:
        response = client.get(f"/api/interviews/{interview_id}/replay/", {"start": start})
        assert response.status_code == 200, response.content[:300]
        size = len(response.content)
        following = json.loads(response.content)["next"]
    peak = rss_kib("VmHWM")
    print(
        json.dumps({"bytes": size, "peak_mb": round((peak - before) / 1024, 1), "next": following})
    )


def run_measure(
    env: dict[str, str], shape: str, interview_id: int, start: int = 0
) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", shape, str(interview_id), str(start)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_prepare(
    env: dict[str, str], doc_mib: float, frame_doc_mib: float, cases: str
) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--prepare", str(doc_mib), str(frame_doc_mib), cases],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def ensure_pg(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--setups", default="embedded,postgres")
    parser.add_argument("--doc-mib", type=float, default=None, help="default: the document limit")
    parser.add_argument("--frame-doc-mib", type=float, default=1.0)
    parser.add_argument("--cases", default="all", choices=["all", "frames", "events"])
    parser.add_argument("--measure", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--prepare", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure[0], int(args.measure[1]), int(args.measure[2]))
        return
    if args.prepare:
        django_setup()
        doc, frame_doc, cases = args.prepare
        print(json.dumps(prepare(float(doc), float(frame_doc), cases)))
        return
    doc_mib = (
        args.doc_mib
        or int(os.environ.get("LIVE_MAX_DOCUMENT_BYTES", 8 * 1024 * 1024)) / 1024 / 1024
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for setup in args.setups.split(","):
            env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
            env.update(DJANGO_ENV="development", LOG_LEVEL="WARNING")
            if setup == "embedded":
                env["SQLITE_PATH"] = str(Path(tmp) / "replay.sqlite3")
            else:
                env["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG)
                ensure_pg(env["DATABASE_URL"])
            made = run_prepare(env, doc_mib, args.frame_doc_mib, args.cases)
            log_mb = made["log_bytes"] / 1e6
            if "worst" in made:
                for case in ("normal", "issue"):
                    for shape in ("old", "new"):
                        result = run_measure(env, shape, made[case])
                        page = "all" if shape == "old" else "first"
                        rows.append((setup, case, shape, page, result))
                first = run_measure(env, "new", made["worst"], 0)
                rows.append((setup, "worst", "new", "first", first))
                last = run_measure(env, "new", made["worst"], made["worst_parts"] - 1)
                rows.append((setup, "worst", "new", f"last (part {made['worst_parts'] - 1})", last))
            if "frames" in made:
                walked = run_measure(env, "walk", made["frames"])
                walk = walked["next"]
                page = f"all {walk['pages']} pages, {walk['seconds']} s"
                rows.append((setup, "frames", "new", page, walked))
            print(f"# {setup}: all interviews' log {log_mb:.0f} MB", flush=True)
    print("| setup | interview | shape | page | response MB | peak server MB |")
    print("|---|---|---|---|---|---|")
    for setup, case, shape, page, result in rows:
        size = result["bytes"] / 1e6
        print(f"| {setup} | {case} | {shape} | {page} | {size:.2f} | {result['peak_mb']} |")


if __name__ == "__main__":
    main()
