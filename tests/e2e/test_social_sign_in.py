"""Sign in with an OpenID Connect provider: a real one (npm oidc-provider) on loopback.

The app server here is its own, configured with the provider's client id and secret through
the environment as an operator would (OIDC_*; GitHub and Google are the same allauth flow).
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from accounts.models import User
from tests.e2e.conftest import SERVER_ENV, screenshot
from tests.factories import UserFactory
from tests.support.servers import (
    ROOT,
    AsgiServer,
    asgi_server,
    free_port,
    process_env,
    stop,
    wait_for_http,
)

PROVIDER_ID = "testidp"
NODE_MODULES = ROOT / "frontend" / "node_modules" / "oidc-provider"
ACCOUNTS = {
    "ada": {"email": "ada@example.com", "email_verified": True, "name": "Ada L."},
    "uma": {"email": "uma@example.com", "email_verified": True, "name": "Uma"},
    "nell": {"email": "nell@example.com", "email_verified": True, "name": "Nell New"},
}


@pytest.fixture(scope="module")
def social_server(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AsgiServer]:
    """The app and an OpenID Connect provider that knows it as a client, both on loopback."""
    if not NODE_MODULES.is_dir():
        pytest.skip("npm oidc-provider is not installed (npm install in frontend/)")
    web_port, idp_port = free_port(), free_port()
    idp = subprocess.Popen(
        ["node", str(ROOT / "tests" / "support" / "oidc" / "provider.mjs")],
        cwd=ROOT,
        env={
            **os.environ,
            "OIDC_PORT": str(idp_port),
            "OIDC_CLIENT_ID": "sevenstep",
            "OIDC_SECRET": "test-secret",
            "OIDC_REDIRECT_URI": (
                f"http://127.0.0.1:{web_port}/accounts/oidc/{PROVIDER_ID}/login/callback/"
            ),
            "OIDC_ACCOUNTS": json.dumps(ACCOUNTS),
        },
    )
    var_dir = tmp_path_factory.mktemp("social-var")
    env = {
        "SEVENSTEP_VAR_DIR": str(var_dir),
        **SERVER_ENV,
        "OIDC_CLIENT_ID": "sevenstep",
        "OIDC_SECRET": "test-secret",
        "OIDC_SERVER_URL": f"http://127.0.0.1:{idp_port}",
        "OIDC_PROVIDER_ID": PROVIDER_ID,
        "OIDC_NAME": "Test IdP",
    }
    try:
        wait_for_http(f"http://127.0.0.1:{idp_port}/.well-known/openid-configuration", proc=idp)
        subprocess.run(
            [str(ROOT / ".venv/bin/python"), "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=process_env(**env),
            check=True,
        )
        with asgi_server(env, port=web_port) as server:
            yield server
    finally:
        stop(idp)


@pytest.fixture
def page(browser, social_server: AsgiServer) -> Iterator[Any]:
    context = browser.new_context(base_url=social_server.http_url)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def sign_in_at_the_provider(page: Any, login: str) -> None:
    """Press the app's button, then log in and consent on the provider's own pages."""
    page.goto("/login")
    page.get_by_role("button", name="Sign in with Test IdP").click()
    page.locator('input[name="login"]').fill(login)
    page.locator('input[name="password"]').fill("anything")
    page.locator('button[type="submit"]').click()
    page.get_by_role("button", name="Continue").click()


def test_a_provider_login_joins_the_account_that_verified_the_same_email_and_can_be_unlinked(
    page: Any,
) -> None:
    ada = UserFactory(email="ada@example.com", profile__display_name="Ada")
    sign_in_at_the_provider(page, "ada")
    page.get_by_role("heading", name="Your interviews").wait_for()
    assert page.locator(".who").inner_text().startswith("Ada")
    from allauth.socialaccount.models import SocialAccount

    assert list(SocialAccount.objects.values_list("user_id", "provider")) == [(ada.pk, PROVIDER_ID)]
    screenshot(page, "social-01-signed-in")

    page.goto("/account")
    linked = page.get_by_role("region", name="Linked sign-ins")
    linked.get_by_role("button", name=f"Unlink {PROVIDER_ID}").click()
    linked.get_by_text("No provider is linked.").wait_for()
    assert not SocialAccount.objects.exists()


def test_a_provider_login_never_joins_an_unverified_account_with_that_email(page: Any) -> None:
    uma = UserFactory(email="uma@example.com", email_verified=False)
    sign_in_at_the_provider(page, "uma")
    # Nothing is joined, nobody is logged in, and the app's login page says why and what to do.
    page.wait_for_url("**/login?signin=email_taken")
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "never verified" in alert.inner_text()
    assert "link the provider on your account page" in alert.inner_text()
    from allauth.socialaccount.models import SocialAccount

    assert list(User.objects.values_list("email", flat=True)) == ["uma@example.com"]
    assert not SocialAccount.objects.filter(user=uma).exists()
    # 403, not 401: session authentication comes first and sends no WWW-Authenticate challenge.
    assert page.evaluate("fetch('/api/me/').then(r => r.status)") == 403
    screenshot(page, "social-02-unverified-not-joined")


def test_a_provider_login_that_fails_or_is_cancelled_lands_on_the_login_page_saying_so(
    page: Any,
) -> None:
    # What the provider sends back when the person denies access at its consent page.
    page.goto(f"/accounts/oidc/{PROVIDER_ID}/login/callback/?error=access_denied&state=x")
    page.wait_for_url("**/login?signin=provider_failed")
    assert "did not complete" in page.get_by_role("alert").inner_text()
    assert page.evaluate("fetch('/api/me/').then(r => r.status)") == 403
    screenshot(page, "social-03-provider-failed")


def test_a_new_person_signs_up_through_the_provider_with_a_verified_email(page: Any) -> None:
    sign_in_at_the_provider(page, "nell")
    page.get_by_role("heading", name="Your interviews").wait_for()
    nell = User.objects.get(email="nell@example.com")
    assert nell.profile.display_name == "Nell New"
    assert page.get_by_role("region", name="Email verification").count() == 0
    from accounts.services import email_is_verified

    assert email_is_verified(user=nell)
