"""A process that dies is replaced while the rest keep serving: web workers, bin/run's Celery."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from interviews.live import selectors
from tests.factories import UserFactory
from tests.interviews.test_live_processes import stored_doc
from tests.support.servers import (
    ROOT,
    asgi_server,
    children,
    connections_served,
    free_port,
    wait_for_http,
)
from tests.support.yjs import Unmet, YjsHarness, live_interview, wait_until

pytestmark = [pytest.mark.redis, pytest.mark.slow]

ROOMS = 10


class HealthProbe:
    """Ask /healthz over a new connection every 50 ms in a thread; keep every answer, timed."""

    def __init__(self, url: str) -> None:
        self.url = f"{url}/healthz"
        self.answers: list[tuple[float, int | str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                answer: int | str = httpx.get(self.url, timeout=5).status_code
            except httpx.HTTPError as exc:
                answer = type(exc).__name__
            self.answers.append((time.monotonic(), answer))
            self._stop.wait(0.05)

    @contextlib.contextmanager
    def running(self) -> Iterator[HealthProbe]:
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join()


def typed_text(prefix: str, count: int) -> str:
    return "".join(f"{prefix}{n}." for n in range(count))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_killed_web_worker_is_replaced_while_every_room_keeps_going_and_converges() -> None:
    rooms = [live_interview(UserFactory(), UserFactory()) for _ in range(ROOMS)]
    harness = YjsHarness()
    workers: list[int] = []
    try:
        with asgi_server(workers=2) as server:
            wait_until(
                lambda: len(children(server.proc.pid)) == 2 or Unmet(children(server.proc.pid))
            )
            workers = children(server.proc.pid)
            for room in rooms:
                harness.open(f"A{room.pk}", server.ws_url, room.pk, room.interviewer)
                harness.open(f"B{room.pk}", server.ws_url, room.pk, room.candidate)
                harness.call(
                    "type_start", id=f"A{room.pk}", field="step-1", prefix="a", interval_ms=50
                )
                harness.call(
                    "type_start", id=f"B{room.pk}", field="step-2", prefix="b", interval_ms=50
                )
            for room in rooms:
                peer = f"B{room.pk}"
                wait_until(lambda peer=peer: len(harness.texts(peer).get("step-1", "")) > 20)

            # The kernel may hand every connection to one worker: kill the one serving most.
            workers.sort(key=lambda pid: connections_served(pid, server.port), reverse=True)
            assert connections_served(workers[0], server.port) > 0, "no worker holds a socket"
            with HealthProbe(server.http_url).running() as probe:
                os.kill(workers[0], signal.SIGKILL)  # one worker, not the granian main process
                killed_at = time.monotonic()

                def replaced() -> bool | Unmet:
                    now = children(server.proc.pid)
                    return (len(now) == 2 and workers[0] not in now) or Unmet(now)

                wait_until(replaced, timeout=30)
                workers += children(server.proc.pid)
                assert server.proc.poll() is None
                assert workers[1] in children(server.proc.pid)  # the other worker was never stopped
                time.sleep(1)  # everyone keeps typing on the survivor and the new worker
                typed = {
                    client: harness.call("type_stop", id=client)["typed"]
                    for room in rooms
                    for client in (f"A{room.pk}", f"B{room.pk}")
                }
                for client in typed:
                    harness.call("wait_synced", id=client, timeout=40, timeout_ms=30000)

                for room in rooms:
                    expected = {
                        "step-1": typed_text("a", typed[f"A{room.pk}"]),
                        "step-2": typed_text("b", typed[f"B{room.pk}"]),
                    }

                    def converged(pk: int = room.pk, expected: dict = expected) -> bool | Unmet:
                        a, b = harness.texts(f"A{pk}"), harness.texts(f"B{pk}")
                        db = selectors.texts_of(stored_doc(pk))
                        seen = {
                            field: (a.get(field), b.get(field), db.get(field)) for field in expected
                        }
                        return all(
                            a.get(field) == b.get(field) == db.get(field) == text
                            for field, text in expected.items()
                        ) or Unmet({f: [len(t or "") for t in v] for f, v in seen.items()})

                    wait_until(converged, timeout=60)

                # However quickly the respawn and the sync went, probe on until five answers
                # came from a second after the kill on (each may take a while on a busy machine).
                def probed_after_the_kill() -> bool | Unmet:
                    later = [answer for at, answer in probe.answers if at > killed_at + 1]
                    return len(later) >= 5 or Unmet(later)

                wait_until(probed_after_the_kill, timeout=30)

            cut_off = [client for client in typed if harness.call("state", id=client)["closes"]]
            assert cut_off, "the killed worker served no client, so nothing was tested"
            # Only a request the killed process held can be lost (its connection is reset):
            # every probe sent a second after the kill, and all through the respawn, is answered.
            later = [answer for at, answer in probe.answers if at > killed_at + 1]
            assert len(later) >= 5 and set(later) == {200}, probe.answers
            failed = [answer for _, answer in probe.answers if answer != 200]
            assert len(failed) <= 1, probe.answers
    finally:
        harness.close()
        # A worker still starting when the server is told to stop can outlive it; don't leak it.
        for pid in workers:
            with contextlib.suppress(OSError):
                if b"granian" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    os.kill(pid, signal.SIGKILL)


def processes() -> dict[int, tuple[int, int, str]]:
    """Every process on the machine: pid -> (parent pid, process group, command line)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError):
                stat = (entry / "stat").read_text()
                ppid, pgid = (int(x) for x in stat[stat.rindex(")") + 2 :].split()[1:3])
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                found[int(entry.name)] = (ppid, pgid, cmdline)
    return found


