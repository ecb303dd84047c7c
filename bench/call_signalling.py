"""What a call costs the server: signalling for N concurrent calls, against a bare relay.

    .venv/bin/python bench/call_signalling.py                      # 200 calls, every setup
    .venv/bin/python bench/call_signalling.py --calls 50 --setups embedded --seconds 5

Media never touches the server; its part of a call is the signalling socket. For each setup a
real server is started as bench/rooms/run.py does (embedded: one granian process on SQLite
and the in-memory layer; postgres+redis: two granian processes on PostgreSQL and Redis, the
interviewer on the first and the candidate on the second, so every message crosses the
channel layer). The baseline, measured in the same run, is a bare relay written with the
`websockets` library in one process: it pairs two sockets by path and forwards text, with no
authentication, no validation and nothing stored — the floor of what relaying costs here.

Three phases, as a call lives them:

* join: all 2N participants connect at once (authenticated by session cookie, the room checked
  in the database, a timeline event written); the time until both of a call hear of each other.
* negotiation: every call at once does what a browser does when it connects: an offer and an
  answer of 4 KB each and 8 ICE candidates each way; time from the offer to the last candidate.
* steady: each participant sends a message every second (media state or a candidate: what an
  established call sends, generously) for --seconds; relay latency, and the server's CPU.

CPU is the server processes' own (user + system, from /proc, children included), as a share
of one core over the phase. The benchmark's client runs in this process on the same cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from websockets.asyncio.client import ClientConnection

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.rooms import run as rooms_bench  # noqa: E402  (servers, env, migrations)

SDP = "v=0\r\n" + "a=x-bench:" + "0" * 4000 + "\r\n"
CANDIDATES_EACH_WAY = 8
CALL_TIMEOUT = 60.0  # a call's phase not done by then counts as never

RELAY = r"""
import asyncio, sys
import websockets

rooms = {}

async def handler(socket):
    peers = rooms.setdefault(socket.request.path, set())
    peers.add(socket)
    try:
        async for message in socket:
            for other in list(peers):
                if other is not socket:
                    await other.send(message)
    finally:
        peers.discard(socket)

async def main():
    async with websockets.serve(handler, "127.0.0.1", int(sys.argv[1]), max_size=2**20):
        await asyncio.Future()

asyncio.run(main())
"""


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its descendants, in seconds."""
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            text = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        stats[int(entry)] = fields
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        stat = stats.get(current)
        if stat is not None:
            # utime, stime, cutime, cstime: fields 14-17 of stat, 12-15 after the comm field.
            total += sum(int(value) for value in stat[11:15]) / tick
        todo.extend(children.get(current, []))
    return total


def summary(values: list[float]) -> tuple[float, float, float]:
    """Median, p99 and max; a message that never arrived is infinitely late."""
    if not values:
        return float("nan"), float("nan"), float("nan")
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered), p99, ordered[-1]


class Participant:
    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.url = url
        self.headers = headers
        self.socket: ClientConnection | None = None
        self.inbox: asyncio.Queue[tuple[float, dict]] = asyncio.Queue()
        self.reader: asyncio.Task[None] | None = None

    async def open(self) -> None:
        import websockets

        self.socket = await websockets.connect(
            self.url, additional_headers=self.headers, max_size=2**20, open_timeout=120
        )
        self.reader = asyncio.create_task(self._read())

    @property
    def connection(self) -> ClientConnection:
        assert self.socket is not None, "open() first"
        return self.socket

    async def _read(self) -> None:
        import websockets

        try:
            async for text in self.connection:
                self.inbox.put_nowait((time.perf_counter(), json.loads(text)))
        except websockets.ConnectionClosed:
            pass

    async def until(self, kind: str, timeout: float = 60) -> tuple[float, dict]:
        while True:
            at, message = await asyncio.wait_for(self.inbox.get(), timeout)
            if message.get("type") == kind:
                return at, message

    async def send(self, message: dict) -> None:
        await self.connection.send(json.dumps(message))

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()
        if self.reader is not None:
            self.reader.cancel()


def candidate(stamp: float, index: int) -> dict:
    line = f"candidate:{index} 1 udp 2122260223 127.0.0.1 {50000 + index} typ host t{stamp!r}"
    return {
        "type": "candidate",
        "candidate": {"candidate": line, "sdpMid": "0", "sdpMLineIndex": 0},
    }


