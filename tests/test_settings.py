"""Production mode refuses to start half-configured and passes Django's deploy checks."""

from __future__ import annotations

import subprocess
import sys

from tests.support.servers import ROOT, process_env

SECRET = "q8Zr-2mN!vX4pL0tW9sYb7cK1dF6gH3jA5eR8uI2oP4lM7nB0vC9xZ"


def _production(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    child = process_env(DJANGO_ENV="production", **env)
    if "SECRET_KEY" not in env:
        child.pop("SECRET_KEY", None)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=child, capture_output=True, text=True, timeout=180
    )


def run_check(**env: str) -> subprocess.CompletedProcess[str]:
    return _production(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **env)


def start(**env: str) -> subprocess.CompletedProcess[str]:
    """Load the ASGI application as the server does at start (no deploy checks involved)."""
    return _production(["-c", "import config.asgi"], **env)


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = start(ALLOWED_HOSTS="sevenstep.example")
    assert result.returncode != 0
    assert "production needs SECRET_KEY (50+ random characters)" in result.stderr


def test_production_refuses_a_guessable_secret_key() -> None:
    for guessable in ("a" * 60, "ab" * 30):
        result = start(SECRET_KEY=guessable, ALLOWED_HOSTS="sevenstep.example")
        assert result.returncode != 0
        assert "production needs SECRET_KEY (50+ random characters)" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts() -> None:
    result = start(SECRET_KEY=SECRET, ALLOWED_HOSTS="")
    assert result.returncode != 0
    assert "production needs ALLOWED_HOSTS" in result.stderr


def test_production_starts_when_configured() -> None:
    result = start(SECRET_KEY=SECRET, ALLOWED_HOSTS="sevenstep.example")
    assert result.returncode == 0, result.stderr


def test_production_passes_the_deploy_checks_without_warnings() -> None:
    result = run_check(SECRET_KEY=SECRET, ALLOWED_HOSTS="sevenstep.example")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_every_beat_entry_names_a_registered_task(settings) -> None:
    from config.celery_app import app

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled >= {"scoring.reports_rebuild_all", "scoring.reports_request_released"}
    assert scheduled <= set(app.tasks)
