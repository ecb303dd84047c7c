"""Email verification: a signed link, resending it, and changing the address through it."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from tests.accounts.mail import link
from tests.accounts.test_auth import register
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

VERIFY = "/api/auth/email/verify/"
RESEND = "/api/auth/email/resend/"
CHANGE = "/api/auth/email/change/"


def registered(api: APIClient, sent) -> tuple[User, str]:
    with sent as outbox:
        assert register(api).status_code == 202
    user = User.objects.get(email="new.person@example.com")
    return user, link(outbox[-1], "/verify-email/")


def test_a_new_account_is_unverified_until_its_link_is_followed(api: APIClient, sent) -> None:
    user, key = registered(api, sent)
    client = APIClient()
    client.force_authenticate(user)
    assert client.get("/api/me/").json()["email_verified"] is False
    response = APIClient().post(VERIFY, {"key": key}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["email"] == "new.person@example.com"
    assert client.get("/api/me/").json()["email_verified"] is True


def test_a_verification_link_works_once(api: APIClient, sent) -> None:
    _, key = registered(api, sent)
    assert APIClient().post(VERIFY, {"key": key}, format="json").status_code == 200
    again = APIClient().post(VERIFY, {"key": key}, format="json")
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "invalid_link"


def test_an_expired_or_forged_link_is_refused_in_the_error_shape(api: APIClient, sent) -> None:
    _, key = registered(api, sent)
    forged = APIClient().post(VERIFY, {"key": key[:-2] + "xx"}, format="json")
    assert forged.status_code == 400
    assert set(forged.json()["error"]) == {"code", "message", "fields"}
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        late = APIClient().post(VERIFY, {"key": key}, format="json")
    assert late.status_code == 400 and late.json()["error"]["code"] == "invalid_link"


def test_resending_is_limited_to_once_a_period(api: APIClient, sent, settings) -> None:
    settings.EMAIL_VERIFICATION_RESEND_SECONDS = 1
    user, _ = registered(api, sent)
    client = APIClient()
    client.force_authenticate(user)
    with sent as outbox:
        outbox.clear()
        first = client.post(RESEND)
        second = client.post(RESEND)
    assert first.status_code == 202
    assert second.status_code == 429
    assert second.json()["error"]["code"] == "resend_too_soon"
    assert len(outbox) == 1 and outbox[0].to == ["new.person@example.com"]
    time.sleep(1.1)  # the limit lives in the cache (Redis in CI), which keeps real time
    assert client.post(RESEND).status_code == 202


def test_a_verified_user_has_nothing_to_resend(client_for, candidate: User) -> None:
    response = client_for(candidate).post(RESEND)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_verified"


def test_a_new_email_takes_effect_only_once_verified(client_for, candidate: User, sent) -> None:
    client = client_for(candidate)
    with sent as outbox:
        response = client.post(
            CHANGE, {"email": "Carl.New@Example.com", "password": PASSWORD}, format="json"
        )
    assert response.status_code == 202, response.content
    assert outbox[-1].to == ["carl.new@example.com"]
    me = client.get("/api/me/").json()
    assert me["email"] == "carl.candidate@example.com"
    assert me["pending_email"] == "carl.new@example.com"
    assert me["email_verified"] is True
    key = link(outbox[-1], "/verify-email/")
    assert APIClient().post(VERIFY, {"key": key}, format="json").status_code == 200
    candidate.refresh_from_db()
    assert candidate.email == "carl.new@example.com"
    assert list(EmailAddress.objects.filter(user=candidate).values_list("email", "verified")) == [
        ("carl.new@example.com", True)
    ]
    login = {"email": "carl.new@example.com", "password": PASSWORD}
    assert APIClient().post("/api/auth/login/", login, format="json").status_code == 200


def test_changing_email_needs_the_password(client_for, candidate: User) -> None:
    response = client_for(candidate).post(
        CHANGE, {"email": "x@example.com", "password": "wrong"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"password": ["The password is incorrect."]}


def test_moving_to_a_taken_address_answers_alike_and_tells_its_owner(
    client_for, candidate: User, outsider: User, sent
) -> None:
    with sent as outbox:
        taken = client_for(candidate).post(
            CHANGE, {"email": outsider.email, "password": PASSWORD}, format="json"
        )
        new = client_for(candidate).post(
            CHANGE, {"email": "free@example.com", "password": PASSWORD}, format="json"
        )
    assert taken.status_code == new.status_code == 202
    assert set(taken.json()) == set(new.json())
    assert [message.to for message in outbox] == [[outsider.email], ["free@example.com"]]
    assert "tried to create" in outbox[0].body
    assert not EmailAddress.objects.filter(user=candidate, email=outsider.email).exists()


def test_existing_accounts_count_as_verified_after_the_migration(db) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("accounts.migrations.0003_existing_emails_verified")
    old = UserFactory(email="old@example.com")
    erased = UserFactory(email="deleted-9@deleted.invalid")
    EmailAddress.objects.all().delete()
    migration.mark_verified(apps, None)
    assert EmailAddress.objects.get(user=old).verified
    assert not EmailAddress.objects.filter(user=erased).exists()


def test_erasing_an_account_deletes_its_addresses(client_for, candidate: User) -> None:
    response = client_for(candidate).post("/api/me/delete/", {"password": PASSWORD}, format="json")
    assert response.status_code == 204
    assert not EmailAddress.objects.filter(user=candidate).exists()
