"""Feedback on the interviewer, and blind release between it and the scorecard."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from scoring.models import InterviewerFeedback
from tests.scoring.conftest import FEEDBACK, scorecard_body

pytestmark = pytest.mark.django_db


def feedback_url(interview, suffix: str = "") -> str:
    return f"/api/interviews/{interview.pk}/interviewer-feedback/{suffix}"


def scorecard_url(interview, suffix: str = "") -> str:
    return f"/api/interviews/{interview.pk}/scorecard/{suffix}"


def write_scorecard(client, interview, *, submit: bool = True) -> None:
    assert client.put(scorecard_url(interview), scorecard_body(), format="json").status_code == 200
    if submit:
        assert client.post(scorecard_url(interview, "submit/")).status_code == 200


def write_feedback(client, interview, *, submit: bool = True) -> None:
    assert client.put(feedback_url(interview), FEEDBACK, format="json").status_code == 200
    if submit:
        assert client.post(feedback_url(interview, "submit/")).status_code == 200


@pytest.mark.parametrize(
    ("role", "put", "submit_status"),
    [
        ("candidate", 200, 200),
        ("interviewer", 403, 403),
        ("outsider", 404, 404),
        ("staff", 404, 404),
    ],
)
def test_only_the_candidate_writes_feedback_on_the_interviewer(
    request, client_for, interview, role, put, submit_status
) -> None:
    client = client_for(request.getfixturevalue(role))
    assert client.put(feedback_url(interview), FEEDBACK, format="json").status_code == put
    assert client.post(feedback_url(interview, "submit/")).status_code == submit_status


def test_anonymous_users_cannot_touch_feedback(client_for, interview) -> None:
    client = client_for(None)
    assert client.get(feedback_url(interview)).status_code == 403
    assert client.put(feedback_url(interview), FEEDBACK, format="json").status_code == 403


def test_feedback_is_immutable_once_submitted_and_submission_is_idempotent(
    client_for, interview, candidate
) -> None:
    client = client_for(candidate)
    client.put(feedback_url(interview), FEEDBACK, format="json")
    headers = {"Idempotency-Key": "fb-1"}
    first = client.post(feedback_url(interview, "submit/"), headers=headers)
    retry = client.post(feedback_url(interview, "submit/"), headers=headers)
    assert first.status_code == retry.status_code == 200
    assert first.json() == retry.json()
    assert first.json()["self_assessment"] == {"1": 3, "5": 2}
    changed = client.put(feedback_url(interview), {**FEEDBACK, "usefulness": 1}, format="json")
    assert changed.status_code == 409
    with pytest.raises(IntegrityError), transaction.atomic():
        InterviewerFeedback.objects.update(usefulness=1)
    assert InterviewerFeedback.objects.get().usefulness == 4


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"usefulness": 0}, "usefulness"),
        ({"specificity": 6}, "specificity"),
        ({"self_assessment": {"8": 2}}, "self_assessment"),
        ({"self_assessment": {"2": 5}}, "self_assessment.2"),
        ({"rating": 5}, "rating"),
    ],
)
def test_bad_feedback_is_a_400(client_for, interview, candidate, body, field) -> None:
    response = client_for(candidate).put(feedback_url(interview), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_incomplete_feedback_cannot_be_submitted(client_for, interview, candidate) -> None:
    client = client_for(candidate)
    client.put(feedback_url(interview), {"usefulness": 4}, format="json")
    response = client.post(feedback_url(interview, "submit/"))
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"preparedness"}


# --- rating the scorecard once it is released --------------------------------------------------

CONDUCT = {"preparedness": 4, "comment": "Knew the question well.", "self_assessment": {"1": 3}}


def submit_conduct(client, interview) -> None:
    assert client.put(feedback_url(interview), CONDUCT, format="json").status_code == 200
    assert client.post(feedback_url(interview, "submit/")).status_code == 200


def test_feedback_on_conduct_alone_is_complete_without_rating_an_unseen_scorecard(
    client_for, interview, candidate
) -> None:
    client = client_for(candidate)
    submit_conduct(client, interview)
    body = client.get(feedback_url(interview)).json()
    assert (body["status"], body["usefulness"], body["specificity"]) == ("submitted", None, None)


def test_the_candidate_rates_the_scorecard_once_it_is_released_and_only_once(
    client_for, interview, interviewer, candidate
) -> None:
    client = client_for(candidate)
    ratings = feedback_url(interview, "ratings/")
    early = client.post(ratings, {"usefulness": 5}, format="json")
    assert (early.status_code, early.json()["error"]["code"]) == (409, "feedback_not_submitted")
    submit_conduct(client, interview)
    sealed = client.post(ratings, {"usefulness": 5}, format="json")
    assert (sealed.status_code, sealed.json()["error"]["code"]) == (409, "not_released_yet")

    write_scorecard(client_for(interviewer), interview)
    rated = client.post(ratings, {"usefulness": 5, "specificity": 4}, format="json")
    assert rated.status_code == 200
    assert (rated.json()["usefulness"], rated.json()["specificity"]) == (5, 4)
    again = client.post(ratings, {"usefulness": 1}, format="json")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "already_rated")
    # The interviewer reads the ratings with the rest of the feedback.
    assert client_for(interviewer).get(feedback_url(interview)).json()["usefulness"] == 5


def test_only_the_candidate_rates_the_scorecard(
    client_for, interview, interviewer, candidate
) -> None:
    submit_conduct(client_for(candidate), interview)
    write_scorecard(client_for(interviewer), interview)
    response = client_for(interviewer).post(
        feedback_url(interview, "ratings/"), {"usefulness": 5}, format="json"
    )
    assert (response.status_code, response.json()["error"]["code"]) == (403, "wrong_role")


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "usefulness"), ({"usefulness": 6}, "usefulness"), ({"usefulness": 3, "x": 1}, "x")],
)
def test_bad_ratings_are_a_400(client_for, interview, candidate, body, field) -> None:
    response = client_for(candidate).post(feedback_url(interview, "ratings/"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_the_database_lets_a_submitted_feedback_change_only_by_rating_it_once(
    client_for, interview, candidate
) -> None:
    submit_conduct(client_for(candidate), interview)
    rows = InterviewerFeedback.objects.all()
    changes = {
        "preparedness": 1,
        "comment": "rewritten",
        "self_assessment": {"1": 1},
        "status": "draft",
        "submitted_at": None,
        "created_at": interview.ended_at,
        "interviewer_id": interview.candidate_id,
        "candidate_id": interview.interviewer_id,
    }
    # Every column but the two late ratings (and the bookkeeping ones) is covered here.
    late = {"id", "usefulness", "specificity", "updated_at", "interview"}
    assert {f.name for f in InterviewerFeedback._meta.concrete_fields} - late == {
        name.removesuffix("_id") for name in changes
    }
    for name, value in changes.items():
        with pytest.raises(IntegrityError), transaction.atomic():
            rows.update(**{name: value})
    rows.update(usefulness=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(usefulness=4)
    if connection.vendor == "postgresql":  # SQLite's flush deletes rows, so 0002 allows it
        with pytest.raises(IntegrityError), transaction.atomic():
            rows.delete()
    assert rows.get().usefulness == 3


# --- blind release -----------------------------------------------------------------------------


def test_the_candidate_sees_the_scorecard_only_after_submitting_feedback(
    client_for, interview, interviewer, candidate
) -> None:
    write_scorecard(client_for(interviewer), interview)
    reader = client_for(candidate)
    hidden = reader.get(scorecard_url(interview))
    assert hidden.status_code == 403
    assert hidden.json()["error"]["code"] == "not_released_yet"
    assert reader.get("/api/scorecards/received/").json()["count"] == 0

    write_feedback(reader, interview, submit=False)
    assert reader.get(scorecard_url(interview)).status_code == 403
    reader.post(feedback_url(interview, "submit/"))
    visible = reader.get(scorecard_url(interview))
    assert visible.status_code == 200
    assert visible.json()["steps"][0]["evidence"].startswith("Covered step 1")
    received = reader.get("/api/scorecards/received/").json()
    assert received["count"] == 1
    assert received["results"][0]["interview_id"] == interview.pk


def test_the_interviewer_sees_the_feedback_only_after_submitting_the_scorecard(
    client_for, interview, interviewer, candidate
) -> None:
    write_feedback(client_for(candidate), interview)
    writer = client_for(interviewer)
    assert writer.get(feedback_url(interview)).status_code == 403
    write_scorecard(writer, interview, submit=False)
    assert writer.get(feedback_url(interview)).status_code == 403
    writer.post(scorecard_url(interview, "submit/"))
    visible = writer.get(feedback_url(interview))
    assert visible.status_code == 200
    assert visible.json()["usefulness"] == 4


def test_after_the_deadline_a_submission_is_released_even_if_the_other_side_never_wrote(
    client_for, interview, interviewer, candidate
) -> None:
    write_scorecard(client_for(interviewer), interview)
    reader = client_for(candidate)
    write_feedback(reader, interview, submit=False)
    deadline = interview.ended_at + timedelta(hours=48)
    with time_machine.travel(deadline - timedelta(seconds=1), tick=False):
        assert reader.get(scorecard_url(interview)).status_code == 403
    with time_machine.travel(deadline + timedelta(seconds=1), tick=False):
        assert reader.get(scorecard_url(interview)).status_code == 200
        assert reader.get("/api/scorecards/received/").json()["count"] == 1


def test_a_draft_is_never_shown_to_the_other_side_even_after_the_deadline(
    client_for, interview, interviewer, candidate
) -> None:
    write_scorecard(client_for(interviewer), interview, submit=False)
    write_feedback(client_for(candidate), interview, submit=False)
    with time_machine.travel(interview.ended_at + timedelta(days=10), tick=False):
        assert client_for(candidate).get(scorecard_url(interview)).status_code == 403
        assert client_for(interviewer).get(feedback_url(interview)).status_code == 403
        assert client_for(candidate).get("/api/scorecards/received/").json()["count"] == 0


def test_received_scorecards_are_only_the_users_own(
    client_for, interview, interviewer, candidate, outsider
) -> None:
    write_scorecard(client_for(interviewer), interview)
    write_feedback(client_for(candidate), interview)
    assert client_for(outsider).get("/api/scorecards/received/").json()["count"] == 0
    assert client_for(interviewer).get("/api/scorecards/received/").json()["count"] == 0
    assert client_for(None).get("/api/scorecards/received/").status_code == 403
