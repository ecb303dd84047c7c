from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.interviews.helpers import eager_tasks

pytestmark = pytest.mark.django_db

REGISTER = "/api/auth/register/"
LOGIN = "/api/auth/login/"


def register(api: APIClient, **overrides: object):
    body: dict[str, object] = {
        "email": "new.person@example.com",
        "password": "a-long-enough-passphrase",
        "display_name": "New Person",
        "time_zone": "Europe/Berlin",
        "target_level": "senior",
        "target_role": "mle",
        "focus_domains": ["ads", "search"],
    }
    body.update(overrides)
    return api.post(REGISTER, body, format="json")


def test_a_new_user_registers_then_logs_in_with_the_same_password(api: APIClient) -> None:
    response = register(api)
    assert response.status_code == 202, response.content
    body = {"email": "new.person@example.com", "password": "a-long-enough-passphrase"}
    assert api.post(LOGIN, body, format="json").status_code == 200
    me = api.get("/api/me/")
    assert me.status_code == 200
    assert me.json()["email"] == "new.person@example.com"
    assert me.json()["profile"]["time_zone"] == "Europe/Berlin"


def test_passwords_are_hashed_with_argon2(api: APIClient) -> None:
    from accounts.models import User

    register(api)
    assert User.objects.get(email="new.person@example.com").password.startswith("argon2")


