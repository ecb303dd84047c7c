"""Rescheduling offers the times both people are free, and any of them is accepted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine

from accounts.models import User
from interviews.services.booking import interview_book, swap_book
from tests.factories import InterviewFactory, QuestionFactory
from tests.interviews.helpers import ClientFor, window

NOW = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)
BOOKED = datetime(2030, 3, 2, 10, 0, tzinfo=UTC)
DAY = datetime(2030, 3, 5, 0, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def free_times(client_for: ClientFor, user: User, interview_id: int) -> list[dict[str, str]]:
    response = client_for(user).get(f"/api/interviews/{interview_id}/free-times/")
    assert response.status_code == 200, response.content
    return response.json()["times"]


def test_the_free_times_are_where_both_windows_meet_clear_of_other_bookings(
    client_for: ClientFor, interviewer: User, candidate: User, outsider: User
) -> None:
    interview = interview_book(
        interviewer_id=interviewer.pk,
        candidate_id=candidate.pk,
        question=QuestionFactory(),
        starts_at=BOOKED,
    )
    window(interviewer, DAY.replace(hour=17), hours=5)  # 17:00-22:00
    window(candidate, DAY.replace(hour=18), hours=5)  # 18:00-23:00
    window(candidate, DAY.replace(hour=9), hours=2)  # the interviewer is not free then
    # The candidate is busy 19:30-20:15; 18:00-19:30 and 20:15-22:00 are left.
    InterviewFactory(
        interviewer=outsider, candidate=candidate, starts_at=DAY.replace(hour=19, minute=30)
    )
    times = free_times(client_for, candidate, interview.pk)
    assert times == [
        {
            "starts_at": "2030-03-05T18:00:00Z",
            "ends_at": "2030-03-05T19:30:00Z",
            "latest_start": "2030-03-05T18:45:00Z",
        },
        {
            "starts_at": "2030-03-05T20:15:00Z",
            "ends_at": "2030-03-05T22:00:00Z",
            "latest_start": "2030-03-05T21:15:00Z",
        },
    ]
    # The latest start offered is accepted.
    moved = client_for(candidate).post(
        f"/api/interviews/{interview.pk}/reschedule/",
        {"starts_at": times[1]["latest_start"]},
        format="json",
    )
    assert moved.status_code == 200, moved.json()


def test_a_swap_needs_room_for_both_halves(
    client_for: ClientFor, interviewer: User, candidate: User
) -> None:
    first, _ = swap_book(
        first_interviewer_id=interviewer.pk,
        first_candidate_id=candidate.pk,
        first_question=QuestionFactory(),
        second_question=QuestionFactory(),
        starts_at=BOOKED,
    )
    window(interviewer, DAY.replace(hour=18), hours=1)  # too short for 90 minutes
    window(candidate, DAY.replace(hour=18), hours=1)
    window(interviewer, DAY.replace(hour=20), hours=2)
    window(candidate, DAY.replace(hour=20), hours=2)
    times = free_times(client_for, interviewer, first.pk)
    assert [(t["starts_at"], t["latest_start"]) for t in times] == [
        ("2030-03-05T20:00:00Z", "2030-03-05T20:30:00Z")
    ]


def test_only_the_participants_see_when_both_are_free(
    client_for: ClientFor, interviewer: User, candidate: User, outsider: User
) -> None:
    interview = InterviewFactory(interviewer=interviewer, candidate=candidate, starts_at=BOOKED)
    refused = client_for(outsider).get(f"/api/interviews/{interview.pk}/free-times/")
    assert refused.status_code == 404
