"""The demo data: users who can log in and who the matching job can pair at once (never in
production, where their published password would open the site to anyone)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.management.commands.seed_demo import DEMO_PASSWORD, DEMO_STAFF_EMAIL, DEMO_USERS
from accounts.models import User
from interviews.models import AvailabilityWindow, Interview, InterviewRequest, RequestStatus
from tests.support.servers import ROOT, process_env
from tests.test_settings import SECRET

pytestmark = pytest.mark.django_db


def test_demo_users_are_bookable_and_a_second_run_adds_nothing() -> None:
    call_command("seed_demo")
    windows = AvailabilityWindow.objects.count()
    requests = InterviewRequest.objects.filter(status=RequestStatus.OPEN).count()
    assert requests == len(DEMO_USERS)
    assert windows == 3 * len(DEMO_USERS)
    assert not AvailabilityWindow.objects.filter(starts_at__lt=timezone.now()).exists()

    call_command("seed_demo")
    assert AvailabilityWindow.objects.count() == windows
    assert InterviewRequest.objects.filter(status=RequestStatus.OPEN).count() == requests


def test_the_matching_job_pairs_the_demo_users() -> None:
    call_command("seed_demo")
    call_command("run_matching")
    booked = Interview.objects.filter(starts_at__gt=timezone.now())
    assert booked.count() >= 2
    demo = {spec["email"] for spec in DEMO_USERS}
    for interview in booked:
        assert {interview.interviewer.email, interview.candidate.email} <= demo


def manage_in_production(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run a management command in its own process under production settings, on the test DB."""
    child = process_env(
        DJANGO_ENV="production", SECRET_KEY=SECRET, ALLOWED_HOSTS="sevenstep.example", **env
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=child,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db(transaction=True)
def test_production_refuses_the_demo_data() -> None:
    result = manage_in_production("seed_demo")
    assert result.returncode != 0, result.stdout
    assert "seed_demo refuses to run with DJANGO_ENV=production" in result.stderr
    assert not User.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_public_demo_site_gets_the_demo_users_but_never_the_staff_account() -> None:
    result = manage_in_production("seed_demo", "--allow-production-demo")
    assert result.returncode == 0, result.stderr
    assert set(User.objects.values_list("email", flat=True)) == {s["email"] for s in DEMO_USERS}
    assert not User.objects.filter(is_staff=True).exists()


def test_development_keeps_the_staff_account_for_the_admin() -> None:
    call_command("seed_demo")
    staff = User.objects.get(email=DEMO_STAFF_EMAIL)
    assert staff.is_superuser and staff.check_password(DEMO_PASSWORD)
