"""Lists in the notes editor behave as in common editors."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.e2e.conftest import log_in, screenshot
from tests.factories import InterviewFactory, UserFactory


def test_typing_a_marker_on_a_continued_line_keeps_one_and_enter_on_an_empty_item_ends_the_list(
    new_page, password
) -> None:
    carl = UserFactory(email="carl.lists@example.com", profile__display_name="Carl")
    interview = InterviewFactory(candidate=carl, starts_at=timezone.now() + timedelta(minutes=2))
    page = new_page(width=1280, height=800)
    log_in(page, carl.email, password, f"/interviews/{interview.pk}/room")
    page.get_by_test_id("connection").get_by_text("Connected").wait_for()
    page.locator(".notes .cm-content").click()
    # Enter continues the list; typing "- " out of habit does not give "- - ".
    page.keyboard.type("- users\n- items\n")
    # A numbered list continues with the next number, and a typed number replaces it.
    page.keyboard.press("Enter")
    page.keyboard.type("1. logs\n2. labels\n")
    # Enter on the empty item ends the list.
    page.keyboard.press("Enter")
    page.keyboard.type("after the lists")
    page.wait_for_timeout(300)
    lines = page.locator(".notes .cm-line").all_inner_texts()
    screenshot(page, "36-notes-list-continuation")
    text = "\n".join(lines)
    assert "- - " not in text and "2. 2." not in text, lines
    assert [line for line in lines if line.strip()] == [
        "- users",
        "- items",
        "1. logs",
        "2. labels",
        "after the lists",
    ], lines
    page.locator(".notes .preview li").get_by_text("labels").wait_for()
    assert page.console_errors == []
