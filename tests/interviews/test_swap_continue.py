"""A swap runs back to back: the second half opens the moment the first half ends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from accounts.models import User
from interviews.models import Interview, InterviewStatus, Seat
from interviews.services import session
from interviews.services.booking import interview_book, swap_book
from sevenstep.errors import Conflict
from tests.factories import InterviewFactory, QuestionFactory

NOW = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)
AT = datetime(2030, 3, 5, 17, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture
def traveller() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def book_swap(interviewer: User, candidate: User) -> list[Interview]:
    return swap_book(
        first_interviewer_id=interviewer.pk,
        first_candidate_id=candidate.pk,
        first_question=QuestionFactory(),
        second_question=QuestionFactory(),
        starts_at=AT,
    )


def run_first_half(
    traveller: time_machine.Traveller, first: Interview, *, minutes: int, start: datetime = AT
) -> Interview:
    traveller.move_to(start)
    session.session_start(interview_id=first.pk, user_id=first.interviewer_id)
    traveller.move_to(start + timedelta(minutes=minutes))
    return session.session_end(interview_id=first.pk, user_id=first.interviewer_id)


def test_ending_the_first_half_early_opens_the_second_half_at_once(
    traveller: time_machine.Traveller, interviewer: User, candidate: User
) -> None:
    first, second = book_swap(interviewer, candidate)
    ended = run_first_half(traveller, first, minutes=20)
    second.refresh_from_db()
    assert second.starts_at == ended.ended_at == AT + timedelta(minutes=20)
    assert second.ends_at == second.starts_at + timedelta(minutes=45)
    assert second.room_opens_at <= ended.ended_at
    assert (second.interviewer, second.candidate) == (candidate, interviewer)
    seats = Seat.objects.filter(interview=second, active=True)
    assert {(s.starts_at, s.ends_at) for s in seats} == {(second.starts_at, second.ends_at)}
    # The new interviewer can start it straight away.
    session.session_start(interview_id=second.pk, user_id=candidate.pk)


def test_either_person_goes_on_to_the_second_half_with_the_roles_swapped(
    traveller: time_machine.Traveller, interviewer: User, candidate: User
) -> None:
    first, second = book_swap(interviewer, candidate)
    run_first_half(traveller, first, minutes=30)
    for user in (interviewer, candidate):
        assert session.swap_continue(interview_id=first.pk, user_id=user.pk).pk == second.pk
    second.refresh_from_db()
    assert second.starts_at == AT + timedelta(minutes=30)
    assert second.question_id != first.question_id


def test_the_second_half_cannot_be_reached_before_the_first_half_ends(
    traveller: time_machine.Traveller, interviewer: User, candidate: User
) -> None:
    first, second = book_swap(interviewer, candidate)
    traveller.move_to(AT)
    session.session_start(interview_id=first.pk, user_id=interviewer.pk)
    with pytest.raises(Conflict) as refused:
        session.swap_continue(interview_id=first.pk, user_id=candidate.pk)
    assert refused.value.code == "first_half_not_ended"
    second.refresh_from_db()
    assert second.starts_at == AT + timedelta(minutes=45)


def test_an_interview_that_is_no_swap_has_no_second_half(
    traveller: time_machine.Traveller, interviewer: User, candidate: User
) -> None:
    single = interview_book(
        interviewer_id=interviewer.pk,
        candidate_id=candidate.pk,
        question=QuestionFactory(),
        starts_at=AT,
    )
    run_first_half(traveller, single, minutes=10)
    with pytest.raises(Conflict) as refused:
        session.swap_continue(interview_id=single.pk, user_id=candidate.pk)
    assert refused.value.code == "no_second_half"


def test_the_second_half_waits_for_another_booking_of_either_person_to_end(
    traveller: time_machine.Traveller, interviewer: User, candidate: User, outsider: User
) -> None:
    first, second = book_swap(interviewer, candidate)
    # The candidate has another interview ending just as the swap was booked to start; the
    # first half started early (the room opens ten minutes before) and ended at once.
    InterviewFactory(
        interviewer=outsider,
        candidate=candidate,
        starts_at=AT - timedelta(minutes=45),
    )
    run_first_half(traveller, first, minutes=2, start=AT - timedelta(minutes=8))
    second.refresh_from_db()
    assert second.starts_at == AT
    assert Seat.objects.filter(interview=second, active=True, starts_at=AT).count() == 2


def test_the_second_half_gets_a_fresh_question_if_its_candidate_saw_its_own_meanwhile(
    traveller: time_machine.Traveller, interviewer: User, candidate: User, outsider: User
) -> None:
    first, second = book_swap(interviewer, candidate)
    # A booking made by hand, outside the pickers: the second half's candidate has since
    # interviewed someone on the second half's question.
    InterviewFactory(
        interviewer=interviewer,
        candidate=outsider,
        question=second.question,
        starts_at=AT - timedelta(days=2),
        status=InterviewStatus.COMPLETED,
    )
    stale = second.question_id
    run_first_half(traveller, first, minutes=25)
    second.refresh_from_db()
    assert second.question_id not in {stale, first.question_id}
    assert second.starts_at == AT + timedelta(minutes=25)


def test_the_continue_api_answers_with_the_open_second_half_and_hides_it_from_others(
    traveller: time_machine.Traveller,
    interviewer: User,
    candidate: User,
    outsider: User,
    client_for,
) -> None:
    first, second = book_swap(interviewer, candidate)
    detail = client_for(candidate).get(f"/api/interviews/{first.pk}/")
    assert detail.json()["second_half"] == second.pk
    run_first_half(traveller, first, minutes=15)
    answer = client_for(candidate).post(f"/api/interviews/{first.pk}/continue/", {}, format="json")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["id"] == second.pk
    assert body["my_role"] == "interviewer"
    assert body["starts_at"] == "2030-03-05T17:15:00Z"
    refused = client_for(outsider).post(f"/api/interviews/{first.pk}/continue/", {}, format="json")
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "not_found"


def test_a_first_half_that_ends_before_its_booked_start_still_leads_to_the_second(
    traveller: time_machine.Traveller, interviewer: User, candidate: User
) -> None:
    first, second = book_swap(interviewer, candidate)
    # The room opens ten minutes early: this first half starts and ends before its slot.
    run_first_half(traveller, first, minutes=3, start=AT - timedelta(minutes=9))
    second.refresh_from_db()
    assert second.starts_at == AT - timedelta(minutes=6)
    assert session.swap_continue(interview_id=first.pk, user_id=candidate.pk).pk == second.pk
