"""Live-room benchmark: real Yjs clients editing N rooms against each server, in one run.

    .venv/bin/python bench/rooms/run.py                      # 50, 200, 500 rooms, every server
    .venv/bin/python bench/rooms/run.py --rooms 200 --servers reference,granian-redis-2 --runs 3

Each row is run --runs times with the servers interleaved (reference first), so every run of
ours is compared with the reference measured minutes before it: the p99 ratio is per run, the
summary gives the median and the worst over the runs. The servers' CPU over the measured
window, per update delivered, is printed too: on a shared machine it moves less than latency.

Servers: `reference` (the Node y-websocket 2.1 bin/server.cjs, in memory, no persistence, the
baseline), our ASGI app on granian / uvicorn / daphne with one process on the in-memory channel
layer + SQLite, granian with one process on PostgreSQL, and granian / uvicorn with two
processes on Redis + PostgreSQL (`granian-redis-2-sticky`: two processes on two ports, each
room's sockets sent to one of them by interview id, as deploy/nginx.conf routes them). Our servers
persist every update before broadcasting it; after each run the stored notes of every room are
compared with what the clients hold.

Our servers also run with a METRICS_TOKEN made for the run, and their Prometheus `/metrics` is
scraped at the start and the end of the measured window (one scrape covers every worker:
multiprocess mode). The "from /metrics" table gives, per run, what the server itself saw over
the window: updates committed and group commits per second, the mean batch, commit latency
(mean, and p99 interpolated in the histogram's buckets, as Prometheus's histogram_quantile
does: read it to the bucket, 10 ms or 25 ms, not to the millisecond), the event loop's lag p99,
the fan-out lag between processes (two-process servers), awareness frames, websocket closes by
code and outbox overflows.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.error import URLError
from urllib.request import Request, urlopen

from prometheus_client.parser import text_string_to_metric_families

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
VENV = Path(sys.executable).parent
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sevenstep_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
ASGI_APP = "config.asgi:application"


@dataclass(frozen=True)
class Server:
    name: str
    processes: int
    postgres: bool  # else SQLite
    redis: bool  # else the in-memory channel layer
    # Sticky rooms: one server process per port, and every socket of a room sent to the same
    # one, as a proxy hashing the interview id routes them (deploy/nginx.conf).
    sticky: bool = False

    @property
    def label(self) -> str:
        if self.name == "reference":
            return "reference y-websocket 2.1 (Node, memory only)"
        if self.name.startswith("bare-"):
            return f"bare Python relay on {self.name.removeprefix('bare-')} (memory only)"
        layer = "Redis" if self.redis else "in-memory layer"
        database = "PostgreSQL" if self.postgres else "SQLite"
        plural = "es" if self.processes > 1 else ""
        sticky = ", sticky rooms" if self.sticky else ""
        return f"{self.name}, {self.processes} process{plural}, {layer} + {database}{sticky}"

    @property
    def ours(self) -> bool:
        """Whether this is our ASGI app (persisting, serving /metrics), not a baseline."""
        return self.name != "reference" and not self.name.startswith("bare-")

    def command(self, port: int) -> list[str]:
        if self.name.startswith("bare-"):
            plain = Server(self.name.removeprefix("bare-"), 1, False, False).command(port)
            return [part.replace(ASGI_APP, "bench.rooms.bare:app") for part in plain]
        app = ASGI_APP
        if self.name == "reference":
            return ["node", str(HERE / "node_modules/y-websocket-reference/bin/server.cjs")]
        if self.name == "granian":
            workers = 1 if self.sticky else self.processes
            return [str(VENV / "granian"), "--interface", "asgi", "--host", "127.0.0.1",
                    "--port", str(port), "--workers", str(workers), "--ws",
                    "--respawn-failed-workers", "--log-level", "warning", app]  # fmt: skip
        if self.name == "uvicorn":
            return [str(VENV / "uvicorn"), app, "--host", "127.0.0.1", "--port", str(port),
                    "--workers", str(self.processes), "--log-level", "warning"]  # fmt: skip
        if self.name == "daphne":
            return [str(VENV / "daphne"), "-b", "127.0.0.1", "-p", str(port), "-v", "0", app]
        raise ValueError(self.name)


SERVERS = {
    "reference": Server("reference", 1, False, False),
    "bare-granian": Server("bare-granian", 1, False, False),
    "bare-uvicorn": Server("bare-uvicorn", 1, False, False),
    "granian": Server("granian", 1, False, False),
    "uvicorn": Server("uvicorn", 1, False, False),
    "daphne": Server("daphne", 1, False, False),
    "granian-pg": Server("granian", 1, True, False),
    "granian-redis-2": Server("granian", 2, True, True),
    "granian-redis-2-sticky": Server("granian", 2, True, True, sticky=True),
    "uvicorn-redis-2": Server("uvicorn", 2, True, True),
}


DEFAULT_SERVERS = [name for name in SERVERS if name not in ("uvicorn-redis-2", "bare-uvicorn")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def django_env(server: Server, var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT / "platform"),
        DJANGO_ENV="development",
        DEBUG="false",  # DEBUG keeps every query in memory
        LOG_LEVEL="WARNING",
        SEVENSTEP_VAR_DIR=str(var_dir),
    )
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    if server.postgres:
        env["DATABASE_URL"] = PG_URL
    else:
        env["SQLITE_PATH"] = str(var_dir / "bench.sqlite3")
    if server.redis:
        env["REDIS_URL"] = REDIS_URL
    return env


def manage(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
        capture_output=True, text=True,
    )  # fmt: skip
    return out.stdout


def prepare(var_dir: Path, servers: list[Server]) -> None:
    if not (HERE / "node_modules" / "y-websocket-reference").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE,
                       check=True)  # fmt: skip
    manage(django_env(SERVERS["granian"], var_dir), "migrate", "--noinput")
    if any(server.postgres for server in servers):
        import psycopg

        base, name = PG_URL.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        manage(django_env(SERVERS["granian-pg"], var_dir), "migrate", "--noinput")
    if any(server.redis for server in servers):
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()


def wait_up(port: int, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        with contextlib.suppress(URLError, ConnectionError, OSError):
            urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return
        time.sleep(0.2)
    raise TimeoutError("server did not come up")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def serving(server: Server, env: dict[str, str], ports: list[int], timeout: float = 180):
    """Start one server process per port (each with the server's own workers); stop them all."""
    procs: list[subprocess.Popen] = []
    try:
        for port in ports:
            proc = subprocess.Popen(server.command(port), cwd=ROOT,
                                    env=dict(env, HOST="127.0.0.1", PORT=str(port)),
                                    stdout=subprocess.DEVNULL)  # fmt: skip
            procs.append(proc)
            wait_up(port, proc, timeout)
        yield procs
    finally:
        for proc in procs:
            stop(proc)


def process_tree(pid: int) -> list[int]:
    """The pid and all its descendants (a server's worker processes)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far (Linux /proc)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def store_counters(server: Server) -> dict[str, float]:
    """What the shared stores have done so far: PostgreSQL commits, rows and WAL; Redis traffic."""
    counters: dict[str, float] = {}
    if server.postgres:
        import psycopg

        with psycopg.connect(PG_URL, autocommit=True) as conn:
            row = conn.execute(
                "SELECT xact_commit, tup_inserted, tup_updated, "
                "pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0') "
                "FROM pg_stat_database WHERE datname = current_database()"
            ).fetchone()
        assert row is not None
        counters.update(pg_commits=row[0], pg_rows_inserted=row[1], pg_rows_updated=row[2],
                        pg_wal_bytes=float(row[3]))  # fmt: skip
    if server.redis:
        import redis

        info = redis.Redis.from_url(REDIS_URL).info("stats")
        counters.update(redis_commands=info["total_commands_processed"],
                        redis_bytes_in=info["total_net_input_bytes"],
                        redis_bytes_out=info["total_net_output_bytes"])  # fmt: skip
    return counters


# One scrape: each sample's value under its name and its labels, sorted.
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape_metrics(port: int, token: str) -> Samples:
    """Every sample the server's /metrics serves now (all its worker processes, added up)."""
    request = Request(f"http://127.0.0.1:{port}/metrics",
                      headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    with urlopen(request, timeout=10) as response:
        return parse_samples(response.read().decode())


def route_rooms(clients: Path, ports: list[int]) -> None:
    """Send every socket of a room to one port, by its interview id (a sticky proxy's hash)."""
    entries = json.loads(clients.read_text())
    for entry in entries:
        interview = int(entry["url"].rstrip("/").rsplit("/", 1)[1])
        chosen = ports[interview % len(ports)]
        entry["url"] = re.sub(r":\d+/", f":{chosen}/", entry["url"], count=1)
        if "Origin" in entry["headers"]:  # the page a browser would have opened it from
            entry["headers"]["Origin"] = re.sub(r":\d+$", f":{chosen}", entry["headers"]["Origin"])
    clients.write_text(json.dumps(entries))


def parse_samples(text: str) -> Samples:
    """Each sample of a Prometheus text exposition under its name and labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): float(sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def metric_deltas(start: Samples, end: Samples) -> Samples:
    """How much each counter and histogram series grew between two scrapes.

    A series first seen in the end scrape started from 0 (a labelled counter is created on
    its first increment). Gauges are not meaningful as differences; only the names the table
    reads are used.
    """
    return {key: value - start.get(key, 0.0) for key, value in end.items()}


def metric_sum(samples: Samples, name: str) -> float:
    """The sum of every series of one sample name; 0 for a name the server does not serve."""
    return sum(value for (sample, _), value in samples.items() if sample == name)


def bucket_quantile(samples: Samples, histogram: str, quantile: float) -> float | None:
    """The quantile of a histogram from its cumulative buckets, as histogram_quantile does.

    Linear within the bucket the rank falls in (the first bucket starts at 0); a rank in the
    +Inf bucket gives the highest finite bound. None when nothing was observed.
    """
    buckets: dict[float, float] = {}
    for (sample, labels), value in samples.items():
        if sample == f"{histogram}_bucket":
            bound = float(dict(labels)["le"])
            buckets[bound] = buckets.get(bound, 0.0) + value
    bounds = sorted(buckets)
    if not bounds or buckets[bounds[-1]] <= 0:
        return None
    rank = quantile * buckets[bounds[-1]]
    lower, below = 0.0, 0.0
    for bound in bounds:
        if buckets[bound] >= rank:
            if bound == float("inf"):
                return lower
            inside = buckets[bound] - below
            return lower + (bound - lower) * ((rank - below) / inside if inside else 1.0)
        lower, below = bound, buckets[bound]
    return lower


def from_metrics(delta: Samples, seconds: float, processes: int) -> dict[str, object]:
    """The server's own figures over the measured window, from the deltas of two scrapes."""

    def ms(value: float | None) -> float | None:
        return None if value is None else round(value * 1000, 1)

    commits = metric_sum(delta, "sevenstep_live_commit_batch_size_count")
    commit_seconds = metric_sum(delta, "sevenstep_live_commit_duration_seconds_sum")
    closes: dict[str, float] = {}
    for (sample, labels), value in delta.items():
        if sample == "sevenstep_websocket_closes_total" and value:
            label = dict(labels)
            key = f"{label['code']} {label['reason']} ({label['by']})"
            closes[key] = closes.get(key, 0.0) + value
    figures: dict[str, object] = {
        "updates_committed_per_second": round(
            metric_sum(delta, "sevenstep_live_updates_committed_total") / seconds, 1
        ),
        "commits_per_second": round(commits / seconds, 1),
        "mean_batch": round(metric_sum(delta, "sevenstep_live_commit_batch_size_sum") / commits, 1)
        if commits
        else None,
        "commit_ms_mean": ms(commit_seconds / commits) if commits else None,
        "commit_ms_p99": ms(bucket_quantile(delta, "sevenstep_live_commit_duration_seconds", 0.99)),
        "loop_lag_ms_p99": ms(bucket_quantile(delta, "sevenstep_event_loop_lag_seconds", 0.99)),
        "awareness_frames": int(metric_sum(delta, "sevenstep_live_awareness_messages_total")),
        "closes": {key: int(value) for key, value in sorted(closes.items())},
        # Not on every version of the server yet: a missing family counts as none.
        "outbox_overflows": int(metric_sum(delta, "sevenstep_live_outbox_overflows_total")),
    }
    if processes > 1:
        figures["fanout_lag_ms_p50"] = ms(
            bucket_quantile(delta, "sevenstep_live_fanout_lag_seconds", 0.5)
        )
        figures["fanout_lag_ms_p99"] = ms(
            bucket_quantile(delta, "sevenstep_live_fanout_lag_seconds", 0.99)
        )
    return figures


class FlushProbe:
    """Time an 8 KB write and fdatasync every 20 ms on this machine's disk, in a thread.

    A server that commits every update before broadcasting it waits for the disk to flush the
    database's log; when the disk stalls, every process's commits stall with it. Run during
    every measured window (the reference's too), so a p99 can be read against what the disk
    did at the time: on the development machine plain flushes stalled for 100-270 ms now and
    then under write load, while taking 0.1 ms when idle (bench/README.md).
    """

    INTERVAL = 0.02
    STALL_MS = 50.0

    def __init__(self, directory: Path) -> None:
        self.path = directory / "flush-probe"
        self.times: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> dict[str, float | int | None]:
        self._stop.set()
        self._thread.join()
        times = sorted(self.times)
        if not times:
            return {"flush_ms_p99": None, "flush_ms_max": None, "flush_stalls": 0}
        return {
            "flush_ms_p99": round(times[min(len(times) - 1, int(0.99 * len(times)))], 1),
            "flush_ms_max": round(times[-1], 1),
            "flush_stalls": sum(1 for value in times if value > self.STALL_MS),
        }

    def _run(self) -> None:
        block = b"\0" * 8192
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            index = 0
            while not self._stop.wait(self.INTERVAL):
                started = time.perf_counter()
                os.pwrite(fd, block, (index % 256) * len(block))
                os.fdatasync(fd)
                self.times.append((time.perf_counter() - started) * 1000)
                index += 1
        finally:
            os.close(fd)


def run_one(
    server: Server, rooms: int, seconds: int, rate: int, mode: str, work: Path, var_dir: Path
) -> dict:
    env = django_env(server, var_dir)
    port = free_port()
    clients = work / f"clients-{server.name}-{rooms}.json"
    result_file = work / f"result-{server.name}-{server.processes}-{rooms}.json"
    manage(env, "loadtest_rooms", "--rooms", str(rooms), "--base-url",
           f"ws://127.0.0.1:{port}", "--out", str(clients))  # fmt: skip
    ports = [port] + [free_port() for _ in range(server.processes - 1)] if server.sticky else [port]
    if server.sticky:
        route_rooms(clients, ports)
    token = secrets.token_urlsafe(32)
    server_env = dict(env, METRICS_TOKEN=token) if server.ours else env
    with serving(server, server_env, ports) as procs:
        load = subprocess.Popen(
            ["node", str(HERE / "load.mjs"), "--clients", str(clients), "--seconds", str(seconds),
             "--rate", str(rate), "--mode", mode, "--out", str(result_file)],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        # CPU is sampled over the measured window only (the load prints when it starts and
        # ends): what the servers spend per update, a figure the machine's noise moves less
        # than latency. The load generator's own share shows what the servers had left.
        assert load.stdout is not None
        marks: dict[str, tuple[float, float, float]] = {}
        stores: dict[str, dict[str, float]] = {}
        scrapes: dict[str, Samples] = {}
        flushes = FlushProbe(work)
        result_flushes: dict[str, float | int | None] = {}
        for line in load.stdout:
            # The start scrape comes before the CPU sample and the end scrape after it, so
            # the scrapes' own CPU stays outside the measured window.
            if line.strip() == "measure-start" and server.ours:
                scrapes[line.strip()] = scrape_metrics(port, token)
            if line.strip() in ("measure-start", "measure-end"):
                pids = [pid for proc in procs for pid in process_tree(proc.pid)]
                marks[line.strip()] = (time.monotonic(), cpu_seconds(pids),
                                       cpu_seconds([load.pid]))  # fmt: skip
                stores[line.strip()] = store_counters(server)
            if line.strip() == "measure-end" and server.ours:
                scrapes[line.strip()] = scrape_metrics(port, token)
            if line.strip() == "measure-start":
                flushes.start()
            if line.strip() == "measure-end":
                result_flushes = flushes.stop()
        if load.wait(timeout=seconds + 300) != 0:
            raise RuntimeError(f"load generator exited with {load.returncode}")
    result = json.loads(result_file.read_text())
    result.update(result_flushes)
    if len(marks) == 2:
        (t0, s0, l0), (t1, s1, l1) = marks["measure-start"], marks["measure-end"]
        result["server_cores"] = round((s1 - s0) / (t1 - t0), 2)
        result["load_cores"] = round((l1 - l0) / (t1 - t0), 2)
        delivered = result["delivered_per_second"] or 1
        result["server_us_per_update"] = round((s1 - s0) / (t1 - t0) / delivered * 1e6)
        # Per room and second: what a deployment's PostgreSQL and Redis carry for one room.
        start, end = stores["measure-start"], stores["measure-end"]
        result["per_room_second"] = {
            key: round((end[key] - start[key]) / (t1 - t0) / rooms, 2) for key in end
        }
        if len(scrapes) == 2:
            delta = metric_deltas(scrapes["measure-start"], scrapes["measure-end"])
            result["metrics"] = from_metrics(delta, t1 - t0, server.processes)
    if server.ours:
        verify = subprocess.run(
            [sys.executable, str(HERE / "verify.py"), str(result_file)], cwd=ROOT, env=env,
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        result["persisted"] = json.loads(verify.stdout.strip().splitlines()[-1])
    result.pop("texts")
    result.update(server=server.label, rooms=rooms)
    return result


def row(result: dict) -> str:
    persisted = result.get("persisted")
    if persisted is None:
        stored = "— (memory only)"
    else:
        matching = persisted["rooms_matching"]
        equal = "all" if matching == persisted["rooms"] else str(matching)
        stored = f"{equal} rooms equal, {persisted['stored_updates']} updates stored"
    return (
        f"| {result['server']} | {result['rooms']} | {result.get('run', 1)} "
        f"| {result['synced_clients']}/{result['clients']} "
        f"| {result['p50_ms']} | {result['p99_ms']} | {result.get('p99_ratio', '—')} "
        f"| {result['max_ms']} | {result['delivered_per_second']} | {result['delivered_ratio']} "
        f"| {result.get('server_cores', '?')} ({result.get('server_us_per_update', '?')} µs) "
        f"| {result.get('load_cores', '?')} "
        f"| {result['diverged_rooms']} ({result.get('settle_seconds', '?')} s) | {stored} "
        f"| {result.get('flush_ms_p99', '?')} / {result.get('flush_ms_max', '?')} "
        f"({result.get('flush_stalls', '?')}) |"
    )


HEADER = (
    "| server | rooms | run | synced clients | p50 ms | p99 ms | p99 / reference p99 | max ms "
    "| updates/s delivered | delivered/sent | server cores (CPU µs per update) | load generator "
    "cores | diverged rooms (time to converge) | persisted | disk flush ms, p99 / max (stalls "
    "over 50 ms) |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)

SUMMARY_HEADER = (
    "| server | rooms | runs | p50 ms, median (worst) | p99 ms, median (worst) "
    "| p99 / reference p99, median (worst) | CPU µs per update, median | lost or diverged |\n"
    "|---|---|---|---|---|---|---|---|"
)


def by_row(results: list[dict]) -> dict[tuple[str, int], list[dict]]:
    """The runs of each server and size, in the order they first ran."""
    groups: dict[tuple[str, int], list[dict]] = {}
    for result in results:
        groups.setdefault((result["server"], result["rooms"]), []).append(result)
    return groups


def summary(results: list[dict]) -> list[str]:
    """One line per server and size: the median and the worst of its runs."""
    lines = []
    for (server, rooms), runs in by_row(results).items():
        done = [r for r in runs if "error" not in r]
        if not done:
            lines.append(f"| {server} | {rooms} | 0 of {len(runs)} | failed | | | | |")
            continue

        def figure(key: str, runs: list[dict] = done) -> str:
            values = [r[key] for r in runs if r.get(key) is not None]
            if not values:
                return "—"
            return f"{statistics.median(values):g} ({max(values):g})"

        lost = sum(r["diverged_rooms"] + r["clients"] - r["synced_clients"] for r in done)
        lost += sum(
            r["persisted"]["rooms"] - r["persisted"]["rooms_matching"]
            for r in done
            if r.get("persisted")
        )
        failed = len(runs) - len(done)
        cpu = [r["server_us_per_update"] for r in done if r.get("server_us_per_update")]
        lines.append(
            f"| {server} | {rooms} | {len(done)}{f' ({failed} failed)' if failed else ''} "
            f"| {figure('p50_ms')} | {figure('p99_ms')} | {figure('p99_ratio')} "
            f"| {statistics.median(cpu) if cpu else '—'} | {lost} |"
        )
    return lines


def store_rows(results: list[dict]) -> list[str]:
    """What one room costs PostgreSQL and Redis per second, median over the runs."""
    lines = []
    measured = [result for result in results if result.get("per_room_second")]
    for (server, rooms), runs in by_row(measured).items():
        keys = runs[0]["per_room_second"]
        figures = ", ".join(
            f"{key} {statistics.median(r['per_room_second'][key] for r in runs):g}" for key in keys
        )
        lines.append(f"| {server} | {rooms} | {figures} |")
    return lines


METRICS_HEADER = (
    "| server | rooms | run | updates committed/s | commits/s | mean batch "
    "| commit ms, mean | commit ms, p99 | event-loop lag ms, p99 | fan-out lag ms, p50 / p99 "
    "| awareness frames | websocket closes by code | outbox overflows |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def metrics_rows(results: list[dict]) -> list[str]:
    """One line per run of our servers: what its /metrics counted over the measured window."""
    lines = []
    for result in results:
        figures = result.get("metrics")
        if not figures:
            continue

        def shown(key: str, figures: dict = figures) -> str:
            value = figures.get(key)
            return "—" if value is None else f"{value:g}"

        fanout = (
            f"{shown('fanout_lag_ms_p50')} / {shown('fanout_lag_ms_p99')}"
            if "fanout_lag_ms_p99" in figures
            else "— (one process)"
        )
        closes = ", ".join(f"{key}: {count}" for key, count in figures["closes"].items())
        lines.append(
            f"| {result['server']} | {result['rooms']} | {result.get('run', 1)} "
            f"| {shown('updates_committed_per_second')} | {shown('commits_per_second')} "
            f"| {shown('mean_batch')} | {shown('commit_ms_mean')} | {shown('commit_ms_p99')} "
            f"| {shown('loop_lag_ms_p99')} | {fanout} | {figures['awareness_frames']} "
            f"| {closes or 'none'} | {figures['outbox_overflows']} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--rooms", default="50,200,500")
    parser.add_argument("--servers", default=",".join(DEFAULT_SERVERS))
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rate", type=int, default=5, help="edits per second per client")
    parser.add_argument("--runs", type=int, default=3, help="runs per row (servers interleaved)")
    parser.add_argument(
        "--mode", choices=["edit", "append"], default="edit",
        help="edit: inserts anywhere and a few deletes after random pauses; "
        "append: the earlier benchmark's appends on a fixed clock",
    )  # fmt: skip
    args = parser.parse_args()
    servers = [SERVERS[name] for name in args.servers.split(",")]
    sizes = [int(n) for n in args.rooms.split(",")]
    if shutil.which("node") is None:
        sys.exit("needs node")
    work = Path(tempfile.mkdtemp(prefix="bench-rooms-"))
    var_dir = work / "var"
    var_dir.mkdir()
    prepare(var_dir, servers)
    print(
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} before the run; "
        f"{args.rate} edits/s per client ({args.mode}), {args.seconds}s measured, "
        f"{args.runs} runs per row"
    )
    print(HEADER, flush=True)
    results = []
    for rooms in sizes:
        for run in range(1, args.runs + 1):
            reference_p99 = None
            for server in servers:
                try:
                    result = run_one(server, rooms, args.seconds, args.rate, args.mode, work,
                                     var_dir)  # fmt: skip
                except Exception as exc:  # a server that collapses is a result too
                    result = {"server": server.label, "rooms": rooms, "error": repr(exc)}
                    print(f"| {server.label} | {rooms} | {run} | failed: {exc!r} |", flush=True)
                else:
                    if server.name == "reference":
                        reference_p99 = result["p99_ms"]
                    elif reference_p99:
                        result["p99_ratio"] = round(result["p99_ms"] / reference_p99, 1)
                    result["run"] = run
                    print(row(result) + f" <!-- load {os.getloadavg()[0]:.1f} -->", flush=True)
                result["run"] = run
                results.append(result)
    print()
    print(SUMMARY_HEADER)
    print("\n".join(summary(results)), flush=True)
    stored = store_rows(results)
    if stored:
        print("\n| server | rooms | per room and second, median over the runs |\n|---|---|---|")
        print("\n".join(stored), flush=True)
    measured = metrics_rows(results)
    if measured:
        print("\nFrom /metrics, over the measured window:\n")
        print(METRICS_HEADER)
        print("\n".join(measured), flush=True)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"rooms-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(results, indent=1))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
