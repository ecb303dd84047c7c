"""HTTP load test: the main read and write endpoints at rising concurrency, next to /healthz.

    .venv/bin/python bench/http_load.py                 # PostgreSQL + Redis, 2 web processes
    .venv/bin/python bench/http_load.py --embedded      # SQLite + in-memory layer, 1 process

Starts the real ASGI server (granian, as bin/run does) on a fresh database seeded with users,
then drives it with an asyncio client on the same machine (so client and server share the two
cores: the figures are a floor, not a ceiling). /healthz measures what the stack itself costs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgres://postgres@127.0.0.1:5432/sevenstep_bench_http"
REDIS_URL = "redis://127.0.0.1:6379/14"
USERS = 50


@dataclass
class Result:
    endpoint: str
    concurrency: int
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    def pct(self, q: float) -> float:
        data = sorted(self.latencies_ms)
        return data[min(len(data) - 1, int(q * len(data)))] if data else float("nan")


def environment(embedded: bool) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "platform"), DJANGO_ENV="development")
    env["DEBUG"] = "false"
    env["LOG_LEVEL"] = "WARNING"
    env["LOGIN_RATE"] = env["REGISTER_RATE"] = "100000/min"
    if embedded:
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
        env["SQLITE_PATH"] = str(ROOT / "var" / "bench-http.sqlite3")
    else:
        env["DATABASE_URL"] = PG_URL
        env["REDIS_URL"] = REDIS_URL
    return env


def prepare(env: dict[str, str], embedded: bool) -> list[str]:
    """Create a fresh database with users and return their API tokens."""
    if embedded:
        Path(env["SQLITE_PATH"]).unlink(missing_ok=True)
    else:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS sevenstep_bench_http WITH (FORCE)")
            conn.execute("CREATE DATABASE sevenstep_bench_http")
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    code = f"""
from accounts.models import User, Profile
from accounts.services import api_token_create
tokens = []
for i in range({USERS}):
    user, _ = User.objects.get_or_create(email=f"load{{i}}@example.com")
    Profile.objects.get_or_create(user=user, defaults={{"display_name": f"Load {{i}}"}})
    tokens.append(api_token_create(user=user, name="bench")[1])
print(",".join(tokens))
"""
    out = subprocess.run(
        [*manage, "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1].split(",")


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            str(BIN / "granian"),
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
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start")


ENDPOINTS: dict[str, tuple[str, str, dict | None]] = {
    "GET /healthz (ceiling)": ("GET", "/healthz", None),
    "GET /api/me/": ("GET", "/api/me/", None),
    "GET /api/questions/": ("GET", "/api/questions/?page_size=20", None),
    "GET /api/interviews/": ("GET", "/api/interviews/", None),
    "GET /api/availability/": ("GET", "/api/availability/", None),
    "GET /api/reports/me/": ("GET", "/api/reports/me/", None),
    "PATCH /api/me/ (write)": ("PATCH", "/api/me/", {"display_name": "Loaded"}),
}


class Connection:
    """One keep-alive HTTP/1.1 connection: a few lines of asyncio instead of a client library,
    so the load generator takes as little of the two cores as it can."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, raw: bytes) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(raw)
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        length, chunked, close = 0, False, False
        while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value:
                chunked = True
            elif name == "connection" and value == "close":
                close = True
        if chunked:
            while size := int((await self.reader.readuntil(b"\r\n")).strip(), 16):
                await self.reader.readexactly(size + 2)
            await self.reader.readuntil(b"\r\n")
        elif length:
            await self.reader.readexactly(length)
        if close:
            self.close()
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def raw_request(method: str, path: str, body: dict | None, token: str, port: int) -> bytes:
    payload = json.dumps(body).encode() if body is not None else b""
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Token {token}\r\nAccept: application/json\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload


async def drive(
    port: int, tokens: list[str], name: str, concurrency: int, seconds: float
) -> Result:
    method, path, body = ENDPOINTS[name]
    latencies: list[float] = []
    errors = 0
    stop_at = time.monotonic() + seconds

    async def worker(index: int) -> None:
        nonlocal errors
        raw = raw_request(method, path, body, tokens[index % len(tokens)], port)
        conn = Connection("127.0.0.1", port)
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                ok = await conn.request(raw) < 400
            except (OSError, asyncio.IncompleteReadError, ValueError):
                conn.close()
                ok = False
            if ok:
                latencies.append((time.perf_counter() - started) * 1000)
            else:
                errors += 1
        conn.close()

    begun = time.monotonic()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    elapsed = time.monotonic() - begun
    return Result(name, concurrency, len(latencies), errors, elapsed, latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedded", action="store_true", help="SQLite + in-memory, 1 process")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--levels", default="1,8,32")
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    workers = args.workers or (1 if args.embedded else 2)
    env = environment(args.embedded)
    tokens = prepare(env, args.embedded)
    server = start_server(env, args.port, workers)
    results: list[Result] = []
    try:
        for name in ENDPOINTS:
            for level in (int(x) for x in args.levels.split(",")):
                results.append(asyncio.run(drive(args.port, tokens, name, level, args.seconds)))
    finally:
        server.terminate()
        server.wait(timeout=10)

    setup = "SQLite + in-memory layer" if args.embedded else "PostgreSQL + Redis"
    print(f"\nHTTP load, granian with {workers} process(es), {setup}, {args.seconds:.0f} s each\n")
    print("| endpoint | concurrency | req/s | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        rate = r.requests / r.seconds
        print(
            f"| {r.endpoint} | {r.concurrency} | {rate:.0f} | {r.pct(0.5):.1f} | "
            f"{r.pct(0.95):.1f} | {r.pct(0.99):.1f} | {r.errors} |"
        )
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"http-{'embedded' if args.embedded else 'services'}.json").write_text(
        json.dumps(
            [
                {
                    "endpoint": r.endpoint,
                    "concurrency": r.concurrency,
                    "rps": r.requests / r.seconds,
                    "p50": r.pct(0.5),
                    "p95": r.pct(0.95),
                    "p99": r.pct(0.99),
                    "errors": r.errors,
                }
                for r in results
            ],
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
