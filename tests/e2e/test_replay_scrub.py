"""The replay scrubs through a step: the notes and the board as they stood mid-step, the scores.

The interview's notes and board are stored as the room stores them (Yjs updates with the time
they arrived), on a clock where step 1 runs 2 minutes with writing at 0:30 and 1:10; the
candidate opens the replay after blind release, moves the scrubbers with the keyboard only,
and reads the notes, the board picture and its text, and the interviewer's scores.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine
from django.utils import timezone
from playwright.sync_api import Response
from pycrdt import Doc, Map, Text

from interviews.live.layout import DocumentKind
from interviews.models import Interview
from interviews.services import session
from tests.e2e import test_accessibility
from tests.e2e.conftest import log_in, screenshot
from tests.factories import InterviewFactory, UserFactory
from tests.interviews.test_live_export import store
from tests.scoring.conftest import given_feedback, scorecard_submitted

axe_page = test_accessibility.axe_page
violations = test_accessibility._violations


def _element(key: str, kind: str, x: int, **extra: Any) -> dict[str, Any]:
    """Return a board element as Excalidraw stores it (the exporter restores the rest)."""
    element = {"id": key, "type": kind, "x": x, "y": 40, "width": 160, "height": 60}
    element.update(version=1, versionNonce=1, isDeleted=False, index=f"a{x // 100}")
    element.update(strokeColor="#1e1e1e", backgroundColor="transparent", seed=x)
    return {**element, **extra}


def _text(key: str, x: int, text: str) -> dict[str, Any]:
    return _element(key, "text", x, text=text, originalText=text, fontSize=20, fontFamily=5)


def _edit(
    interview: Interview, doc: Doc, change: Any, kind: DocumentKind = DocumentKind.NOTES
) -> None:
    before = doc.get_state()
    change(doc)
    store(interview, kind, doc.get_update(before))


def _interview_written_in_steps(ivy: Any, carl: Any) -> Interview:
    interview = InterviewFactory(
        interviewer=ivy, candidate=carl, starts_at=timezone.now() + timedelta(minutes=2)
    )
    origin = interview.starts_at
    doc: Doc = Doc()
    notes = doc.get("step-1", type=Text)
    board = doc.get("board", type=Map)

    def first(d: Doc) -> None:
        notes.insert(0, "Users: shoppers")
        board["box"] = _element("box", "rectangle", 100)
        board["ranker"] = _text("ranker", 120, "Ranker")

    def second(d: Doc) -> None:
        notes.insert(len(notes), " at 10k QPS")
        board["store"] = _text("store", 400, "Feature store")

    with time_machine.travel(origin, tick=False):
        session.session_start(interview_id=interview.pk, user_id=ivy.pk)
    with time_machine.travel(origin + timedelta(seconds=30), tick=False):
        _edit(interview, doc, first)
    with time_machine.travel(origin + timedelta(seconds=40), tick=False):
        private: Doc = Doc()
        write = lambda d: d.get("step-1", type=Text).insert(0, "no scale asked")  # noqa: E731
        _edit(interview, private, write, DocumentKind.PRIVATE)
    with time_machine.travel(origin + timedelta(seconds=70), tick=False):
        _edit(interview, doc, second)
    with time_machine.travel(origin + timedelta(seconds=120), tick=False):
        session.session_next_step(interview_id=interview.pk, user_id=ivy.pk)
    with time_machine.travel(origin + timedelta(seconds=150), tick=False):
        _edit(interview, doc, lambda d: d.get("step-2", type=Text).insert(0, "ranking model"))
    with time_machine.travel(origin + timedelta(seconds=180), tick=False):
        session.session_end(interview_id=interview.pk, user_id=ivy.pk)
    return Interview.objects.get(pk=interview.pk)


def _scored_and_released(interview: Interview) -> None:
    scores = [3, 2, None, None, None, None, None]
    given_feedback(scorecard_submitted(interview, scores, submitted_at=timezone.now()), {})


def _moment_label(page) -> str:
    return page.locator('label[for="replay-position"]').inner_text()


def test_scrubbing_to_a_moment_mid_step_shows_the_notes_and_board_as_they_stood(
    axe_page, password
) -> None:
    page = axe_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    ivy = UserFactory(email="ivy.scrub@example.com", profile__display_name="Ivy")
    carl = UserFactory(email="carl.scrub@example.com", profile__display_name="Carl")
    interview = _interview_written_in_steps(ivy, carl)
    _scored_and_released(interview)
    failed: list[str] = []

    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, carl.email, password, f"/interviews/{interview.pk}/replay")

    def note_failed(response: Response) -> None:
        if response.status >= 400:
            failed.append(response.url)

    page.on("response", note_failed)
    # It opens on the last moment: everything written, the whole board, the scores.
    page.get_by_text("ranking model").wait_for()
    assert "Moment 7 of 7: Ended" in _moment_label(page), _moment_label(page)
    assert page.get_by_test_id("step-score-1").inner_text() == "Score: 3 of 4"
    assert page.get_by_test_id("step-score-3").inner_text() == "Score: not reached"
    summary = page.get_by_test_id("replay-board-summary")
    assert summary.inner_text() == "3 elements: rectangle, “Ranker”, “Feature store”."

    # Keyboard only: back to the start, then one moment at a time into step 1.
    page.locator("#replay-position").focus()
    page.keyboard.press("Home")
    assert "Moment 1 of 7: Started" in _moment_label(page)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    label = _moment_label(page)
    assert "Moment 3 of 7: Notes during step 1" in label and "(0:30 in)" in label, label
    step1 = page.get_by_test_id("replay-step-1")
    assert step1.get_by_text("Users: shoppers").is_visible()
    assert step1.get_by_text("at 10k QPS").count() == 0
    assert page.get_by_text("ranking model").count() == 0
    assert summary.inner_text() == "2 elements: rectangle, “Ranker”."
    picture = page.get_by_test_id("replay-board-picture").locator("svg")
    picture.wait_for()
    assert picture.get_attribute("aria-label") == "The diagram board 0:30 into the interview"
    assert "Ranker" in picture.inner_html() and "Feature store" not in picture.inner_html()
    # The scrubber within the step: the step's own moments, and how far into it.
    within = page.locator("#replay-step-position")
    assert within.get_attribute("min") == "1" and within.get_attribute("max") == "3"
    into = page.locator('label[for="replay-step-position"]').inner_text()
    assert "Within step 1: 2 of 3, 0:30 into the step" in into, into
    page.wait_for_load_state("networkidle")
    screenshot(page, "63-replay-mid-step")
    found = {"1280": violations(page)}

    within.focus()
    page.keyboard.press("ArrowRight")
    assert "Moment 4 of 7" in _moment_label(page)
    assert step1.get_by_text("Users: shoppers at 10k QPS").is_visible()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=replay-board-picture] svg')"
        "?.innerHTML.includes('Feature store')"
    )

    # On a phone: the same moment, nothing wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    within.focus()
    page.keyboard.press("ArrowLeft")
    assert "Moment 3 of 7" in _moment_label(page)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=replay-board-picture] svg')"
        "?.innerHTML.includes('Feature store')"
    )
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, width
    screenshot(page, "64-replay-mid-step-phone")
    found["390"] = violations(page)

    # The interviewer's replay has one more frame: their private note at 0:40, theirs alone.
    assert page.get_by_text("no scale asked").count() == 0
    assert failed == []
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, ivy.email, password, f"/interviews/{interview.pk}/replay")
    # From here on (logged out, /api/me/ answers 403: a separate known defect).
    failed.clear()
    page.get_by_text("ranking model").wait_for()
    assert "Moment 8 of 8: Ended" in _moment_label(page), _moment_label(page)
    page.locator("#replay-position").focus()
    page.keyboard.press("Home")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert "Moment 4 of 8: Notes during step 1" in _moment_label(page)
    mine = step1.get_by_role("complementary", name="Your private notes of step 1")
    assert mine.get_by_text("no scale asked").is_visible()
    assert step1.get_by_text("Users: shoppers").is_visible()
    assert step1.get_by_text("at 10k QPS").count() == 0
    assert page.get_by_test_id("step-score-2").inner_text() == "Score: 2 of 4"
    page.wait_for_load_state("networkidle")
    found["interviewer"] = violations(page)

    assert {size: issues for size, issues in found.items() if issues} == {}
    assert failed == [] and errors == []
