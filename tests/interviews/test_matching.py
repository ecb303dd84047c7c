"""Matching runs against the database: bookings inside availability, idempotent, one at a time."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection

from accounts.models import User
from interviews.models import (
    Interview,
    InterviewRequest,
    InterviewSource,
    InterviewStatus,
    MatchRun,
    MatchRunStatus,
    ReliabilityEvent,
    ReliabilityKind,
    Seat,
)
from interviews.services import matching
from tests.factories import InterviewFactory, QuestionFactory, UserFactory
from tests.interviews.helpers import ClientFor, eager_tasks, window
from tests.support.locks import lock_held_elsewhere

NOW = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)
EVENING = datetime(2030, 3, 4, 18, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def wants(
    user: User,
    role: str,
    *,
    at: datetime = EVENING,
    hours: float = 3,
    level: str = "mid",
    domains: list[str] | None = None,
    max_per_week: int = 1,
) -> User:
    InterviewRequest.objects.create(
        user=user, role=role, level=level, domains=domains or [], max_per_week=max_per_week
    )
    window(user, at, hours=hours)
    return user


def test_a_run_books_a_candidate_with_an_interviewer_inside_both_windows(
    interviewer: User, candidate: User
) -> None:
    wants(interviewer, "interviewer", at=EVENING + timedelta(hours=1))
    wants(candidate, "candidate")
    run = matching.matching_run(key="t1")
    assert run.status == MatchRunStatus.DONE
    assert run.stats["interviews"] == 1
    interview = Interview.objects.get()
    assert (interview.interviewer, interview.candidate) == (interviewer, candidate)
    assert interview.source == InterviewSource.MATCHED and interview.match_run == run
    assert EVENING + timedelta(hours=1) <= interview.starts_at
    assert interview.ends_at <= EVENING + timedelta(hours=3)
    assert Seat.objects.filter(interview=interview, active=True).count() == 2


def test_two_swap_requests_become_a_back_to_back_swap(interviewer: User, candidate: User) -> None:
    wants(interviewer, "swap", max_per_week=2)
    wants(candidate, "swap", max_per_week=2)
    matching.matching_run(key="swap")
    first, second = Interview.objects.order_by("starts_at")
    assert first.swap_group == second.swap_group is not None
    assert (first.interviewer, first.candidate) == (second.candidate, second.interviewer)
    assert second.starts_at == first.ends_at
    assert first.question != second.question


def test_running_again_books_nothing_new(interviewer: User, candidate: User) -> None:
    wants(interviewer, "interviewer", max_per_week=3)
    wants(candidate, "candidate", max_per_week=3)
    first = matching.matching_run(key="a")
    same = matching.matching_run(key="a")
    assert same.pk == first.pk
    later = matching.matching_run(key="b")
    assert later.status == MatchRunStatus.DONE
    assert later.stats["interviews"] == 0
    # The same two people are not paired again inside the no-repeat window.
    assert Interview.objects.count() == 1


def test_a_run_keeps_clear_of_existing_bookings(
    interviewer: User, candidate: User, outsider: User
) -> None:
    wants(interviewer, "interviewer", hours=2)
    # Two a week, since the interview already booked takes one.
    wants(candidate, "candidate", hours=2, max_per_week=2)
    InterviewFactory(interviewer=outsider, candidate=candidate, starts_at=EVENING)
    matching.matching_run(key="busy")
    booked = Interview.objects.get(source=InterviewSource.MATCHED)
    assert booked.starts_at >= EVENING + timedelta(minutes=45)
    assert (
        not Seat.objects.filter(
            user=candidate, active=True, starts_at__lt=booked.ends_at, ends_at__gt=booked.starts_at
        )
        .exclude(interview=booked)
        .exists()
    )


def test_an_interview_on_sunday_counts_against_a_monday_in_the_same_seven_days(
    interviewer: User, candidate: User, outsider: User
) -> None:
    # EVENING is a Monday; the candidate, at most 1 a week, had one the evening before.
    wants(interviewer, "interviewer")
    wants(candidate, "candidate", max_per_week=1)
    InterviewFactory(
        interviewer=outsider, candidate=candidate, starts_at=EVENING - timedelta(days=1)
    )
    run = matching.matching_run(key="rolling")
    assert run.stats["interviews"] == 0
    assert not Interview.objects.filter(source=InterviewSource.MATCHED).exists()


def test_the_candidate_never_gets_a_question_they_had_and_the_interviewer_knows_it(
    interviewer: User, candidate: User, outsider: User
) -> None:
    from interviews.models import Question

    bank = list(Question.objects.order_by("pk"))
    for days_ago, question in enumerate(bank[:-2], start=60):
        old = InterviewFactory(
            interviewer=outsider,
            candidate=candidate,
            question=question,
            starts_at=NOW - timedelta(days=days_ago),
        )
        Interview.objects.filter(pk=old.pk).update(status=InterviewStatus.COMPLETED)
    known = InterviewFactory(
        interviewer=outsider,
        candidate=interviewer,
        question=bank[-1],
        starts_at=NOW - timedelta(days=50),
    )
    Interview.objects.filter(pk=known.pk).update(status=InterviewStatus.COMPLETED)
    wants(interviewer, "interviewer")
    wants(candidate, "candidate")
    matching.matching_run(key="q")
    booked = Interview.objects.get(source=InterviewSource.MATCHED)
    assert booked.question == bank[-1]
    # The preparation view of the guide opens a day ahead, not at booking.
    assert booked.guide_released_at == booked.starts_at - timedelta(hours=24)


def test_an_unreliable_candidate_loses_a_contested_interviewer(interviewer: User) -> None:
    flaky, steady = UserFactory(), UserFactory()
    wants(interviewer, "interviewer")
    wants(flaky, "candidate")
    wants(steady, "candidate")
    missed = InterviewFactory(candidate=flaky, starts_at=NOW - timedelta(days=3))
    ReliabilityEvent.objects.create(
        user=flaky, interview=missed, kind=ReliabilityKind.NO_SHOW, at=NOW - timedelta(days=3)
    )
    matching.matching_run(key="r")
    assert Interview.objects.get(source=InterviewSource.MATCHED).candidate == steady


def test_a_run_does_nothing_while_another_holds_the_lock(
    interviewer: User, candidate: User
) -> None:
    wants(interviewer, "interviewer")
    wants(candidate, "candidate")
    with lock_held_elsewhere(matching.LOCK_NAME):
        blocked = matching.matching_run(key="blocked")
    assert blocked.status == MatchRunStatus.PENDING
    assert not Interview.objects.exists()
    assert matching.matching_run(key="blocked").status == MatchRunStatus.DONE
    assert Interview.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_overlapping_runs_on_postgresql_never_book_anyone_twice() -> None:
    # Transactional tests run on an emptied database: the shipped bank may be gone.
    QuestionFactory.create_batch(4)
    people = [UserFactory() for _ in range(12)]
    for index, person in enumerate(people):
        wants(person, "candidate" if index % 2 else "interviewer", max_per_week=3)
    barrier = threading.Barrier(3)
    results: list[MatchRun] = []
    failures: list[BaseException] = []

    def run(key: str) -> None:
        try:
            barrier.wait()
            results.append(matching.matching_run(key=key))
        except BaseException as exc:  # reported below: a thread's exception fails nothing
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(f"k{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert len(results) == 3
    assert {r.status for r in results} <= {MatchRunStatus.DONE, MatchRunStatus.PENDING}
    assert MatchRunStatus.DONE in {r.status for r in results}
    # Each person holds at most one interview at a time and nobody meets the same partner twice.
    pairs = list(Interview.objects.values_list("interviewer_id", "candidate_id"))
    assert len(pairs) == len({frozenset(p) for p in pairs}) > 0
    for person in people:
        seats = list(Seat.objects.filter(user=person, active=True).order_by("starts_at"))
        for before, after in itertools.pairwise(seats):
            assert before.ends_at <= after.starts_at


def test_staff_start_a_run_on_demand_and_others_may_not(
    client_for: ClientFor,
    interviewer: User,
    candidate: User,
    staff: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    wants(interviewer, "interviewer")
    wants(candidate, "candidate")
    assert client_for(candidate).post("/api/match/runs/", {}, format="json").status_code == 403
    assert client_for(None).post("/api/match/runs/", {}, format="json").status_code == 403
    with eager_tasks(), django_capture_on_commit_callbacks(execute=True):
        response = client_for(staff).post("/api/match/runs/", {}, format="json")
    assert response.status_code == 202, response.json()
    run = MatchRun.objects.get(pk=response.json()["id"])
    assert run.status == MatchRunStatus.DONE and run.stats["interviews"] == 1
    listed = client_for(staff).get("/api/match/runs/").json()
    assert listed["results"][0]["id"] == run.pk
    assert client_for(staff).get(f"/api/match/runs/{run.pk}/").json()["status"] == "done"
    assert (
        client_for(staff).post("/api/match/runs/", {"all": True}, format="json").status_code == 400
    )


def test_the_beat_task_runs_once_per_tick(interviewer: User, candidate: User) -> None:
    from interviews import tasks

    wants(interviewer, "interviewer", max_per_week=3)
    wants(candidate, "candidate", max_per_week=3)
    first = tasks.match_scheduled()
    again = tasks.match_scheduled()
    assert first["run"] == again["run"]
    assert MatchRun.objects.count() == 1


def test_a_user_with_an_unverified_email_is_not_matched_until_they_verify(
    interviewer: User,
) -> None:
    from allauth.account.models import EmailAddress

    unverified = UserFactory(email_verified=False)
    wants(interviewer, "interviewer", at=EVENING + timedelta(hours=1))
    wants(unverified, "candidate")
    assert matching.matching_run(key="unverified").stats["interviews"] == 0
    assert InterviewRequest.objects.get(user=unverified).status == "open"
    EmailAddress.objects.filter(user=unverified).update(verified=True)
    assert matching.matching_run(key="verified").stats["interviews"] == 1
