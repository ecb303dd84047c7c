"""The call in two real browsers: a tone from each fake microphone reaches the other side.

Chromium's fake devices (`--use-fake-device-for-media-stream`, permission granted by
`--use-fake-ui-for-media-stream`) play a generated WAV tone as each microphone. The browsers
connect peer to peer over loopback, and once more only through a real coturn relay started
here with `use-auth-secret`, using the credentials `GET /api/interviews/{id}/call/` hands out.
"""

from __future__ import annotations

import contextlib
import math
import shutil
import struct
import subprocess
import time
import wave
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.conftest import REQUIRE_SERVICES
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, SERVER_ENV, log_in, screenshot
from tests.factories import InterviewFactory, UserFactory
from tests.support.servers import ROOT, AsgiServer, asgi_server, free_port, process_env

TURN_SECRET = "loopback-relay-secret"
# RTCInboundRtpStreamStats.audioLevel (0-1) of the tone as Chromium receives it is about 0.04;
# a muted sender's silence reads 0.
SOUND = 0.01
SILENCE = 0.002


def _tone(path: Path, hz: float = 440.0, seconds: float = 4.0, rate: int = 48_000) -> Path:
    """Write a sine tone as 16-bit mono WAV (Chromium loops the file as the microphone)."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = (
            struct.pack("<h", int(12_000 * math.sin(2 * math.pi * hz * i / rate)))
            for i in range(int(seconds * rate))
        )
        out.writeframes(b"".join(frames))
    return path


@pytest.fixture(scope="module")
def media_browser(
    _orm_beside_playwright: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing") if REQUIRE_SERVICES else pytest.skip("no Chromium")
    from playwright.sync_api import sync_playwright

    tone = _tone(tmp_path_factory.mktemp("call") / "tone.wav")
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={tone}",
        "--autoplay-policy=no-user-gesture-required",
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=args
        )
        yield browser
        browser.close()


@pytest.fixture
def call_pages(media_browser) -> Iterator[Callable[..., object]]:
    contexts = []

    def make(base_url: str, *, deny_microphone: bool = False):
        context = media_browser.new_context(
            base_url=base_url, viewport={"width": 1366, "height": 900}
        )
        context.set_default_timeout(20_000)
        if deny_microphone:
            # What the browser answers when the person clicks "Block" on the permission prompt.
            context.add_init_script(
                "navigator.mediaDevices.getUserMedia = () =>"
                " Promise.reject(new DOMException('Permission denied', 'NotAllowedError'))"
            )
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def _pair():
    ivy = UserFactory(email="ivy@example.com", profile__display_name="Ivy")
    carl = UserFactory(email="carl@example.com", profile__display_name="Carl")
    return InterviewFactory(
        interviewer=ivy, candidate=carl, starts_at=timezone.now() + timedelta(minutes=2)
    )


def _inbound_bytes(page) -> int:
    value = page.get_by_test_id("call-quality").get_attribute("data-inbound-audio-bytes")
    return int(value or 0)


def _inbound_level(page) -> float:
    value = page.get_by_test_id("call-quality").get_attribute("data-inbound-audio-level")
    return float(value or 0)


def _wait(predicate: Callable[..., bool], seconds: float = 15) -> bool:
    """Poll predicate() for up to seconds; `...` as in tests.support.yjs.wait_until."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def _join_both(call_pages, base_url: str, password: str, query: str = ""):
    interview = _pair()
    room = f"/interviews/{interview.pk}/room"
    interviewer, candidate = call_pages(base_url), call_pages(base_url)
    log_in(interviewer, "ivy@example.com", password, room)
    log_in(candidate, "carl@example.com", password, room)
    for page in (interviewer, candidate):
        if query:
            page.goto(room + query)
        page.get_by_role("button", name="Join call").click()
    return interviewer, candidate


def _connected(page) -> None:
    page.get_by_test_id("call-status").get_by_text("Connected", exact=True).wait_for(timeout=45_000)


