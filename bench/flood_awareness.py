"""Awareness flood: /healthz latency on the process a hostile participant floods, in one run.

    .venv/bin/python bench/flood_awareness.py                     # both setups, 8 s per phase
    .venv/bin/python bench/flood_awareness.py --setups embedded --seconds 5

For each setup a real granian server is started as bench/rooms/run.py does (embedded: one
process on SQLite and the in-memory layer; postgres+redis: two processes on PostgreSQL and
Redis, both sockets on the first, a third socket on the second so every change crosses the
fan-out). The partner (the victim) stays connected throughout. /healthz is polled on the
flooded process, first with no flood (the baseline), then while the attacker

* sends awareness frames as big and as often as the limits allow: every frame changes its own
  state (LIVE_AWARENESS_RATE_PER_SECOND) and pads itself to LIVE_AWARENESS_MAX_BYTES with
  entries that repeat the victim's state, as a stock client's echo does, and
* on two more sockets, sends what the limits refuse (a 1 MiB frame of ~140,000 client states,
  a frame naming 1,000 clients), gets closed, reconnects at once, and does it again;
* then, on ws/ping/, sends 14 MB JSON frames and 3,000-deep nesting, closed and sent again.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.rooms import run as rooms_bench  # noqa: E402  (servers, env, migrations)

HEALTH_INTERVAL = 0.05


def var_uint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def entry(client_id: int, clock: int, state: bytes) -> bytes:
    return var_uint(client_id) + var_uint(clock) + var_uint(len(state)) + state


def awareness(entries: list[bytes]) -> bytes:
    inner = var_uint(len(entries)) + b"".join(entries)
    return b"\x01" + var_uint(len(inner)) + inner


def own_state(n: int) -> bytes:
    """The largest state the schema lets through: long name, two cursors, a pointer."""
    position = {"type": None, "tname": "t" * 100, "item": {"client": 2**31, "clock": n}, "assoc": 0}
    state = {
        "user": {"name": "M" * 80, "role": "r" * 32, "color": "#b3261e", "colorLight": "#b3261e33"},
        "cursor": {"anchor": position, "head": position},
        "pointer": {"x": n * 1.5, "y": -n * 2.5, "tool": "pointer"},
    }
    return json.dumps(state, separators=(",", ":")).encode()


def padded_frame(client_id: int, clock: int, victim_id: int, limit: int, entries: int) -> bytes:
    """One changing entry, then repeats of the victim's state (clock 0) up to the size limit."""
    own = entry(client_id, clock, own_state(clock))
    room = limit - len(own) - 16
    pad_each = max(0, room // max(1, entries - 1) - 12)
    repeat = entry(victim_id, 0, b'"' + b"x" * max(0, min(pad_each, 2000)) + b'"')
    return awareness([own] + [repeat] * (entries - 1))


def huge_frame() -> bytes:
    """~1 MiB: the frame that took a second of CPU before the limits."""
    body = [entry(10_000_000 + n, 1, b"{}") for n in range(140_000)]
    return awareness(body)


def many_clients_frame() -> bytes:
    return awareness([entry(20_000_000 + n, 1, b"{}") for n in range(1000)])


async def poll_health(url: str, seconds: float) -> list[float]:
    import httpx

    latencies = []
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(timeout=30) as client:
        while time.monotonic() < deadline:
            start = time.perf_counter()
            response = await client.get(url)
            latencies.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
            await asyncio.sleep(HEALTH_INTERVAL)
    return latencies


async def open_socket(client: dict, *, max_size: int | None = None):
    import websockets

    url = f"{client['url']}/{client['room']}"
    return await websockets.connect(
        url, additional_headers=client["headers"], max_size=max_size, open_timeout=30
    )


async def drain(socket) -> None:
    import websockets

    try:
        async for _ in socket:
            pass
    except websockets.ConnectionClosed:
        pass


async def allowed_flood(
    client: dict, victim_id: int, limits: dict[str, int], stop: asyncio.Event, stats: Counter
) -> None:
    socket = await open_socket(client)
    reader = asyncio.create_task(drain(socket))
    clock = 1
    period = 1 / (limits["rate"] * 0.95)
    try:
        while not stop.is_set():
            frame = padded_frame(
                4_000_000, clock, victim_id, limits["frame_bytes"], limits["entries"]
            )
            await socket.send(frame)
            stats["allowed frames"] += 1
            stats["allowed bytes"] += len(frame)
            clock += 1
            await asyncio.sleep(period)
    finally:
        if socket.close_code is not None:
            stats[f"allowed socket closed {socket.close_code}"] += 1
        await socket.close()
        reader.cancel()


async def refused_flood(client: dict, frame: bytes, stop: asyncio.Event, stats: Counter) -> None:
    import websockets

    while not stop.is_set():
        try:
            socket = await open_socket(client)
            await socket.send(frame)
            await drain(socket)
            stats[f"closed {socket.close_code}"] += 1
        except (OSError, websockets.WebSocketException) as exc:
            stats[f"error {type(exc).__name__}"] += 1
            await asyncio.sleep(0.05)


async def victim_socket(client: dict, client_id: int):
    socket = await open_socket(client)
    state = json.dumps({"user": {"name": "Victim", "color": "#1f4fbf"}}).encode()
    await socket.send(awareness([entry(client_id, 1, state)]))
    return socket, asyncio.create_task(drain(socket))


def summary(latencies: list[float]) -> tuple[float, float, float, int]:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered), p99, ordered[-1], len(ordered)


