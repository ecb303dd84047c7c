"""Password reset by email and password change."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from tests.accounts.mail import link
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

RESET = "/api/auth/password/reset/"
CONFIRM = "/api/auth/password/reset/confirm/"
CHANGE = "/api/auth/password/change/"
LOGIN = "/api/auth/login/"
NEW = "a-brand-new-passphrase-7"


def logged_in(email: str, password: str = PASSWORD) -> APIClient:
    client = APIClient()
    response = client.post(LOGIN, {"email": email, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return client


def reset_link(candidate: User, sent) -> tuple[str, str]:
    with sent as outbox:
        assert APIClient().post(RESET, {"email": candidate.email}, format="json").status_code == 202
    uid, token = link(outbox[-1], "/reset-password/").split("/")
    return uid, token


def test_a_reset_answers_the_same_for_known_and_unknown_addresses(candidate: User, sent) -> None:
    with sent as outbox:
        known = APIClient().post(RESET, {"email": "CARL.candidate@example.com"}, format="json")
        unknown = APIClient().post(RESET, {"email": "nobody@example.com"}, format="json")
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert [message.to for message in outbox] == [[candidate.email]]


def test_a_reset_link_sets_a_new_password_and_works_once(candidate: User, sent) -> None:
    uid, token = reset_link(candidate, sent)
    body = {"uid": uid, "token": token, "password": NEW}
    assert APIClient().post(CONFIRM, body, format="json").status_code == 200
    logged_in(candidate.email, NEW)
    again = APIClient().post(CONFIRM, {**body, "password": "yet-another-phrase-8"}, format="json")
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "invalid_link"
    candidate.refresh_from_db()
    assert candidate.check_password(NEW)


def test_a_reset_link_expires(candidate: User, sent, settings) -> None:
    uid, token = reset_link(candidate, sent)
    later = timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 5)
    with time_machine.travel(later):
        response = APIClient().post(
            CONFIRM, {"uid": uid, "token": token, "password": NEW}, format="json"
        )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_link"


def test_a_reset_refuses_a_weak_password_and_keeps_the_link_usable(candidate: User, sent) -> None:
    uid, token = reset_link(candidate, sent)
    weak = APIClient().post(CONFIRM, {"uid": uid, "token": token, "password": "123"}, format="json")
    assert weak.status_code == 400 and "password" in weak.json()["error"]["fields"]
    good = {"uid": uid, "token": token, "password": NEW}
    assert APIClient().post(CONFIRM, good, format="json").status_code == 200


@pytest.mark.parametrize("uid", ["zz", "-1", "9" * 40, "%00"])
def test_a_garbled_reset_link_is_a_400(uid: str) -> None:
    response = APIClient().post(CONFIRM, {"uid": uid, "token": "x", "password": NEW}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_link"


def test_a_reset_logs_out_every_session(candidate: User, sent) -> None:
    browser = logged_in(candidate.email)
    uid, token = reset_link(candidate, sent)
    body = {"uid": uid, "token": token, "password": NEW}
    assert APIClient().post(CONFIRM, body, format="json").status_code == 200
    assert browser.get("/api/me/").status_code == 403


def test_a_password_change_needs_the_current_password(candidate: User) -> None:
    browser = logged_in(candidate.email)
    body = {"current_password": "wrong", "new_password": NEW}
    response = browser.post(CHANGE, body, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["current_password"]


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(candidate: User) -> None:
    from allauth.usersessions.models import UserSession

    laptop = logged_in(candidate.email)
    phone = logged_in(candidate.email)
    assert UserSession.objects.filter(user=candidate).count() == 2
    body = {"current_password": PASSWORD, "new_password": NEW}
    assert laptop.post(CHANGE, body, format="json").status_code == 200
    assert laptop.get("/api/me/").status_code == 200
    assert phone.get("/api/me/").status_code == 403
    assert UserSession.objects.filter(user=candidate).count() == 1
    sessions = laptop.get("/api/auth/sessions/").json()["results"]
    assert [session["current"] for session in sessions] == [True]
    logged_in(candidate.email, NEW)