def stamp_of(message: dict) -> float:
    return float(message["candidate"]["candidate"].rsplit(" t", 1)[1])


async def join(pairs: list[tuple[Participant, Participant]], bare: bool) -> list[float]:
    """Connect everyone at once; per call, seconds until both sides know of each other."""

    async def one(a: Participant, b: Participant) -> float:
        start = time.perf_counter()
        await asyncio.gather(a.open(), b.open())
        if bare:  # the bare relay says nothing on its own: one message each way shows both in
            await a.send({"type": "hangup"})
            await b.send({"type": "hangup"})
            ends = await asyncio.gather(a.until("hangup"), b.until("hangup"))
        else:
            ends = await asyncio.gather(a.until("peer"), b.until("peer"))
        return max(at for at, _ in ends) - start

    return await each_call(one, pairs)


async def each_call(one, pairs: list[tuple[Participant, Participant]]) -> list[float]:
    """Run `one` for every call at once; a call that does not finish in time is infinitely late."""
    from websockets import ConnectionClosed

    async def bounded(a: Participant, b: Participant) -> float:
        try:
            return await asyncio.wait_for(one(a, b), CALL_TIMEOUT)
        except (TimeoutError, OSError, ConnectionClosed):
            return float("inf")

    return list(await asyncio.gather(*(bounded(a, b) for a, b in pairs)))


async def negotiate(pairs: list[tuple[Participant, Participant]]) -> list[float]:
    """Offer, answer and candidates both ways, every call at once; seconds per call."""

    async def one(a: Participant, b: Participant) -> float:
        start = time.perf_counter()
        await a.send({"type": "offer", "sdp": SDP})
        await b.until("offer")
        await b.send({"type": "answer", "sdp": SDP})
        await a.until("answer")
        for index in range(CANDIDATES_EACH_WAY):
            await a.send(candidate(time.perf_counter(), index))
            await b.send(candidate(time.perf_counter(), index))
        for _ in range(CANDIDATES_EACH_WAY):
            await a.until("candidate")
            await b.until("candidate")
        return time.perf_counter() - start

    return await each_call(one, pairs)


async def steady(
    pairs: list[tuple[Participant, Participant]], seconds: float
) -> tuple[list[float], int]:
    """Each participant sends a candidate a second; relay latencies and messages sent."""
    from websockets import ConnectionClosed

    latencies: list[float] = []
    closed: list[int | None] = []
    sent = 0
    deadline = time.perf_counter() + seconds

    async def talk(me: Participant, offset: float) -> None:
        nonlocal sent
        await asyncio.sleep(offset)
        index = 0
        while time.perf_counter() < deadline:
            try:
                await me.send(candidate(time.perf_counter(), index))
            except ConnectionClosed:
                closed.append(me.connection.close_code)
                return
            sent += 1
            index += 1
            await asyncio.sleep(1.0)

    async def hear(me: Participant) -> None:
        # Until a second after the last message was sent: what is later than that is lost.
        while (left := deadline + 1.0 - time.perf_counter()) > 0:
            try:
                at, message = await asyncio.wait_for(me.inbox.get(), left)
            except TimeoutError:
                return
            if message.get("type") == "candidate":
                latencies.append(at - stamp_of(message))

    count = len(pairs) * 2
    talkers = [
        talk(person, index / count)
        for index, person in enumerate(p for pair in pairs for p in pair)
    ]
    listeners = [hear(p) for pair in pairs for p in pair]
    await asyncio.gather(*talkers, *listeners)
    if closed:
        print(f"  {len(closed)} sockets closed by the server in the steady phase, codes "
              f"{sorted(set(closed), key=str)}", file=sys.stderr)  # fmt: skip
    return latencies, sent


