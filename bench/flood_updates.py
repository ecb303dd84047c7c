"""Update-flood benchmark: what a hostile participant adds to the database in N seconds.

    .venv/bin/python bench/flood_updates.py                      # both setups, 10 s a scenario
    .venv/bin/python bench/flood_updates.py --setups embedded --seconds 5

Each scenario gets a fresh interview on a real server (granian, one process): the embedded
setup (in-memory layer, SQLite, jobs in-process) and the services setup (Redis + PostgreSQL, a
Celery worker for compaction). The baseline in the same run is honest typing, one character
per update at 10 updates a second. The floods send as fast as the rate limit allows (50
messages a second per socket, reconnecting whenever closed):

- resend: a 256 KiB paste, then the same update again and again, its merge with the
  document's other updates, and the whole document as a step 2 would carry it;
- resend x8: the same from eight sockets of one user at once (the per-room socket cap);
- churn: new content in every other message, 256 KiB inserted, then deleted by the next one,
  so the document stays small while every update is new: only the log budget bounds this one.

Growth is measured as the bytes the log and checkpoint rows hold and as the size of the
database's files (SQLite main file + WAL) or relations (PostgreSQL, tables + indexes + TOAST).
Both databases are emptied first: BENCH_DATABASE_URL must name a database of the benchmark's own.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import string
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypedDict

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sevenstep_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
RATE = 50  # messages a second per socket: LIVE_RATE_PER_SECOND
PASTE = 256 * 1024
# Random letters: PostgreSQL compresses what it stores, so repeated text would hide the bytes.
NOISE = "".join(random.Random(7).choices(string.ascii_letters, k=2 * PASTE))


def child(setup: str, seconds: float) -> None:
    """Run every scenario against one setup and print one JSON line per scenario."""
    sys.path[:0] = [str(ROOT), str(ROOT / "platform")]
    os.environ["DJANGO_ENV"] = "test"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    if setup == "embedded":
        os.environ.pop("DATABASE_URL", None)
        os.environ.pop("REDIS_URL", None)
        os.environ["SQLITE_PATH"] = "/tmp/sevenstep-flood.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"/tmp/sevenstep-flood.sqlite3{suffix}").unlink(missing_ok=True)
    else:
        os.environ["DATABASE_URL"] = PG_URL
        os.environ["REDIS_URL"] = REDIS_URL
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)  # a database of the benchmark's own
    from contextlib import ExitStack

    from tests.support.servers import celery_worker

    os.environ["CELERY_QUEUE"] = "bench-flood"  # compaction jobs go to the worker below
    with ExitStack() as stack:
        server = stack.enter_context(_server())
        if setup == "services":
            stack.enter_context(celery_worker("bench-flood"))
        for name, sockets, kind in (
            ("honest typing (baseline)", 1, "typing"),
            ("resend flood, 1 socket", 1, "resend"),
            ("resend flood, 8 sockets", 8, "resend"),
            ("churn flood, 1 socket", 1, "churn"),
        ):
            print(json.dumps(scenario(server.ws_url, name, sockets, kind, seconds)), flush=True)


@contextlib.contextmanager
def _server() -> Iterator[Any]:
    """Run granian as tests.support.servers does, with a start-up wait for a busy machine."""
    from tests.support import servers

    port = servers.free_port()
    command = [str(servers.VENV_BIN / "granian"), "--interface", "asgi", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--ws", "--log-level", "warning", "config.asgi:application"]
    proc = subprocess.Popen(command, cwd=ROOT, env=servers.process_env())
    try:
        servers.wait_for_http(f"http://127.0.0.1:{port}/healthz", timeout=180, proc=proc)
        yield servers.AsgiServer(proc, port)
    finally:
        servers.stop(proc)


def db_bytes() -> tuple[int, int]:
    """Return (bytes in log + checkpoint rows, bytes of the database files or relations)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT COALESCE(SUM(LENGTH(data)), 0) FROM live_documentupdate)"
            " + (SELECT COALESCE(SUM(LENGTH(state)), 0) FROM live_checkpoint)"
        )
        rows = int(cursor.fetchone()[0])
        if connection.vendor == "sqlite":
            name = str(connection.settings_dict["NAME"])
            files = sum(
                os.path.getsize(name + suffix)
                for suffix in ("", "-wal")
                if os.path.exists(name + suffix)
            )
        else:
            cursor.execute(
                "SELECT pg_total_relation_size('live_documentupdate')"
                " + pg_total_relation_size('live_checkpoint')"
                " + pg_total_relation_size('live_livedocument')"
            )
            files = int(cursor.fetchone()[0])
    return rows, files


