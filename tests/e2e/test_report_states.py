"""The report draws only what the ratings support: no bar without ratings, no chart without
scorecards, a percentile or when there will be one, and what the bar is."""

from __future__ import annotations

from scoring.services.reports import report_update
from tests.e2e.conftest import log_in, screenshot
from tests.factories import UserFactory
from tests.scoring.conftest import given_scorecard, person


def test_a_user_with_zero_scorecards_gets_the_empty_state_not_a_chart(new_page, password) -> None:
    nova = UserFactory(email="nova.report@example.com")
    report_update(user_id=nova.pk)
    page = new_page(width=1280, height=800)
    log_in(page, nova.email, password, "/report")
    page.get_by_role("heading", name="Not enough data yet").wait_for()
    assert page.locator(".recharts-surface").count() == 0
    screenshot(page, "37-report-zero-scorecards")
    assert page.console_errors == [] and page.failed_requests == []


def test_a_step_without_ratings_shows_no_estimate_and_percentiles_say_when(
    new_page, password
) -> None:
    carl = UserFactory(email="carl.report@example.com", profile__target_level="senior")
    for days_ago, interviewer in ((5, person()), (3, person())):
        # Step 7 never reached: no rating of it at all.
        given_scorecard(interviewer, carl, [3, 2, 3, 2, 3, 2, None], days_ago=days_ago)
    report_update(user_id=carl.pk)
    page = new_page(width=1280, height=800)
    log_in(page, carl.email, password, "/report")
    page.get_by_test_id("based-on").get_by_text("2 scorecards from 2 interviewers").wait_for()
    rows = page.locator(".steps-table tbody tr")
    step_7 = rows.nth(6)
    assert "no ratings yet" in step_7.inner_text()
    # Two ratings of three: the percentile comes after one more.
    assert "after 1 more rating" in rows.nth(0).inner_text()
    assert "—" not in page.locator(".steps-table").inner_text()
    # Six estimate bars, none for step 7.
    page.locator(".recharts-bar-rectangle").first.wait_for()
    assert page.locator(".recharts-bar-rectangle").count() == 6
    explained = page.get_by_test_id("bar-explained")
    assert "expects from someone ready for your target level, Senior" in explained.inner_text()
    screenshot(page, "38-report-unrated-step-and-percentiles")
    assert page.console_errors == [] and page.failed_requests == []


def test_a_verdict_says_how_likely_the_step_is_below_the_bar(new_page, password) -> None:
    vera = UserFactory(email="vera.report@example.com", profile__target_level="senior")
    for days_ago in (9, 6, 3):
        # Steps 1-6 rated three times (enough for a verdict), step 7 never reached.
        given_scorecard(person(), vera, [3, 2, 3, 2, 3, 1, None], days_ago=days_ago)
    report_update(user_id=vera.pk)
    page = new_page(width=1280, height=800)
    log_in(page, vera.email, password, "/report")
    page.get_by_test_id("based-on").get_by_text("3 scorecards from 3 interviewers").wait_for()
    rows = page.locator(".steps-table tbody tr")
    assert "in 10 chance below" in rows.nth(5).inner_text()
    assert "chance below" not in rows.nth(6).inner_text()
    assert "chance that your skill on the step is below it" in (
        page.get_by_test_id("bar-explained").inner_text()
    )
    assert page.console_errors == [] and page.failed_requests == []
