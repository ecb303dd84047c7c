"""The demo data: users who can log in and who the matching job can pair at once."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.management.commands.seed_demo import DEMO_USERS
from interviews.models import AvailabilityWindow, Interview, InterviewRequest, RequestStatus

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
