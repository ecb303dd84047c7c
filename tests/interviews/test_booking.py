"""Booking: both seats or nothing, never two overlapping interviews for anyone."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection

from accounts.models import User
from interviews.models import Interview, InterviewStatus, Seat
from interviews.services.booking import interview_book, swap_book
from interviews.services.lifecycle import interview_cancel
from sevenstep.errors import ApplicationError, Conflict
from tests.factories import InterviewFactory, QuestionFactory, UserFactory
from tests.interviews.helpers import eager_tasks

NOW = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)
AT = datetime(2030, 3, 5, 17, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def test_a_booking_holds_a_seat_for_each_participant(interviewer: User, candidate: User) -> None:
    question = QuestionFactory()
    interview = interview_book(
        interviewer_id=interviewer.pk, candidate_id=candidate.pk, question=question, starts_at=AT
    )
    assert interview.status == InterviewStatus.SCHEDULED
    assert interview.ends_at - interview.starts_at == timedelta(minutes=45)
    seats = {(seat.user_id, seat.role) for seat in interview.seats.all()}
    assert seats == {(interviewer.pk, "interviewer"), (candidate.pk, "candidate")}


def test_the_booking_email_reaches_both_and_names_their_time_zones(
    interviewer: User, candidate: User, django_capture_on_commit_callbacks: Callable
) -> None:
    candidate.profile.time_zone = "Asia/Kolkata"
    candidate.profile.save()
    question = QuestionFactory(title="Design a feed")
    with eager_tasks(), django_capture_on_commit_callbacks(execute=True):
        interview_book(
            interviewer_id=interviewer.pk,
            candidate_id=candidate.pk,
            question=question,
            starts_at=AT,
        )
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {interviewer.email, candidate.email}
    to_candidate = by_recipient[candidate.email]
    assert "Tue 05 Mar 2030, 22:30 IST (Asia/Kolkata)" in to_candidate.subject
    assert "22:30 IST (Asia/Kolkata) to 23:15 IST" in to_candidate.body
    assert "17:00 UTC" in to_candidate.body
    assert "/interviews/" in to_candidate.body and "/room" in to_candidate.body
    assert "Design a feed" in to_candidate.body
    assert "17:00 UTC (UTC)" in by_recipient[interviewer.email].subject
    assert "booked for a mock ML system design interview:" in to_candidate.body
    # Links point at the site's address, whatever host the request or job ran on.
    assert f"{settings.SITE_URL}/interviews/" in to_candidate.body


def test_a_swap_booking_email_counts_its_two_interviews_in_plain_english(
    interviewer: User, candidate: User, django_capture_on_commit_callbacks: Callable, settings
) -> None:
    settings.SITE_URL = "https://practice.example"
    with eager_tasks(), django_capture_on_commit_callbacks(execute=True):
        swap_book(
            first_interviewer_id=interviewer.pk,
            first_candidate_id=candidate.pk,
            first_question=QuestionFactory(),
            second_question=QuestionFactory(),
            starts_at=AT,
        )
    bodies = [str(message.body) for message in mail.outbox if message.to == [candidate.email]]
    assert len(bodies) == 1
    assert "You are booked for 2 mock ML system design interviews:" in bodies[0]
    assert "a mock ML system design interviews" not in bodies[0]
    links = re.findall(r"https?://\S+", bodies[0])
    assert links and all(link.startswith("https://practice.example/") for link in links)


@pytest.mark.parametrize("who", ["interviewer", "candidate"])
def test_nobody_can_hold_two_overlapping_interviews(
    interviewer: User, candidate: User, outsider: User, who: str
) -> None:
    question = QuestionFactory()
    interview_book(
        interviewer_id=interviewer.pk, candidate_id=candidate.pk, question=question, starts_at=AT
    )
    busy = interviewer if who == "interviewer" else candidate
    with pytest.raises(Conflict) as caught:
        interview_book(
            interviewer_id=outsider.pk,
            candidate_id=busy.pk,
            question=question,
            starts_at=AT + timedelta(minutes=30),
        )
    assert caught.value.code == "double_booking"
    assert Interview.objects.count() == 1
    assert Seat.objects.filter(user=outsider).count() == 0


def test_back_to_back_interviews_do_not_overlap(
    interviewer: User, candidate: User, outsider: User
) -> None:
    question = QuestionFactory()
    interview_book(
        interviewer_id=interviewer.pk, candidate_id=candidate.pk, question=question, starts_at=AT
    )
    interview_book(
        interviewer_id=interviewer.pk,
        candidate_id=outsider.pk,
        question=question,
        starts_at=AT + timedelta(minutes=45),
    )
    assert Interview.objects.count() == 2


def test_a_cancelled_interview_frees_its_time(
    interviewer: User, candidate: User, outsider: User
) -> None:
    question = QuestionFactory()
    old = interview_book(
        interviewer_id=interviewer.pk, candidate_id=candidate.pk, question=question, starts_at=AT
    )
    interview_cancel(interview=old, user=candidate, reason="Something came up")
    new = interview_book(
        interviewer_id=interviewer.pk, candidate_id=outsider.pk, question=question, starts_at=AT
    )
    assert new.status == InterviewStatus.SCHEDULED and new.starts_at == old.starts_at
    held = Seat.objects.filter(user=interviewer, active=True).values_list("interview", flat=True)
    assert list(held) == [new.pk]


def test_a_swap_is_two_back_to_back_interviews_with_the_roles_reversed(
    interviewer: User, candidate: User
) -> None:
    first_question, second_question = QuestionFactory(), QuestionFactory()
    first, second = swap_book(
        first_interviewer_id=interviewer.pk,
        first_candidate_id=candidate.pk,
        first_question=first_question,
        second_question=second_question,
        starts_at=AT,
    )
    assert (first.interviewer, first.candidate) == (interviewer, candidate)
    assert (second.interviewer, second.candidate) == (candidate, interviewer)
    assert second.starts_at == first.ends_at
    assert first.swap_group is not None and first.swap_group == second.swap_group
    assert second.question == second_question


def test_a_swap_is_all_or_nothing(interviewer: User, candidate: User, outsider: User) -> None:
    question = QuestionFactory()
    # The candidate is busy during the second half only.
    interview_book(
        interviewer_id=outsider.pk,
        candidate_id=candidate.pk,
        question=question,
        starts_at=AT + timedelta(minutes=60),
    )
    with pytest.raises(Conflict):
        swap_book(
            first_interviewer_id=interviewer.pk,
            first_candidate_id=candidate.pk,
            first_question=question,
            second_question=question,
            starts_at=AT,
        )
    assert Interview.objects.count() == 1


def test_nobody_interviews_themselves_or_books_the_past(interviewer: User) -> None:
    question = QuestionFactory()
    with pytest.raises(ApplicationError):
        interview_book(
            interviewer_id=interviewer.pk,
            candidate_id=interviewer.pk,
            question=question,
            starts_at=AT,
        )
    with pytest.raises(ApplicationError):
        interview_book(
            interviewer_id=interviewer.pk,
            candidate_id=UserFactory().pk,
            question=question,
            starts_at=NOW - timedelta(hours=1),
        )


def test_the_guide_release_is_stored_as_the_start_of_the_preparation_view(
    interviewer: User, candidate: User
) -> None:
    fresh = interview_book(
        interviewer_id=interviewer.pk,
        candidate_id=candidate.pk,
        question=QuestionFactory(),
        starts_at=AT,
    )
    assert fresh.guide_released_at == AT - timedelta(hours=24)


# --- concurrency ----------------------------------------------------------------------


def _race(attempts: int) -> tuple[list[Interview], list[Exception]]:
    """Fire overlapping bookings for the same interviewer from many threads at once."""
    busy = UserFactory()
    others = [UserFactory() for _ in range(attempts)]
    question = QuestionFactory()
    barrier = threading.Barrier(attempts)
    won: list[Interview] = []
    lost: list[Exception] = []

    def attempt(index: int) -> None:
        try:
            barrier.wait()
            won.append(
                interview_book(
                    interviewer_id=busy.pk,
                    candidate_id=others[index].pk,
                    question=question,
                    starts_at=AT + timedelta(minutes=index),
                )
            )
        except Exception as exc:
            lost.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert Seat.objects.filter(user=busy, active=True).count() == len(won)
    return won, lost


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_concurrent_overlapping_bookings_on_postgresql_let_exactly_one_win() -> None:
    won, lost = _race(attempts=16)
    assert len(won) == 1
    assert len(lost) == 15
    assert all(isinstance(exc, Conflict) for exc in lost), lost


@pytest.mark.django_db(transaction=True)
def test_many_concurrent_overlapping_bookings_on_sqlite_let_exactly_one_win() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite variant of the race; PostgreSQL has its own test")
    won, lost = _race(attempts=8)
    assert len(won) == 1
    assert all(isinstance(exc, Conflict) for exc in lost), lost


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_database_itself_refuses_overlapping_seats_on_postgresql(
    interviewer: User, candidate: User, outsider: User
) -> None:
    from django.db import IntegrityError, transaction

    first = InterviewFactory(interviewer=interviewer, candidate=candidate, starts_at=AT)
    second = InterviewFactory.build(interviewer=interviewer, candidate=outsider, starts_at=AT)
    second.question = first.question
    second.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Seat.objects.create(
            interview=second,
            user=interviewer,
            role="interviewer",
            starts_at=AT + timedelta(minutes=10),
            ends_at=AT + timedelta(minutes=55),
        )
