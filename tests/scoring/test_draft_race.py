"""Parallel first autosaves of a draft (two tabs, a retry) both succeed and leave one draft."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from scoring.models import InterviewerFeedback, Scorecard
from tests.scoring.conftest import FEEDBACK, held_interview, person, scorecard_body

ATTEMPTS = 8

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _parallel_puts(user: Any, url: str, bodies: list[dict[str, Any]]) -> list[int]:
    """PUT each body from its own thread (own connection, own transaction) at the same moment."""
    barrier = threading.Barrier(len(bodies))
    statuses: list[int] = []

    def put(body: dict[str, Any]) -> None:
        client = APIClient(raise_request_exception=False)
        client.force_authenticate(user)
        try:
            barrier.wait()
            statuses.append(client.put(url, body, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=put, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def test_parallel_first_scorecard_saves_all_succeed_and_leave_one_draft() -> None:
    interviewer, candidate = person(), person()
    interview = held_interview(interviewer, candidate)
    bodies = [scorecard_body(summary=f"Save {index}") for index in range(ATTEMPTS)]
    statuses = _parallel_puts(interviewer, f"/api/interviews/{interview.pk}/scorecard/", bodies)
    assert statuses == [200] * ATTEMPTS
    scorecard = Scorecard.objects.get(interview=interview)
    # The last save to commit wins whole: its summary and exactly its seven steps.
    assert scorecard.summary in {body["summary"] for body in bodies}
    assert scorecard.steps.count() == 7


def test_parallel_first_feedback_saves_all_succeed_and_leave_one_draft() -> None:
    interviewer, candidate = person(), person()
    interview = held_interview(interviewer, candidate)
    bodies = [{**FEEDBACK, "comment": f"Save {index}"} for index in range(ATTEMPTS)]
    url = f"/api/interviews/{interview.pk}/interviewer-feedback/"
    statuses = _parallel_puts(candidate, url, bodies)
    assert statuses == [200] * ATTEMPTS
    feedback = InterviewerFeedback.objects.get(interview=interview)
    assert feedback.comment in {body["comment"] for body in bodies}
