"""django-allauth adapters: who may sign up where, and how a provider's login joins an account."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base import AuthProcess
from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect

from accounts.models import Profile, User


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """allauth's own signup pages stay closed: people register through POST /api/auth/register/
        (which makes the profile); providers' signups are decided by SocialAccountAdapter."""
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return "/"


# Why a provider sign-in was refused, as the login page says it (frontend/src/pages/Auth.tsx).
SIGN_IN_EMAIL_TAKEN = "email_taken"
SIGN_IN_FAILED = "provider_failed"


def _back_to_login(reason: str) -> ImmediateHttpResponse:
    """Land on the app's login page with the reason, not on one of allauth's own pages."""
    return ImmediateHttpResponse(HttpResponseRedirect(f"/login?{urlencode({'signin': reason})}"))


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        return True

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        """Refuse, with a reason the login page shows, a sign-in that would need a second account
        with the email of one that exists but never verified it (see authenticate_by_email)."""
        if sociallogin.is_existing or sociallogin.state.get("process") == AuthProcess.CONNECT:
            return
        emails = [address.email for address in sociallogin.email_addresses if address.email]
        if any(User.objects.filter(email__iexact=email).exists() for email in emails):
            raise _back_to_login(SIGN_IN_EMAIL_TAKEN)

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Any = None,
        extra_context: Any = None,
    ) -> None:
        """A cancelled or failed provider login goes back to the app's login page, which says so."""
        raise _back_to_login(SIGN_IN_FAILED)

    def authenticate_by_email(self, sociallogin: Any) -> tuple[User, str] | None:
        """Join an existing account only when its owner verified that same address with us.

        allauth matches any account holding the provider's verified email; an unverified local
        account could be someone who typed a stranger's address, and joining it would hand the
        stranger's provider login to them (or theirs to the stranger).
        """
        found = super().authenticate_by_email(sociallogin)
        if found is None:
            return None
        user, email = found
        if not EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists():
            return None
        return user, email

    def save_user(self, request: HttpRequest, sociallogin: Any, form: Any = None) -> User:
        """Create the account with the profile every user has (named from the provider)."""
        user = super().save_user(request, sociallogin, form)
        data = sociallogin.account.extra_data or {}
        name = user.get_full_name() or str(data.get("name") or data.get("login") or "")
        name = (name or user.email.split("@")[0])[:80]
        Profile.objects.get_or_create(user=user, defaults={"display_name": name.strip() or "New"})
        return user


def configured_providers() -> list[dict[str, str]]:
    """The sign-in providers configured from the environment, as the login page offers them."""
    out = []
    names = {"github": "GitHub", "google": "Google"}
    for key, config in settings.SOCIALACCOUNT_PROVIDERS.items():
        for app in config.get("APPS", []):
            provider_id = app.get("provider_id", key)
            if key == "openid_connect":
                url = f"/accounts/oidc/{provider_id}/login/"
            else:
                url = f"/accounts/{key}/login/"
            out.append(
                {"id": provider_id, "name": app.get("name", names.get(key, key)), "login_url": url}
            )
    return out
