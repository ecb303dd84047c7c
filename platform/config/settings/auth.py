"""Settings: accounts, sign-in limits, allauth and API tokens."""

from __future__ import annotations

from typing import Any

from config.settings.base import env_int, env_str

# --- auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
WS_TICKET_MAX_AGE = env_int("WS_TICKET_MAX_AGE", 60)
# Failed logins per account (normalised email), whatever address they come from; once reached,
# that email's logins are refused until the window ends. The window is short, so someone who
# fails on purpose can hold the door shut for minutes, not lock the owner out for good.
LOGIN_ACCOUNT_FAILURES = env_int("LOGIN_ACCOUNT_FAILURES", 10)
LOGIN_ACCOUNT_WINDOW_SECONDS = env_int("LOGIN_ACCOUNT_WINDOW_SECONDS", 900)
# Failed logins per client address, whichever accounts they name; the same window.
LOGIN_ADDRESS_FAILURES = env_int("LOGIN_ADDRESS_FAILURES", 30)
# Registrations and password resets per email address per hour: beyond it the answer is the
# same but no mail is sent, so nobody can flood a stranger's inbox through us.
MAIL_PER_EMAIL_PER_HOUR = env_int("MAIL_PER_EMAIL_PER_HOUR", 3)
# A verification email may be sent again after this many seconds.
EMAIL_VERIFICATION_RESEND_SECONDS = env_int("EMAIL_VERIFICATION_RESEND_SECONDS", 60)
# Password reset links work once, for this long (Django's token generator reads it).
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3600)
# A session's "last seen" is written at most this often.
SESSION_SEEN_EVERY_SECONDS = env_int("SESSION_SEEN_EVERY_SECONDS", 300)
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# django-allauth: accounts are named by their email; the address must be verified before the
# user is matched with strangers (accounts.selectors.verified_users). Our own endpoints drive
# allauth's models (EmailAddress, UserSession) and token generator; its views are not mounted.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = env_int("EMAIL_VERIFICATION_EXPIRE_DAYS", 3)
ACCOUNT_EMAIL_CONFIRMATION_HMAC = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("NUM_PROXIES", 0)
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "/login"

# Sign in with GitHub, Google or any OpenID Connect provider (allauth's browser flow under
# /accounts/): each is offered only when its client id and secret are set. A provider's login
# joins an existing account only when both sides verified the same email
# (accounts.adapters.SocialAccountAdapter); otherwise it creates a new, verified account.
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False  # the app posts the form, with its CSRF token
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS: dict[str, dict[str, Any]] = {}
if env_str("GITHUB_CLIENT_ID"):
    SOCIALACCOUNT_PROVIDERS["github"] = {
        "APPS": [{"client_id": env_str("GITHUB_CLIENT_ID"), "secret": env_str("GITHUB_SECRET")}],
        "SCOPE": ["user:email"],
    }
if env_str("GOOGLE_CLIENT_ID"):
    SOCIALACCOUNT_PROVIDERS["google"] = {
        "APPS": [{"client_id": env_str("GOOGLE_CLIENT_ID"), "secret": env_str("GOOGLE_SECRET")}],
        "SCOPE": ["profile", "email"],
    }
# The sign-in form posts to us and we redirect to the provider: the page's CSP form-action must
# allow the provider's origin (browsers apply it to the redirect too).
SOCIAL_FORM_ACTION_ORIGINS: list[str] = []
if "github" in SOCIALACCOUNT_PROVIDERS:
    SOCIAL_FORM_ACTION_ORIGINS.append("https://github.com")
if "google" in SOCIALACCOUNT_PROVIDERS:
    SOCIAL_FORM_ACTION_ORIGINS.append("https://accounts.google.com")
if env_str("OIDC_CLIENT_ID"):
    from urllib.parse import urlsplit as _urlsplit

    _oidc = _urlsplit(env_str("OIDC_SERVER_URL"))
    SOCIAL_FORM_ACTION_ORIGINS.append(f"{_oidc.scheme}://{_oidc.netloc}")
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": env_str("OIDC_PROVIDER_ID", "oidc"),
                "name": env_str("OIDC_NAME", "OpenID Connect"),
                "client_id": env_str("OIDC_CLIENT_ID"),
                "secret": env_str("OIDC_SECRET"),
                "settings": {"server_url": env_str("OIDC_SERVER_URL")},
            }
        ]
    }
# API tokens end this many days after they are created; a user holds at most this many.
API_TOKEN_MAX_AGE_DAYS = env_int("API_TOKEN_MAX_AGE_DAYS", 30)
API_TOKENS_PER_USER = env_int("API_TOKENS_PER_USER", 20)
