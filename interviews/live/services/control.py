"""What both screens hear on the control channel: call events, and the state after a change."""

from __future__ import annotations

import functools
import logging
from datetime import datetime

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from interviews.live import selectors
from interviews.live.layout import control_group
from interviews.models import Interview, TimelineEvent, TimelineKind
from interviews.models.sessions import ACTIVE_STATUSES, CALL_KINDS

log = logging.getLogger(__name__)


def call_event_record(
    *, interview_id: int, user_id: int, kind: TimelineKind, now: datetime | None = None
) -> bool:
    """Record a participant joining, leaving or (un)muting the call; say whether it was.

    Only while the room is open, and at most CALL_MAX_TIMELINE_EVENTS per participant: each
    event is a replay moment, and a client flapping its microphone must not grow the replay.
    Past the cap the call goes on unrecorded. Both screens hear of it after the commit.
    """
    assert kind in CALL_KINDS
    now = now or timezone.now()
    with transaction.atomic():
        # The row lock orders concurrent events of one interview, so the cap holds exactly.
        interview = Interview.objects.select_for_update().filter(pk=interview_id).first()
        if interview is None or interview.status not in ACTIVE_STATUSES:
            return False
        if not interview.is_participant(user_id):
            return False
        recorded = TimelineEvent.objects.filter(
            interview=interview, actor_id=user_id, kind__in=CALL_KINDS
        ).count()
        if recorded >= settings.CALL_MAX_TIMELINE_EVENTS:
            return False
        TimelineEvent.objects.create(interview=interview, kind=kind, at=now, actor_id=user_id)
        transaction.on_commit(functools.partial(control_notify, interview_id=interview.pk))
    return True


def control_notify(*, interview_id: int) -> None:
    """Send the interview's session state to its control sockets in every process."""
    layer = get_channel_layer()
    if layer is None:
        return
    state = selectors.session_snapshot(interview_id=interview_id)
    try:
        async_to_sync(layer.group_send)(
            control_group(interview_id), {"type": "control.changed", "state": state}
        )
    except Exception:
        # The change is committed; a socket that missed it sees it on its next state message.
        log.warning("live: could not broadcast interview %s's state", interview_id, exc_info=True)
