"""Sessions a user can see and end, and log out everywhere."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SESSIONS = "/api/auth/sessions/"


def browser(email: str, agent: str, address: str = "198.51.100.7") -> APIClient:
    client = APIClient(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    response = client.post(
        "/api/auth/login/", {"email": email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    return client


def test_a_user_sees_each_session_with_its_device_and_address(candidate: User) -> None:
    laptop = browser(candidate.email, "Firefox on Linux", "198.51.100.7")
    browser(candidate.email, "Safari on iPhone", "203.0.113.9")
    sessions = laptop.get(SESSIONS).json()["results"]
    assert sorted((s["device"], s["ip"], s["current"]) for s in sessions) == [
        ("Firefox on Linux", "198.51.100.7", True),
        ("Safari on iPhone", "203.0.113.9", False),
    ]
    assert all(s["last_seen_at"] and s["created_at"] for s in sessions)


def test_ending_a_session_logs_that_browser_out(candidate: User) -> None:
    laptop = browser(candidate.email, "Laptop")
    phone = browser(candidate.email, "Phone")
    sessions = laptop.get(SESSIONS).json()["results"]
    phone_id = next(s["id"] for s in sessions if s["device"] == "Phone")
    assert laptop.delete(f"{SESSIONS}{phone_id}/").status_code == 204
    assert phone.get("/api/me/").status_code == 403
    assert laptop.get("/api/me/").status_code == 200


def test_nobody_ends_someone_elses_session(candidate: User, outsider: User) -> None:
    browser(candidate.email, "Laptop")
    theirs = browser(outsider.email, "Theirs")
    from allauth.usersessions.models import UserSession

    mine = UserSession.objects.get(user=candidate)
    response = theirs.delete(f"{SESSIONS}{mine.pk}/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert UserSession.objects.filter(pk=mine.pk).exists()


def test_log_out_everywhere_ends_every_session_this_one_included(candidate: User) -> None:
    laptop = browser(candidate.email, "Laptop")
    phone = browser(candidate.email, "Phone")
    response = laptop.delete(SESSIONS)
    assert response.status_code == 200 and response.json() == {"ended": 2}
    assert laptop.get("/api/me/").status_code == 403
    assert phone.get("/api/me/").status_code == 403


def test_a_session_from_before_tracking_appears_on_its_next_request(candidate: User) -> None:
    client = APIClient()
    client.force_login(candidate)
    sessions = client.get(SESSIONS).json()["results"]
    assert len(sessions) == 1 and sessions[0]["current"] is True