async def measure(pairs, pids: list[int], seconds: float, bare: bool) -> list[tuple]:
    rows = []
    for phase in ("join", "negotiation", "steady"):
        cpu_before, wall_before = sum(map(cpu_seconds, pids)), time.perf_counter()
        if phase == "join":
            times, messages = await join(pairs, bare), (len(pairs) * 2 if bare else 0)
        elif phase == "negotiation":
            times = await negotiate(pairs)
            messages = len(pairs) * (2 + 2 * CANDIDATES_EACH_WAY)
        else:
            latencies, messages = await steady(pairs, seconds)
            # Every message sent should have been heard; a missing one counts as never.
            times = latencies + [float("inf")] * (messages - len(latencies))
        wall = time.perf_counter() - wall_before
        cpu = (sum(map(cpu_seconds, pids)) - cpu_before) / wall
        # The steady phase sends for `seconds`, then listens a second more for stragglers.
        rate = messages / (seconds if phase == "steady" else wall)
        late = sum(1 for value in times if value == float("inf"))
        rows.append((phase, *summary(times), messages, rate, cpu, late))
    for a, b in pairs:
        await a.close()
        await b.close()
    return rows


def run_setup(name: str, server, calls: int, seconds: float, work: Path, var_dir: Path):
    if server is None:  # the bare relay
        port = rooms_bench.free_port()
        proc = subprocess.Popen([sys.executable, "-c", RELAY, str(port)])
        try:
            _wait_port(port, proc)
            base = f"ws://127.0.0.1:{port}/call"
            pairs = [
                (Participant(f"{base}/{n}", {}), Participant(f"{base}/{n}", {}))
                for n in range(calls)
            ]
            return asyncio.run(measure(pairs, [proc.pid], seconds, bare=True))
        finally:
            rooms_bench.stop(proc)
    env = rooms_bench.django_env(server, var_dir)
    ports = [rooms_bench.free_port() for _ in range(2 if server.redis else 1)]
    clients_file = work / f"clients-{name}.json"
    rooms_bench.manage(env, "loadtest_rooms", "--rooms", str(calls), "--base-url",
                       f"ws://127.0.0.1:{ports[0]}", "--out", str(clients_file))  # fmt: skip
    clients = json.loads(clients_file.read_text())
    with rooms_bench.serving(server, env, ports) as procs:
        pairs = []
        for index in range(0, len(clients), 2):
            ivy, carl = clients[index], clients[index + 1]
            # With two processes the candidate is on the second: every message crosses Redis.
            carl_url = carl["url"].replace(str(ports[0]), str(ports[-1]))
            carl_headers = {
                key: value.replace(str(ports[0]), str(ports[-1]))
                for key, value in carl["headers"].items()
            }
            pairs.append(
                (
                    Participant(ivy["url"] + "/call", ivy["headers"]),
                    Participant(carl_url + "/call", carl_headers),
                )
            )
        return asyncio.run(measure(pairs, [p.pid for p in procs], seconds, bare=False))


def _wait_port(port: int, proc: subprocess.Popen) -> None:
    import socket

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the relay exited")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError("the relay did not come up")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--setups", default="bare,embedded,postgres+redis")
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    setups = {
        "bare": None,
        "embedded": rooms_bench.SERVERS["granian"],
        # Two processes: one single-worker server per port, the candidate on the second.
        "postgres+redis": rooms_bench.Server("granian", 1, True, True),
        # The same with uvicorn: tells the server's part from ours.
        "postgres+redis-uvicorn": rooms_bench.Server("uvicorn", 1, True, True),
    }
    chosen = [(name, setups[name]) for name in args.setups.split(",")]
    work = Path(tempfile.mkdtemp(prefix="bench-call-"))
    var_dir = work / "var"
    var_dir.mkdir()
    servers = [server for _, server in chosen if server is not None]
    if servers:
        rooms_bench.prepare(var_dir, servers)
    load = os.getloadavg()[0]
    print(f"{os.cpu_count()} cores, load average {load:.1f} before the run; {args.calls} calls "
          f"({2 * args.calls} sockets), steady phase {args.seconds:.0f} s")  # fmt: skip
    print("| setup | phase | p50 ms | p99 ms | max ms | messages relayed | messages/s | "
          "server CPU (cores) | not done (calls, or messages in steady) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|", flush=True)
    for name, server in chosen:
        for phase, p50, p99, top, messages, rate, cpu, late in run_setup(
            name, server, args.calls, args.seconds, work, var_dir
        ):
            times = f"{p50 * 1000:.1f} | {p99 * 1000:.1f} | {top * 1000:.1f}"
            print(f"| {name} | {phase} | {times} | {messages} | {rate:.0f} | {cpu:.2f} | {late} |",
                  flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
