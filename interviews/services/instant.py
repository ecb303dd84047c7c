"""Instant match: people online now are paired within seconds and start at once.

Each attempt (on joining, on every poll, and from the beat sweep) looks for the best waiting
partner under the criteria the wait so far allows: the same level and a shared domain at
first; after SCHEDULING_INSTANT_RELAX_SECONDS any domain and a level one apart; after twice
that, two apart (the most matching ever allows). An entry that has not been polled for
SCHEDULING_INSTANT_STALE_SECONDS is a closed tab and is never matched.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.selectors import email_verified
from interviews import links, selectors
from interviews.consumers import instant_group
from interviews.models import (
    InstantQueueEntry,
    Interview,
    InterviewSource,
    QueueStatus,
    RequestRole,
    Seat,
)
from interviews.models.sessions import ACTIVE_STATUSES
from interviews.services import matching
from interviews.services.booking import INTERVIEW_LENGTH, interview_book, swap_book
from sevenstep.errors import ApplicationError, Conflict
from sevenstep.framework import LEVEL_ORDER

log = logging.getLogger(__name__)

ROLE_FITS = {
    (RequestRole.CANDIDATE, RequestRole.INTERVIEWER),
    (RequestRole.CANDIDATE, RequestRole.SWAP),
    (RequestRole.INTERVIEWER, RequestRole.SWAP),
    (RequestRole.SWAP, RequestRole.SWAP),
}


@dataclass(frozen=True)
class Criteria:
    max_level_gap: int
    any_domain: bool


def criteria_after(waited: timedelta) -> Criteria:
    """How choosy a request still is after waiting this long."""
    relax = timedelta(seconds=settings.SCHEDULING_INSTANT_RELAX_SECONDS)
    if waited >= 2 * relax:
        return Criteria(max_level_gap=2, any_domain=True)
    if waited >= relax:
        return Criteria(max_level_gap=1, any_domain=True)
    return Criteria(max_level_gap=0, any_domain=False)


WIDENS_HOW = {
    0: "to any domain and levels one apart",
    1: "to levels two apart",
}


def next_widening(entry: InstantQueueEntry) -> tuple[datetime, str] | None:
    """When and how the entry's criteria widen next; None once they are as wide as they go."""
    relax = timedelta(seconds=settings.SCHEDULING_INSTANT_RELAX_SECONDS)
    stage = relax_stage(entry, timezone.now())
    if stage not in WIDENS_HOW:
        return None
    return entry.created_at + (stage + 1) * relax, WIDENS_HOW[stage]


def instant_described(entry: InstantQueueEntry) -> InstantQueueEntry:
    """Attach what an answer tells its user: widened yet, and while waiting the queue and when
    the criteria widen next (one counting query, only for someone still waiting)."""
    entry.relaxed = relax_stage(entry, timezone.now()) > 0
    if entry.status == QueueStatus.WAITING:
        view = selectors.instant_queue(entry=entry)
        entry.queue = view.counts
        entry.suggested_role = view.suggested_role
        entry.suggestion = view.suggestion
        entry.widens_at, entry.widens_how = next_widening(entry) or (None, None)
    else:
        entry.queue = entry.suggested_role = entry.suggestion = None
        entry.widens_at = entry.widens_how = None
    return entry


def relax_stage(entry: InstantQueueEntry, now: datetime) -> int:
    """0 while the entry is still choosy, 1 and 2 as its criteria widen."""
    return criteria_after(now - entry.created_at).max_level_gap


def _stale_before(now: datetime) -> datetime:
    return now - timedelta(seconds=settings.SCHEDULING_INSTANT_STALE_SECONDS)


def _fits(mine: InstantQueueEntry, other: InstantQueueEntry, now: datetime) -> bool:
    if (mine.role, other.role) not in ROLE_FITS and (other.role, mine.role) not in ROLE_FITS:
        return False
    # The more patient of the two sets the bar: both have agreed to at least that much.
    criteria = criteria_after(max(now - mine.created_at, now - other.created_at))
    gap = abs(LEVEL_ORDER.index(mine.level) - LEVEL_ORDER.index(other.level))
    if gap > criteria.max_level_gap:
        return False
    if criteria.any_domain or not mine.domains or not other.domains:
        return True
    return bool(set(mine.domains) & set(other.domains))


