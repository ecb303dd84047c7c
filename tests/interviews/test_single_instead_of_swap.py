"""A swap-seeker paired for one interview is told so, in the booking email and on the page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail

from accounts.models import User
from interviews.models import Interview, InterviewRequest
from interviews.services import matching
from tests.interviews.helpers import ClientFor, eager_tasks, window

NOW = datetime(2030, 3, 1, 9, 0, 20, tzinfo=UTC)
EVENING = datetime(2030, 3, 4, 18, 0, tzinfo=UTC)
NOTE = "You asked for a swap, but this is one interview"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def email_to(user: User) -> str:
    (message,) = [m for m in mail.outbox if m.to == [user.email]]
    return str(message.body)


def detail(client_for: ClientFor, user: User, interview: Interview) -> dict[str, object]:
    return client_for(user).get(f"/api/interviews/{interview.pk}/").json()


def pair_now(client_for: ClientFor, waiting: tuple[User, str], joining: tuple[User, str]) -> None:
    """Put one person in the instant queue, then pair the next with them."""
    for user, role in (waiting, joining):
        client_for(user).post("/api/match/instant/", {"role": role}, format="json")


def test_instant_match_tells_the_swap_seeker_that_a_candidate_made_it_one_interview(
    client_for: ClientFor,
    interviewer: User,
    candidate: User,
    django_capture_on_commit_callbacks,
) -> None:
    with eager_tasks(), django_capture_on_commit_callbacks(execute=True):
        pair_now(client_for, (candidate, "candidate"), (interviewer, "swap"))
    interview = Interview.objects.get()
    assert interview.swap_group is None
    assert (interview.interviewer, interview.candidate) == (interviewer, candidate)
    assert NOTE in email_to(interviewer)
    assert "wanted only to be the candidate" in email_to(interviewer)
    assert NOTE not in email_to(candidate)
    assert detail(client_for, interviewer, interview)["single_instead_of_swap"] is True
    assert detail(client_for, candidate, interview)["single_instead_of_swap"] is False


def test_a_matching_run_tells_the_swap_seeker_paired_with_an_interviewer(
    client_for: ClientFor,
    interviewer: User,
    candidate: User,
    django_capture_on_commit_callbacks,
) -> None:
    for user, role in ((interviewer, "interviewer"), (candidate, "swap")):
        InterviewRequest.objects.create(user=user, role=role, level="mid", max_per_week=2)
        window(user, EVENING, hours=3)
    with eager_tasks(), django_capture_on_commit_callbacks(execute=True):
        matching.matching_run(key="single")
    interview = Interview.objects.get()
    assert NOTE in email_to(candidate)
    assert "wanted only to be the interviewer" in email_to(candidate)
    assert NOTE not in email_to(interviewer)
    assert detail(client_for, candidate, interview)["single_instead_of_swap"] is True


def test_two_swap_seekers_who_get_a_swap_are_not_told_otherwise(
    client_for: ClientFor,
    interviewer: User,
    candidate: User,
    django_capture_on_commit_callbacks,
) -> None:
    with eager_tasks(), django_capture_on_commit_callbacks(execute=True):
        pair_now(client_for, (candidate, "swap"), (interviewer, "swap"))
    assert Interview.objects.count() == 2
    assert all(NOTE not in m.body for m in mail.outbox)
    for interview in Interview.objects.all():
        assert detail(client_for, candidate, interview)["single_instead_of_swap"] is False
