"""Create a deployment's first admin from the environment (idempotent): `manage.py ensure_admin`.

Reads DJANGO_SUPERUSER_EMAIL and DJANGO_SUPERUSER_PASSWORD (the names Django's
`createsuperuser --noinput` reads too) and does nothing when neither is set, so the compose
`migrate` service can run it on every start. An existing admin keeps the password it has now;
an existing ordinary account is never promoted, since anyone may have registered that email.
"""

from __future__ import annotations

import os
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.management.commands.seed_demo import DEMO_PASSWORD
from accounts.models import Profile, User
from accounts.services import email_mark_verified

EMAIL_VARIABLE = "DJANGO_SUPERUSER_EMAIL"
PASSWORD_VARIABLE = "DJANGO_SUPERUSER_PASSWORD"


class Command(BaseCommand):
    help = (
        f"Create the superuser named by {EMAIL_VARIABLE} with {PASSWORD_VARIABLE} unless it "
        "exists; does nothing when they are unset."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        email = os.environ.get(EMAIL_VARIABLE, "").strip().lower()
        password = os.environ.get(PASSWORD_VARIABLE, "")
        if not email and not password:
            self.stdout.write(
                f"ensure_admin: {EMAIL_VARIABLE} and {PASSWORD_VARIABLE} are not set, so no "
                "admin was created (set both, or run `manage.py createsuperuser`)"
            )
            return
        if not email or not password:
            raise CommandError(f"ensure_admin needs both {EMAIL_VARIABLE} and {PASSWORD_VARIABLE}")
        self.stdout.write(f"ensure_admin: {ensure_admin(email=email, password=password)}")


@transaction.atomic
def ensure_admin(*, email: str, password: str) -> str:
    """Create the superuser with a profile unless it exists; say what was done."""
    existing = User.objects.select_for_update().filter(email=email).first()
    if existing is not None:
        if not existing.is_superuser:
            raise CommandError(
                f"{email} belongs to an account that is not an admin; it is not promoted "
                "(anyone could have registered it): choose another email, or promote it "
                "yourself in the admin"
            )
        return f"admin {email} exists; its password is left as it is"
    if password == DEMO_PASSWORD:
        raise CommandError("that password is printed in the README; choose another")
    try:
        validate_password(password, user=User(email=email))
    except ValidationError as exc:
        raise CommandError(f"{PASSWORD_VARIABLE} is too weak: {' '.join(exc.messages)}") from exc
    admin = User.objects.create_superuser(email=email, password=password)
    Profile.objects.create(user=admin, display_name="Admin")
    email_mark_verified(user=admin)
    return f"admin {email} created"