def test_registering_a_taken_email_answers_exactly_like_a_new_one(
    api: APIClient, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    first = register(api, email="first@example.com")
    new = register(APIClient())
    mailoutbox.clear()
    with eager_tasks(), django_capture_on_commit_callbacks(execute=True):
        taken = register(APIClient(), display_name="Someone Else", password="another-passphrase-9")
    assert taken.status_code == new.status_code == first.status_code == 202
    assert taken.json() == new.json()
    assert "sessionid" not in taken.cookies and "sessionid" not in new.cookies
    assert [message.to for message in mailoutbox] == [["new.person@example.com"]]
    assert "tried to create" in mailoutbox[0].body
    from accounts.models import User

    owner = User.objects.get(email="new.person@example.com")
    assert owner.check_password("a-long-enough-passphrase")
    assert owner.profile.display_name == "New Person"


def test_a_new_registration_sends_only_the_verification_link(
    api: APIClient, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    with eager_tasks(), django_capture_on_commit_callbacks(execute=True):
        register(api)
    assert [message.to for message in mailoutbox] == [["new.person@example.com"]]
    assert "/verify-email/" in mailoutbox[0].body


def test_a_weak_password_is_rejected_with_the_field_named(api: APIClient) -> None:
    response = register(api, password="123")
    assert response.status_code == 400
    assert "password" in response.json()["error"]["fields"]


def test_an_unknown_time_zone_is_rejected_with_the_field_named(api: APIClient) -> None:
    response = register(api, time_zone="Mars/Olympus_Mons")
    assert response.status_code == 400
    assert "time_zone" in response.json()["error"]["fields"]


def test_login_logout_round_trip(api: APIClient, candidate, password) -> None:
    response = api.post(LOGIN, {"email": candidate.email, "password": password}, format="json")
    assert response.status_code == 200
    assert api.get("/api/me/").status_code == 200
    assert api.post("/api/auth/logout/").status_code == 204
    assert api.get("/api/me/").status_code == 403


def test_whoami_answers_who_is_logged_in_and_null_without_an_error(
    api: APIClient, candidate, password
) -> None:
    assert api.get("/api/auth/whoami/").json() == {"user": None}
    api.post(LOGIN, {"email": candidate.email, "password": password}, format="json")
    logged_in = api.get("/api/auth/whoami/")
    assert logged_in.status_code == 200
    assert logged_in.json()["user"] == api.get("/api/me/").json()
    api.post("/api/auth/logout/")
    assert api.get("/api/auth/whoami/").json() == {"user": None}


def test_login_email_is_case_insensitive(api: APIClient, candidate, password) -> None:
    body = {"email": candidate.email.upper(), "password": password}
    assert api.post(LOGIN, body, format="json").status_code == 200


def test_wrong_password_and_unknown_email_get_the_same_answer(api: APIClient, candidate) -> None:
    wrong = api.post(LOGIN, {"email": candidate.email, "password": "nope-nope-nope"}, format="json")
    unknown = api.post(LOGIN, {"email": "ghost@example.com", "password": "x" * 12}, format="json")
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.json() == unknown.json()


def test_browser_login_requires_a_csrf_token(candidate, password) -> None:
    browser = APIClient(enforce_csrf_checks=True)
    body = {"email": candidate.email, "password": password}
    refused = browser.post(LOGIN, body, format="json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf_failed"
    token = browser.get("/api/auth/csrf/").json()["csrf_token"]
    accepted = browser.post(LOGIN, body, format="json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 200


def test_session_writes_require_a_csrf_token(candidate, password) -> None:
    browser = APIClient(enforce_csrf_checks=True)
    token = browser.get("/api/auth/csrf/").json()["csrf_token"]
    body = {"email": candidate.email, "password": password}
    browser.post(LOGIN, body, format="json", HTTP_X_CSRFTOKEN=token)
    refused = browser.patch("/api/me/", {"display_name": "X"}, format="json")
    assert refused.status_code == 403
    token = browser.cookies["csrftoken"].value
    ok = browser.patch("/api/me/", {"display_name": "X"}, format="json", HTTP_X_CSRFTOKEN=token)
    assert ok.status_code == 200


def test_login_is_rate_limited(api: APIClient, candidate) -> None:
    body = {"email": candidate.email, "password": "wrong-password-1"}
    statuses = [api.post(LOGIN, body, format="json").status_code for _ in range(12)]
    assert statuses[0] == 400
    assert statuses[-1] == 429
    last = api.post(LOGIN, body, format="json")
    assert last.json()["error"]["code"] == "throttled"


def test_api_clients_get_a_token_and_use_it(candidate, password) -> None:
    client = APIClient()
    body = {"email": candidate.email, "password": password}
    token = client.post("/api/auth/token/", body, format="json").json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/me/").json()["email"] == candidate.email


def test_profile_can_be_updated(client_for, candidate) -> None:
    api = client_for(candidate)
    response = api.patch(
        "/api/me/",
        {"time_zone": "America/Sao_Paulo", "target_level": "staff", "focus_domains": ["vision"]},
        format="json",
    )
    assert response.status_code == 200
    profile = response.json()["profile"]
    assert profile["time_zone"] == "America/Sao_Paulo"
    assert profile["target_level"] == "staff"
    assert profile["focus_domains"] == ["vision"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"time_zone": "Not/AZone"}, "time_zone"),
        ({"target_level": "intern"}, "target_level"),
        ({"target_role": "wizard"}, "target_role"),
        ({"focus_domains": ["astrology"]}, "focus_domains.0"),
        ({"focus_domains": "ads"}, "focus_domains"),
        ({"display_name": ""}, "display_name"),
        ({"display_name": 42 * "ab"}, "display_name"),
        ({"display_name": "   "}, "display_name"),
        ({"display_name": "Carl\u202egnp.exe"}, "display_name"),
        ({"display_name": "Carl\u2066x\u2069"}, "display_name"),
        ({"display_name": "Ca\u200brl"}, "display_name"),
        ({"display_name": "Carl\x07"}, "display_name"),
        ({"display_name": "Carl\nAdmin"}, "display_name"),
        ({"display_name": "\ufeffCarl"}, "display_name"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
    ],
)
def test_bad_profile_input_names_the_field(client_for, candidate, body, field) -> None:
    response = client_for(candidate).patch("/api/me/", body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"]
    candidate.profile.refresh_from_db()
    assert candidate.profile.time_zone == "UTC"


def test_a_display_name_is_trimmed_and_may_use_any_script(client_for, candidate) -> None:
    response = client_for(candidate).patch(
        "/api/me/", {"display_name": "  Zoë 李 Ахмед  "}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["profile"]["display_name"] == "Zoë 李 Ахмед"


def test_registration_refuses_a_display_name_with_a_direction_override(api: APIClient) -> None:
    from accounts.models import User

    response = register(api, display_name="Admin\u202e")
    assert response.status_code == 400
    assert "display_name" in response.json()["error"]["fields"]
    assert not User.objects.filter(email="new.person@example.com").exists()


def test_anonymous_users_cannot_read_the_profile(api: APIClient) -> None:
    response = api.get("/api/me/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_authenticated"
