"""Waiting for an instant match: the match is pushed over the socket; polling covers a dead one."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.e2e.conftest import log_in, screenshot
from tests.factories import UserFactory

INSTANT = "/api/match/instant/"


def _wait_in_queue(page, connection: str) -> None:
    """Queue as the interviewer and wait until the page says how the match will reach it."""
    page.get_by_label("I want to be the").select_option("interviewer")
    page.get_by_role("button", name="Match me now").click()
    page.get_by_text("Looking for a partner").wait_for()
    page.get_by_test_id("match-connection").get_by_text(connection).wait_for()


def _partner_joins(page) -> None:
    page.get_by_label("I want to be the").select_option("candidate")
    page.get_by_role("button", name="Match me now").click()
    page.wait_for_url("**/interviews/*/room")


def _pair(new_page, password):
    UserFactory(email="ivy@example.com", profile__display_name="Ivy")
    UserFactory(email="carl@example.com", profile__display_name="Carl")
    waiting, joining = new_page(), new_page()
    log_in(waiting, "ivy@example.com", password, "/availability")
    log_in(joining, "carl@example.com", password, "/availability")
    return waiting, joining


def test_the_match_is_pushed_to_the_waiting_page(new_page, password) -> None:
    waiting, joining = _pair(new_page, password)
    polls: list[str] = []

    def record(request) -> None:
        if request.method == "GET" and urlsplit(request.url).path == INSTANT:
            polls.append(request.url)

    waiting.on("request", record)
    _wait_in_queue(waiting, "you go to the room the moment a partner is found")
    screenshot(waiting, "13-match-waiting-live")

    _partner_joins(joining)
    waiting.wait_for_url("**/interviews/*/room", timeout=10_000)
    # Only the push can have brought it: the page asked once, when its socket subscribed (the
    # keep-alive poll is 20 s away), and that was before the partner joined.
    assert len(polls) == 1
    assert waiting.console_errors == [] and waiting.failed_requests == []


def test_without_the_socket_the_page_polls_and_still_finds_the_match(new_page, password) -> None:
    waiting, joining = _pair(new_page, password)
    # Every attempt to open the push socket fails, as behind a proxy that drops websockets.
    waiting.route_web_socket("**/ws/match/instant/", lambda ws: ws.close(code=1011))
    _wait_in_queue(waiting, "Live updates are down")
    screenshot(waiting, "14-match-waiting-polling")

    _partner_joins(joining)
    waiting.wait_for_url("**/interviews/*/room", timeout=15_000)


def test_a_candidate_behind_another_switches_on_the_hint_and_is_matched(new_page, password) -> None:
    first, second = _pair(new_page, password)
    for page in (first, second):
        page.get_by_label("I want to be the").select_option("candidate")
        page.get_by_role("button", name="Match me now").click()
        page.get_by_text("Looking for a partner").wait_for()

    hint = second.get_by_test_id("match-hint")
    hint.get_by_text("1 person is waiting as candidate").wait_for()
    assert second.get_by_test_id("match-queue").inner_text() == "Also waiting now: 1 candidate."
    assert "the search widens" in second.get_by_test_id("match-widens").inner_text()
    screenshot(second, "15-match-waiting-role-hint")

    hint.get_by_role("button", name="Switch to Interviewer").click()
    second.wait_for_url("**/interviews/*/room", timeout=10_000)
    first.wait_for_url("**/interviews/*/room", timeout=15_000)
    assert second.url == first.url
    assert (
        first.console_errors == []
        and first.failed_requests == []
        and second.console_errors == []
        and second.failed_requests == []
    )
