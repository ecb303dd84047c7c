"""Scorecards: who writes them and when, drafts, submission, immutability, idempotency."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from interviews.models import InterviewStatus
from scoring.models import Scorecard, StepScore
from sevenstep.errors import Conflict
from tests.factories import InterviewFactory
from tests.scoring.conftest import held_interview, scorecard_body

pytestmark = pytest.mark.django_db


def url(interview, suffix: str = "") -> str:
    return f"/api/interviews/{interview.pk}/scorecard/{suffix}"


def save(client, interview, **overrides):
    return client.put(url(interview), scorecard_body(**overrides), format="json")


def submit(client, interview, key: str | None = None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(url(interview, "submit/"), headers=headers)


def error(response) -> dict:
    return response.json()["error"]


# --- who may write and read -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "put", "submit_status", "get_before_release"),
    [
        ("interviewer", 200, 200, 200),
        ("candidate", 403, 403, 403),
        ("outsider", 404, 404, 404),
        ("staff", 404, 404, 404),
        ("anonymous", 403, 403, 403),
    ],
)
def test_only_the_interviewer_writes_the_scorecard_and_the_candidate_waits_for_release(
    request, client_for, interview, interviewer, role, put, submit_status, get_before_release
) -> None:
    assert save(client_for(interviewer), interview).status_code == 200
    user = None if role == "anonymous" else request.getfixturevalue(role)
    client = client_for(user)
    # Without an account either refusal is right (no session: 403 from DRF, 401 from a scheme).
    also = {401} if user is None else set()
    assert save(client, interview).status_code in {put} | also
    assert client.get(url(interview)).status_code in {get_before_release} | also
    assert submit(client, interview).status_code in {submit_status} | also


def test_the_candidate_is_told_why_they_cannot_write_the_scorecard(
    client_for, interview, candidate
) -> None:
    response = save(client_for(candidate), interview)
    assert error(response)["code"] == "wrong_role"
    assert not Scorecard.objects.exists()


def test_the_interviewer_gets_a_clear_404_before_the_first_save(
    client_for, interview, interviewer
) -> None:
    response = client_for(interviewer).get(url(interview))
    assert response.status_code == 404
    assert error(response)["code"] == "scorecard_not_started"


def test_an_unknown_interview_is_not_found(client_for, interviewer) -> None:
    client = client_for(interviewer)
    response = client.put("/api/interviews/987654/scorecard/", scorecard_body(), format="json")
    assert response.status_code == 404


# --- when -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status", [InterviewStatus.SCHEDULED, InterviewStatus.CANCELLED, InterviewStatus.NO_SHOW]
)
def test_no_scorecard_before_the_interview_started(
    client_for, interviewer, candidate, status
) -> None:
    interview = InterviewFactory(interviewer=interviewer, candidate=candidate, status=status)
    response = save(client_for(interviewer), interview)
    assert response.status_code == 409
    assert error(response)["code"] == "interview_not_started"


def test_a_draft_can_be_saved_while_the_interview_is_live(
    client_for, live_interview, interviewer
) -> None:
    response = save(client_for(interviewer), live_interview)
    assert response.status_code == 200
    assert response.json()["status"] == "draft"


def test_nothing_can_be_written_after_the_deadline(client_for, interview, interviewer) -> None:
    client = client_for(interviewer)
    assert save(client, interview).status_code == 200
    deadline = interview.ended_at + timedelta(hours=48)
    with time_machine.travel(deadline - timedelta(minutes=1), tick=False):
        assert save(client, interview).status_code == 200
    with time_machine.travel(deadline + timedelta(seconds=1), tick=False):
        late = submit(client, interview)
        assert late.status_code == 409
        assert error(late)["code"] == "deadline_passed"
        assert save(client, interview).status_code == 409
    assert Scorecard.objects.get().status == "draft"


def test_the_deadline_is_configurable(settings, client_for, interview, interviewer) -> None:
    settings.SCORECARD_DEADLINE_HOURS = 1
    client = client_for(interviewer)
    assert save(client, interview).status_code == 200
    with time_machine.travel(interview.ended_at + timedelta(hours=1, seconds=1), tick=False):
        assert error(submit(client, interview))["code"] == "deadline_passed"


# --- drafts and submission --------------------------------------------------------------------


def test_autosave_replaces_the_draft_and_submission_freezes_it(
    client_for, interview, interviewer
) -> None:
    client = client_for(interviewer)
    first = save(client, interview, steps=[{"step": 1, "score": 2, "evidence": "Rushed."}])
    assert [row["step"] for row in first.json()["steps"]] == [1]
    second = save(client, interview)
    assert second.status_code == 200
    assert len(second.json()["steps"]) == 7
    assert Scorecard.objects.count() == 1

    done = submit(client, interview)
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == "submitted"
    assert body["submitted_at"]
    assert body["weighted_score"] == 3.0
    after = save(client, interview, summary="changed my mind")
    assert after.status_code == 409
    assert error(after)["code"] == "immutable"
    assert Scorecard.objects.get().summary == "Solid structure; needs an online metric."


def test_steps_not_reached_are_recorded_as_not_reached_not_as_one(
    client_for, interview, interviewer
) -> None:
    steps = [
        *scorecard_body()["steps"][:5],
        {"step": 6, "not_reached": True},
        {"step": 7, "not_reached": True},
    ]
    client = client_for(interviewer)
    save(client, interview, steps=steps)
    assert submit(client, interview).status_code == 200
    rows = {row.step: row for row in StepScore.objects.all()}
    assert rows[6].not_reached and rows[6].score is None
    assert rows[7].not_reached and rows[7].score is None
    assert rows[5].score == 3


def test_an_incomplete_scorecard_cannot_be_submitted(client_for, interview, interviewer) -> None:
    client = client_for(interviewer)
    steps = scorecard_body()["steps"][:6]
    steps[2] = {"step": 3, "score": 2, "evidence": "  "}
    save(client, interview, steps=steps, recommendation=None)
    response = submit(client, interview)
    assert response.status_code == 400
    fields = error(response)["fields"]
    assert set(fields) == {"steps.3", "steps.7", "recommendation"}
    assert Scorecard.objects.get().status == "draft"


def test_submitting_without_a_draft_is_a_conflict(client_for, interview, interviewer) -> None:
    response = submit(client_for(interviewer), interview)
    assert response.status_code == 409
    assert error(response)["code"] == "scorecard_not_started"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"steps": [{"step": 1, "score": 0}]}, "steps.0.score"),
        ({"steps": [{"step": 1, "score": 5}]}, "steps.0.score"),
        ({"steps": [{"step": 8, "score": 3}]}, "steps.0.step"),
        ({"steps": [{"step": "clarify", "score": 3}]}, "steps.0.step"),
        ({"steps": [{"step": 6, "score": 2, "not_reached": True}]}, "steps.0.score"),
        ({"steps": [{"step": 2, "score": 2}, {"step": 2, "score": 3}]}, "steps"),
        ({"pitfalls": ["forgot_to_smile"]}, "pitfalls.0"),
        ({"recommendation": "maybe"}, "recommendation"),
        ({"pass_level": "principal"}, "pass_level"),
        ({"communication_score": 7}, "communication_score"),
        ({"rubric_version": 2}, "rubric_version"),
        ({"shoe_size": 44}, "shoe_size"),
        ({"steps": [{"step": 1, "score": 3, "weight": 2}]}, "steps.0.weight"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    client_for, interview, interviewer, overrides, field
) -> None:
    response = save(client_for(interviewer), interview, **overrides)
    assert response.status_code == 400
    assert field in error(response)["fields"]
    assert not StepScore.objects.exists()


def test_a_moment_must_point_inside_the_session(client_for, interview, interviewer) -> None:
    inside = (interview.started_at + timedelta(minutes=3)).isoformat()
    before = (interview.started_at - timedelta(hours=2)).isoformat()
    step = {"step": 1, "score": 2, "evidence": "No scale numbers."}
    client = client_for(interviewer)
    ok = save(client, interview, steps=[{**step, "moments": [{"at": inside, "label": "scale"}]}])
    assert ok.status_code == 200
    assert ok.json()["steps"][0]["moments"][0]["label"] == "scale"
    bad = save(client, interview, steps=[{**step, "moments": [{"at": before}]}])
    assert bad.status_code == 400
    assert "steps.0.moments" in error(bad)["fields"]


def test_a_pitfall_tag_must_exist_in_the_scorecards_rubric(
    client_for, interview, interviewer
) -> None:
    from scoring.models import RubricPitfall

    RubricPitfall.objects.filter(tag="no_tradeoffs").delete()
    response = save(client_for(interviewer), interview, pitfalls=["no_tradeoffs"])
    assert response.status_code == 400
    assert "pitfalls" in error(response)["fields"]


# --- idempotency ------------------------------------------------------------------------------


def test_a_retried_submission_with_the_same_key_returns_the_same_result(
    client_for, interview, interviewer
) -> None:
    client = client_for(interviewer)
    save(client, interview)
    first = submit(client, interview, key="6f1c5c1e-submit")
    retry = submit(client, interview, key="6f1c5c1e-submit")
    assert first.status_code == retry.status_code == 200
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert Scorecard.objects.filter(status="submitted").count() == 1

    without_key = submit(client, interview)
    assert without_key.status_code == 409
    assert error(without_key)["code"] == "already_submitted"


def test_a_key_reused_for_another_request_is_refused(client_for, interviewer, candidate) -> None:
    first = held_interview(interviewer, candidate)
    second = held_interview(interviewer, candidate, ended_ago=timedelta(hours=2))
    client = client_for(interviewer)
    save(client, first)
    save(client, second)
    assert submit(client, first, key="same-key").status_code == 200
    reused = submit(client, second, key="same-key")
    assert reused.status_code == 422
    assert error(reused)["code"] == "idempotency_key_reused"
    assert Scorecard.objects.get(interview=second).status == "draft"


def test_a_failed_submission_does_not_burn_the_key(client_for, interview, interviewer) -> None:
    client = client_for(interviewer)
    save(client, interview, recommendation=None)
    assert submit(client, interview, key="k-1").status_code == 400
    save(client, interview)
    assert submit(client, interview, key="k-1").status_code == 200


# --- invariants in the database --------------------------------------------------------------


def _submitted(client_for, interview, interviewer) -> Scorecard:
    client = client_for(interviewer)
    save(client, interview)
    assert submit(client, interview).status_code == 200
    return Scorecard.objects.get(interview=interview)


def test_a_submitted_scorecard_cannot_be_changed_through_the_orm(
    client_for, interview, interviewer
) -> None:
    scorecard = _submitted(client_for, interview, interviewer)
    scorecard.summary = "rewritten"
    with pytest.raises(Conflict):
        scorecard.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Scorecard.objects.filter(pk=scorecard.pk).update(summary="rewritten")
    with pytest.raises(IntegrityError), transaction.atomic():
        Scorecard.objects.filter(pk=scorecard.pk).update(status="draft")
    with pytest.raises(IntegrityError), transaction.atomic():
        StepScore.objects.filter(scorecard=scorecard, step=4).update(score=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        StepScore.objects.filter(scorecard=scorecard, step=4).delete()
        StepScore.objects.create(scorecard=scorecard, step=4, score=1)
    with pytest.raises(Conflict):
        scorecard.delete()
    scorecard.refresh_from_db()
    assert scorecard.summary == "Solid structure; needs an online metric."
    assert list(scorecard.steps.values_list("score", flat=True)) == [3] * 7


@pytest.mark.postgres
def test_postgres_refuses_to_delete_a_submitted_scorecard_even_with_raw_sql(
    client_for, interview, interviewer
) -> None:
    scorecard = _submitted(client_for, interview, interviewer)
    for sql in (
        "DELETE FROM scoring_stepscore WHERE scorecard_id = %s",
        "DELETE FROM scoring_scorecard WHERE id = %s",
    ):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [scorecard.pk])
    assert StepScore.objects.filter(scorecard=scorecard).count() == 7


def test_there_is_one_scorecard_per_interview(client_for, interview, interviewer) -> None:
    first = _submitted(client_for, interview, interviewer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Scorecard.objects.create(
            interview=interview,
            rubric=first.rubric,
            interviewer=first.interviewer,
            candidate=first.candidate,
        )
