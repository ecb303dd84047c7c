"""A visitor learns what the site is, a new account what a session is; a wrong link says so."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.e2e.conftest import assert_fits_width, log_in, screenshot
from tests.factories import InterviewFactory, UserFactory

PHONE = {"width": 390, "height": 844}


def test_the_landing_page_explains_the_site_to_a_visitor(new_page) -> None:
    for name, size in (("1280", {"width": 1280, "height": 900}), ("390", PHONE)):
        page = new_page(**size)
        page.goto("/")
        page.get_by_role(
            "heading", name="Practise ML system design interviews with peers"
        ).wait_for()
        steps = page.locator(".step-list li")
        steps.nth(6).wait_for()
        assert steps.count() == 7 and "Clarifying requirements" in steps.nth(0).inner_text()
        assert "45 minutes" in page.locator("main").inner_text()
        page.get_by_role("link", name="Log in").wait_for()
        page.wait_for_load_state("networkidle")
        assert_fits_width(page)
        screenshot(page, f"70-landing-{name}")
        assert page.failed_requests == [] and page.console_errors == []


def test_the_first_run_page_says_how_practice_works(new_page, password) -> None:
    UserFactory(email="nova@example.com", profile__display_name="Nova")
    page = new_page(**PHONE)
    log_in(page, "nova@example.com", password, "/welcome")
    page.get_by_role("heading", name="Welcome to Sevenstep").wait_for()
    for heading in ("A session", "The 7 steps", "Scores and reports", "Get started"):
        page.get_by_role("heading", name=heading).wait_for()
    page.locator(".step-list li").nth(6).wait_for()
    page.wait_for_load_state("networkidle")
    assert_fits_width(page)
    screenshot(page, "71-welcome-390")
    page.get_by_role("link", name="Publish your availability").click()
    page.get_by_role("heading", name="Availability and requests").wait_for()
    assert page.failed_requests == [] and page.console_errors == []


def test_a_wrong_link_or_someone_elses_interview_says_so_once_with_a_way_back(
    new_page, password
) -> None:
    UserFactory(email="olga@example.com", profile__display_name="Olga")
    theirs = InterviewFactory(starts_at=timezone.now() + timedelta(days=1))
    page = new_page(width=1280)
    log_in(page, "olga@example.com", password)
    for path in (
        f"/interviews/{theirs.pk}",
        f"/interviews/{theirs.pk}/room",
        f"/interviews/{theirs.pk}/scorecard",
        "/interviews/not-a-number",
        "/no/such/page",
    ):
        page.goto(path)
        message = page.get_by_test_id("not-found")
        message.get_by_role("heading", name="Nothing to see here").wait_for()
        assert page.get_by_role("alert").count() == 1, path
        assert "Not found." not in page.locator("main").inner_text()
        assert "No such endpoint" not in page.locator("main").inner_text()
        if path == f"/interviews/{theirs.pk}/room":
            screenshot(page, "72-not-yours")
    page.get_by_role("link", name="Back to your home").click()
    page.get_by_role("heading", name="Your interviews").wait_for()
