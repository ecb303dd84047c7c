"""Settings: the REST framework and the security headers."""

from __future__ import annotations

from config.settings.base import PRODUCTION, SITE_URL, env_bool, env_int, env_list, env_str

# --- REST framework -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.authentication.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["sevenstep.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["sevenstep.parsers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "sevenstep.pagination.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "sevenstep.schema.AutoSchema",
    "EXCEPTION_HANDLER": "sevenstep.errors.exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "sevenstep.negotiation.ContentNegotiation",
    "DEFAULT_THROTTLE_RATES": {
        "login": env_str("LOGIN_RATE", "10/min"),
        "register": env_str("REGISTER_RATE", "20/hour"),
        "password_reset": env_str("PASSWORD_RESET_RATE", "10/hour"),
        "email_verification": env_str("EMAIL_VERIFICATION_RATE", "20/hour"),
    },
    # 0: throttles key on the socket's peer address and ignore X-Forwarded-For, which any client
    # can write. Behind deploy/nginx.conf set 1: the proxy appends the address it saw.
    "NUM_PROXIES": env_int("NUM_PROXIES", 0),
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Sevenstep API",
    "DESCRIPTION": "Peer practice for machine-learning system design interviews.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "LevelEnum": "sevenstep.framework.Level",
        "DomainEnum": "sevenstep.framework.Domain",
        "PitfallEnum": "sevenstep.framework.Pitfall",
        "TargetRoleEnum": "sevenstep.framework.TargetRole",
        "StepEnum": "sevenstep.framework.Step",
        "InterviewStatusEnum": "interviews.models.sessions.InterviewStatus",
        "RequestStatusEnum": "interviews.models.scheduling.RequestStatus",
        "QueueStatusEnum": "interviews.models.scheduling.QueueStatus",
        "MatchRunStatusEnum": "interviews.models.scheduling.MatchRunStatus",
        "RoleEnum": "interviews.models.scheduling.RequestRole",
        "SubmissionStatusEnum": "scoring.models.submissions.SubmissionStatus",
        "ReplayScoresStateEnum": "scoring.selectors.submissions.ReplayScoresState",
        "SubmissionKindEnum": "scoring.serializers.agenda.KINDS",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- security -------------------------------------------------------------------------
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "" if PRODUCTION else SITE_URL)
CSRF_FAILURE_VIEW = "sevenstep.errors.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
