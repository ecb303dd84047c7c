"""Settings: language, static files and the built frontend, recording storage, request limits."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import BASE_DIR, PRODUCTION, env_int, env_str
from config.settings.services import VAR_DIR

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
