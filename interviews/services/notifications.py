"""Emails about interviews, each sent exactly once even when two workers try at the same time.

Before sending, a Notification row is inserted for (interview, user, kind, start time); the
unique constraint lets only one sender win. A failed send deletes its row so a later run
retries. Every time in a message names its zone (the recipient's, plus UTC).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from interviews import selectors, zones
from interviews.links import detail_url, invite_url, room_url
from interviews.models import Interview, InterviewStatus, Notification, NotificationKind
from sevenstep.jobs import enqueue_on_commit

log = logging.getLogger(__name__)

REMINDER_LEADS: dict[str, timedelta] = {
    NotificationKind.REMINDER_24H: timedelta(hours=24),
    NotificationKind.REMINDER_15M: timedelta(minutes=15),
}

SUBJECTS: dict[str, str] = {
    NotificationKind.BOOKED: "Interview booked: {when}",
    NotificationKind.CANCELLED: "Interview cancelled: {when}",
    NotificationKind.RESCHEDULED: "Interview moved to {when}",
    NotificationKind.NO_SHOW: "No-show reported for the interview on {when}",
    NotificationKind.REMINDER_24H: "Tomorrow: interview at {when}",
    NotificationKind.REMINDER_15M: "In 15 minutes: interview at {when}",
}


def notify_on_commit(*, interview_ids: list[int], kind: str) -> None:
    """Queue the email about these interviews (one swap group at most) once the change commits."""
    # Lost if the broker is down then: the change stands, and the reminders still go out.
    enqueue_on_commit("interviews.notify", interview_ids, kind)


def notification_send(*, interview_ids: list[int], kind: str) -> int:
    """Email both participants about the interviews; return how many emails went out."""
    interviews = list(
        Interview.objects.filter(pk__in=interview_ids)
        .select_related(
            "question",
            "interviewer__profile",
            "candidate__profile",
            "cancelled_by__profile",
            "absent_user__profile",
        )
        .order_by("starts_at")
    )
    if not interviews:
        return 0
    first = interviews[0]
    sent = 0
    for user in (first.interviewer, first.candidate):
        if _send_once(interviews, user, kind):
            sent += 1
    return sent


def reminders_send_due(*, now: datetime | None = None) -> int:
    """Send the 24-hour and 15-minute reminders that are due; safe to run concurrently."""
    now = now or timezone.now()
    sent = 0
    earlier_in_swap = Interview.objects.filter(
        swap_group=OuterRef("swap_group"), starts_at__lt=OuterRef("starts_at")
    )
    for kind, lead in REMINDER_LEADS.items():
        due = (
            Interview.objects.filter(
                status=InterviewStatus.SCHEDULED, starts_at__gt=now, starts_at__lte=now + lead
            )
            # Booked or moved inside the lead time: the booking email said it all already.
            .filter(Q(time_set_at__isnull=True) | Q(time_set_at__lte=F("starts_at") - lead))
            # The second half of a swap follows straight on; one reminder covers both.
            .exclude(Exists(earlier_in_swap))
            .order_by("starts_at")
            .values_list("pk", flat=True)
        )
        for interview_id in due:
            sent += notification_send(interview_ids=_swap_of(interview_id), kind=kind)
    return sent


def _swap_of(interview_id: int) -> list[int]:
    group = Interview.objects.filter(pk=interview_id).values_list("swap_group", flat=True).first()
    if group is None:
        return [interview_id]
    return list(Interview.objects.filter(swap_group=group).values_list("pk", flat=True))


def _send_once(interviews: list[Interview], user: User, kind: str) -> bool:
    if not user.is_active:
        return False
    first = interviews[0]
    try:
        with transaction.atomic():
            claim = Notification.objects.create(
                interview=first, user=user, kind=kind, ref=first.starts_at
            )
    except IntegrityError:
        return False
    try:
        _message(interviews, user, kind).send()
    except Exception:
        # Give the claim back so the next run retries instead of silently dropping the email.
        claim.delete()
        log.exception("sending %s about interview %s to user %s failed", kind, first.pk, user.pk)
        raise
    Notification.objects.filter(pk=claim.pk).update(sent_at=timezone.now())
    return True


def _message(interviews: list[Interview], user: User, kind: str) -> EmailMessage:
    zone_name = user.profile.time_zone if hasattr(user, "profile") else "UTC"
    first = interviews[0]
    items = [_item(interview, user, zone_name) for interview in interviews]
    actor: User | None = None
    if kind == NotificationKind.CANCELLED:
        actor = first.cancelled_by
    elif kind == NotificationKind.NO_SHOW and first.absent_user_id is not None:
        reporter_id = first.partner_of(first.absent_user_id)
        actor = first.interviewer if reporter_id == first.interviewer_id else first.candidate
    context = {
        "name": _name(user),
        "items": items,
        "late_hours": settings.SCHEDULING_LATE_CANCEL_HOURS,
        "reason": first.cancel_reason,
        "actor": _name(actor, viewer=user),
        "absent": _name(first.absent_user, viewer=user),
        "is_absent": first.absent_user_id == user.pk,
    }
    body = render_to_string(f"interviews/email/{kind}.txt", context)
    subject = SUBJECTS[kind].format(when=zones.describe(first.starts_at, zone_name))
    return EmailMessage(subject=subject, body=body, to=[user.email])


def _item(interview: Interview, user: User, zone_name: str) -> dict[str, object]:
    mine_to_lead = interview.interviewer_id == user.pk
    partner = interview.candidate if mine_to_lead else interview.interviewer
    ends_local = zones.local(interview.ends_at, zone_name)
    return {
        "title": interview.question.title,
        "starts": zones.describe(interview.starts_at, zone_name),
        "ends_time": f"{ends_local:%H:%M} {ends_local.tzname()}",
        "starts_utc": f"{interview.starts_at.astimezone(zones.zone('UTC')):%H:%M} UTC",
        "role": "the interviewer" if mine_to_lead else "the candidate",
        "partner": _name(partner),
        "join_url": room_url(interview),
        "invite_url": invite_url(interview),
        "detail_url": detail_url(interview),
        "guide_note": _guide_note(interview, user, zone_name) if mine_to_lead else "",
        "swap_note": _swap_note(interview, user, partner),
    }


def _swap_note(interview: Interview, user: User, partner: User) -> str:
    """Tell a swap-seeker paired for a single interview that it is one, and why."""
    if not selectors.asked_for_a_swap(interview=interview, user_id=user.pk):
        return ""
    if selectors.asked_for_a_swap(interview=interview, user_id=partner.pk):
        why = "one of you had room for only one more interview this week"
    else:
        wanted = "interviewer" if interview.interviewer_id == partner.pk else "candidate"
        why = f"{_name(partner)} wanted only to be the {wanted}"
    return f"You asked for a swap, but this is one interview: {why}. There is no second half."


def _guide_note(interview: Interview, user: User, zone_name: str) -> str:
    """Say when the interviewer can read the guide, exactly as the interview page will show it."""
    if interview.status != InterviewStatus.SCHEDULED:
        return ""
    opens = selectors.guide_available_at(interview=interview, user=user)
    if opens is None:
        return ""
    now = timezone.now()
    if now >= interview.room_opens_at or opens >= interview.room_opens_at:
        return (
            "The interviewer guide is beside the notes in the room, from when it opens "
            f"({zones.describe(interview.room_opens_at, zone_name)})."
        )
    if opens <= now:
        return f"The interviewer guide is open to you now to prepare: {detail_url(interview)}"
    return (
        "The interviewer guide opens for you to prepare "
        f"{zones.describe(opens, zone_name)}, on the interview page: {detail_url(interview)}"
    )


def _name(user: User | None, *, viewer: User | None = None) -> str:
    if user is None:
        return "someone"
    if viewer is not None and user.pk == viewer.pk:
        return "you"
    profile = getattr(user, "profile", None)
    return profile.display_name if profile is not None and profile.display_name else "your peer"