async def measure(
    health_url: str, clients: list[dict], peer: dict | None, limits: dict[str, int], seconds: float
):
    victim, attacker = clients
    victim_id = 3_000_000
    socket, reader = await victim_socket(victim, victim_id)
    sockets = [(socket, reader)]
    if peer is not None:
        sockets.append(await victim_socket(peer, victim_id + 1))
    await asyncio.sleep(1)
    baseline = await poll_health(health_url, seconds)
    stop = asyncio.Event()
    stats: Counter[str] = Counter()
    refused = [huge_frame(), many_clients_frame()]
    tasks = [asyncio.create_task(allowed_flood(attacker, victim_id, limits, stop, stats))]
    tasks += [asyncio.create_task(refused_flood(attacker, frame, stop, stats)) for frame in refused]
    await asyncio.sleep(0.5)
    flooded = await poll_health(health_url, seconds)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    # The JSON sockets: 14 MB frames and deep nesting on ws/ping/, closed and sent again.
    stop = asyncio.Event()
    json_stats: Counter[str] = Counter()
    ping = dict(attacker, url=attacker["url"].split("/ws/")[0] + "/ws/ping", room="")
    frames = ["[" * 14_000_000, "[" * 3000]
    tasks = [asyncio.create_task(json_flood(ping, frame, stop, json_stats)) for frame in frames]
    await asyncio.sleep(0.5)
    json_flooded = await poll_health(health_url, seconds)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    victim_alive = socket.close_code is None
    for sock, task in sockets:
        await sock.close()
        task.cancel()
    return baseline, flooded, stats, json_flooded, json_stats, victim_alive


async def json_flood(client: dict, text: str, stop: asyncio.Event, stats: Counter) -> None:
    import websockets

    while not stop.is_set():
        try:
            socket = await open_socket(client)
            await socket.recv()  # hello
            await socket.send(text)
            await drain(socket)
            stats[f"closed {socket.close_code}"] += 1
        except (OSError, websockets.WebSocketException) as exc:
            stats[f"error {type(exc).__name__}"] += 1
            await asyncio.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--setups", default="embedded,postgres+redis")
    parser.add_argument("--seconds", type=float, default=8)
    args = parser.parse_args()
    setups = {
        "embedded": rooms_bench.SERVERS["granian"],
        "postgres+redis": rooms_bench.Server("granian", 1, True, True),
    }
    chosen = [(name, setups[name]) for name in args.setups.split(",")]
    work = Path(tempfile.mkdtemp(prefix="bench-flood-"))
    var_dir = work / "var"
    var_dir.mkdir()
    rooms_bench.manage(
        rooms_bench.django_env(rooms_bench.SERVERS["granian"], var_dir), "migrate", "--noinput"
    )
    if any(server.postgres for _, server in chosen):
        _reset_postgres_and_redis(var_dir)
    load = os.getloadavg()[0]
    every = HEALTH_INTERVAL * 1000
    print(f"{os.cpu_count()} cores, load average {load:.1f} before the run; "
          f"{args.seconds:.0f} s per phase, /healthz every {every:.0f} ms")  # fmt: skip
    print("| setup | phase | healthz p50 ms | p99 ms | max ms | requests | attacker |")
    print("|---|---|---|---|---|---|---|", flush=True)
    for name, server in chosen:
        baseline, flooded, stats, json_flooded, json_stats, alive = run_setup(
            server, var_dir, work, args.seconds
        )
        b50, b99, bmax, bn = summary(baseline)
        print(f"| {name} | no flood | {b50:.1f} | {b99:.1f} | {bmax:.1f} | {bn} | — |")
        for phase, latencies, counts in (
            ("awareness flood", flooded, stats),
            ("JSON flood (ws/ping/)", json_flooded, json_stats),
        ):
            f50, f99, fmax, fn = summary(latencies)
            attack = ", ".join(f"{key}: {value}" for key, value in sorted(counts.items()))
            print(f"| {name} | {phase} | {f50:.1f} | {f99:.1f} | {fmax:.1f} | {fn} | {attack} |")
        print(f"| {name} | | | | | | victim {'still connected' if alive else 'DISCONNECTED'} |",
              flush=True)  # fmt: skip


def _reset_postgres_and_redis(var_dir: Path) -> None:
    import psycopg
    import redis

    base, name = rooms_bench.PG_URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = rooms_bench.django_env(rooms_bench.SERVERS["granian-pg"], var_dir)
    rooms_bench.manage(env, "migrate", "--noinput")
    redis.Redis.from_url(rooms_bench.REDIS_URL).flushdb()


def run_setup(server, var_dir: Path, work: Path, seconds: float):

    env = rooms_bench.django_env(server, var_dir)
    ports = [rooms_bench.free_port() for _ in range(2 if server.redis else 1)]
    clients_file = work / f"clients-{ports[0]}.json"
    rooms_bench.manage(env, "loadtest_rooms", "--rooms", "1", "--base-url",
                       f"ws://127.0.0.1:{ports[0]}", "--out", str(clients_file))  # fmt: skip
    clients = json.loads(clients_file.read_text())
    peer = None
    if server.redis:
        peer = dict(clients[1], url=clients[1]["url"].replace(str(ports[0]), str(ports[1])))
    with rooms_bench.serving(server, env, ports):
        health = f"http://127.0.0.1:{ports[0]}/healthz"
        return asyncio.run(measure(health, clients, peer, _limits(env), seconds))


def _limits(env: dict[str, str]) -> dict[str, int]:
    """The awareness limits the server runs with (its settings, not a copy of them)."""
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'rate': s.LIVE_AWARENESS_RATE_PER_SECOND, 'frame_bytes': s.LIVE_AWARENESS_MAX_BYTES,"
        "'entries': s.LIVE_AWARENESS_MAX_ENTRIES}))"
    )
    out = rooms_bench.manage(env, "shell", "-c", code)
    return json.loads(out.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
