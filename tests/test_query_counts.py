"""Every list endpoint runs a bounded number of SQL queries, whatever the page holds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from interviews.models import InterviewStatus
from interviews.models.scheduling import AvailabilityWindow
from tests.factories import InterviewFactory, QuestionFactory, UserFactory
from tests.scoring.conftest import FEEDBACK, scorecard_body

pytestmark = pytest.mark.django_db


def _windows(user: Any, n: int, first: int) -> None:
    start = (timezone.now() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    for index in range(first, first + n):
        begin = start + timedelta(hours=3 * index)
        AvailabilityWindow.objects.create(
            user=user, starts_at=begin, ends_at=begin + timedelta(hours=2), time_zone="UTC"
        )


def _interviews(user: Any, n: int, first: int) -> None:
    start = timezone.now() + timedelta(days=1)
    for index in range(first, first + n):
        partner = UserFactory()
        begin = start + timedelta(hours=index)
        if index % 2:
            InterviewFactory(interviewer=user, candidate=partner, starts_at=begin)
        else:
            InterviewFactory(interviewer=partner, candidate=user, starts_at=begin)


def _questions(user: Any, n: int, first: int) -> None:
    QuestionFactory.create_batch(n)


def _received(user: Any, n: int, first: int) -> None:
    from rest_framework.test import APIClient

    for index in range(first, first + n):
        rater = UserFactory()
        begin = timezone.now() - timedelta(hours=index + 1, minutes=45)
        interview = InterviewFactory(
            interviewer=rater,
            candidate=user,
            starts_at=begin,
            status=InterviewStatus.COMPLETED,
            started_at=begin,
            ended_at=begin + timedelta(minutes=45),
        )
        url = f"/api/interviews/{interview.pk}"
        writer, reader = APIClient(), APIClient()
        writer.force_authenticate(rater)
        reader.force_authenticate(user)
        assert writer.put(f"{url}/scorecard/", scorecard_body(), format="json").status_code == 200
        assert writer.post(f"{url}/scorecard/submit/").status_code == 200
        reader.put(f"{url}/interviewer-feedback/", FEEDBACK, format="json")
        assert reader.post(f"{url}/interviewer-feedback/submit/").status_code == 200


LISTS: dict[str, Callable[[Any, int, int], None]] = {
    "/api/availability/": _windows,
    "/api/interviews/": _interviews,
    "/api/questions/": _questions,
    "/api/scorecards/received/": _received,
}


def _queries(client: Any, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries)


@pytest.mark.parametrize("path", list(LISTS))
def test_a_list_costs_the_same_queries_for_two_items_as_for_eight(client_for, path: str) -> None:
    user = UserFactory()
    client = client_for(user)
    fill = LISTS[path]
    fill(user, 2, 0)
    few = _queries(client, path)
    fill(user, 6, 2)
    many = _queries(client, path)
    assert client.get(path).json()["count"] >= 8
    assert many == few, f"{path}: {few} queries for 2 items, {many} for 8"
