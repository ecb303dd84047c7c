"""Users log in with their email; everything a peer sees about them lives on the profile."""

from __future__ import annotations

import hashlib
import unicodedata
import zoneinfo
from datetime import datetime
from functools import cache
from typing import Any, ClassVar

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from sevenstep.framework import Domain, Level, TargetRole


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in _time_zones():
        raise ValidationError(f"'{value}' is not an IANA time zone name (e.g. Europe/Berlin).")


def validate_domains(value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError("Domains must be a list of domain names.")
    unknown = sorted(set(value) - set(Domain.values))
    if unknown:
        raise ValidationError(f"Unknown domains: {', '.join(unknown)}.")


# Control and format characters (bidirectional overrides and isolates, zero-width joiners and
# spaces, the byte-order mark), line and paragraph separators, surrogates, private-use and
# unassigned code points: a peer's name shown in a room or an email must read as what it is.
_NAME_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def validate_display_name(value: str) -> None:
    if any(unicodedata.category(char) in _NAME_REFUSED_CATEGORIES for char in value):
        raise ValidationError(
            "A display name cannot contain control, formatting or invisible characters."
        )


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    username = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]  # email, no username

    # Set by the "me" answer before it is serialized (accounts/apis/signin.py); not columns.
    email_verified: bool
    pending_email: str | None

    def __str__(self) -> str:
        return self.email


class Profile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(max_length=80, validators=[validate_display_name])
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    target_level = models.CharField(max_length=16, choices=Level.choices, default=Level.MID)
    target_role = models.CharField(
        max_length=24, choices=TargetRole.choices, default=TargetRole.MLE
    )
    focus_domains = models.JSONField(default=list, blank=True, validators=[validate_domains])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_level__in=Level.values), name="profile_level_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(target_role__in=TargetRole.values), name="profile_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name


def api_token_digest(secret: str) -> str:
    """Hash a token secret for storage and lookup (secrets are random, so no salt or stretching)."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(models.Model):
    """A named credential for API clients that ends on its own and can be revoked.

    Only a digest of the secret is stored: a leaked database row does not log anyone in, and
    the secret is shown once, when the token is created.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=64, validators=[validate_display_name])
    digest = models.CharField(max_length=64, unique=True)
    # The secret's first characters, so a user can tell their tokens apart in a list.
    prefix = models.CharField(max_length=8)
    # Issued by POST /api/auth/token/ (a password exchanged for a token), not created by name:
    # at the per-user cap the oldest of these make room, named ones never do.
    from_login = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at <= (now or timezone.now())
