"""Credentials end: login limits per address and per account, expiring tokens, one-use tickets."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import ws_ticket_issue, ws_ticket_redeem

pytestmark = pytest.mark.django_db

LOGIN = "/api/auth/login/"
TOKEN = "/api/auth/token/"
TOKENS = "/api/auth/tokens/"


def wrong(user) -> dict[str, str]:
    return {"email": user.email, "password": "not-the-password-1"}


# --- the login throttle keys on the socket's peer --------------------------------------------


def test_a_spoofed_forwarded_for_does_not_escape_the_login_throttle(api: APIClient) -> None:
    answers = [
        api.post(
            LOGIN,
            {"email": f"guess{n}@example.com", "password": "not-the-password-1"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
        for n in range(12)
    ]
    assert answers[0].status_code == 400
    assert answers[-1].status_code == 429
    assert answers[-1].json()["error"]["code"] == "throttled"


def test_behind_one_proxy_the_address_it_appended_is_the_client() -> None:
    from django.test import RequestFactory
    from rest_framework.request import Request
    from rest_framework.settings import api_settings
    from rest_framework.throttling import ScopedRateThrottle

    request = RequestFactory().post(
        LOGIN, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7"
    )
    throttle = ScopedRateThrottle()
    assert api_settings.NUM_PROXIES == 0
    assert throttle.get_ident(Request(request)) == "10.0.0.2"
    with override_settings(REST_FRAMEWORK={**_rest_framework(), "NUM_PROXIES": 1}):
        assert throttle.get_ident(Request(request)) == "198.51.100.7"


def _rest_framework() -> dict[str, object]:
    from django.conf import settings

    return dict(settings.REST_FRAMEWORK)


# --- failed logins per account -----------------------------------------------------------------


@override_settings(LOGIN_ACCOUNT_FAILURES=3, LOGIN_ACCOUNT_WINDOW_SECONDS=600)
@pytest.mark.parametrize("route", [LOGIN, TOKEN])
def test_failed_logins_from_many_addresses_lock_the_account_for_a_while(
    route: str, candidate, password
) -> None:
    with time_machine.travel("2030-01-01 10:00:00+00:00", tick=False) as clock:
        for n in range(3):
            attacker = APIClient(REMOTE_ADDR=f"198.51.100.{n}")
            assert attacker.post(route, wrong(candidate), format="json").status_code == 400
        # Even the right password, from a fresh address, waits for the window to end.
        owner = APIClient(REMOTE_ADDR="192.0.2.1")
        body = {"email": "  CARL.candidate@example.com ", "password": password}
        locked = owner.post(route, body, format="json")
        assert locked.status_code == 429
        error = locked.json()["error"]
        assert error["code"] == "login_locked"
        assert "failed logins for this account" in error["message"]
        assert 0 < int(locked["Retry-After"]) <= 600
        # Another account is not affected.
        other = {"email": "someone.else@example.com", "password": "not-the-password-1"}
        assert owner.post(route, other, format="json").status_code == 400

        clock.shift(timedelta(seconds=601))
        assert owner.post(route, body, format="json").status_code == 200


@override_settings(LOGIN_ACCOUNT_FAILURES=3)
def test_a_successful_login_forgets_earlier_failures(candidate, password) -> None:
    with time_machine.travel("2030-01-01 10:00:00+00:00", tick=False):
        client = APIClient()
        for _ in range(2):
            client.post(LOGIN, wrong(candidate), format="json")
        ok = {"email": candidate.email, "password": password}
        assert client.post(LOGIN, ok, format="json").status_code == 200
        for _ in range(2):
            assert client.post(LOGIN, wrong(candidate), format="json").status_code == 400


@override_settings(LOGIN_ACCOUNT_FAILURES=2)
def test_unknown_emails_are_limited_like_real_ones(api: APIClient) -> None:
    ghost = {"email": "ghost@example.com", "password": "whatever-123"}
    statuses = [api.post(LOGIN, ghost, format="json").status_code for _ in range(3)]
    assert statuses == [400, 400, 429]


# --- API tokens ------------------------------------------------------------------------------


def token_client(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def test_a_named_token_is_shown_once_listed_by_name_and_stored_only_as_a_digest(
    client_for, candidate
) -> None:
    owner = client_for(candidate)
    created = owner.post(TOKENS, {"name": "laptop CLI"}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    secret = body["token"]
    assert body["name"] == "laptop CLI"
    assert secret.startswith(body["prefix"])
    assert not ApiToken.objects.filter(digest__contains=secret).exists()
    assert ApiToken.objects.get().digest != secret
    listed = owner.get(TOKENS).json()["results"]
    assert [(t["id"], t["name"]) for t in listed] == [(body["id"], "laptop CLI")]
    assert "token" not in listed[0]
    assert token_client(secret).get("/api/me/").json()["email"] == candidate.email


def test_a_token_expires_by_default_after_the_configured_days(candidate, password) -> None:
    body = {"email": candidate.email, "password": password}
    with override_settings(API_TOKEN_MAX_AGE_DAYS=30):
        answer = APIClient().post(TOKEN, body, format="json").json()
    secret = answer["token"]
    assert token_client(secret).get("/api/me/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=30, seconds=1)):
        expired = token_client(secret).get("/api/me/")
    assert expired.status_code == 403
    assert expired.json()["error"]["code"] == "authentication_failed"


def test_a_token_asked_to_live_longer_than_the_limit_is_refused(client_for, candidate) -> None:
    with override_settings(API_TOKEN_MAX_AGE_DAYS=30):
        response = client_for(candidate).post(
            TOKENS, {"name": "ci", "expires_in_days": 31}, format="json"
        )
    assert response.status_code == 400
    assert "expires_in_days" in response.json()["error"]["fields"]


def test_a_revoked_token_stops_working_and_only_its_owner_can_revoke_it(
    client_for, candidate, outsider
) -> None:
    created = client_for(candidate).post(TOKENS, {"name": "ci"}, format="json").json()
    revoke = f"{TOKENS}{created['id']}/"
    assert client_for(outsider).delete(revoke).status_code == 404
    assert token_client(created["token"]).get("/api/me/").status_code == 200
    assert client_for(candidate).delete(revoke).status_code == 204
    assert token_client(created["token"]).get("/api/me/").status_code == 403
    assert client_for(candidate).delete(revoke).status_code == 404


def test_logging_out_with_a_token_revokes_it(candidate, password) -> None:
    body = {"email": candidate.email, "password": password}
    secret = APIClient().post(TOKEN, body, format="json").json()["token"]
    client = token_client(secret)
    assert client.post("/api/auth/logout/").status_code == 204
    assert client.get("/api/me/").status_code == 403


@override_settings(API_TOKENS_PER_USER=2)
def test_a_user_holds_a_bounded_number_of_tokens(client_for, candidate, password) -> None:
    owner = client_for(candidate)
    first = owner.post(TOKENS, {"name": "one"}, format="json").json()
    owner.post(TOKENS, {"name": "two"}, format="json")
    refused = owner.post(TOKENS, {"name": "three"}, format="json")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "too_many_tokens"
    owner.delete(f"{TOKENS}{first['id']}/")
    # Password logins take the free place, then make room among their own kind only.
    body = {"email": candidate.email, "password": password}
    login_a = APIClient().post(TOKEN, body, format="json").json()["token"]
    login_b = APIClient().post(TOKEN, body, format="json").json()["token"]
    assert token_client(login_a).get("/api/me/").status_code == 403
    assert token_client(login_b).get("/api/me/").status_code == 200
    assert [t["name"] for t in owner.get(TOKENS).json()["results"]] == ["Password login", "two"]


@pytest.mark.parametrize("name", ["", "x" * 65, "ci\u202e", "a\u200bb"])
def test_a_token_name_must_be_short_and_visible(client_for, candidate, name: str) -> None:
    response = client_for(candidate).post(TOKENS, {"name": name}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()["error"]["fields"]


# --- websocket tickets -----------------------------------------------------------------------


def test_a_ticket_opens_one_socket_only(candidate) -> None:
    ticket = ws_ticket_issue(user=candidate)
    assert ws_ticket_redeem(ticket) == candidate.pk
    assert ws_ticket_redeem(ticket) is None


def test_logging_out_refuses_tickets_issued_before(candidate, password) -> None:
    browser = APIClient()
    browser.post(LOGIN, {"email": candidate.email, "password": password}, format="json")
    before = browser.post("/api/auth/ws-ticket/").json()["ticket"]
    kept = ws_ticket_issue(user=candidate)
    assert ws_ticket_redeem(kept) == candidate.pk
    browser.post("/api/auth/logout/")
    assert ws_ticket_redeem(before) is None
    browser.post(LOGIN, {"email": candidate.email, "password": password}, format="json")
    after = browser.post("/api/auth/ws-ticket/").json()["ticket"]
    assert ws_ticket_redeem(after) == candidate.pk


def test_revoking_a_token_refuses_the_tickets_it_fetched(client_for, candidate) -> None:
    created = client_for(candidate).post(TOKENS, {"name": "bot"}, format="json").json()
    ticket = token_client(created["token"]).post("/api/auth/ws-ticket/").json()["ticket"]
    client_for(candidate).delete(f"{TOKENS}{created['id']}/")
    assert ws_ticket_redeem(ticket) is None


def test_a_ticket_expires_after_its_max_age(candidate) -> None:
    ticket = ws_ticket_issue(user=candidate)
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert ws_ticket_redeem(ticket) is None


@pytest.mark.redis
def test_parallel_uses_of_one_ticket_across_processes_let_exactly_one_in(candidate) -> None:
    import os
    import subprocess
    import sys

    ticket = ws_ticket_issue(user=candidate)
    # Each process starts Django, says so, and redeems the ticket when told: all four at once.
    code = (
        "import sys, django; django.setup()\n"
        "from accounts.services import ws_ticket_redeem\n"
        "print('ready', flush=True); sys.stdin.readline()\n"
        f"print(ws_ticket_redeem({ticket!r}), flush=True)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(4)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        answers = sorted(proc.communicate(timeout=120)[0].strip() for proc in procs)
    finally:
        for proc in procs:
            proc.kill()
    assert answers == sorted(["None", "None", "None", str(candidate.pk)])
