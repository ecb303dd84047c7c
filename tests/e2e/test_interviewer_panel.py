"""The interviewer's panel on a laptop: the question, every step's guide, the rubric and the
private notes fit one 1280x800 screen, and the private notes sit beside each step's score."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from interviews.models import Question
from tests.e2e.conftest import log_in, screenshot
from tests.factories import InterviewFactory, UserFactory

# Whether anything in the panel is cut off on the right, or the panel is taller than the window.
CLIPPED = """panel => {
  const box = panel.getBoundingClientRect();
  const out = [...panel.querySelectorAll('*')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > box.right + 0.5;
  }).map(e => e.className || e.tagName);
  const scrollers = [...panel.querySelectorAll('*'), panel]
    .filter(e => !e.closest('.sr-only') && e.scrollWidth > e.clientWidth + 1
      && getComputedStyle(e).overflowX !== 'visible')
    .map(e => e.className || e.tagName);
  return {out, scrollers, height: box.height, bottom: box.bottom, innerHeight: window.innerHeight};
}"""


def _assert_fits(page, *, one_screen: bool = True) -> None:
    panel = page.get_by_role("complementary", name="Interviewer panel")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    fit = panel.evaluate(CLIPPED)
    assert fit["out"] == [], fit
    assert fit["scrollers"] == [], fit
    if one_screen:
        assert fit["height"] <= fit["innerHeight"], fit
        assert fit["bottom"] <= fit["innerHeight"] + 0.5, fit


def test_the_interviewer_sees_prompt_guides_rubric_and_notes_within_one_laptop_screen(
    new_page, password
) -> None:
    ivy = UserFactory(email="ivy.panel@example.com", profile__display_name="Ivy")
    carl = UserFactory(email="carl.panel@example.com", profile__display_name="Carl")
    question = Question.objects.exclude(guide={}).order_by("pk").first()
    assert question is not None and question.guide.get("5")
    interview = InterviewFactory(
        interviewer=ivy,
        candidate=carl,
        question=question,
        starts_at=timezone.now() + timedelta(minutes=2),
    )
    room = f"/interviews/{interview.pk}/room"
    interviewer = new_page(width=1280, height=800)
    candidate = new_page(width=1280, height=800)
    log_in(interviewer, ivy.email, password, room)
    log_in(candidate, carl.email, password, room)
    for page in (interviewer, candidate):
        page.get_by_test_id("connection").get_by_text("Connected").wait_for()

    # Both read the same prompt: the interviewer in the panel's first tab.
    first_line = question.prompt.strip().splitlines()[0][:40]
    panel = interviewer.get_by_role("complementary", name="Interviewer panel")
    panel.get_by_test_id("question-prompt").get_by_text(first_line, exact=False).wait_for()
    candidate.get_by_test_id("question-prompt").get_by_text(first_line, exact=False).wait_for()
    _assert_fits(interviewer)

    interviewer.get_by_role("button", name="Start interview").click()
    candidate.get_by_test_id("current-step").get_by_text("1. Clarifying requirements").wait_for()

    # The guide of every step, not only the current one.
    panel.get_by_role("tab", name="Guide").click()
    panel.get_by_text(question.guide["1"]["covers"][0]).wait_for()
    panel.get_by_role("button", name="5. Evaluation").click()
    panel.get_by_test_id("panel-step").get_by_text("Step 5: Evaluation").wait_for()
    panel.get_by_text(question.guide["5"]["covers"][0]).wait_for()
    _assert_fits(interviewer)
    screenshot(interviewer, "30-panel-guide-look-ahead-1280")
    panel.get_by_role("button", name="back to the current step").click()

    # Private notes on step 1, then on step 3 once the interview gets there.
    panel.get_by_label("Private notes for step 1").click()
    interviewer.keyboard.type("asked about latency late")
    panel.get_by_role("tab", name="Rubric").click()
    panel.locator(".level").nth(2).click()
    panel.get_by_label("Evidence for step 1").fill("Clarified the objective.")
    panel.get_by_text("Draft saved").wait_for()
    _assert_fits(interviewer)
    screenshot(interviewer, "31-panel-rubric-1280x800")
    for _ in range(2):
        interviewer.get_by_role("button", name="Next step →").click()
    candidate.get_by_test_id("current-step").get_by_text("3. Data preparation").wait_for()
    panel.get_by_test_id("panel-step").get_by_text("Step 3: Data preparation").wait_for()
    panel.get_by_label("Private notes for step 3").click()
    interviewer.keyboard.type("no word on label noise")
    interviewer.wait_for_timeout(500)

    # Scoring after the end: any step's score with that step's private notes beside it.
    interviewer.get_by_role("button", name="End interview").click()
    interviewer.get_by_role("button", name="End for both").click()
    interviewer.get_by_text("The interview has ended").wait_for()
    panel.get_by_role("tab", name="Score", selected=True).wait_for()
    panel.get_by_role("button", name="1. Clarifying requirements").click()
    panel.get_by_text("asked about latency late").wait_for()
    panel.get_by_label("Evidence for step 1").wait_for()
    panel.get_by_role("button", name="3. Data preparation").click()
    panel.get_by_text("no word on label noise").wait_for()
    panel.get_by_label("Evidence for step 3").wait_for()
    _assert_fits(interviewer)
    screenshot(interviewer, "32-panel-scoring-after-end-1280x800")
    for width, height in ((1440, 900), (1920, 1080)):
        interviewer.set_viewport_size({"width": width, "height": height})
        panel.get_by_role("button", name="1. Clarifying requirements").click()
        _assert_fits(interviewer)
        screenshot(interviewer, f"33-panel-scoring-{width}")

    # On a phone the panel stacks under the workspace, still without clipping.
    interviewer.set_viewport_size({"width": 390, "height": 844})
    panel.get_by_role("tab", name="Guide").click()
    _assert_fits(interviewer, one_screen=False)
    screenshot(interviewer, "33-panel-guide-390")

    # The scorecard page: each step's private notes beside its score.
    interviewer.set_viewport_size({"width": 1280, "height": 800})
    interviewer.goto(f"/interviews/{interview.pk}/scorecard")
    interviewer.get_by_role("heading", name="Scorecard for Carl").wait_for()
    step_1 = interviewer.get_by_role("complementary", name="Your private notes of step 1")
    step_1.get_by_text("asked about latency late").wait_for()
    step_3 = interviewer.get_by_role("complementary", name="Your private notes of step 3")
    step_3.get_by_text("no word on label noise").wait_for()
    interviewer.get_by_role("complementary", name="Your private notes of step 2").get_by_text(
        "None for this step."
    ).wait_for()
    # Beside, not below: the notes start level with the step's score on a laptop.
    card = interviewer.locator(".step-card").first
    score_box = card.locator(".step-score").bounding_box()
    notes_box = step_1.bounding_box()
    assert notes_box["x"] >= score_box["x"] + score_box["width"] - 1
    assert abs(notes_box["y"] - score_box["y"]) < 40
    screenshot(interviewer, "34-scorecard-with-private-notes")
    assert (
        interviewer.console_errors == []
        and interviewer.failed_requests == []
        and candidate.console_errors == []
        and candidate.failed_requests == []
    )
