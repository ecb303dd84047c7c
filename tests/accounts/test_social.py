"""Sign-in providers: which are offered, and unlinking one."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount
from rest_framework.test import APIClient

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_no_provider_is_offered_unless_configured(api: APIClient) -> None:
    assert api.get("/api/auth/providers/").json() == {"providers": []}


def test_configured_providers_are_offered_with_their_login_urls(api: APIClient, settings) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = {
        "github": {"APPS": [{"client_id": "id", "secret": "s"}]},
        "openid_connect": {
            "APPS": [{"provider_id": "corp", "name": "Corp SSO", "client_id": "i", "secret": "s"}]
        },
    }
    assert api.get("/api/auth/providers/").json()["providers"] == [
        {"id": "github", "name": "GitHub", "login_url": "/accounts/github/login/"},
        {"id": "corp", "name": "Corp SSO", "login_url": "/accounts/oidc/corp/login/"},
    ]


def test_a_user_unlinks_a_provider_and_no_one_elses(
    client_for, candidate: User, outsider: User
) -> None:
    mine = SocialAccount.objects.create(user=candidate, provider="github", uid="1")
    theirs = SocialAccount.objects.create(user=outsider, provider="github", uid="2")
    client = client_for(candidate)
    assert client.get("/api/auth/social/").json()["results"][0]["provider"] == "github"
    assert client.delete(f"/api/auth/social/{theirs.pk}/").status_code == 404
    assert client.delete(f"/api/auth/social/{mine.pk}/").status_code == 204
    assert list(SocialAccount.objects.values_list("pk", flat=True)) == [theirs.pk]


def test_the_last_way_to_log_in_cannot_be_unlinked(client_for, candidate: User) -> None:
    candidate.set_unusable_password()
    candidate.save()
    only = SocialAccount.objects.create(user=candidate, provider="google", uid="1")
    response = client_for(candidate).delete(f"/api/auth/social/{only.pk}/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "last_login_method"
    assert SocialAccount.objects.filter(pk=only.pk).exists()
