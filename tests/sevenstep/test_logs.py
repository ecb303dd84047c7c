"""Logs: JSON lines in production, text in development, the interview on live-room lines."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from tests.support.servers import ROOT, process_env
from tests.test_settings import SECRET


def run(script: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=ROOT,
        env=process_env(DJANGO_SETTINGS_MODULE="config.settings", **env),
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_production_writes_one_json_object_a_line() -> None:
    result = run(
        "import config.asgi",
        DJANGO_ENV="production",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="sevenstep.example",
        REDIS_URL="",  # without Redis, startup warns: a line to read back on either pass
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    warning = next(line for line in lines if "REDIS_URL is not set" in line["message"])
    assert warning["level"] == "WARNING"
    assert warning["logger"] == "sevenstep"
    assert "time" in warning
    assert "interview_id" not in warning


def test_development_writes_text_and_any_other_format_is_refused() -> None:
    result = run(
        "from django.conf import settings; print(settings.LOG_FORMAT)", DJANGO_ENV="development"
    )
    assert result.stdout.strip() == "text", result.stderr
    result = run("from django.conf import settings; settings.LOG_FORMAT", LOG_FORMAT="xml")
    assert result.returncode != 0
    assert "LOG_FORMAT must be json or text" in result.stderr


BOUND = """
import asyncio, logging
import django
django.setup()
from sevenstep.logs import bind_interview, unbound

log = logging.getLogger("interviews.live.consumers")

async def background():
    log.warning("serving every room")

async def socket():
    bind_interview(42)
    log.warning("joined")
    await asyncio.to_thread(log.warning, "database work")
    with unbound():
        task = asyncio.create_task(background())
    await task
    log.warning("left")

asyncio.run(socket())
log.warning("after the socket")
"""


def test_every_line_a_socket_writes_carries_its_interview_and_no_other_line_does() -> None:
    result = run(BOUND, LOG_FORMAT="json")
    assert result.returncode == 0, result.stderr
    lines = {
        line["message"]: line.get("interview_id")
        for line in map(json.loads, result.stderr.splitlines())
    }
    assert lines == {
        "joined": 42,
        "database work": 42,
        "serving every room": None,
        "left": 42,
        "after the socket": None,
    }
