"""The beat schedule names real tasks; erasing an account removes what scheduling published."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from accounts.models import User
from accounts.services import user_erase
from interviews.models import (
    AvailabilityWindow,
    CalendarFeed,
    InstantQueueEntry,
    Interview,
    InterviewRequest,
    InterviewStatus,
    QueueStatus,
    ReliabilityEvent,
    ReliabilityKind,
    RequestStatus,
)
from interviews.services import calendar
from tests.factories import InterviewFactory
from tests.interviews.helpers import ClientFor, window

NOW = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)


def test_every_scheduling_beat_entry_names_a_registered_task() -> None:
    from config.celery_app import app

    app.loader.import_default_modules()
    entries = {
        name: entry
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        if name.startswith("interviews-")
    }
    assert {entry["task"] for entry in entries.values()} == {
        "interviews.match_scheduled",
        "interviews.send_due_reminders",
        "interviews.instant_sweep",
    }
    for entry in entries.values():
        assert entry["task"] in app.tasks


@pytest.mark.django_db
def test_erasing_an_account_withdraws_everything_it_published(
    candidate: User, password: str
) -> None:
    with time_machine.travel(NOW, tick=False):
        window(candidate, datetime(2030, 3, 5, 18, tzinfo=UTC))
        InterviewRequest.objects.create(user=candidate, role="swap", level="mid")
        InstantQueueEntry.objects.create(
            user=candidate, role="swap", level="mid", created_at=NOW, last_seen_at=NOW
        )
        calendar.feed_rotate(user=candidate)
        user_erase(user=candidate, password=password)
    assert not AvailabilityWindow.objects.filter(user=candidate).exists()
    assert not CalendarFeed.objects.filter(user=candidate).exists()
    assert InterviewRequest.objects.get(user=candidate).status == RequestStatus.WITHDRAWN
    assert InstantQueueEntry.objects.get(user=candidate).status == QueueStatus.LEFT


@pytest.mark.django_db
def test_my_standing_shows_late_cancellations_and_the_ledger(
    client_for: ClientFor, candidate: User, interviewer: User
) -> None:
    done = InterviewFactory(
        interviewer=candidate, candidate=interviewer, starts_at=NOW - timedelta(days=5)
    )
    Interview.objects.filter(pk=done.pk).update(status=InterviewStatus.COMPLETED)
    before = client_for(candidate).get("/api/me/scheduling/").json()
    assert before["reliability"] == 1.0
    assert (before["interviews_given"], before["interviews_received"]) == (1, 0)
    ReliabilityEvent.objects.create(
        user=candidate, interview=done, kind=ReliabilityKind.LATE_CANCELLATION, at=timezone.now()
    )
    after = client_for(candidate).get("/api/me/scheduling/").json()
    assert after["reliability"] == pytest.approx(0.85)
    assert after["priority"] < before["priority"]
