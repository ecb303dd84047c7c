"""Reminders 24 hours and 15 minutes before: each sent exactly once, times with their zone."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection

from accounts.models import User
from interviews.models import Interview, Notification, NotificationKind
from interviews.services import notifications
from interviews.services.booking import interview_book, swap_book
from interviews.services.lifecycle import interview_cancel, interview_reschedule
from tests.factories import QuestionFactory, UserFactory
from tests.interviews.helpers import window

NOW = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)
AT = datetime(2030, 3, 5, 17, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


@pytest.fixture
def booked(interviewer: User, candidate: User) -> Interview:
    candidate.profile.time_zone = "Europe/Berlin"
    candidate.profile.save()
    return interview_book(
        interviewer_id=interviewer.pk,
        candidate_id=candidate.pk,
        question=QuestionFactory(title="Design a feed"),
        starts_at=AT,
    )


def reminders(kind: str) -> list[mail.EmailMessage]:
    prefix = "Tomorrow" if kind == NotificationKind.REMINDER_24H else "In 15 minutes"
    return [m for m in mail.outbox if m.subject.startswith(prefix)]


def test_nothing_is_due_days_ahead(booked: Interview) -> None:
    assert notifications.reminders_send_due() == 0


def test_the_day_before_each_participant_gets_one_reminder_however_often_the_job_runs(
    booked: Interview, interviewer: User, candidate: User, clock: time_machine.Traveller
) -> None:
    clock.move_to(AT - timedelta(hours=23, minutes=59))
    assert notifications.reminders_send_due() == 2
    assert notifications.reminders_send_due() == 0
    clock.move_to(AT - timedelta(hours=3))
    assert notifications.reminders_send_due() == 0
    sent = reminders(NotificationKind.REMINDER_24H)
    assert sorted(m.to[0] for m in sent) == sorted([interviewer.email, candidate.email])
    to_candidate = next(m for m in sent if m.to[0] == candidate.email)
    assert "Tue 05 Mar 2030, 18:00 CET (Europe/Berlin)" in to_candidate.subject
    assert "18:00 CET (Europe/Berlin) to 18:45 CET" in to_candidate.body
    assert "17:00 UTC" in to_candidate.body


def test_fifteen_minutes_before_comes_a_second_reminder_once(
    booked: Interview, clock: time_machine.Traveller
) -> None:
    clock.move_to(AT - timedelta(hours=20))
    notifications.reminders_send_due()
    clock.move_to(AT - timedelta(minutes=14))
    assert notifications.reminders_send_due() == 2
    assert notifications.reminders_send_due() == 0
    sent = reminders(NotificationKind.REMINDER_15M)
    assert len(sent) == 2
    assert {m.subject.rsplit("(", 1)[1] for m in sent} == {"UTC)", "Europe/Berlin)"}


def test_an_interview_booked_inside_the_day_gets_no_day_before_reminder(
    interviewer: User, candidate: User, clock: time_machine.Traveller
) -> None:
    clock.move_to(AT - timedelta(hours=5))
    interview_book(
        interviewer_id=interviewer.pk,
        candidate_id=candidate.pk,
        question=QuestionFactory(),
        starts_at=AT,
    )
    assert notifications.reminders_send_due() == 0
    clock.move_to(AT - timedelta(minutes=10))
    assert notifications.reminders_send_due() == 2


def test_a_cancelled_interview_gets_no_reminders(
    booked: Interview, interviewer: User, clock: time_machine.Traveller
) -> None:
    interview_cancel(interview=booked, user=interviewer, reason="Sorry")
    clock.move_to(AT - timedelta(minutes=10))
    assert notifications.reminders_send_due() == 0


def test_a_rescheduled_interview_is_reminded_again_for_its_new_time(
    booked: Interview, interviewer: User, candidate: User, clock: time_machine.Traveller
) -> None:
    clock.move_to(AT - timedelta(hours=23))
    assert notifications.reminders_send_due() == 2
    window(interviewer, AT + timedelta(days=2), hours=2)
    interview_reschedule(interview=booked, user=candidate, starts_at=AT + timedelta(days=2))
    clock.move_to(AT + timedelta(days=1, hours=1))
    assert notifications.reminders_send_due() == 2
    assert Notification.objects.filter(kind=NotificationKind.REMINDER_24H).count() == 4


def test_a_swap_gets_one_reminder_for_both_halves(
    interviewer: User, candidate: User, clock: time_machine.Traveller
) -> None:
    swap_book(
        first_interviewer_id=interviewer.pk,
        first_candidate_id=candidate.pk,
        first_question=QuestionFactory(),
        second_question=QuestionFactory(),
        starts_at=AT,
    )
    clock.move_to(AT - timedelta(hours=23))
    assert notifications.reminders_send_due() == 2
    body = reminders(NotificationKind.REMINDER_24H)[0].body
    assert body.count("Join:") == 2


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages: object) -> int:
        raise ConnectionError("the mail server is away")


def test_a_failed_send_is_retried_by_the_next_run(
    booked: Interview, clock: time_machine.Traveller, settings: object
) -> None:
    clock.move_to(AT - timedelta(hours=23))
    settings.EMAIL_BACKEND = "tests.interviews.test_reminders.FailingBackend"  # type: ignore[attr-defined]
    with pytest.raises(ConnectionError):
        notifications.reminders_send_due()
    assert not Notification.objects.filter(kind=NotificationKind.REMINDER_24H).exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # type: ignore[attr-defined]
    assert notifications.reminders_send_due() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_reminder_jobs_on_postgresql_send_each_reminder_once(
    clock: time_machine.Traveller,
) -> None:
    people = [UserFactory() for _ in range(8)]
    question = QuestionFactory()
    for index in range(0, 8, 2):
        interview_book(
            interviewer_id=people[index].pk,
            candidate_id=people[index + 1].pk,
            question=question,
            starts_at=AT + timedelta(minutes=index),
        )
    clock.move_to(AT - timedelta(hours=23))
    mail.outbox.clear()
    barrier = threading.Barrier(6)
    counts: list[int] = []

    def job() -> None:
        try:
            barrier.wait()
            counts.append(notifications.reminders_send_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=job) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(counts) == 8
    assert sorted(m.to[0] for m in reminders(NotificationKind.REMINDER_24H)) == sorted(
        p.email for p in people
    )
