"""Create the demo users (idempotent): `python manage.py seed_demo`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Profile, User
from sevenstep.framework import Domain, Level, TargetRole

DEMO_PASSWORD = "sevenstep-demo"

DEMO_USERS: list[dict[str, Any]] = [
    {
        "email": "ada@example.com",
        "display_name": "Ada",
        "time_zone": "Europe/London",
        "target_level": Level.SENIOR,
        "target_role": TargetRole.MLE,
        "focus_domains": [Domain.RECOMMENDATION, Domain.SEARCH],
    },
    {
        "email": "grace@example.com",
        "display_name": "Grace",
        "time_zone": "America/New_York",
        "target_level": Level.STAFF,
        "target_role": TargetRole.ML_PLATFORM,
        "focus_domains": [Domain.ADS, Domain.RECOMMENDATION],
    },
    {
        "email": "alan@example.com",
        "display_name": "Alan",
        "time_zone": "Europe/Berlin",
        "target_level": Level.MID,
        "target_role": TargetRole.APPLIED_SCIENTIST,
        "focus_domains": [Domain.NLP_LLM, Domain.VISION],
    },
    {
        "email": "katherine@example.com",
        "display_name": "Katherine",
        "time_zone": "Asia/Kolkata",
        "target_level": Level.NEW_GRAD,
        "target_role": TargetRole.MLE,
        "focus_domains": [Domain.TRUST_SAFETY, Domain.FRAUD],
    },
    {
        "email": "linus@example.com",
        "display_name": "Linus",
        "time_zone": "America/Los_Angeles",
        "target_level": Level.SENIOR,
        "target_role": TargetRole.MLE,
        "focus_domains": [Domain.MARKETPLACE, Domain.SEARCH],
    },
]


class Command(BaseCommand):
    help = "Create demo users with profiles (password: sevenstep-demo); safe to run again."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        created = 0
        for spec in DEMO_USERS:
            spec = dict(spec)
            email = spec.pop("email")
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email=email, password=DEMO_PASSWORD)
                created += 1
            Profile.objects.update_or_create(user=user, defaults=spec)
        if not User.objects.filter(email="staff@example.com").exists():
            staff = User.objects.create_superuser(email="staff@example.com", password=DEMO_PASSWORD)
            Profile.objects.create(user=staff, display_name="Staff")
            created += 1
        self.stdout.write(
            f"demo data ready: {created} users created; log in as ada@example.com "
            f"(or grace, alan, katherine, linus, staff) with password {DEMO_PASSWORD}"
        )
