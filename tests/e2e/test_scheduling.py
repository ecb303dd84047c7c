"""Availability and the interview request, in a real browser against the real server."""

from __future__ import annotations

import zoneinfo

from django.utils import timezone

from interviews.models import AvailabilityWindow, InterviewRequest
from tests.e2e.conftest import log_in, screenshot
from tests.factories import UserFactory


def test_dragging_over_the_grid_publishes_windows_in_the_profile_zone(new_page, password) -> None:
    user = UserFactory(email="ada@example.com", profile__time_zone="Asia/Tokyo")
    page = new_page()
    log_in(page, "ada@example.com", password, "/availability")
    page.get_by_role("button", name="Next week →").click()

    # Wednesday and Thursday, 18:00-20:00 Tokyo time.
    start = page.locator('[data-cell="2:36"]')
    end = page.locator('[data-cell="3:39"]')
    end.scroll_into_view_if_needed()
    start.scroll_into_view_if_needed()
    box_a, box_b = start.bounding_box(), end.bounding_box()
    page.mouse.move(box_a["x"] + 5, box_a["y"] + 5)
    page.mouse.down()
    page.mouse.move(box_b["x"] + 5, box_b["y"] + 5, steps=8)
    page.mouse.up()

    page.get_by_text("Published 2 windows.").wait_for()
    page.locator('[data-cell="3:39"].covered').wait_for()
    screenshot(page, "10-availability")

    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    windows = AvailabilityWindow.objects.filter(user=user).order_by("starts_at")
    local = [(w.starts_at.astimezone(tokyo), w.ends_at.astimezone(tokyo)) for w in windows]
    assert [(s.strftime("%a %H:%M"), e.strftime("%H:%M")) for s, e in local] == [
        ("Wed 18:00", "20:00"),
        ("Thu 18:00", "20:00"),
    ]
    assert local[0][0].date() > timezone.now().astimezone(tokyo).date()


def test_a_window_in_the_past_is_refused_in_words(new_page, password) -> None:
    UserFactory(email="alan@example.com")
    page = new_page()
    log_in(page, "alan@example.com", password, "/availability")
    page.get_by_text("Add a window with the keyboard").click()
    page.get_by_label("Day", exact=True).select_option(index=0)
    page.get_by_label("From", exact=True).select_option("0")
    page.get_by_label("To", exact=True).select_option("2")
    page.get_by_role("button", name="Add window").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "past" in alert.inner_text().lower()


def test_opening_and_withdrawing_an_interview_request(new_page, password) -> None:
    user = UserFactory(email="grace@example.com")
    page = new_page(width=820, height=1180)
    log_in(page, "grace@example.com", password, "/availability")
    page.get_by_label("Interviewer — I want to interview someone").check()
    page.get_by_label("Ads").check()
    page.get_by_role("button", name="Open request").click()
    page.get_by_text("Request opened").wait_for()
    screenshot(page, "11-request-tablet")

    opened = InterviewRequest.objects.get(user=user)
    assert (opened.role, sorted(opened.domains)) == ("interviewer", ["ads", "recommendation"])

    page.get_by_role("button", name="Withdraw").click()
    page.get_by_text("Request withdrawn.").wait_for()
    opened.refresh_from_db()
    assert opened.status != "open"
