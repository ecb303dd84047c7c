"""Availability and the report fit a 390 px phone; the grid closes the past and the far future."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from interviews.models import AvailabilityWindow
from scoring.services.reports import report_update
from tests.e2e.conftest import assert_fits_width, log_in, screenshot
from tests.factories import InterviewFactory, UserFactory
from tests.scoring.conftest import given_scorecard, person

PHONE = {"width": 390, "height": 844}


def test_the_grid_greys_out_the_past_and_stops_at_the_horizon(new_page, password, settings) -> None:
    UserFactory(email="ada@example.com", profile__time_zone="UTC")
    page = new_page(width=1280)
    log_in(page, "ada@example.com", password, "/availability")
    # Midnight today has passed: closed, like every earlier cell of the week.
    today = timezone.now().weekday()
    midnight = page.locator(f'[data-cell="{today}:0"]')
    midnight.wait_for()
    assert midnight.get_attribute("aria-disabled") == "true"
    assert "closed" in midnight.get_attribute("class")
    assert page.locator('[data-cell="0:0"]').get_attribute("aria-disabled") == "true"
    # A press on a closed cell publishes nothing.
    midnight.scroll_into_view_if_needed()
    midnight.click(force=True)
    assert AvailabilityWindow.objects.count() == 0
    if today < 6:
        assert page.locator(f'[data-cell="{today + 1}:40"]').get_attribute("aria-disabled") is None
    screenshot(page, "73-availability-past-greyed-1280")

    following = page.get_by_role("button", name="Next week →")
    clicks = 0
    while following.is_enabled() and clicks < 20:
        following.click()
        clicks += 1
    assert clicks in (settings.SCHEDULING_WEEKS_AHEAD, settings.SCHEDULING_WEEKS_AHEAD + 1)
    assert page.locator('[data-cell="6:47"]').get_attribute("aria-disabled") == "true"
    screenshot(page, "74-availability-horizon-1280")
    assert page.console_errors == []


def test_availability_and_report_fit_a_phone(new_page, password) -> None:
    carl = UserFactory(email="carl@example.com", profile__target_level="senior")
    for days_ago in (5, 3):
        given_scorecard(person(), carl, [3, 2, 3, 2, 3, 2, None], days_ago=days_ago)
    report_update(user_id=carl.pk)
    page = new_page(**PHONE)
    log_in(page, carl.email, password, "/availability")
    page.locator('[data-cell="6:47"]').wait_for()
    page.wait_for_load_state("networkidle")
    assert_fits_width(page)
    screenshot(page, "75-availability-390")
    page.goto("/report")
    page.get_by_test_id("based-on").get_by_text("2 scorecards from 2 interviewers").wait_for()
    page.locator(".recharts-bar-rectangle").first.wait_for()
    page.wait_for_load_state("networkidle")
    assert_fits_width(page)
    screenshot(page, "76-report-390")
    assert page.console_errors == []


def test_the_room_on_a_phone_shows_the_notes_first(new_page, password) -> None:
    carl = UserFactory(email="carl@example.com", profile__display_name="Carl")
    interview = InterviewFactory(candidate=carl, starts_at=timezone.now() + timedelta(minutes=2))
    page = new_page(**PHONE)
    log_in(page, carl.email, password, f"/interviews/{interview.pk}/room")
    page.get_by_test_id("connection").get_by_text("Connected").wait_for()
    notes = page.get_by_role("region", name="Shared workspace").bounding_box()
    first_below = page.evaluate(
        """() => [...document.querySelectorAll('.room-body > *')]
            .map((el) => el.getAttribute('aria-label') || el.className)"""
    )
    assert first_below[0] == "Shared workspace", first_below
    assert notes is not None and notes["y"] < PHONE["height"], notes
    screenshot(page, "77-room-candidate-390", full_page=False)
    assert page.console_errors == []
