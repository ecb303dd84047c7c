"""A swap back to back in two browsers: the second half opens the moment the first ends."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from interviews.models import Interview
from interviews.services.booking import swap_book
from tests.e2e.conftest import log_in, screenshot
from tests.factories import QuestionFactory, UserFactory


def test_a_swap_runs_back_to_back_with_one_click_between_the_halves(new_page, password) -> None:
    ivy = UserFactory(email="ivy@example.com", profile__display_name="Ivy")
    carl = UserFactory(email="carl@example.com", profile__display_name="Carl")
    # The first half's room is open (it opens ten minutes early); the second half is booked
    # for 45 minutes later, which nobody should have to wait for.
    first, second = swap_book(
        first_interviewer_id=ivy.pk,
        first_candidate_id=carl.pk,
        first_question=QuestionFactory(title="Ranking a news feed"),
        second_question=QuestionFactory(title="Detecting payment fraud"),
        starts_at=timezone.now() + timedelta(minutes=5),
    )
    booked_second_start = second.starts_at
    ivy_page, carl_page = new_page(), new_page()
    log_in(ivy_page, "ivy@example.com", password, f"/interviews/{first.pk}/room")
    log_in(carl_page, "carl@example.com", password, f"/interviews/{first.pk}/room")
    for page in (ivy_page, carl_page):
        page.get_by_test_id("connection").get_by_text("Connected").wait_for()

    ivy_page.get_by_role("button", name="Start interview").click()
    carl_page.get_by_test_id("current-step").get_by_text("1.", exact=False).wait_for()
    ivy_page.get_by_role("button", name="End interview").click()
    ivy_page.get_by_role("button", name="End for both").click()
    for page in (ivy_page, carl_page):
        page.get_by_text("The interview has ended").wait_for()
    ivy_page.get_by_test_id("second-half").get_by_text("Now Carl interviews you").wait_for()
    carl_page.get_by_test_id("second-half").get_by_text("Now you interview Ivy").wait_for()
    screenshot(carl_page, "45-swap-first-half-ended")

    # One click each, and both are in the second half's room, open now with the roles swapped.
    for page in (ivy_page, carl_page):
        page.get_by_role("button", name="Continue to the second half").click()
        page.wait_for_url(f"**/interviews/{second.pk}/room")
        page.get_by_role("heading", name="Detecting payment fraud").wait_for()
        page.get_by_test_id("connection").get_by_text("Connected").wait_for()
    carl_page.get_by_text("You interview Ivy").wait_for()
    ivy_page.get_by_text("Carl interviews you").wait_for()
    assert ivy_page.get_by_role("button", name="Start interview").count() == 0
    carl_page.get_by_role("button", name="Start interview").click()
    ivy_page.get_by_test_id("current-step").get_by_text("1.", exact=False).wait_for()
    screenshot(carl_page, "46-swap-second-half-running")
    carl_page.get_by_role("button", name="End interview").click()
    carl_page.get_by_role("button", name="End for both").click()
    ivy_page.get_by_text("The interview has ended").wait_for()
    # The second half ended is the last: there is nothing to continue to.
    assert ivy_page.get_by_test_id("second-half").count() == 0

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("completed", "completed")
    assert first.ended_at is not None and second.started_at is not None
    assert second.starts_at == first.ended_at < booked_second_start
    assert (second.interviewer_id, second.candidate_id) == (carl.pk, ivy.pk)
    assert Interview.objects.filter(swap_group=first.swap_group).count() == 2
