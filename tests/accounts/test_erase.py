"""A user can delete their account; their partners' interviews stay consistent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import ERASED_NAME, api_token_create
from interviews.models import Interview, InterviewStatus, Seat
from tests.factories import InterviewFactory
from tests.interviews.helpers import eager_tasks

pytestmark = pytest.mark.django_db


def logged_in(user, password) -> APIClient:
    client = APIClient()
    assert (
        client.post(
            "/api/auth/login/", {"email": user.email, "password": password}, format="json"
        ).status_code
        == 200
    )
    return client


def test_erasing_an_account_removes_personal_data_and_logs_out(candidate, password) -> None:
    client = logged_in(candidate, password)
    api_token_create(user=candidate, name="cli")
    response = client.post("/api/me/delete/", {"password": password}, format="json")
    assert response.status_code == 204
    candidate.refresh_from_db()
    assert candidate.email.endswith("@deleted.invalid")
    assert not candidate.is_active
    assert not candidate.has_usable_password()
    assert candidate.profile.display_name == ERASED_NAME
    assert not ApiToken.objects.filter(user=candidate).exists()
    assert client.get("/api/me/").status_code == 403
    again = APIClient().post(
        "/api/auth/login/",
        {"email": "carl.candidate@example.com", "password": password},
        format="json",
    )
    assert again.status_code == 400


def test_erasing_needs_the_password(candidate, password) -> None:
    client = logged_in(candidate, password)
    response = client.post("/api/me/delete/", {"password": "not-it-at-all"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()["error"]["fields"]
    candidate.refresh_from_db()
    assert candidate.is_active


def test_past_interviews_stay_and_upcoming_ones_are_cancelled(
    interviewer, candidate, password, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    past = InterviewFactory(
        interviewer=interviewer,
        candidate=candidate,
        starts_at=timezone.now() - timedelta(days=2),
        status=InterviewStatus.COMPLETED,
    )
    upcoming = InterviewFactory(interviewer=interviewer, candidate=candidate)
    client = logged_in(candidate, password)
    with eager_tasks(), django_capture_on_commit_callbacks(execute=True):
        client.post("/api/me/delete/", {"password": password}, format="json")
    past.refresh_from_db()
    upcoming.refresh_from_db()
    assert past.status == InterviewStatus.COMPLETED
    assert past.candidate.profile.display_name == ERASED_NAME
    assert upcoming.status == InterviewStatus.CANCELLED
    assert not Seat.objects.filter(interview=upcoming, active=True).exists()
    assert Interview.objects.filter(interviewer=interviewer).count() == 2
    assert [message.to for message in mailoutbox] == [[interviewer.email]]