def test_two_participants_hear_each_other_mute_and_recover(
    call_pages, e2e_server, password
) -> None:
    interviewer, candidate = _join_both(call_pages, e2e_server.http_url, password)
    for page in (interviewer, candidate):
        _connected(page)
        page.get_by_test_id("call-quality").wait_for()
    # Audio flows both ways: each side's inbound audio keeps growing, and it is the tone.
    for page in (interviewer, candidate):
        first = _inbound_bytes(page)
        assert _wait(lambda page=page, first=first: _inbound_bytes(page) > first + 2_000), page.url
        assert _wait(lambda page=page: _inbound_level(page) > SOUND)
    screenshot(candidate, "60-call-connected")

    # Muting the interviewer silences what the candidate receives, and the candidate sees it.
    interviewer.get_by_role("button", name="Mute").click()
    candidate.get_by_test_id("partner-speaking").get_by_text("(muted)").wait_for()
    assert _wait(lambda: _inbound_level(candidate) < SILENCE), _inbound_level(candidate)
    assert _inbound_level(interviewer) > SOUND  # the other direction is untouched
    interviewer.get_by_role("button", name="Unmute").click()
    assert _wait(lambda: _inbound_level(candidate) > SOUND)

    # A dropped signalling connection: both sides negotiate afresh and audio flows again.
    candidate.get_by_role("button", name="Reconnect").click()
    for page in (interviewer, candidate):
        _connected(page)
        page.get_by_test_id("call-quality").wait_for()
        assert _wait(lambda page=page: _inbound_level(page) > SOUND)
    # A reload rejoins the call.
    candidate.reload()
    candidate.get_by_role("button", name="Join call").click()
    for page in (interviewer, candidate):
        _connected(page)
        page.get_by_test_id("call-quality").wait_for()
        assert _wait(lambda page=page: _inbound_bytes(page) > 2_000)
    # The notes stay usable alongside the call.
    candidate.locator(".notes .cm-content").click()
    candidate.keyboard.type("said on the call")
    interviewer.locator(".notes .cm-content").get_by_text("said on the call").wait_for()


def test_a_denied_microphone_leaves_the_room_usable(call_pages, e2e_server, password) -> None:
    interview = _pair()
    room = f"/interviews/{interview.pk}/room"
    page = call_pages(e2e_server.http_url, deny_microphone=True)
    log_in(page, "carl@example.com", password, room)
    page.get_by_role("button", name="Join call").click()
    page.get_by_test_id("call-status").get_by_text("Call unavailable").wait_for()
    page.get_by_role("alert").filter(has_text="not allowed to use your microphone").wait_for()
    screenshot(page, "62-call-microphone-denied")
    page.locator(".notes .cm-content").click()
    page.keyboard.type("still typing")
    page.locator(".notes .cm-content").get_by_text("still typing").wait_for()


@contextlib.contextmanager
def turn_server(secret: str) -> Iterator[int]:
    """Run Debian's coturn on loopback with the REST-API shared secret."""
    binary = shutil.which("turnserver")
    if binary is None:
        message = "coturn is not installed: apt-get install coturn"
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)
    port = free_port()
    # Relay ports above Linux's ephemeral range (32768-60999), where the suite's own client
    # sockets never take them, and plenty of them: an allocation needs a free one.
    low = 61_000 + (port % 40) * 100
    proc = subprocess.Popen(
        [
            binary,
            "-n",
            "--listening-ip=127.0.0.1",
            "--relay-ip=127.0.0.1",
            f"--listening-port={port}",
            f"--min-port={low}",
            f"--max-port={low + 99}",
            "--use-auth-secret",
            f"--static-auth-secret={secret}",
            "--realm=sevenstep.test",
            "--no-tls",
            "--no-dtls",
            "--no-cli",
            "--allow-loopback-peers",
            "--fingerprint",
            "--log-file=stdout",
            "--simple-log",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        time.sleep(1)
        assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
        yield port
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5)
        if proc.poll() is None:
            proc.kill()


@contextlib.contextmanager
def relay_server(turn_port: int, secret: str, tmp_path: Path) -> Iterator[AsgiServer]:
    env = {
        **SERVER_ENV,
        "SEVENSTEP_VAR_DIR": str(tmp_path),
        "CALL_TURN_URLS": f"turn:127.0.0.1:{turn_port}?transport=udp",
        "CALL_TURN_SECRET": secret,
        "CALL_TURN_TTL_SECONDS": "300",
    }
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=process_env(**env),
        check=True,
    )
    with asgi_server(env) as server:
        yield server


def test_the_call_connects_through_the_turn_relay_with_the_servers_credentials(
    call_pages, password, tmp_path
) -> None:
    with turn_server(TURN_SECRET) as port, relay_server(port, TURN_SECRET, tmp_path) as server:
        interviewer, candidate = _join_both(call_pages, server.http_url, password, "?relay=1")
        for page in (interviewer, candidate):
            _connected(page)
            page.get_by_test_id("call-quality").wait_for()
            assert _wait(lambda page=page: _inbound_bytes(page) > 2_000)
        # Each side reaches the other from its relay candidate: the media went through coturn.
        for page in (interviewer, candidate):
            badge = page.get_by_test_id("call-quality")
            assert _wait(lambda badge=badge: badge.get_attribute("data-candidate-type") == "relay")
        screenshot(candidate, "61-call-through-turn")


def test_a_wrong_turn_secret_never_connects_through_the_relay(
    call_pages, password, tmp_path
) -> None:
    with (
        turn_server(TURN_SECRET) as port,
        relay_server(port, "not-the-relay-secret", tmp_path) as server,
    ):
        interviewer, candidate = _join_both(call_pages, server.http_url, password, "?relay=1")
        time.sleep(10)
        for page in (interviewer, candidate):
            status = page.get_by_test_id("call-status").inner_text()
            assert status != "Connected", status
