"""The instant queue as a waiting person sees it: counts only, and a role to switch to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from interviews.models import (
    InstantQueueEntry,
    QueueStatus,
    RequestRole,
)

_SWITCH_TO = {
    RequestRole.CANDIDATE: RequestRole.INTERVIEWER,
    RequestRole.INTERVIEWER: RequestRole.CANDIDATE,
}


@dataclass(frozen=True)
class InstantQueue:
    counts: dict[str, int]
    suggested_role: str | None
    suggestion: str | None


def instant_queue(*, entry: InstantQueueEntry, now: datetime | None = None) -> InstantQueue:
    """How many others wait live in each role (counts only, never who), and a role to switch to.

    A switch is suggested only when everyone else waiting wants the same role as the user, so
    nobody there can pair with the user while a switch would pair them with all of them.
    """
    now = now or timezone.now()
    stale_before = now - timedelta(seconds=settings.SCHEDULING_INSTANT_STALE_SECONDS)
    rows = (
        InstantQueueEntry.objects.filter(status=QueueStatus.WAITING, last_seen_at__gte=stale_before)
        .exclude(user_id=entry.user_id)
        .values("role")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {role: 0 for role in RequestRole.values}
    counts.update({row["role"]: row["n"] for row in rows})
    switch_to = _SWITCH_TO.get(RequestRole(entry.role))
    others = sum(counts.values())
    if switch_to is None or others == 0 or counts[entry.role] != others:
        return InstantQueue(counts, None, None)
    people = "1 person is" if others == 1 else f"{others} people are"
    reason = (
        f"{people} waiting as {RequestRole(entry.role).label.lower()} and nobody as "
        f"{RequestRole(switch_to).label.lower()}: switch to {RequestRole(switch_to).label.lower()} "
        "to be paired."
    )
    return InstantQueue(counts, switch_to, reason)
