"""Upcoming and past interviews: times in the viewer's zone, the invite, cancelling."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

from django.utils import timezone

from interviews.models import Interview
from tests.e2e.conftest import log_in, screenshot
from tests.factories import InterviewFactory, UserFactory


def test_upcoming_interviews_show_local_time_partner_and_invite(new_page, password) -> None:
    carl = UserFactory(
        email="carl@example.com", profile__display_name="Carl", profile__time_zone="Asia/Tokyo"
    )
    ivy = UserFactory(email="ivy@example.com", profile__display_name="Ivy")
    starts = (timezone.now() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    upcoming = InterviewFactory(interviewer=ivy, candidate=carl, starts_at=starts)
    past = InterviewFactory(
        interviewer=carl, candidate=ivy, starts_at=timezone.now() - timedelta(days=3)
    )
    Interview.objects.filter(pk=past.pk).update(status="completed")

    page = new_page()
    log_in(page, "carl@example.com", password)
    row = page.locator(".interview-row").filter(has_text=upcoming.question.title)
    local = starts.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo")).strftime("%H:%M")
    row.get_by_text(local, exact=False).wait_for()
    assert "Interviewed by Ivy" in row.inner_text()
    screenshot(page, "40-interviews")

    page.get_by_role("link", name="History", exact=True).click()
    page.locator(".interview-row").filter(has_text=past.question.title).get_by_text(
        "You interview Ivy"
    ).wait_for()

    # /interviews is where people look for the whole upcoming list.
    page.goto("/interviews")
    page.get_by_role("heading", name="Upcoming interviews").wait_for()
    page.get_by_role("link", name=upcoming.question.title).click()
    page.get_by_role("heading", name=upcoming.question.title).wait_for()
    opens = (starts - timedelta(minutes=10)).astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    room_opens = page.get_by_test_id("room-opens").inner_text()
    assert opens.strftime("%H:%M") in room_opens and "10 min before the start" in room_opens
    invite = page.get_by_role("link", name="Add to calendar (.ics)")
    response = page.request.get(invite.get_attribute("href"))
    assert response.ok and "BEGIN:VCALENDAR" in response.text()
    screenshot(page, "41-interview-detail")

    page.get_by_label("Reason").fill("A clash at work")
    page.get_by_role("button", name="Cancel interview").click()
    page.get_by_text("Interview cancelled").wait_for()
    upcoming.refresh_from_db()
    assert (upcoming.status, upcoming.cancel_reason) == ("cancelled", "A clash at work")


def test_a_refused_cancellation_is_explained_next_to_the_form(new_page, password) -> None:
    carl = UserFactory(email="carl@example.com", profile__display_name="Carl")
    interview = InterviewFactory(candidate=carl, starts_at=timezone.now() + timedelta(days=1))
    page = new_page(width=820, height=1180)
    log_in(page, "carl@example.com", password, f"/interviews/{interview.pk}")
    # A blank reason passes the browser's "required" check but not the server's.
    page.get_by_label("Reason").fill("   ")
    page.get_by_role("button", name="Cancel interview").click()
    page.locator(".field-error").wait_for()
    assert page.get_by_label("Reason").get_attribute("aria-invalid") == "true"
    screenshot(page, "42-cancel-error-tablet")
