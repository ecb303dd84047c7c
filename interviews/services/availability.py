"""Publishing and removing availability windows."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from interviews.models import AvailabilityWindow
from interviews.zones import describe
from sevenstep.errors import ApplicationError, Conflict
from sevenstep.framework import INTERVIEW_MINUTES

MAX_WINDOWS = 200  # upcoming windows per user; far more than anyone needs, a cap on abuse


def _invalid(field: str, message: str, code: str) -> ApplicationError:
    return ApplicationError(message, code=code, fields={field: [message]})


def availability_add(
    *, user: User, starts_at: datetime, ends_at: datetime, time_zone: str
) -> AvailabilityWindow:
    """Publish a window (UTC) after checking it is bookable and clear of the user's others."""
    now = timezone.now()
    if ends_at <= starts_at:
        raise _invalid("ends_at", "The window must end after it starts.", "ends_before_start")
    if starts_at < now:
        raise _invalid("starts_at", "The window starts in the past.", "in_the_past")
    if ends_at - starts_at < timedelta(minutes=INTERVIEW_MINUTES):
        raise _invalid(
            "ends_at",
            f"The window is shorter than one interview ({INTERVIEW_MINUTES} minutes).",
            "too_short",
        )
    weeks = settings.SCHEDULING_WEEKS_AHEAD
    if ends_at > now + timedelta(weeks=weeks):
        raise _invalid("ends_at", f"Windows can be at most {weeks} weeks ahead.", "too_far_ahead")
    try:
        # SQLite: the IMMEDIATE transaction holds the write lock from the check to the insert.
        # PostgreSQL: the availability_no_overlap exclusion constraint settles a race.
        with transaction.atomic():
            clash = (
                AvailabilityWindow.objects.filter(
                    user=user, starts_at__lt=ends_at, ends_at__gt=starts_at
                )
                .order_by("starts_at")
                .first()
            )
            if clash is not None:
                raise _overlap(clash, time_zone)
            upcoming = AvailabilityWindow.objects.filter(user=user, ends_at__gt=now).count()
            if upcoming >= MAX_WINDOWS:
                raise ApplicationError(
                    f"You already have {MAX_WINDOWS} upcoming windows; remove some first.",
                    code="too_many_windows",
                )
            return AvailabilityWindow.objects.create(
                user=user, starts_at=starts_at, ends_at=ends_at, time_zone=time_zone
            )
    except IntegrityError as exc:
        raise Conflict(
            "The window overlaps one of your other windows.", code="overlapping_window"
        ) from exc


def _overlap(clash: AvailabilityWindow, zone_name: str) -> Conflict:
    message = (
        "The window overlaps your window from "
        f"{describe(clash.starts_at, zone_name)} to {describe(clash.ends_at, zone_name)}."
    )
    return Conflict(message, code="overlapping_window", fields={"starts_at": [message]})


def availability_remove(*, window: AvailabilityWindow) -> None:
    """Withdraw a window; interviews already booked inside it stay booked."""
    window.delete()
