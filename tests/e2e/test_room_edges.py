"""The room before it opens and after it ends, the past list, and cancelling half a swap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from interviews.models import Interview, InterviewStatus
from interviews.services.booking import swap_book
from tests.e2e.conftest import log_in, screenshot
from tests.factories import InterviewFactory, QuestionFactory, UserFactory

EDITOR = ".notes .cm-content"
DASH = "\u2013"  # formatRange joins the times of one day with an en dash


def test_a_room_before_it_opens_says_when_and_opens_by_itself(new_page, password) -> None:
    ivy = UserFactory(email="ivy@example.com", profile__display_name="Ivy")
    # The room opens 10 minutes before the start: here, a few seconds after the page loads.
    starts = timezone.now() + timedelta(minutes=10, seconds=15)
    interview = InterviewFactory(interviewer=ivy, starts_at=starts)
    page = new_page()
    log_in(page, "ivy@example.com", password, f"/interviews/{interview.pk}/room")
    opens = page.get_by_test_id("room-opens")
    opens.wait_for()
    opening = (starts - timedelta(minutes=10)).astimezone(UTC)
    assert opening.strftime("%H:%M") in opens.inner_text()
    # Nothing to type into that would be lost, and no button that would be refused.
    assert page.locator(EDITOR).count() == 0
    assert page.get_by_role("button", name="Start interview").count() == 0
    screenshot(page, "27-room-not-open-yet")

    page.locator(EDITOR).wait_for(timeout=40_000)
    page.get_by_role("button", name="Start interview").wait_for()
    assert page.get_by_test_id("room-opens").count() == 0
    page.locator(EDITOR).click()
    page.keyboard.type("kept")
    page.get_by_test_id("connection").get_by_text("Connected").wait_for()
    screenshot(page, "28-room-opened-by-itself")


def test_the_past_list_shows_when_the_interview_really_ran(new_page, password) -> None:
    carl = UserFactory(email="carl@example.com", profile__display_name="Carl")
    day = (timezone.now() - timedelta(days=3)).astimezone(UTC)
    booked = datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)
    past = InterviewFactory(candidate=carl, starts_at=booked)
    Interview.objects.filter(pk=past.pk).update(
        status=InterviewStatus.COMPLETED,
        started_at=booked + timedelta(minutes=2),
        ended_at=booked + timedelta(minutes=31),
    )
    page = new_page()
    log_in(page, "carl@example.com", password, "/history")
    row = page.locator(".interview-row").filter(has_text=past.question.title)
    row.get_by_test_id("when").get_by_text(f"10:02{DASH}10:31", exact=False).wait_for()
    assert "booked for" in row.inner_text() and f"10:00{DASH}10:45" in row.inner_text()
    screenshot(page, "43-past-list-real-times")
    row.get_by_role("link", name=past.question.title).click()
    page.get_by_test_id("held").get_by_text(f"10:02{DASH}10:31", exact=False).wait_for()


def test_cancelling_half_a_swap_asks_about_the_other_half(new_page, password) -> None:
    carl = UserFactory(email="carl@example.com", profile__display_name="Carl")
    ivy = UserFactory(email="ivy@example.com", profile__display_name="Ivy")
    first, second = swap_book(
        first_interviewer_id=ivy.pk,
        first_candidate_id=carl.pk,
        first_question=QuestionFactory(),
        second_question=QuestionFactory(),
        starts_at=(timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0),
    )
    page = new_page()
    log_in(page, "carl@example.com", password, f"/interviews/{first.pk}")
    reason = page.get_by_label("Reason (required)")
    reason.wait_for()
    assert reason.get_attribute("required") is not None
    page.get_by_test_id("cancel-which").get_by_text("Cancel both halves?").wait_for()
    # Submitting without a reason is stopped in the browser: nothing reaches the server.
    page.get_by_role("button", name="Cancel interview").click()
    assert reason.evaluate("el => el.validity.valueMissing")
    screenshot(page, "44-cancel-half-of-a-swap")

    reason.fill("Only one hour free")
    page.get_by_label("Cancel only this one").check()
    page.get_by_role("button", name="Cancel interview").click()
    page.get_by_text("Interview cancelled").wait_for()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("cancelled", "scheduled")


def test_match_me_now_works_again_after_an_interview_ends_early(new_page, password) -> None:
    ivy = UserFactory(email="ivy@example.com", profile__display_name="Ivy")
    carl = UserFactory(email="carl@example.com", profile__display_name="Carl")
    interviewer, candidate = new_page(), new_page()
    log_in(interviewer, "ivy@example.com", password, "/availability")
    log_in(candidate, "carl@example.com", password, "/availability")

    def match(exclude: int | None = None) -> None:
        for page, role in ((interviewer, "interviewer"), (candidate, "candidate")):
            page.goto("/availability")
            page.get_by_label("I want to be the").select_option(role)
            page.get_by_role("button", name="Match me now").click()
        for page in (interviewer, candidate):
            page.wait_for_url(
                lambda url: url.endswith("/room") and f"/interviews/{exclude}/" not in url
            )

    match()
    first = Interview.objects.get(interviewer=ivy, candidate=carl)
    interviewer.get_by_role("button", name="Start interview").click()
    interviewer.get_by_test_id("current-step").get_by_text("1.", exact=False).wait_for()
    interviewer.get_by_role("button", name="End interview").click()
    interviewer.get_by_role("button", name="End for both").click()
    candidate.get_by_text("The interview has ended").wait_for()

    # Well inside the booked 45 minutes, both are free to be paired again.
    match(exclude=first.pk)
    assert Interview.objects.filter(interviewer=ivy, candidate=carl).count() == 2
    screenshot(candidate, "29-matched-again-after-an-early-end")
