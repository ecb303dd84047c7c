"""Start real processes for tests: the ASGI server and a Celery worker, wired to the test DB."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import httpx
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_database_url() -> str:
    """The URL of this test run's PostgreSQL database (for child processes and raw clients)."""
    db = connection.settings_dict
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    user = db.get("USER") or "postgres"
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


def process_env(**extra: str) -> dict[str, str]:
    """Environment for a child process that shares this test run's database and Redis."""
    from django.conf import settings

    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "platform")
    env["DJANGO_ENV"] = "test"
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(db["NAME"])
    else:
        env["DATABASE_URL"] = run_database_url()
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    else:
        env.pop("REDIS_URL", None)
    env.update(extra)
    return env


def wait_for(condition, timeout: float = 60.0) -> None:
    """Poll condition until it holds; fail when a worker does not get there in time."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the worker did not get there in time")
        time.sleep(0.1)


def wait_for_http(url: str, timeout: float = 120.0, proc: subprocess.Popen | None = None) -> None:
    # Generous: on two busy cores a server takes most of a minute to import Django and its apps.
    # This waits for the server to come up; it measures nothing.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before {url} answered")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer in {timeout}s")


class AsgiServer:
    def __init__(self, proc: subprocess.Popen, port: int) -> None:
        self.proc = proc
        self.port = port
        self.http_url = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}"

    def kill(self) -> None:
        """Crash the server: SIGKILL its worker processes and the supervisor, no clean-up."""
        kill_tree(self.proc)


def kill_tree(proc: subprocess.Popen) -> None:
    """SIGKILL a process and its children at once, as when the machine under them dies."""
    for pid in [*children(proc.pid), proc.pid]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    proc.wait()
    kill_group(proc)


def children(pid: int) -> list[int]:
    """Return the child process ids of a process (granian serves from worker processes)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def connections_served(pid: int, port: int) -> int:
    """How many established TCP connections process pid holds on its listening port."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
    established = set()
    for table in ("tcp", "tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
                fields = line.split()
                local_port = int(fields[1].rsplit(":", 1)[1], 16)
                if local_port == port and fields[3] == "01":  # 01: ESTABLISHED
                    established.add(fields[9])
    return len(inodes & established)


@contextlib.contextmanager
def asgi_server(
    env: Mapping[str, str] | None = None, *, workers: int = 1, port: int | None = None
) -> Iterator[AsgiServer]:
    """Run the project's ASGI app under granian, exactly as bin/run does; env: its settings."""
    port = port or free_port()
    proc = subprocess.Popen(
        [
            str(VENV_BIN / "granian"),
            "--interface",
            "asgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--ws",
            "--respawn-failed-workers",
            "--log-level",
            "warning",
            "config.asgi:application",
        ],
        cwd=ROOT,
        env=process_env(**(env or {})),
        start_new_session=True,  # a process group of its own: stop() ends every worker with it
    )
    try:
        # Each worker loads Django on its own: on a busy machine two take twice as long.
        wait_for_http(f"http://127.0.0.1:{port}/healthz", timeout=120.0 * workers, proc=proc)
        yield AsgiServer(proc, port)
    finally:
        stop(proc)


@contextlib.contextmanager
def celery_worker(queue: str, *, pool: str = "solo", **env: str) -> Iterator[subprocess.Popen]:
    """Run a real Celery worker from the repository root, as bin/run and compose do.

    pool="prefork" runs the job in a child process like production (one child here).
    """
    proc = subprocess.Popen(
        [
            str(VENV_BIN / "celery"),
            "-A",
            "config",
            "worker",
            f"--pool={pool}",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
            "-Q",
            queue,
        ],
        cwd=ROOT,
        env=process_env(CELERY_QUEUE=queue, **env),
        start_new_session=True,  # a process group of its own: stop() ends the pool with it
    )
    try:
        yield proc
    finally:
        stop(proc)


def stop(proc: subprocess.Popen) -> None:
    """Ask the process to stop, then SIGKILL whatever of its process group is left.

    A server that hangs on shutdown (granian 2.8.7 can), or a worker its supervisor left
    behind, would otherwise outlive the run holding sessions on the test database, and the
    next run could not create it.
    """
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    kill_group(proc)


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL every process left in the group proc led (started with start_new_session).

    The group outlives its reaped leader while any member lives; a process that shared the
    test run's group leads none, and this finds nothing to do.
    """
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
