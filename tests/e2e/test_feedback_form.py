"""The candidate's feedback form: the interviewer's conduct first, the scorecard's usefulness
after blind release lets them read it (an optional second step)."""

from __future__ import annotations

from scoring.services.submissions import scorecard_save_draft, scorecard_submit
from tests.e2e.conftest import log_in, screenshot
from tests.factories import UserFactory
from tests.scoring.conftest import held_interview


def test_the_candidate_rates_conduct_first_and_the_feedback_once_it_is_released(
    new_page, password
) -> None:
    ivy = UserFactory(email="ivy.fb@example.com", profile__display_name="Ivy")
    carl = UserFactory(email="carl.fb@example.com", profile__display_name="Carl")
    interview = held_interview(ivy, carl)
    page = new_page(width=390, height=844)
    log_in(page, carl.email, password, f"/interviews/{interview.pk}/feedback")
    page.get_by_role("heading", name="1. The interviewer", exact=False).wait_for()
    assert page.get_by_text("How useful was the feedback?").count() == 0
    page.locator('input[name="preparedness"][value="5"]').check()
    page.get_by_label("Comment for the interviewer").fill("Well prepared, kind follow-ups.")
    page.get_by_text("Draft saved").wait_for()
    screenshot(page, "39-feedback-conduct-first-390")
    page.get_by_role("button", name="Submit feedback").click()
    page.get_by_text("Feedback submitted.").wait_for()
    # The interviewer has not submitted: the scorecard, and so its rating, stay sealed.
    rate = page.get_by_test_id("rate-the-feedback")
    rate.get_by_text("The scorecard is not released yet").wait_for()
    assert rate.get_by_text("How useful was the feedback?").count() == 0

    steps = [{"step": n, "score": 3, "evidence": f"Step {n} was solid."} for n in range(1, 8)]
    scorecard_save_draft(
        user_id=ivy.pk,
        interview_id=interview.pk,
        rubric_version=1,
        steps=steps,
        pitfalls=[],
        recommendation="hire",
        pass_level=None,
        communication_score=3,
        summary="Clear structure.",
    )
    scorecard_submit(user_id=ivy.pk, interview_id=interview.pk)

    page.set_viewport_size({"width": 1280, "height": 800})
    page.reload()
    rate.get_by_text("How useful was the feedback?").wait_for()
    rate.locator('input[name="usefulness"][value="4"]').check()
    rate.locator('input[name="specificity"][value="3"]').check()
    screenshot(page, "40-feedback-rate-after-release")
    rate.get_by_role("button", name="Send these ratings").click()
    rate.get_by_text("You rated the feedback: useful 4 / 5, specific 3 / 5").wait_for()

    # The interviewer reads all of it.
    other = new_page(width=1280, height=800)
    log_in(other, ivy.email, password, f"/interviews/{interview.pk}/feedback")
    other.get_by_text("Usefulness of your feedback").wait_for()
    assert "4 / 5" in other.locator("dl.pairs").inner_text()
    assert (
        page.console_errors == []
        and page.failed_requests == []
        and other.console_errors == []
        and other.failed_requests == []
    )