def scenario(ws_url: str, name: str, sockets: int, kind: str, seconds: float) -> dict:
    from django.db import connection

    from tests.factories import UserFactory
    from tests.support.yjs import live_interview, ws_path

    interviewer, candidate = UserFactory(), UserFactory()
    interview = live_interview(interviewer, candidate)
    urls = lambda: f"{ws_url}{ws_path(interview.pk, 'notes', interviewer)}"  # noqa: E731
    connection.close()
    rows_before, files_before = db_bytes()
    started = time.monotonic()
    counts = asyncio.run(_run(urls, sockets, kind, seconds))
    elapsed = time.monotonic() - started
    time.sleep(2)  # let compaction and the last commits land
    rows_after, files_after = db_bytes()
    return {
        "scenario": name,
        "seconds": round(elapsed, 1),
        "messages": counts["messages"],
        "sent_mib": round(counts["bytes"] / 2**20, 1),
        "closes": counts["closes"],
        "rows_mib": round((rows_after - rows_before) / 2**20, 2),
        "files_mib": round((files_after - files_before) / 2**20, 2),
    }


class Counts(TypedDict):
    messages: int
    bytes: int
    closes: dict[str, int]  # close code (or "None") -> closes


async def _run(url, sockets: int, kind: str, seconds: float) -> Counts:
    import websockets
    from pycrdt import Doc, Text, merge_updates

    from interviews.live import protocol

    counts: Counts = {"messages": 0, "bytes": 0, "closes": {}}
    deadline = time.monotonic() + seconds
    author: Doc = Doc()
    text = author.get("step-1", type=Text)
    history: list[bytes] = []
    if kind == "resend":
        before = author.get_state()
        text.insert(0, NOISE[:PASTE])
        history.append(author.get_update(before))
        before = author.get_state()
        text.insert(0, "title ")
        history.append(author.get_update(before))
        before = author.get_state()
        del text[0:3]
        history.append(author.get_update(before))

    def next_update(index: int) -> bytes:
        if kind == "typing":
            before = author.get_state()
            text.insert(len(text), "abcdefghij"[index % 10])
            return author.get_update(before)
        if kind == "resend":
            variants = [*history, merge_updates(*history), author.get_update()]
            return variants[index % len(variants)]
        before = author.get_state()  # churn: new content every other message, then deleted
        if index % 2 == 0:
            start = (index * 997) % PASTE
            text.insert(0, NOISE[start : start + PASTE])
        else:
            del text[0:PASTE]
        return author.get_update(before)

    async def one() -> None:
        rate = 10 if kind == "typing" else RATE
        index = 0
        while time.monotonic() < deadline:
            try:
                async with websockets.connect(url(), max_size=None) as ws:
                    await ws.recv()
                    reader = asyncio.ensure_future(_drain(ws))
                    tick = time.monotonic()
                    while time.monotonic() < deadline and not reader.done():
                        update = next_update(index)
                        index += 1
                        frame = protocol.update_message(update)
                        await ws.send(frame)
                        counts["messages"] += 1
                        counts["bytes"] += len(frame)
                        tick += 1 / rate
                        await asyncio.sleep(max(0.0, tick - time.monotonic()))
                    reader.cancel()
            except websockets.ConnectionClosed as closed:
                code = str(closed.rcvd.code if closed.rcvd else None)
                counts["closes"][code] = counts["closes"].get(code, 0) + 1
                await asyncio.sleep(0.25)  # reconnect, as a client does
            except OSError:
                await asyncio.sleep(0.25)

    await asyncio.gather(*(one() for _ in range(sockets)))
    return counts


async def _drain(ws) -> None:
    async for _ in ws:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setups", default="embedded,services")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.seconds)
        return
    print(
        "| setup | scenario | s | messages | MiB sent | closes | log+checkpoint rows MiB "
        "| files MiB |\n|---|---|---|---|---|---|---|---|"
    )
    for setup in args.setups.split(","):
        out = subprocess.run(
            [sys.executable, __file__, "--child", setup, "--seconds", str(args.seconds)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
        if out.returncode != 0 or not lines:
            print(f"| {setup} | failed: {out.stderr.strip().splitlines()[-1:]} |")
            continue
        for line in lines:
            row = json.loads(line)
            closes = ", ".join(f"{code} x{n}" for code, n in row["closes"].items()) or "—"
            print(
                f"| {setup} | {row['scenario']} | {row['seconds']} | {row['messages']} "
                f"| {row['sent_mib']} | {closes} | {row['rows_mib']} | {row['files_mib']} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
