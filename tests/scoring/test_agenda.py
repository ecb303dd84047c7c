"""The home page's agenda and the per-interview submission state: what is due, nothing sealed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from interviews.models import InterviewRequest, InterviewStatus
from tests.factories import InterviewFactory
from tests.scoring.conftest import FEEDBACK, held_interview, person, scorecard_body

pytestmark = pytest.mark.django_db


def _agenda(client) -> dict:
    response = client.get("/api/me/agenda/")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_new_user_has_nothing_on_their_agenda(client_for, candidate) -> None:
    assert _agenda(client_for(candidate)) == {
        "upcoming": [],
        "upcoming_count": 0,
        "due": [],
        "open_request": None,
    }


def test_the_agenda_lists_the_next_interviews_soonest_first(
    client_for, interviewer, candidate
) -> None:
    soon = timezone.now() + timedelta(days=1)
    later = InterviewFactory(
        interviewer=interviewer, candidate=candidate, starts_at=soon + timedelta(days=1)
    )
    first = InterviewFactory(interviewer=candidate, candidate=interviewer, starts_at=soon)
    agenda = _agenda(client_for(candidate))
    assert [row["id"] for row in agenda["upcoming"]] == [first.pk, later.pk]
    assert [row["my_role"] for row in agenda["upcoming"]] == ["interviewer", "candidate"]
    assert agenda["upcoming_count"] == 2


def test_each_side_owes_its_own_submission_until_it_is_submitted(
    client_for, interviewer, candidate, interview
) -> None:
    rater, rated = client_for(interviewer), client_for(candidate)
    [due] = _agenda(rater)["due"]
    assert (due["interview"]["id"], due["kind"], due["started"]) == (
        interview.pk,
        "scorecard",
        False,
    )
    assert due["deadline_at"]
    url = f"/api/interviews/{interview.pk}"
    assert rater.put(f"{url}/scorecard/", scorecard_body(), format="json").status_code == 200
    assert _agenda(rater)["due"][0]["started"] is True
    assert rater.post(f"{url}/scorecard/submit/").status_code == 200
    assert _agenda(rater)["due"] == []
    # The candidate still owes their feedback.
    assert [d["kind"] for d in _agenda(rated)["due"]] == ["feedback"]
    rated.put(f"{url}/interviewer-feedback/", FEEDBACK, format="json")
    assert rated.post(f"{url}/interviewer-feedback/submit/").status_code == 200
    assert _agenda(rated)["due"] == []


def test_nothing_is_due_past_the_deadline_or_for_a_cancelled_interview(
    client_for, interviewer, candidate, settings
) -> None:
    held_interview(
        interviewer, candidate, ended_ago=timedelta(hours=settings.SCORECARD_DEADLINE_HOURS + 1)
    )
    held_interview(
        interviewer,
        candidate,
        ended_ago=timedelta(days=3, hours=2),
        status=InterviewStatus.CANCELLED,
    )
    assert _agenda(client_for(interviewer))["due"] == []


def test_the_agenda_shows_the_open_request(client_for, candidate) -> None:
    client = client_for(candidate)
    opened = client.post(
        "/api/interview-requests/", {"role": "candidate", "level": "mid"}, format="json"
    )
    assert opened.status_code == 201
    assert _agenda(client)["open_request"]["id"] == opened.json()["id"]
    InterviewRequest.objects.filter(pk=opened.json()["id"]).update(status="withdrawn")
    assert _agenda(client)["open_request"] is None


def test_the_agenda_costs_the_same_queries_for_two_interviews_as_for_eight(
    client_for, interviewer
) -> None:
    client = client_for(interviewer)

    def fill(n: int, first: int) -> int:
        for index in range(first, first + n):
            partner = person()
            held_interview(interviewer, partner, ended_ago=timedelta(hours=2 * index + 1))
            InterviewFactory(
                interviewer=partner,
                candidate=interviewer,
                starts_at=timezone.now() + timedelta(days=1, hours=index),
            )
        with CaptureQueriesContext(connection) as captured:
            _agenda(client)
        return len(captured.captured_queries)

    few = fill(2, 0)
    many = fill(6, 2)
    agenda = _agenda(client)
    assert len(agenda["due"]) == 8 and agenda["upcoming_count"] == 8
    assert many == few


def test_the_submission_state_says_what_exists_without_an_error(
    client_for, interviewer, candidate, interview
) -> None:
    rater, rated = client_for(interviewer), client_for(candidate)
    url = f"/api/interviews/{interview.pk}"

    def state(client) -> dict:
        response = client.get(f"{url}/submissions/")
        assert response.status_code == 200, response.content
        return response.json()

    assert state(rater) | {"deadline_at": None} == {
        "my_role": "interviewer",
        "kind": "scorecard",
        "deadline_at": None,
        "mine": "not_started",
        "theirs_released": False,
    }
    rater.put(f"{url}/scorecard/", scorecard_body(), format="json")
    assert state(rater)["mine"] == "draft"
    rater.post(f"{url}/scorecard/submit/")
    assert (state(rater)["mine"], state(rated)["theirs_released"]) == ("submitted", False)
    rated.put(f"{url}/interviewer-feedback/", FEEDBACK, format="json")
    rated.post(f"{url}/interviewer-feedback/submit/")
    assert state(rated) | {"deadline_at": None} == {
        "my_role": "candidate",
        "kind": "feedback",
        "deadline_at": None,
        "mine": "submitted",
        "theirs_released": True,
    }
    assert state(rater)["theirs_released"] is True


def test_an_outsider_cannot_see_the_submission_state(client_for, outsider, interview) -> None:
    response = client_for(outsider).get(f"/api/interviews/{interview.pk}/submissions/")
    assert response.status_code == 404
