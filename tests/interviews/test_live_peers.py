"""The fan-out between processes carries a room's traffic only to the processes that hold it."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings

from tests.factories import UserFactory
from tests.support.metrics import sample
from tests.support.servers import ROOT, asgi_server, free_port, wait_for_http
from tests.support.yjs import Unmet, YjsHarness, live_interview, wait_until

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
]

# The periodic check (and its announcement) stays out of the way: what the tests see is the
# fan-out's own doing.
QUIET = {"LIVE_RESYNC_SECONDS": "600"}
IVY = {"name": "Ivy", "role": "interviewer", "color": "#1f4fbf", "colorLight": "#1f4fbf33"}


class Listener:
    """Every message published on the live layer's channels, counted as it passes."""

    def __init__(self) -> None:
        prefix = settings.CHANNEL_LAYERS["live"]["CONFIG"]["prefix"]
        self.client = redis.Redis.from_url(settings.REDIS_URL)
        self.pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        self.pubsub.psubscribe(f"{prefix}*")
        self.count = 0
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop:
            if self.pubsub.get_message(timeout=0.1) is not None:
                self.count += 1

    def close(self) -> None:
        self._stop = True
        self._thread.join(timeout=5)
        self.pubsub.close()
        self.client.close()


def typed(harness: YjsHarness, writer: str, reader: str, field: str, ops: int) -> None:
    harness.call("edit", id=writer, field=field, ops=ops, seed=7, interval_ms=5, insert_only=True)

    def arrived() -> bool | Unmet:
        mine, theirs = harness.texts(writer)[field], harness.texts(reader).get(field)
        return mine == theirs or Unmet((len(mine), theirs and len(theirs)))

    wait_until(arrived)


def test_a_room_whose_sockets_share_a_process_sends_nothing_to_the_others(
    harness, interviewer, candidate
) -> None:
    alone = live_interview(interviewer, candidate)
    ivan, cleo = UserFactory(), UserFactory()
    spread = live_interview(ivan, cleo)
    listener = Listener()
    try:
        with asgi_server(QUIET) as one, asgi_server(QUIET) as two:
            harness.open("A", one.ws_url, alone.pk, interviewer)
            harness.open("B", one.ws_url, alone.pk, candidate)
            harness.open("C", one.ws_url, spread.pk, ivan)
            harness.open("D", two.ws_url, spread.pk, cleo)
            time.sleep(1)  # the rooms' announcements have passed
            before = listener.count
            typed(harness, "A", "B", "step-2", ops=100)
            time.sleep(0.5)
            alone_messages = listener.count - before
            before = listener.count
            typed(harness, "C", "D", "step-2", ops=100)
            spread_messages = listener.count - before
    finally:
        listener.close()
    # 100 edits on one process reach its peer without a message to the other process; the
    # same edits in a room spread over both processes cross at least a few dozen times.
    assert alone_messages == 0
    assert spread_messages >= 20


def test_a_socket_that_joins_on_another_process_sees_the_cursors_at_once(
    harness, interviewer, candidate
) -> None:
    interview = live_interview(interviewer, candidate)
    with asgi_server(QUIET) as one, asgi_server(QUIET) as two:
        a = harness.open("A", one.ws_url, interview.pk, interviewer)
        harness.call("aware", id="A", field="user", value=IVY)
        harness.call("edit", id="A", field="step-1", ops=20, seed=3)
        time.sleep(0.5)
        # Process two had no socket in the room when Ivy's cursor changed, so it never heard
        # of it; a stock client renews its own state only every 15 s.
        harness.open("B", two.ws_url, interview.pk, candidate)

        def sees_ivy() -> bool | Unmet:
            answer: dict[str, Any] = harness.call("awareness", id="B")
            state = answer["states"].get(str(a["client_id"]))
            return state == {"user": IVY} or Unmet(answer["states"])

        wait_until(sees_ivy, timeout=5)
        assert harness.texts("B")["step-1"] == harness.texts("A")["step-1"]


@contextlib.contextmanager
def proxy_in_front(backends: list[int]) -> Iterator[str]:
    """Run nginx with deploy/nginx.conf, its `web` upstream being these local ports."""
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if nginx is None:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("REQUIRE_SERVICES=1 but nginx is not installed", pytrace=False)
        pytest.skip("needs nginx for the proxy")
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    servers = "".join(f"server 127.0.0.1:{port};\n" for port in backends)
    port = free_port()
    assert "server web:8000;" in site and "listen 80;" in site
    site = site.replace("server web:8000;", servers).replace("listen 80;", f"listen {port};")
    with tempfile.TemporaryDirectory() as work:
        conf = Path(work) / "nginx.conf"
        conf.write_text(
            f"daemon off; user root; pid {work}/nginx.pid; error_log {work}/error.log;\n"
            "events {}\n"
            f"http {{ access_log off; client_body_temp_path {work}/body; "
            f"proxy_temp_path {work}/proxy; fastcgi_temp_path {work}/fcgi; "
            f"uwsgi_temp_path {work}/uwsgi; scgi_temp_path {work}/scgi;\n{site}\n}}\n"
        )
        proc = subprocess.Popen([nginx, "-p", work, "-c", str(conf), "-e", f"{work}/error.log"])
        try:
            wait_for_http(f"http://127.0.0.1:{port}/healthz", timeout=30, proc=proc)
            yield f"ws://127.0.0.1:{port}"
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def rooms_open(port: int, token: str) -> float:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/metrics", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return sample(response.read().decode(), "sevenstep_live_rooms_open")


def test_the_proxy_sends_every_socket_of_an_interview_to_one_process(harness, tmp_path) -> None:
    pairs = [(UserFactory(), UserFactory()) for _ in range(12)]
    interviews = [live_interview(ivy, carl) for ivy, carl in pairs]
    token = "proxy-test-token"
    listener = Listener()
    try:
        with contextlib.ExitStack() as stack:
            backends = [
                stack.enter_context(
                    asgi_server(
                        QUIET
                        | {"METRICS_TOKEN": token, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / name)}
                    )
                )
                for name in ("one", "two")
            ]
            proxy = stack.enter_context(proxy_in_front([backend.port for backend in backends]))
            for n, (interview, (ivy, carl)) in enumerate(zip(interviews, pairs, strict=True)):
                harness.open(f"I{n}", proxy, interview.pk, ivy)
                harness.open(f"C{n}", proxy, interview.pk, carl)
            time.sleep(1)  # the rooms' announcements have passed
            before = listener.count
            for n in range(len(interviews)):
                typed(harness, f"I{n}", f"C{n}", "step-4", ops=20)
            crossed = listener.count - before
            held = [rooms_open(backend.port, token) for backend in backends]
    finally:
        listener.close()
    # Both participants of each interview met on one process: nothing crossed between them.
    assert crossed == 0
    # And the interviews were spread over both processes (12 rooms, each process some).
    assert sum(held) == len(interviews) and min(held) >= 1, held