def descendants(root: int, table: dict[int, tuple[int, int, str]]) -> set[int]:
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, (ppid, _, _) in table.items() if ppid in frontier} - found
        found |= frontier
    return found


def celery_main(run_pid: int) -> int | Unmet:
    """The pid of the Celery worker's main process bin/run started (not its pool or beat)."""
    table = processes()
    mains = [
        pid
        for pid in descendants(run_pid, table)
        if "celery" in table[pid][2] and "celery" not in table.get(table[pid][0], (0, 0, ""))[2]
    ]
    return mains[0] if len(mains) == 1 else Unmet(mains)


def test_bin_run_restarts_a_killed_celery_worker_while_the_web_server_keeps_answering(
    tmp_path, settings
) -> None:
    stamp = ROOT / ".venv" / ".lock-installed"
    if not stamp.is_file() or stamp.read_bytes() != (ROOT / "requirements/lock.txt").read_bytes():
        pytest.fail("bin/run would reinstall the dependencies here: run bin/bootstrap first")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SQLITE_PATH"}}
    env.update(
        DJANGO_ENV="development",  # bin/run loads the demo data, which production refuses
        SEVENSTEP_VAR_DIR=str(tmp_path),  # its own SQLite file, static files and beat schedule
        REDIS_URL=settings.REDIS_URL,
        CELERY_QUEUE=f"supervision-{port}",  # jobs of no other test
        SKIP_FRONTEND="1",
        HOST="127.0.0.1",
        PORT=str(port),
    )
    log = tmp_path / "run.log"
    with log.open("w") as out:
        run = subprocess.Popen(
            [str(ROOT / "bin" / "run")],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a terminal of its own, so Ctrl-C can be sent to it alone
        )
    healthz = f"http://127.0.0.1:{port}/healthz"
    table: dict[int, tuple[int, int, str]] = {}
    try:
        wait_for_http(healthz, timeout=600, proc=run)  # migrate + collectstatic on a busy machine
        first = 0

        def started() -> bool | Unmet:
            nonlocal first
            pid = celery_main(run.pid)
            first = pid if isinstance(pid, int) else 0
            return (first > 0 and log.read_text().count(" ready.") == 1) or Unmet(pid)

        wait_until(started, timeout=120, interval=0.5)
        table = processes()
        first_group = {pid for pid, (_, pgid, _) in table.items() if pgid == table[first][1]}

        os.kill(first, signal.SIGKILL)
        second = 0

        def restarted() -> bool | Unmet:
            nonlocal second
            assert httpx.get(healthz, timeout=5).status_code == 200
            pid = celery_main(run.pid)
            second = pid if isinstance(pid, int) and pid != first else 0
            return (second > 0 and log.read_text().count(" ready.") == 2) or Unmet(pid)

        wait_until(restarted, timeout=120, interval=0.5)
        assert run.poll() is None
        assert "run: the Celery worker exited with status 137" in log.read_text()
        # Nothing of the killed worker lives on: an orphaned beat would send every job twice.
        assert not first_group & set(processes()), first_group & set(processes())
    finally:
        table = processes()
        ours = descendants(run.pid, table) | {run.pid}
        groups = {table[pid][1] for pid in ours if pid in table}
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pid, signal.SIGINT)  # Ctrl-C
        try:
            run.wait(timeout=60)
            wait_until(lambda: not survivors(groups) or Unmet(survivors(groups)), timeout=10)
        finally:
            for pid in survivors(groups):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def survivors(groups: set[int]) -> dict[int, str]:
    """Live (not zombie) processes in these process groups, with their command lines."""
    found = {}
    for pid, (_, pgid, cmdline) in processes().items():
        with contextlib.suppress(OSError):
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            if pgid in groups and state != "Z":
                found[pid] = cmdline[:120]
    return found