def _closeness(mine: InstantQueueEntry, other: InstantQueueEntry) -> tuple[int, int]:
    gap = abs(LEVEL_ORDER.index(mine.level) - LEVEL_ORDER.index(other.level))
    shared = len(set(mine.domains) & set(other.domains))
    return (gap, -shared)


def _waiting(user: User) -> InstantQueueEntry | None:
    """The user's waiting entry, locked for the rest of the transaction."""
    return (
        InstantQueueEntry.objects.select_for_update()
        .filter(user=user, status=QueueStatus.WAITING)
        .first()
    )


def instant_join(
    *, user: User, role: str, level: str | None = None, domains: list[str] | None = None
) -> InstantQueueEntry:
    """Wait for an instant partner (or update the wait already going); try to pair at once.

    Idempotent per user: a second join (a double click) while the first is pairing waits for it
    and returns its outcome, the match included, instead of queueing the user a second time.
    """
    if not User.objects.filter(pk=user.pk).filter(email_verified("")).exists():
        raise ApplicationError(
            "Confirm your email address first: we match only verified accounts with partners.",
            code="email_unverified",
            status_code=403,
        )
    now = timezone.now()
    duration = 2 * INTERVIEW_LENGTH if role == RequestRole.SWAP else INTERVIEW_LENGTH
    profile = user.profile
    with transaction.atomic():
        # One join per user at a time: the user's row lock orders parallel joins (SQLite's
        # IMMEDIATE transactions already do), so the second sees the first's entry or match;
        # the waiting entry's own lock also waits out a partner's attempt that is pairing it.
        # no_key: seats inserted for this user elsewhere (key-share locks) need not wait for it.
        User.objects.select_for_update(no_key=True).filter(pk=user.pk).first()
        entry = _waiting(user)
        if entry is None:
            matched = _matched_now(user, now)
            if matched is not None:
                return matched
        busy = Seat.objects.filter(
            user=user, active=True, starts_at__lt=now + duration, ends_at__gt=now
        ).exists()
        if busy:
            raise Conflict("You already have an interview right now.", code="busy_now")
        entry = entry or InstantQueueEntry(user=user, created_at=now)
        entry.role = role
        entry.level = level or profile.target_level
        entry.domains = sorted(set(domains if domains is not None else profile.focus_domains))
        entry.last_seen_at = now
        entry.save()
        paired = instant_try_pair(entry_id=entry.pk)
    return paired or entry


def _matched_now(user: User, now: datetime) -> InstantQueueEntry | None:
    """The user's latest entry if it was matched to an interview still to come or under way."""
    latest = InstantQueueEntry.objects.filter(user=user).order_by("-created_at", "-pk").first()
    if latest is None or latest.status != QueueStatus.MATCHED or latest.interview_id is None:
        return None
    interview = latest.interview
    if interview is not None and interview.status in ACTIVE_STATUSES and interview.ends_at > now:
        return latest
    return None


def instant_status(*, user: User) -> InstantQueueEntry:
    """Return the user's latest entry; polling keeps a waiting one alive and retries pairing."""
    entry = InstantQueueEntry.objects.filter(user=user).order_by("-created_at", "-pk").first()
    if entry is None:
        raise ApplicationError(
            "You are not in the instant-match queue.", code="not_queued", status_code=404
        )
    if entry.status == QueueStatus.WAITING:
        now = timezone.now()
        InstantQueueEntry.objects.filter(pk=entry.pk, status=QueueStatus.WAITING).update(
            last_seen_at=now
        )
        entry = instant_try_pair(entry_id=entry.pk) or entry
        entry.refresh_from_db()
    return entry


def instant_leave(*, user: User) -> InstantQueueEntry:
    """Leave the queue; too late if a partner was already found."""
    with transaction.atomic():
        entry = _waiting(user)
        if entry is None:
            raise ApplicationError(
                "You are not waiting for an instant match.", code="not_queued", status_code=404
            )
        entry.status = QueueStatus.LEFT
        entry.save(update_fields=["status"])
    return entry


