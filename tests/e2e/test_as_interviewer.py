"""The "As interviewer" page: leniency, consistency and candidates' ratings, in words."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from scoring.models import InterviewerFeedback
from scoring.services.nightly import reports_rebuild_all
from tests.e2e.conftest import log_in, screenshot
from tests.factories import UserFactory
from tests.scoring.conftest import given_scorecard, person


def test_a_new_interviewer_is_told_there_is_not_enough_data_yet(new_page, password) -> None:
    UserFactory(email="ivy@example.com", profile__display_name="Ivy")
    page = new_page()
    log_in(page, "ivy@example.com", password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="As interviewer").click()
    page.get_by_role("heading", name="You as an interviewer").wait_for()
    basis = page.get_by_test_id("as-interviewer-basis")
    basis.get_by_text("You have submitted 0 scorecards").wait_for()
    for card in ("leniency", "consistency", "feedback-received"):
        page.get_by_test_id(card).get_by_text("Not enough data yet").wait_for()
    assert page.console_errors == [] and page.failed_requests == []


def test_an_interviewer_reads_how_they_score_and_what_candidates_said(new_page, password) -> None:
    ivy = UserFactory(email="ivy@example.com", profile__display_name="Ivy")
    others = [person() for _ in range(3)]
    # Ivy scores four candidates; other interviewers score the same people for comparison.
    for days, candidate in enumerate(person() for _ in range(4)):
        card = given_scorecard(ivy, candidate, [4, 4, 4, 3, 4, 4, 4], days_ago=5 + days)
        given_scorecard(others[days % 3], candidate, [2, 3, 2, 2, 3, 2, 2], days_ago=4 + days)
    end = card.interview.ended_at
    InterviewerFeedback.objects.create(
        interview=card.interview,
        candidate=card.candidate,
        interviewer=ivy,
        status="submitted",
        submitted_at=end + timedelta(hours=2),
        usefulness=5,
        specificity=4,
        preparedness=4,
        comment="Pointed at the exact moment I skipped the metrics.",
    )
    assert end < timezone.now() - timedelta(days=3)  # past the deadline: released
    reports_rebuild_all()

    page = new_page()
    log_in(page, "ivy@example.com", password, "/as-interviewer")
    basis = page.get_by_test_id("as-interviewer-basis")
    basis.get_by_text("You have submitted 4 scorecards").wait_for()
    leniency = page.get_by_test_id("leniency")
    leniency.get_by_text("You score", exact=False).first.wait_for()
    assert "Not enough data yet" not in leniency.inner_text()
    feedback = page.get_by_test_id("feedback-received")
    feedback.get_by_text("Averages from 1 candidate\u2019s feedback on you").wait_for()
    feedback.get_by_text("5.0 out of 5").wait_for()
    feedback.get_by_text("Pointed at the exact moment I skipped the metrics.").wait_for()
    screenshot(page, "50-as-interviewer")
    assert page.console_errors == [] and page.failed_requests == []


def test_a_failing_request_is_explained_in_words(new_page, password) -> None:
    UserFactory(email="ivy@example.com", profile__display_name="Ivy")
    page = new_page()
    log_in(page, "ivy@example.com", password)
    page.route("**/api/me/as-interviewer/", lambda route: route.fulfill(status=503, body=""))
    page.goto("/as-interviewer")
    page.get_by_role("alert").get_by_text("The server is busy; try again shortly.").wait_for()
