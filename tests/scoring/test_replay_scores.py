"""GET /api/interviews/{id}/replay/scores/: the step scores beside the replay, blind release."""

from __future__ import annotations

import pytest

from tests.scoring.conftest import given_feedback, given_scorecard, scorecard_body

pytestmark = pytest.mark.django_db


def scores(client, interview_id: int) -> dict:
    response = client.get(f"/api/interviews/{interview_id}/replay/scores/")
    assert response.status_code == 200, response.content
    return response.json()


def test_the_interviewer_sees_the_scores_they_submitted(client_for, interviewer, candidate) -> None:
    card = given_scorecard(interviewer, candidate, [3, 2, None, 4, 1, 2, 3], days_ago=0.5)
    body = scores(client_for(interviewer), card.interview_id)
    assert (body["state"], body["released_by"]) == ("shown", None)
    assert [(s["step"], s["score"], s["not_reached"]) for s in body["steps"]] == [
        (1, 3, False),
        (2, 2, False),
        (3, None, True),
        (4, 4, False),
        (5, 1, False),
        (6, 2, False),
        (7, 3, False),
    ]


def test_a_draft_is_not_shown_even_to_its_interviewer(
    client_for, interviewer, candidate, interview
) -> None:
    url = f"/api/interviews/{interview.pk}/scorecard/"
    assert client_for(interviewer).put(url, scorecard_body(), format="json").status_code == 200
    body = scores(client_for(interviewer), interview.pk)
    assert (body["state"], body["steps"]) == ("not_submitted", [])
    assert scores(client_for(candidate), interview.pk)["state"] == "hidden"


def test_the_candidate_sees_them_only_once_released(client_for, interviewer, candidate) -> None:
    card = given_scorecard(interviewer, candidate, [3] * 7, days_ago=0.5)
    body = scores(client_for(candidate), card.interview_id)
    # Not told whether the scorecard is in, only when it will be released at the latest.
    assert (body["state"], body["steps"]) == ("hidden", [])
    assert body["released_by"].startswith(str(card.interview.ended_at.year))

    given_feedback(card, {})
    body = scores(client_for(candidate), card.interview_id)
    assert body["state"] == "shown"
    assert [s["score"] for s in body["steps"]] == [3] * 7


def test_the_deadline_releases_them_without_feedback(client_for, interviewer, candidate) -> None:
    card = given_scorecard(interviewer, candidate, [2] * 7, days_ago=3)
    assert scores(client_for(candidate), card.interview_id)["state"] == "shown"


def test_outsiders_and_missing_ids_get_the_same_404(
    client_for, interviewer, candidate, outsider
) -> None:
    card = given_scorecard(interviewer, candidate, [3] * 7, days_ago=3)
    foreign = client_for(outsider).get(f"/api/interviews/{card.interview_id}/replay/scores/")
    missing = client_for(outsider).get("/api/interviews/999999/replay/scores/")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    assert client_for(None).get(
        f"/api/interviews/{card.interview_id}/replay/scores/"
    ).status_code in (401, 403)