def instant_sweep(*, now: datetime | None = None) -> int:
    """Expire closed tabs and retry pairing the rest (beat, every few seconds); return pairs."""
    now = now or timezone.now()
    InstantQueueEntry.objects.filter(
        status=QueueStatus.WAITING, last_seen_at__lt=_stale_before(now)
    ).update(status=QueueStatus.EXPIRED)
    paired = 0
    waiting = InstantQueueEntry.objects.filter(status=QueueStatus.WAITING).order_by("created_at")
    for entry_id in list(waiting.values_list("pk", flat=True)):
        entry = instant_try_pair(entry_id=entry_id)
        if entry is not None and entry.status == QueueStatus.MATCHED:
            paired += 1
    return paired


def instant_try_pair(*, entry_id: int) -> InstantQueueEntry | None:
    """Pair a waiting entry with the best fitting partner waiting now; return it if paired."""
    now = timezone.now()
    with transaction.atomic():
        mine = (
            InstantQueueEntry.objects.select_for_update()
            .filter(pk=entry_id, status=QueueStatus.WAITING)
            .first()
        )
        if mine is None:
            return None
        # skip_locked: an entry another attempt holds is being paired already; the next poll
        # sees the outcome instead of two attempts queueing behind each other's locks.
        # Verified emails only: joining refuses the unverified, and this holds even for an
        # entry that joined before its owner's email changed.
        others = list(
            InstantQueueEntry.objects.select_for_update(skip_locked=True)
            .filter(status=QueueStatus.WAITING, last_seen_at__gte=_stale_before(now))
            .filter(email_verified("user"))
            .exclude(user_id=mine.user_id)
            .order_by("created_at")[:200]
        )
        fitting = sorted(
            (other for other in others if _fits(mine, other, now)),
            key=lambda other: _closeness(mine, other),
        )
        for other in fitting:
            interviews = _book(mine, other, now)
            if interviews:
                for entry in (mine, other):
                    entry.status = QueueStatus.MATCHED
                    entry.matched_at = now
                    entry.interview = interviews[0]
                    entry.save(update_fields=["status", "matched_at", "interview"])
                transaction.on_commit(
                    functools.partial(_push, interviews[0], [mine.user_id, other.user_id])
                )
                return mine
    return None


def _push(interview: Interview, user_ids: list[int]) -> None:
    """Tell both people's open sockets (if any) about the match; polling is the fallback."""
    layer = get_channel_layer()
    if layer is None:
        return
    event = {
        "type": "instant.matched",
        "interview_id": interview.pk,
        "join_url": links.room_url(interview),
    }
    for user_id in user_ids:
        try:
            async_to_sync(layer.group_send)(instant_group(user_id), event)
        except Exception:
            # A push that cannot be delivered is not worth failing the match: the poll sees it.
            log.warning("could not push the instant match to user %s", user_id, exc_info=True)


def _book(mine: InstantQueueEntry, other: InstantQueueEntry, now: datetime) -> list[Interview]:
    swap = mine.role == RequestRole.SWAP and other.role == RequestRole.SWAP
    if swap or mine.role == RequestRole.INTERVIEWER or other.role == RequestRole.CANDIDATE:
        leader, follower = mine, other
    else:
        leader, follower = other, mine
    halves = [matching.Half(leader.user_id, follower.user_id, follower.level, follower.domains)]
    if swap:
        halves.append(matching.Half(follower.user_id, leader.user_id, leader.level, leader.domains))
    questions = matching.questions_pick(halves=halves)
    if questions is None:
        # No question either has not seen: they are never paired; each waits for someone else.
        return []
    starts_at = now.replace(second=0, microsecond=0)
    try:
        if swap:
            return swap_book(
                first_interviewer_id=leader.user_id,
                first_candidate_id=follower.user_id,
                first_question=questions[0],
                second_question=questions[1],
                starts_at=starts_at,
                source=InterviewSource.INSTANT,
            )
        return [
            interview_book(
                interviewer_id=leader.user_id,
                candidate_id=follower.user_id,
                question=questions[0],
                starts_at=starts_at,
                source=InterviewSource.INSTANT,
            )
        ]
    except Conflict:
        return []
