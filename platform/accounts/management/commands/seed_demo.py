"""Create the demo users (idempotent): `python manage.py seed_demo`.

Their password is printed in the README, so the command refuses to run in production: a
deployment that ran it would let anyone log in. A public demo site can opt in with
`--allow-production-demo`, and even then gets no staff account (the first admin of a deployment
comes from `ensure_admin`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.models import Profile, User
from accounts.services import email_mark_verified
from interviews.models import AvailabilityWindow, InterviewRequest, RequestRole, RequestStatus
from interviews.services.availability import availability_add
from interviews.services.requests import request_open
from sevenstep.framework import Domain, Level, TargetRole

DEMO_PASSWORD = "sevenstep-demo"
DEMO_STAFF_EMAIL = "staff@example.com"

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


# Every demo user is free at the same UTC hours on the next three days (evening in Europe,
# morning in the Americas, night in India), so the matching job has pairs to make.
DEMO_WINDOW_START_HOUR_UTC = 15
DEMO_WINDOW_HOURS = 3
DEMO_WINDOW_DAYS = (1, 2, 3)


def ensure_bookable(user: User) -> None:
    """Give a demo user availability and an open request for swaps, unless they have their own."""
    now = timezone.now()
    if not AvailabilityWindow.objects.filter(user=user, ends_at__gt=now).exists():
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        for day in DEMO_WINDOW_DAYS:
            starts_at = midnight + timedelta(days=day, hours=DEMO_WINDOW_START_HOUR_UTC)
            availability_add(
                user=user,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=DEMO_WINDOW_HOURS),
                time_zone=user.profile.time_zone,
            )
    if not InterviewRequest.objects.filter(user=user, status=RequestStatus.OPEN).exists():
        request_open(user=user, role=RequestRole.SWAP)


class Command(BaseCommand):
    help = (
        "Create demo users with profiles, availability over the next days and an open request "
        "for swaps (password: sevenstep-demo); safe to run again. Refuses in production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production-demo",
            action="store_true",
            help="Create the demo users (not the staff account) even with DJANGO_ENV=production, "
            "for a public demo site where everyone may log in as them.",
        )

    def handle(self, *args: Any, allow_production_demo: bool = False, **options: Any) -> None:
        if settings.PRODUCTION and not allow_production_demo:
            raise CommandError(
                "seed_demo refuses to run with DJANGO_ENV=production: its users have the "
                f"password printed in the README ({DEMO_PASSWORD}). Create the first admin with "
                "`manage.py ensure_admin` (DJANGO_SUPERUSER_EMAIL, DJANGO_SUPERUSER_PASSWORD) "
                "instead, or pass --allow-production-demo for a public demo site."
            )
        created = self.seed(with_staff=not settings.PRODUCTION)
        who = "grace, alan, katherine, linus" + ("" if settings.PRODUCTION else ", staff")
        self.stdout.write(
            f"demo data ready: {created} users created; log in as ada@example.com "
            f"(or {who}) with password {DEMO_PASSWORD}; "
            "they are free at the same hours on the next three days, so the matching job "
            "(every 5 minutes with Redis, or `manage.py run_matching`) pairs them"
        )

    @transaction.atomic
    def seed(self, *, with_staff: bool) -> int:
        """Create what is missing of the demo data; return how many users were created."""
        created = 0
        for spec in DEMO_USERS:
            spec = dict(spec)
            email = spec.pop("email")
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email=email, password=DEMO_PASSWORD)
                created += 1
            Profile.objects.update_or_create(user=user, defaults=spec)
            email_mark_verified(user=user)
            ensure_bookable(user)
        # A superuser whose password is published is only ever acceptable on a developer's machine.
        if with_staff and not User.objects.filter(email=DEMO_STAFF_EMAIL).exists():
            staff = User.objects.create_superuser(email=DEMO_STAFF_EMAIL, password=DEMO_PASSWORD)
            Profile.objects.create(user=staff, display_name="Staff")
            email_mark_verified(user=staff)
            created += 1
        return created
