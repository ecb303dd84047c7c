"""Settings for every process, driven by environment variables with embedded defaults.

No DATABASE_URL means a SQLite file; no REDIS_URL means the in-memory channel layer and
background jobs run in-process. DJANGO_ENV=production refuses to start without a real
secret key and allowed hosts.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parents[2]

log = logging.getLogger("sevenstep.settings")


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DJANGO_ENV = env_str("DJANGO_ENV", "development")
PRODUCTION = DJANGO_ENV == "production"
if DJANGO_ENV not in {"development", "production", "test"}:
    raise ImproperlyConfigured("DJANGO_ENV must be development, production or test")

_DEV_SECRET = "dev-only-insecure-secret-key-change-me-0123456789abcdefghijklmnop"
SECRET_KEY = env_str("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
DEBUG = env_bool("DEBUG", DJANGO_ENV == "development")
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1],testserver"
)

if PRODUCTION:
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY == _DEV_SECRET:
        raise ImproperlyConfigured("production needs SECRET_KEY (50+ random characters)")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("production needs ALLOWED_HOSTS")
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production")

SITE_URL = env_str("SITE_URL", "http://localhost:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "allauth",
    "allauth.account",
    "allauth.usersessions",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.github",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.openid_connect",
    "sevenstep",
    "accounts",
    "interviews",
    "interviews.live",
    "scoring",
]

MIDDLEWARE = [
    # First, so its time covers every other middleware too.
    "sevenstep.middleware.RouteLatencyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.SessionActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sevenstep.middleware.SecurityHeadersMiddleware",
    "sevenstep.middleware.NoStoreApiMiddleware",
    "sevenstep.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------
VAR_DIR = Path(env_str("SEVENSTEP_VAR_DIR", str(BASE_DIR / "var")))
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=0, conn_health_checks=True)
    }
    # Web processes borrow PostgreSQL connections from a pool (config/asgi.py turns it on):
    # opening one per request or websocket handshake costs more than most requests. Workers and
    # commands, which fork or run once, connect as usual.
    # SQLite (DATABASE_URL=sqlite:///path, a documented form) has no pool: its driver refuses
    # the option, so only PostgreSQL gets one.
    pooled = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    if pooled and (DATABASE_POOL_SIZE := env_int("DATABASE_POOL_SIZE", 0)):
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": DATABASE_POOL_SIZE,
            "timeout": env_int("DATABASE_POOL_TIMEOUT", 2),
            # Give up a reconnect attempt soon: its delay doubles while it lasts, so a long one
            # would leave the pool empty long after the database is back. The next request that
            # finds the pool empty starts a new attempt.
            "reconnect_timeout": 5,
        }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(Path(env_str("SQLITE_PATH", str(VAR_DIR / "sevenstep.sqlite3")))),
            # WAL lets the ASGI server, a worker and the tests read while one writes.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # A file, not :memory:, so a server started by a test sees the test database.
            "TEST": {"NAME": str(VAR_DIR / "test.sqlite3")},
        }
    }
DATABASE_IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- redis: channel layer, cache, broker ---------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")


def pubsub_prefix(redis_url: str) -> str:
    """Name the pub/sub channels after the Redis database number, as keys are scoped by it.

    Redis pub/sub ignores database numbers: without this, two deployments (or test runs) on one
    Redis server with different databases would hear each other's live-room fan-out.
    """
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(redis_url)
    db = parts.path.strip("/") or parse_qs(parts.query).get("db", ["0"])[0]
    return f"asgi.db{int(db) if db.isdigit() else 0}."


if REDIS_URL:
    CHANNEL_LAYERS: dict[str, dict[str, Any]] = {
        "default": {
            # channels_redis's layer with a pool that makes a burst wait for a connection
            # instead of failing the consumer that asked (sevenstep/layers.py).
            "BACKEND": "sevenstep.layers.RedisChannelLayer",
            # A consumer waits on its channel with a 5 s blocking pop; redis-py's default socket
            # timeout is also 5 s, so an idle socket's read could time out just before the
            # empty answer arrived and the consumer died. Reads get a longer timeout.
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "socket_timeout": 30}],
                # Messages waiting for one process (its sockets share one inbox in Redis). A
                # call's browser sends its ICE candidates in one burst: 200 calls negotiating
                # at once put 1,600 in a process's inbox within a fraction of a second, and
                # what does not fit is dropped. Expiry bounds how long any of it stays.
                "capacity": env_int("CHANNEL_LAYER_CAPACITY", 10_000),
                "expiry": 30,
                "max_connections": env_int("CHANNEL_LAYER_MAX_CONNECTIONS", 100),
                "pool_timeout": 10,
            },
        },
        # Live rooms' cross-process fan-out: pushed, one PUBLISH per batch. At most once is
        # enough there: rooms heal lost messages from the update log
        # (interviews/live/rooms/fanout.py).
        "live": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": pubsub_prefix(REDIS_URL)},
        },
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_PREFIX", "sevenstep"),
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer"},
        "live": {"BACKEND": "channels.layers.InMemoryChannelLayer"},
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Without a broker, jobs run in-process as they are enqueued (said at startup).
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A job taken by a worker that then died goes back to the queue after this many seconds
# (jobs are acknowledged only when done); longer than the longest job, the nightly rebuild.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "sevenstep")
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {}
# Refit the rater model and rebuild every weakness report each night.
CELERY_BEAT_SCHEDULE["scoring-nightly-rebuild"] = {
    "task": "scoring.reports_rebuild_all",
    "schedule": crontab(hour=3, minute=30),
}
# Scorecards released by their deadline (no feedback came) reach the candidate's report within
# minutes, like a submission, instead of waiting for the night.
CELERY_BEAT_SCHEDULE["scoring-request-released"] = {
    "task": "scoring.reports_request_released",
    "schedule": 300.0,
    "options": {"expires": 300},
}
# Pair open interview requests, send due reminders, keep the instant-match queue moving; a
# tick that waited past its period is dropped (the next one does the same work).
CELERY_BEAT_SCHEDULE["interviews-matching"] = {
    "task": "interviews.match_scheduled",
    "schedule": 300.0,
    "options": {"expires": 300},
}
CELERY_BEAT_SCHEDULE["interviews-reminders"] = {
    "task": "interviews.send_due_reminders",
    "schedule": 60.0,
    "options": {"expires": 60},
}
CELERY_BEAT_SCHEDULE["interviews-instant-sweep"] = {
    "task": "interviews.instant_sweep",
    "schedule": 10.0,
    "options": {"expires": 10},
}
# Delete recordings past RECORDING_RETENTION_DAYS, files and all.
CELERY_BEAT_SCHEDULE["live-recordings-purge"] = {
    "task": "live.recordings_purge",
    "schedule": crontab(hour=4, minute=10),
}

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

# --- i18n -----------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- static and the built frontend -----------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
FRONTEND_DIST = BASE_DIR / "frontend" / "dist"
STATICFILES_DIRS = [FRONTEND_DIST] if FRONTEND_DIST.is_dir() else []


def recording_storage() -> dict[str, object]:
    """Return the storage recordings go to: files under SEVENSTEP_VAR_DIR, or an S3 bucket.

    RECORDING_STORAGE=s3 takes any S3-compatible store (AWS, MinIO, Ceph, R2, moto in the
    tests); unset credentials fall back to boto3's own chain (environment, instance role).
    """
    kind = env_str("RECORDING_STORAGE", "files")
    if kind == "files":
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(VAR_DIR / "media")},
        }
    if kind != "s3":
        raise ImproperlyConfigured("RECORDING_STORAGE must be files or s3")
    bucket = env_str("RECORDING_S3_BUCKET")
    if not bucket:
        raise ImproperlyConfigured("RECORDING_STORAGE=s3 needs RECORDING_S3_BUCKET")
    addressing = env_str("RECORDING_S3_ADDRESSING_STYLE") or None
    if addressing not in {None, "auto", "path", "virtual"}:
        raise ImproperlyConfigured("RECORDING_S3_ADDRESSING_STYLE must be auto, path or virtual")
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "location": env_str("RECORDING_S3_PREFIX").strip("/"),
            "endpoint_url": env_str("RECORDING_S3_ENDPOINT_URL") or None,
            "region_name": env_str("RECORDING_S3_REGION") or None,
            "access_key": env_str("RECORDING_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("RECORDING_S3_SECRET_ACCESS_KEY") or None,
            "addressing_style": addressing,
            # Chunk names are unique by construction (a random part in each), so saving never
            # needs the extra request that looks for a free name; objects stay private and are
            # only ever served through the API, which checks who asks.
            "file_overwrite": True,
            "default_acl": None,
            "querystring_auth": True,
        },
    }


STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "media")},
    },
    "recordings": recording_storage(),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- request limits -------------------------------------------------------------------
MAX_REQUEST_BODY_BYTES = env_int("MAX_REQUEST_BODY_BYTES", 256 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES
# JSON bodies nested deeper are a 400 (ours nest 4 levels); unbounded, ~1,000 levels is a 500.
MAX_JSON_DEPTH = env_int("MAX_JSON_DEPTH", 32)

# --- live interview room -------------------------------------------------------------
LIVE_JOIN_EARLY_MINUTES = env_int("LIVE_JOIN_EARLY_MINUTES", 10)
LIVE_MAX_MESSAGE_BYTES = env_int("LIVE_MAX_MESSAGE_BYTES", 1024 * 1024)
LIVE_MAX_DOCUMENT_BYTES = env_int("LIVE_MAX_DOCUMENT_BYTES", 8 * 1024 * 1024)
LIVE_RATE_PER_SECOND = env_int("LIVE_RATE_PER_SECOND", 50)
LIVE_RATE_BURST = env_int("LIVE_RATE_BURST", 200)
# How often the server asks each client for what it lacks and checks the log for missed updates.
LIVE_RESYNC_SECONDS = env_int("LIVE_RESYNC_SECONDS", 15)
# A live room asks for a new checkpoint once this many updates arrived since the last one.
LIVE_COMPACT_EVERY = env_int("LIVE_COMPACT_EVERY", 500)
# Awareness (cursors, names, colours): a socket sets only its own client ids, this many at most
# (a Yjs client has one); each state and each frame is small, and the rate is bounded, so a
# hostile participant cannot make the server decode and re-broadcast megabytes (issue 18).
# A stock client sends back every awareness frame it gets, so a frame may repeat up to
# LIVE_AWARENESS_MAX_ENTRIES states (2 users x LIVE_AWARENESS_CLIENTS_PER_USER, with room to
# spare); the repeats change nothing and cost a clock comparison each.
LIVE_AWARENESS_CLIENTS_PER_SOCKET = env_int("LIVE_AWARENESS_CLIENTS_PER_SOCKET", 2)
LIVE_AWARENESS_CLIENTS_PER_USER = env_int("LIVE_AWARENESS_CLIENTS_PER_USER", 8)
LIVE_AWARENESS_MAX_ENTRIES = env_int("LIVE_AWARENESS_MAX_ENTRIES", 32)
LIVE_AWARENESS_STATE_BYTES = env_int("LIVE_AWARENESS_STATE_BYTES", 2048)
LIVE_AWARENESS_MAX_BYTES = env_int("LIVE_AWARENESS_MAX_BYTES", 64 * 1024)
# Counts the frames that change a state (the repeats count against LIVE_RATE_PER_SECOND only).
LIVE_AWARENESS_RATE_PER_SECOND = env_int("LIVE_AWARENESS_RATE_PER_SECOND", 20)
LIVE_AWARENESS_RATE_BURST = env_int("LIVE_AWARENESS_RATE_BURST", 40)
# Every JSON websocket (control, ping, instant match) refuses longer or deeper messages
# before and while decoding them (close codes 1009, 1007).
WS_JSON_MAX_BYTES = env_int("WS_JSON_MAX_BYTES", 4096)
WS_JSON_MAX_DEPTH = env_int("WS_JSON_MAX_DEPTH", 16)
# The room's storage budget: the log since the last checkpoint may hold this many bytes; past
# half of it the room asks for a checkpoint, and an update that would cross it waits (4429)
# until the checkpoint is taken. Checkpoint plus log count against LIVE_MAX_DOCUMENT_BYTES.
LIVE_MAX_LOG_BYTES = env_int("LIVE_MAX_LOG_BYTES", 4 * 1024 * 1024)
# At most one checkpoint per document this often: what bounds a flood of ever-new updates.
LIVE_COMPACT_MIN_SECONDS = env_int("LIVE_COMPACT_MIN_SECONDS", 5)
# Sockets one user may hold open per process: on one document, and on all of them (4429).
LIVE_MAX_SOCKETS_PER_ROOM = env_int("LIVE_MAX_SOCKETS_PER_ROOM", 8)
LIVE_MAX_SOCKETS_PER_USER = env_int("LIVE_MAX_SOCKETS_PER_USER", 32)
# Each step change is a moment of the replay: caps on them per interview, and per minute.
LIVE_MAX_STEP_CHANGES = env_int("LIVE_MAX_STEP_CHANGES", 50)
LIVE_STEP_CHANGES_PER_MINUTE = env_int("LIVE_STEP_CHANGES_PER_MINUTE", 10)
# A replay page holds at most this many bytes of document deltas (and at least one delta).
LIVE_REPLAY_PAGE_BYTES = env_int("LIVE_REPLAY_PAGE_BYTES", 4 * 1024 * 1024)
# Between two events the replay shows the notes every this many seconds (frames), at most
# LIVE_REPLAY_MAX_FRAMES per interview (wider apart in a longer one), and only while the frames'
# parts stay within LIVE_REPLAY_FRAME_BYTES in all: a flood of rewrites ends the frames, not
# the replay (issue 18's bound holds with one more page or so of frames).
LIVE_REPLAY_FRAME_SECONDS = env_int("LIVE_REPLAY_FRAME_SECONDS", 10)
LIVE_REPLAY_MAX_FRAMES = env_int("LIVE_REPLAY_MAX_FRAMES", 360)
LIVE_REPLAY_FRAME_BYTES = env_int("LIVE_REPLAY_FRAME_BYTES", 8 * 1024 * 1024)

# --- the call (WebRTC between the two browsers; the server only signals) --------------
# STUN and TURN URLs handed to browsers; TURN credentials are coturn REST-API ones
# (use-auth-secret) derived from CALL_TURN_SECRET and valid for CALL_TURN_TTL_SECONDS.
CALL_STUN_URLS = env_list("CALL_STUN_URLS")
CALL_TURN_URLS = env_list("CALL_TURN_URLS")
CALL_TURN_SECRET = env_str("CALL_TURN_SECRET", "")
CALL_TURN_TTL_SECONDS = env_int("CALL_TURN_TTL_SECONDS", 3600)
# Signalling messages (an SDP offer with video is ~10 KB) and how fast a socket may send them.
CALL_MAX_MESSAGE_BYTES = env_int("CALL_MAX_MESSAGE_BYTES", 64 * 1024)
CALL_RATE_PER_SECOND = env_int("CALL_RATE_PER_SECOND", 20)
CALL_RATE_BURST = env_int("CALL_RATE_BURST", 100)
# Joining, leaving and muting are timeline events (replay moments): capped per participant and
# interview, past which the call goes on unrecorded.
CALL_MAX_TIMELINE_EVENTS = env_int("CALL_MAX_TIMELINE_EVENTS", 200)

# --- recording (each browser uploads its own microphone; only while both consented) ---
# Chunks live in STORAGES["recordings"] (files under SEVENSTEP_VAR_DIR/media, or an S3 bucket:
# recording_storage above). Caps per interview on the stored bytes (413) and on the recorded
# span, per chunk on its size; chunks are taken for RECORDING_GRACE_SECONDS after the end (the
# last slice is still in flight then); recordings are deleted RECORDING_RETENTION_DAYS after
# they began.
RECORDING_MAX_BYTES = env_int("RECORDING_MAX_BYTES", 100 * 1024 * 1024)
RECORDING_MAX_SECONDS = env_int("RECORDING_MAX_SECONDS", 3 * 3600)
RECORDING_MAX_CHUNK_BYTES = env_int("RECORDING_MAX_CHUNK_BYTES", 192 * 1024)
RECORDING_GRACE_SECONDS = env_int("RECORDING_GRACE_SECONDS", 60)
RECORDING_RETENTION_DAYS = env_int("RECORDING_RETENTION_DAYS", 90)
# Each consent flip is a timeline event (a replay moment): at most this many per participant.
RECORDING_MAX_CONSENT_CHANGES = env_int("RECORDING_MAX_CONSENT_CHANGES", 40)

# --- scheduling -----------------------------------------------------------------------
SCHEDULING_WEEKS_AHEAD = env_int("SCHEDULING_WEEKS_AHEAD", 8)  # how far ahead windows may go
SCHEDULING_LATE_CANCEL_HOURS = env_int("SCHEDULING_LATE_CANCEL_HOURS", 12)
SCHEDULING_NO_SHOW_GRACE_MINUTES = env_int("SCHEDULING_NO_SHOW_GRACE_MINUTES", 10)
SCHEDULING_NO_REPEAT_DAYS = env_int("SCHEDULING_NO_REPEAT_DAYS", 30)  # same partner again after
SCHEDULING_MATCH_LEAD_MINUTES = env_int("SCHEDULING_MATCH_LEAD_MINUTES", 120)
SCHEDULING_MATCH_HORIZON_DAYS = env_int("SCHEDULING_MATCH_HORIZON_DAYS", 14)
SCHEDULING_MATCH_BUCKET_MINUTES = env_int("SCHEDULING_MATCH_BUCKET_MINUTES", 120)
SCHEDULING_INSTANT_RELAX_SECONDS = env_int("SCHEDULING_INSTANT_RELAX_SECONDS", 30)
SCHEDULING_INSTANT_STALE_SECONDS = env_int("SCHEDULING_INSTANT_STALE_SECONDS", 60)
# The interviewer's preparation view of the guide opens this long before the start (0: only
# with the room); never for someone also booked as the candidate on the question.
SCHEDULING_GUIDE_PREPARATION_HOURS = env_int("SCHEDULING_GUIDE_PREPARATION_HOURS", 24)

# --- scoring --------------------------------------------------------------------------
# Scorecards and feedback close this long after the interview ends; blind release ends then too.
SCORECARD_DEADLINE_HOURS = env_int("SCORECARD_DEADLINE_HOURS", 48)
# A report rebuild waits this long after a submission, so a burst of submissions costs one build.
REPORT_DEBOUNCE_SECONDS = env_int("REPORT_DEBOUNCE_SECONDS", 10)
# A report names a step the weakest only when it is at least this sure (in percent), and says
# how sure. 65 names it for ~40% of users and is right ~82% of the time on bench/ populations
# (bench/README.md, "Weakness report accuracy"); higher is rarer and more often right.
REPORT_WEAKEST_PERCENT = env_int("REPORT_WEAKEST_PERCENT", 65)
# A nightly rebuild that finds another holding the lock (one still running, or a dead worker's
# session the database has not yet closed) comes back this much later instead of skipping.
REPORT_REBUILD_BUSY_RETRY_SECONDS = env_int("REPORT_REBUILD_BUSY_RETRY_SECONDS", 300)

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

# --- email ----------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    {
        "production": "django.core.mail.backends.smtp.EmailBackend",
        "test": "django.core.mail.backends.locmem.EmailBackend",
    }.get(DJANGO_ENV, "django.core.mail.backends.console.EmailBackend"),
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# For EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (the browser tests read it).
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Sevenstep <noreply@sevenstep.local>")

# --- metrics --------------------------------------------------------------------------
# Prometheus at /metrics (sevenstep/metrics.py), for operators only: answered only to
# `Authorization: Bearer <METRICS_TOKEN>`; unset, or any other answer, and /metrics is a 404
# like any missing page. Every server process writes its figures to files in one directory,
# which the process that answers the scrape adds up; the library picks that mode when it is
# first imported, so the variable is set here, before any app imports it.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
PROMETHEUS_MULTIPROC_DIR = Path(
    env_str("PROMETHEUS_MULTIPROC_DIR", str(VAR_DIR / "prometheus"))
).resolve()
PROMETHEUS_MULTIPROC_DIR.mkdir(parents=True, exist_ok=True)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(PROMETHEUS_MULTIPROC_DIR)

# --- logging --------------------------------------------------------------------------
# json: one JSON object per line (time, level, logger, message, and interview_id on every
# line a live-room socket writes), for a log collector; text: for people reading a terminal.
LOG_FORMAT = env_str("LOG_FORMAT", "json" if PRODUCTION else "text")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured("LOG_FORMAT must be json or text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "sevenstep.logs.JsonFormatter"},
    },
    "filters": {"interview": {"()": "sevenstep.logs.InterviewFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["interview"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
