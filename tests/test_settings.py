"""Production mode refuses to start half-configured and passes Django's deploy checks."""

from __future__ import annotations

import subprocess
import sys

from tests.support.servers import ROOT, process_env

SECRET = "q8Zr-2mN!vX4pL0tW9sYb7cK1dF6gH3jA5eR8uI2oP4lM7nB0vC9xZ"


def run_check(**env: str) -> subprocess.CompletedProcess[str]:
    child = process_env(DJANGO_ENV="production", **env)
    child.pop("SECRET_KEY", None) if "SECRET_KEY" not in env else None
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=child,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = run_check(ALLOWED_HOSTS="sevenstep.example")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_a_guessable_secret_key() -> None:
    result = run_check(SECRET_KEY="a" * 60, ALLOWED_HOSTS="sevenstep.example")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts() -> None:
    result = run_check(SECRET_KEY=SECRET, ALLOWED_HOSTS="")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_passes_the_deploy_checks_without_warnings() -> None:
    result = run_check(SECRET_KEY=SECRET, ALLOWED_HOSTS="sevenstep.example")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_every_beat_entry_names_a_registered_task(settings) -> None:  # type: ignore[no-untyped-def]
    from config.celery_app import app

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled >= {"scoring.reports_rebuild_all", "scoring.reports_request_released"}
    assert scheduled <= set(app.tasks)
