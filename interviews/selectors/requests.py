"""Why an open request has not been paired: what the last matching run saw."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import cast

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from interviews.models import (
    AvailabilityWindow,
    Interview,
    InterviewRequest,
    InterviewStatus,
    MatchRun,
    MatchRunStatus,
    RequestStatus,
)
from interviews.models.sessions import ACTIVE_STATUSES
from sevenstep.framework import INTERVIEW_MINUTES, LEVEL_ORDER

INTERVIEW_LENGTH = timedelta(minutes=INTERVIEW_MINUTES)
# Who can meet whom in one interview: a swap-seeker meets anyone, the others their opposite.
PARTNER_ROLES = {
    "candidate": {"interviewer", "swap"},
    "interviewer": {"candidate", "swap"},
    "swap": {"candidate", "interviewer", "swap"},
}
WANT = {
    "candidate": "to interview you",
    "interviewer": "to be interviewed by you",
    "swap": "to pair with you",
}


@dataclass(frozen=True)
class RequestMatching:
    """What the matching runs did with an open request, and what would help if nothing."""

    last_run_at: datetime | None
    next_run_at: datetime | None
    unserved_reason: str | None = None
    unserved_help: str | None = None


def request_matching(*, request: InterviewRequest, now: datetime | None = None) -> RequestMatching:
    """Say when runs last considered the open request and, if the last booked nothing, why.

    The last run is the latest finished one since the request was last changed (an older run
    saw another request). The reason is read from the data the run used: the person's free
    windows in the horizon, their weekly cap, and who else was free then.
    """
    if request.status != RequestStatus.OPEN:
        return RequestMatching(last_run_at=None, next_run_at=None)
    now = now or timezone.now()
    period = cast(float, settings.CELERY_BEAT_SCHEDULE["interviews-matching"]["schedule"])
    next_run_at = datetime.fromtimestamp((now.timestamp() // period + 1) * period, tz=now.tzinfo)
    last = (
        MatchRun.objects.filter(status=MatchRunStatus.DONE, finished_at__gte=request.updated_at)
        .order_by("-finished_at")
        .first()
    )
    if last is None:
        return RequestMatching(last_run_at=None, next_run_at=next_run_at)
    served = Interview.objects.filter(
        Q(interviewer_id=request.user_id) | Q(candidate_id=request.user_id), match_run=last
    ).exists()
    result = RequestMatching(last_run_at=last.finished_at, next_run_at=next_run_at)
    if served:
        return result
    reason, help_text = _unserved(request, now)
    return replace(result, unserved_reason=reason, unserved_help=help_text)


def _unserved(request: InterviewRequest, now: datetime) -> tuple[str, str]:
    earliest = now + timedelta(minutes=settings.SCHEDULING_MATCH_LEAD_MINUTES)
    end = earliest + timedelta(days=settings.SCHEDULING_MATCH_HORIZON_DAYS)
    mine = [
        (max(start, earliest), min(stop, end))
        for start, stop in AvailabilityWindow.objects.filter(
            user_id=request.user_id, ends_at__gt=earliest, starts_at__lt=end
        ).values_list("starts_at", "ends_at")
    ]
    mine = [(start, stop) for start, stop in mine if stop - start >= INTERVIEW_LENGTH]
    if not mine:
        return (
            "no_windows",
            "You have no free time of 45 minutes or more in the next "
            f"{settings.SCHEDULING_MATCH_HORIZON_DAYS} days that matching can use (it books from "
            f"{settings.SCHEDULING_MATCH_LEAD_MINUTES // 60} hours ahead): publish wider windows.",
        )
    if _week_full(request, mine):
        return (
            "week_full",
            f"You already have {request.max_per_week} interview(s) within 7 days of every "
            "window you are free in: raise the weekly number, or add time in another week.",
        )
    overlapping = Q()
    for start, stop in mine:
        overlapping |= Q(
            starts_at__lt=stop - INTERVIEW_LENGTH, ends_at__gt=start + INTERVIEW_LENGTH
        )
    free_then = {
        user_id
        for user_id, start, stop in AvailabilityWindow.objects.filter(overlapping)
        .exclude(user_id=request.user_id)
        .values_list("user_id", "starts_at", "ends_at")
        if any(min(stop, b) - max(start, a) >= INTERVIEW_LENGTH for a, b in mine)
    }
    others = InterviewRequest.objects.filter(
        status=RequestStatus.OPEN, user__is_active=True, user_id__in=free_then
    ).values_list("user_id", "role", "level")
    level = LEVEL_ORDER.index(request.level)
    near = [role for _, role, their in others if abs(LEVEL_ORDER.index(their) - level) <= 2]
    fitting = [role for role in near if role in PARTNER_ROLES[request.role]]
    if fitting:
        return (
            "outmatched",
            f"{len(fitting)} people free when you are could pair with you, but the last run "
            "paired them with others or found no question new to you both: wider windows or "
            "the swap role give it more choices.",
        )
    if near:
        switch = sorted(
            role for role in PARTNER_ROLES if any(n in PARTNER_ROLES[role] for n in near)
        )
        return (
            "another_role",
            f"Nobody free when you are wants {WANT[request.role]}; {len(near)} people free "
            f"then want another role. Choosing {' or '.join(switch)} would let you pair.",
        )
    return (
        "no_partner",
        "Nobody else near your level is free when you are: wider windows help (weekday "
        "evenings and weekend afternoons are the busiest).",
    )


def _week_full(request: InterviewRequest, windows: list[tuple[datetime, datetime]]) -> bool:
    """Whether no start in any free window leaves room under the weekly cap (pairing's rule)."""
    from interviews.services import pairing

    origin = windows[0][0]
    starts = Interview.objects.filter(
        Q(interviewer_id=request.user_id) | Q(candidate_id=request.user_id),
        status__in=(*ACTIVE_STATUSES, InterviewStatus.COMPLETED),
        starts_at__gt=origin - timedelta(days=7),
    ).values_list("starts_at", flat=True)
    person = pairing.Seeker(
        request_id=request.pk,
        user_id=request.user_id,
        role=pairing.ROLE_CODES[request.role],
        level=0,
        domains=0,
        free=0,
        priority=0.0,
        max_per_week=request.max_per_week,
        booked=[int((at - origin) // pairing.CELL) for at in starts],
    )
    for start, stop in windows:
        first = int((start - origin) // pairing.CELL)
        last = int((stop - INTERVIEW_LENGTH - origin) // pairing.CELL)
        if any(person.left_over(cell, cell) >= 1 for cell in range(first, last + 1)):
            return False
    return True
