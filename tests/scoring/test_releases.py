"""Scorecards released by their deadline reach the candidate's report soon, not at night."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from scoring.models import Report, ReportState
from scoring.services.nightly import reports_rebuild_all
from scoring.services.reports import report_update, reports_request_released
from tests.scoring.conftest import given_feedback, given_scorecard, person

pytestmark = pytest.mark.django_db


def requested(user) -> int:
    state = ReportState.objects.filter(user=user).first()
    return state.requested_version if state else 0


def test_a_scorecard_released_by_its_deadline_requests_the_candidates_update(
    django_capture_on_commit_callbacks, candidate, interviewer
) -> None:
    given_scorecard(interviewer, candidate, [3] * 7, days_ago=1.5)  # deadline in half a day
    assert reports_request_released() == 0

    with time_machine.travel(timezone.now() + timedelta(days=1), tick=False) as clock:
        with django_capture_on_commit_callbacks() as enqueued:
            assert reports_request_released() == 1
        assert len(enqueued) == 1  # the debounced update job
        assert requested(candidate) == 1
        clock.shift(timedelta(minutes=5))
        assert reports_request_released() == 0  # asked already

        assert report_update(user_id=candidate.pk) is True
    assert Report.objects.get(user=candidate).n_scorecards == 1


def test_scorecards_released_by_feedback_or_seen_by_the_last_rebuild_ask_nothing(
    candidate, interviewer
) -> None:
    outsider = person()
    answered = given_scorecard(interviewer, candidate, [3] * 7, days_ago=5)
    given_feedback(answered, {})  # its submission asked for the update then
    given_scorecard(interviewer, outsider, [3] * 7, days_ago=4)  # released 2 days ago
    reports_rebuild_all()  # which saw it
    assert reports_request_released() == 0
    assert requested(candidate) == requested(outsider) == 0

    given_scorecard(interviewer, outsider, [2] * 7, days_ago=1.9)
    with time_machine.travel(timezone.now() + timedelta(hours=3), tick=False):
        assert reports_request_released() == 1
    assert requested(outsider) == 1


def test_erased_candidates_are_not_asked_for(candidate, interviewer) -> None:
    given_scorecard(interviewer, candidate, [3] * 7, days_ago=3)
    type(candidate).objects.filter(pk=candidate.pk).update(is_active=False)
    assert reports_request_released() == 0


def test_the_release_job_is_a_registered_task_that_acks_late() -> None:
    from config.celery_app import app

    app.loader.import_default_modules()
    task = app.tasks["scoring.reports_request_released"]
    assert task.acks_late is True
    assert task.run() == 0
