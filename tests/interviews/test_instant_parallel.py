"""Parallel instant-match joins of one user (a double click) on PostgreSQL: one entry."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import User
from interviews.models import InstantQueueEntry, Interview, QueueStatus
from tests.factories import QuestionFactory, UserFactory

URL = "/api/match/instant/"
CLICKS = 5

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def clicks(user: User, body: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """Send the same join CLICKS times at once, each on its own connection; return the answers."""
    barrier = threading.Barrier(CLICKS)
    answers: list[tuple[int, dict[str, Any]]] = []
    failures: list[BaseException] = []

    def click() -> None:
        client = APIClient(raise_request_exception=False)
        client.force_authenticate(user)
        try:
            barrier.wait()
            response = client.post(URL, body, format="json")
            answers.append((response.status_code, response.json()))
        except BaseException as exc:  # reported below: a thread's exception fails nothing
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(CLICKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    return answers


@pytest.fixture
def bank() -> None:
    # Transactional tests run on an emptied database: the shipped bank may be gone.
    QuestionFactory.create_batch(2)


@pytest.mark.usefixtures("bank")
def test_a_double_click_while_nobody_waits_queues_the_user_once() -> None:
    carl = UserFactory()
    answers = clicks(carl, {"role": "candidate"})
    assert {code for code, _ in answers} <= {200, 201}, answers
    (entry,) = InstantQueueEntry.objects.filter(user=carl)
    assert entry.status == QueueStatus.WAITING
    assert {body["id"] for _, body in answers} == {entry.pk}


@pytest.mark.usefixtures("bank")
def test_a_double_click_when_a_partner_waits_books_one_interview_and_every_answer_says_so() -> None:
    ivy, carl = UserFactory(), UserFactory()
    client = APIClient()
    client.force_authenticate(ivy)
    assert client.post(URL, {"role": "interviewer"}, format="json").json()["status"] == "waiting"
    answers = clicks(carl, {"role": "candidate"})
    assert {code for code, _ in answers} <= {200, 201}, answers
    (interview,) = Interview.objects.all()
    assert {(body["status"], body["interview_id"]) for _, body in answers} == {
        ("matched", interview.pk)
    }
    assert not InstantQueueEntry.objects.filter(user=carl, status=QueueStatus.WAITING).exists()
    polled = APIClient()
    polled.force_authenticate(carl)
    assert polled.get(URL).json()["status"] == "matched"
