"""The home page says what to do next, the history page what happened, with no error on the way.

Both roles, at a laptop's 1280 px and a phone's 390 px. "No error" means no 4xx/5xx reaching
the browser at all (each is a console line): not /api/me/ before login, not a draft that does
not exist yet, not a sealed submission.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone

from interviews.models import InterviewRequest
from scoring.models import Scorecard
from tests.e2e.conftest import ARTIFACTS, assert_fits_width, log_in, screenshot
from tests.factories import InterviewFactory, UserFactory
from tests.scoring.conftest import held_interview

PHONE = {"width": 390, "height": 844}


def _cast():
    ivy = UserFactory(email="ivy@example.com", profile__display_name="Ivy")
    carl = UserFactory(email="carl@example.com", profile__display_name="Carl")
    return ivy, carl


def test_home_lists_what_is_due_next_and_the_open_request_for_both_roles(
    new_page, password
) -> None:
    ivy, carl = _cast()
    held = held_interview(ivy, carl, ended_ago=timedelta(minutes=20))
    old = held_interview(carl, ivy, ended_ago=timedelta(days=10))
    coming = InterviewFactory(
        interviewer=carl, candidate=ivy, starts_at=timezone.now() + timedelta(days=1)
    )
    InterviewRequest.objects.create(user=carl, role="candidate", level="mid")

    # Logged out: the app asks who is there and gets "nobody", not a 403.
    visitor = new_page(width=1280)
    visitor.goto("/login")
    visitor.get_by_role("heading", name="Log in").wait_for()
    visitor.wait_for_load_state("networkidle")
    assert visitor.failed_requests == []

    page = new_page(width=1280)
    log_in(page, ivy.email, password)
    due = page.get_by_test_id("due")
    score = due.get_by_role("link", name="Score Carl")
    score.wait_for()
    row = due.locator(".due-row")
    assert "Not started" in row.inner_text() and held.question.title in row.inner_text()
    assert "due " in row.inner_text() and "(in 47 h)" in row.inner_text()
    upcoming = page.get_by_test_id("upcoming")
    upcoming.get_by_role("link", name=coming.question.title).wait_for()
    assert "Interviewed by Carl" in upcoming.inner_text()
    assert "No open request" in page.get_by_test_id("open-request").inner_text()
    page.wait_for_load_state("networkidle")
    screenshot(page, "60-home-interviewer-1280")

    # The scorecard was never started: the page starts it empty without asking for it.
    score.click()
    page.get_by_role("heading", name="Scorecard for Carl").wait_for()
    page.get_by_text("Score for step 1").wait_for()
    page.wait_for_load_state("networkidle")
    assert page.failed_requests == [] and page.console_errors == []

    phone = new_page(**PHONE)
    log_in(phone, carl.email, password)
    phone.get_by_test_id("due").get_by_role("link", name="Give feedback on Ivy").wait_for()
    request = phone.get_by_test_id("open-request")
    request.get_by_text("You asked to be paired as").wait_for()
    # The level's label comes with the framework's vocabulary, which may load after the request.
    request.locator("p", has_text=re.compile(r"\(Mid-level\)")).wait_for()  # case-sensitive
    assert "candidate" in request.inner_text() and "Mid" in request.inner_text()
    assert "You interview Ivy" in phone.get_by_test_id("upcoming").inner_text()
    phone.wait_for_load_state("networkidle")
    assert_fits_width(phone)
    screenshot(phone, "61-home-candidate-390")

    # Feedback never started, the scorecard still sealed: neither is asked for.
    phone.get_by_role("link", name="Give feedback on Ivy").click()
    phone.get_by_role("heading", name="Your feedback on Ivy").wait_for()
    phone.get_by_test_id("rate-the-feedback").wait_for()
    phone.goto(f"/interviews/{held.pk}/scorecard")
    phone.get_by_text("The scorecard is released when both of you have submitted").wait_for()
    phone.wait_for_load_state("networkidle")
    assert phone.failed_requests == [] and phone.console_errors == []

    # History: past interviews in both roles, each with its replay, scorecard and feedback.
    phone.goto("/")
    phone.get_by_role("link", name="Your interview history").click()
    phone.get_by_role("heading", name="Interview history").wait_for()
    rows = phone.locator(".interview-row")
    recent = rows.filter(has_text=held.question.title)
    for name, path in [
        ("Replay", "replay"),
        ("Scorecard received", "scorecard"),
        ("Your feedback", "feedback"),
    ]:
        link = recent.get_by_role("link", name=name)
        assert link.get_attribute("href") == f"/interviews/{held.pk}/{path}"
    earlier = rows.filter(has_text=old.question.title)
    assert "You interview Ivy" in earlier.inner_text()
    assert earlier.get_by_role("link", name="Your scorecard").get_attribute("href") == (
        f"/interviews/{old.pk}/scorecard"
    )
    assert coming.question.title not in phone.locator("main").inner_text()
    phone.wait_for_load_state("networkidle")
    assert_fits_width(phone)
    screenshot(phone, "62-history-390")
    assert phone.failed_requests == [] and phone.console_errors == []

    page.goto("/history")
    page.get_by_role("heading", name="Interview history").wait_for()
    page.locator(".interview-row").filter(has_text=held.question.title).get_by_role(
        "link", name="Feedback received"
    ).wait_for()
    screenshot(page, "63-history-1280")
    assert page.failed_requests == [] and page.console_errors == []


def _fill_scorecard(page) -> None:
    cards = page.locator(".step-card .step-score")
    cards.nth(0).locator(".level").nth(2).click()
    page.get_by_label("Evidence for step 1").fill("Asked about scale and latency first.")
    for index in range(1, 7):
        cards.nth(index).get_by_text("The interview did not reach this step").click()
    page.get_by_label("Recommendation").select_option("lean_hire")
    page.get_by_text("Draft saved").wait_for()


def test_communication_shows_every_level_and_submitting_asks_first(new_page, password) -> None:
    ivy, carl = _cast()
    held = held_interview(ivy, carl, ended_ago=timedelta(minutes=20))
    scorecard = f"/interviews/{held.pk}/scorecard"

    page = new_page(width=1280)
    log_in(page, ivy.email, password, scorecard)
    communication = page.get_by_test_id("communication-score")
    levels = communication.locator(".level")
    levels.nth(3).wait_for()
    assert levels.count() == 4
    # Each level spells out its descriptor for all three criteria.
    for level in range(4):
        assert levels.nth(level).locator(".descriptors li").count() == 3
    assert "Jumps between topics with no visible plan" in levels.nth(0).inner_text()
    assert "Mentions alternatives occasionally" in levels.nth(1).inner_text()
    assert "Thinks out loud" in levels.nth(2).inner_text()
    communication.get_by_label("3").check()
    communication.screenshot(path=str(ARTIFACTS / "64-communication-levels-1280.png"))

    _fill_scorecard(page)
    submit = page.get_by_role("button", name="Submit scorecard")
    submit.click()
    dialog = page.get_by_role("dialog", name="Submit the scorecard for good?")
    dialog.wait_for()
    assert "never changes" in dialog.inner_text()
    # Focus starts on the way back; Escape closes without submitting.
    assert page.evaluate("() => document.activeElement.textContent") == "Keep editing"
    screenshot(page, "65-submit-confirm-1280", full_page=False)
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert Scorecard.objects.get(interview=held).status == "draft"

    # Keyboard only: reopen, Tab to the confirmation, Enter.
    submit.focus()
    page.keyboard.press("Enter")
    dialog.wait_for()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Submit for good"
    page.keyboard.press("Enter")
    page.get_by_text("A submitted scorecard never changes").wait_for()
    assert Scorecard.objects.get(interview=held).status == "submitted"

    # The room no longer asks to finish it, and home no longer lists it.
    page.goto(f"/interviews/{held.pk}/room")
    banner = page.get_by_test_id("after-the-end")
    banner.get_by_text("Your scorecard is submitted").wait_for()
    assert banner.get_by_role("link", name="Finish the scorecard").count() == 0
    page.goto("/")
    page.get_by_test_id("due").get_by_text("Nothing to write").wait_for()
    page.wait_for_load_state("networkidle")
    assert page.failed_requests == [] and page.console_errors == []


def test_the_phone_scorecard_shows_the_levels_and_the_dialog_in_full(new_page, password) -> None:
    ivy, carl = _cast()
    held = held_interview(ivy, carl, ended_ago=timedelta(minutes=20))
    page = new_page(**PHONE)
    log_in(page, ivy.email, password, f"/interviews/{held.pk}/room")
    banner = page.get_by_test_id("after-the-end")
    banner.get_by_role("link", name="Finish the scorecard").click()
    page.get_by_role("heading", name="Scorecard for Carl").wait_for()
    communication = page.get_by_test_id("communication-score")
    communication.locator(".level").nth(3).wait_for()
    communication.scroll_into_view_if_needed()
    assert_fits_width(page)
    communication.screenshot(path=str(ARTIFACTS / "66-communication-levels-390.png"))
    _fill_scorecard(page)
    page.get_by_role("button", name="Submit scorecard").click()
    dialog = page.get_by_role("dialog", name="Submit the scorecard for good?")
    dialog.wait_for()
    box = dialog.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    screenshot(page, "67-submit-confirm-390", full_page=False)
    dialog.get_by_role("button", name="Submit for good").click()
    page.get_by_text("A submitted scorecard never changes").wait_for()
    page.wait_for_load_state("networkidle")
    assert page.failed_requests == [] and page.console_errors == []
