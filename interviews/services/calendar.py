"""iCalendar invites and the private per-user calendar feed."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import urlparse

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from icalendar import Alarm, Calendar, Event
from icalendar.enums import STATUS

from accounts.models import User
from interviews import zones
from interviews.links import detail_url, room_url
from interviews.models import CalendarFeed, Interview, InterviewStatus

PRODID = "-//Sevenstep//Interviews//EN"
FEED_HISTORY = timedelta(days=30)  # how far back the feed still lists interviews


def _host() -> str:
    return urlparse(settings.SITE_URL).hostname or "sevenstep.local"


def _event(interview: Interview, user: User, zone_name: str) -> Event:
    leads = interview.interviewer_id == user.pk
    partner = interview.candidate if leads else interview.interviewer
    partner_name = getattr(getattr(partner, "profile", None), "display_name", "") or "your peer"
    role = "you interview" if leads else "you are the candidate"
    tz = zones.zone(zone_name)
    cancelled = interview.status == InterviewStatus.CANCELLED
    join = room_url(interview)
    event = Event.new(
        uid=f"interview-{interview.pk}@{_host()}",
        sequence=interview.sequence,
        start=interview.starts_at.astimezone(tz),
        end=interview.ends_at.astimezone(tz),
        summary=f"Mock ML design interview: {interview.question.title} ({role})",
        description=(
            f"Mock ML system design interview with {partner_name}; {role}.\n"
            f"Question: {interview.question.title}\n"
            f"Join: {join}\n"
            f"Details, reschedule or cancel: {detail_url(interview)}\n"
            f"Times are in {zone_name}."
        ),
        location=join,
        url=join,
        status=STATUS.CANCELLED if cancelled else STATUS.CONFIRMED,
        stamp=timezone.now(),
    )
    if not cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", "Mock interview in 15 minutes")
        alarm.add("trigger", timedelta(minutes=-15))
        event.add_component(alarm)
    return event


def calendar_render(*, interviews: Iterable[Interview], user: User, name: str) -> bytes:
    """Return an iCalendar document with the interviews as the user sees them, in their zone."""
    zone_name = user.profile.time_zone if hasattr(user, "profile") else "UTC"
    interviews = list(interviews)
    calendar = Calendar.new(prodid=PRODID, method="PUBLISH", name=name)
    for interview in interviews:
        calendar.add_component(_event(interview, user, zone_name))
    if interviews:
        # Only the transitions around our events, not every DST change since 1970.
        first = min(i.starts_at for i in interviews).date() - timedelta(days=366)
        last = max(i.ends_at for i in interviews).date() + timedelta(days=366)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()


def feed_interviews(*, user: User) -> list[Interview]:
    """What the feed shows: recent and future interviews, cancelled ones so clients drop them."""
    from django.db.models import Q

    since = timezone.now() - FEED_HISTORY
    return list(
        Interview.objects.filter(Q(interviewer=user) | Q(candidate=user), ends_at__gte=since)
        .select_related("question", "interviewer__profile", "candidate__profile")
        .order_by("starts_at")
    )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def feed_rotate(*, user: User) -> str:
    """Issue a new secret feed token, revoking the previous one; return the secret."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        user=user, defaults={"token_hash": _digest(token), "created_at": timezone.now()}
    )
    return token


def feed_revoke(*, user: User) -> None:
    """Revoke the feed: its URL stops working at once."""
    CalendarFeed.objects.filter(user=user).delete()


def feed_user(*, token: str) -> User | None:
    """Return the active user a feed token belongs to."""
    if not token or len(token) > 100:
        return None
    feed = (
        CalendarFeed.objects.select_related("user__profile")
        .filter(token_hash=_digest(token), user__is_active=True)
        .first()
    )
    return feed.user if feed is not None else None


def feed_url(token: str) -> str:
    return f"{settings.SITE_URL}/api/calendar/{token}.ics"
