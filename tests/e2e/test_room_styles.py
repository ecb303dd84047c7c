"""The room renders under its CSP with no style refused, the partner's caret in their colour."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import ConsoleMessage

from tests.e2e.conftest import log_in
from tests.factories import InterviewFactory, UserFactory


def test_the_room_renders_under_its_csp_with_the_partners_caret_coloured(
    new_page, password
) -> None:
    ivy = UserFactory(email="ivy.css@example.com", profile__display_name="Ivy")
    carl = UserFactory(email="carl.css@example.com", profile__display_name="Carl")
    interview = InterviewFactory(
        interviewer=ivy, candidate=carl, starts_at=timezone.now() + timedelta(minutes=2)
    )
    room = f"/interviews/{interview.pk}/room"
    pages = [new_page(), new_page()]
    refused: list[str] = []

    def note_refused(message: ConsoleMessage) -> None:
        # Styles; fonts never go to another origin (test_board_assets proves it).
        if "style-src" in message.text:
            refused.append(message.text)

    for page in pages:
        page.on("console", note_refused)
    interviewer, candidate = pages
    log_in(interviewer, ivy.email, password, room)
    log_in(candidate, carl.email, password, room)
    for page in pages:
        page.get_by_test_id("connection").get_by_text("Connected").wait_for()
    candidate.locator(".notes .cm-content").first.click()
    candidate.keyboard.type("the caret is here")
    caret = interviewer.locator(".notes .cm-ySelectionCaret").first
    caret.wait_for()
    # The partner's colour arrives through a style attribute (checked as #rrggbb on both ends).
    assert caret.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    for page in pages:
        page.get_by_role("tab", name="Diagram board").click()
        page.locator(".board canvas").first.wait_for()
    candidate.mouse.move(500, 400)
    candidate.mouse.move(600, 450, steps=5)
    interviewer.wait_for_timeout(500)
    assert refused == []
    assert interviewer.console_errors == [] and candidate.console_errors == []
