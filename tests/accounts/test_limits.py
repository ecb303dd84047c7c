"""Abuse limits: failed logins per address, the owner warned after a burst, mail per email."""

from __future__ import annotations

import pytest
import time_machine
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.models import User
from tests.accounts.test_auth import register

pytestmark = pytest.mark.django_db

LOGIN = "/api/auth/login/"
RESET = "/api/auth/password/reset/"


def wrong(email: str) -> dict[str, str]:
    return {"email": email, "password": "not-the-password-1"}


@override_settings(LOGIN_ADDRESS_FAILURES=3, LOGIN_ACCOUNT_FAILURES=100)
def test_failed_logins_from_one_address_across_accounts_lock_that_address(
    candidate: User, password: str
) -> None:
    with time_machine.travel("2030-01-01 10:00:00+00:00", tick=False):
        attacker = APIClient(REMOTE_ADDR="198.51.100.20")
        for n in range(3):
            assert (
                attacker.post(LOGIN, wrong(f"u{n}@example.com"), format="json").status_code == 400
            )
        body = {"email": candidate.email, "password": password}
        locked = attacker.post(LOGIN, body, format="json")
        assert locked.status_code == 429
        assert locked.json()["error"]["code"] == "login_address_locked"
        # The owner, elsewhere, is not affected.
        assert (
            APIClient(REMOTE_ADDR="192.0.2.1").post(LOGIN, body, format="json").status_code == 200
        )


@override_settings(LOGIN_ACCOUNT_FAILURES=3)
def test_the_owner_is_emailed_once_when_a_burst_of_failures_locks_the_account(
    candidate: User, sent
) -> None:
    with time_machine.travel("2030-01-01 10:00:00+00:00", tick=False), sent as outbox:
        for n in range(5):
            APIClient(REMOTE_ADDR=f"198.51.100.{n}").post(
                LOGIN, wrong(candidate.email), format="json"
            )
    assert [message.to for message in outbox] == [[candidate.email]]
    assert "3 times" in outbox[0].body
    assert "/forgot-password" in outbox[0].body


@override_settings(LOGIN_ACCOUNT_FAILURES=2)
def test_a_password_reset_lifts_the_lock(candidate: User, sent) -> None:
    from tests.accounts.mail import link

    with time_machine.travel("2030-01-01 10:00:00+00:00", tick=False):
        for _ in range(2):
            APIClient().post(LOGIN, wrong(candidate.email), format="json")
        with sent as outbox:
            APIClient().post(RESET, {"email": candidate.email}, format="json")
        uid, token = link(outbox[-1], "/reset-password/").split("/")
        new = "a-brand-new-passphrase-7"
        confirm = {"uid": uid, "token": token, "password": new}
        assert (
            APIClient()
            .post("/api/auth/password/reset/confirm/", confirm, format="json")
            .status_code
            == 200
        )
        body = {"email": candidate.email, "password": new}
        assert APIClient().post(LOGIN, body, format="json").status_code == 200


@override_settings(MAIL_PER_EMAIL_PER_HOUR=2)
def test_resets_for_one_email_stop_mailing_past_the_limit_but_answer_alike(
    candidate: User, sent
) -> None:
    with sent as outbox:
        answers = [
            APIClient(REMOTE_ADDR=f"198.51.100.{n}").post(
                RESET, {"email": candidate.email}, format="json"
            )
            for n in range(4)
        ]
    assert {(a.status_code, a.json()["detail"]) for a in answers} == {
        (202, answers[0].json()["detail"])
    }
    assert len(outbox) == 2


def test_resets_from_one_address_are_throttled(monkeypatch: pytest.MonkeyPatch) -> None:
    from rest_framework.throttling import ScopedRateThrottle

    rates = {**ScopedRateThrottle.THROTTLE_RATES, "password_reset": "2/hour"}
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)
    client = APIClient(REMOTE_ADDR="198.51.100.30")
    statuses = [
        client.post(RESET, {"email": f"p{n}@example.com"}, format="json").status_code
        for n in range(3)
    ]
    assert statuses == [202, 202, 429]


@override_settings(MAIL_PER_EMAIL_PER_HOUR=2)
def test_registrations_for_one_email_stop_past_the_limit_but_answer_alike(
    api: APIClient, sent
) -> None:
    with sent as outbox:
        answers = [register(APIClient(REMOTE_ADDR=f"198.51.100.{n}")) for n in range(4)]
    assert {a.status_code for a in answers} == {202}
    assert len({a.content for a in answers}) == 1
    # One verification link, one "someone tried" to the new owner, then silence.
    assert len(outbox) == 2
    assert User.objects.filter(email="new.person@example.com").count() == 1
