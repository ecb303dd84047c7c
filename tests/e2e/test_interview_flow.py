"""The whole journey in two browsers: pair, run the live interview, score it, read the report."""

from __future__ import annotations

from interviews.models import Interview, TimelineEvent
from tests.e2e.conftest import log_in, screenshot
from tests.factories import UserFactory


def _notes_words(page) -> list[str]:
    """The words of the shared notes as shown, without the other person's cursor label.

    Whitespace next to a remote cursor widget renders differently, so words are compared.
    """
    text = page.locator(".notes .cm-content").evaluate(
        "el => { const c = el.cloneNode(true);"
        " c.querySelectorAll('.cm-ySelectionCaret').forEach(n => n.remove());"
        " return c.innerText }"
    )
    return text.replace("\u2060", " ").split()


def test_two_people_run_score_and_review_an_interview(new_page, password) -> None:
    ivy = UserFactory(email="ivy@example.com", profile__display_name="Ivy")
    carl = UserFactory(email="carl@example.com", profile__display_name="Carl")
    interviewer = new_page()
    candidate = new_page(width=1024, height=1366)  # a tablet
    log_in(interviewer, "ivy@example.com", password, "/availability")
    log_in(candidate, "carl@example.com", password, "/availability")

    # Paired by instant match: the first one waits, the second one completes the pair.
    interviewer.get_by_label("I want to be the").select_option("interviewer")
    interviewer.get_by_role("button", name="Match me now").click()
    interviewer.get_by_text("Looking for a partner").wait_for()
    interviewer.get_by_test_id("match-connection").get_by_text("Connected").wait_for()
    screenshot(interviewer, "12-match-waiting")
    candidate.get_by_label("I want to be the").select_option("candidate")
    candidate.get_by_role("button", name="Match me now").click()
    for page in (interviewer, candidate):
        page.wait_for_url("**/interviews/*/room")
    interview = Interview.objects.get(interviewer=ivy, candidate=carl)

    for page in (interviewer, candidate):
        page.get_by_test_id("connection").get_by_text("Connected").wait_for()
        page.locator(".presence").get_by_text("Carl").wait_for()
        page.locator(".presence").get_by_text("Ivy").wait_for()

    interviewer.get_by_role("button", name="Start interview").click()
    for page in (interviewer, candidate):
        page.get_by_test_id("current-step").get_by_text("1. Clarifying requirements").wait_for()
    # Step 1's budget is 270 s: shown as it is, never rounded to "5 min".
    interviewer.get_by_test_id("step-clock").get_by_text("/ 4 min 30 s", exact=False).wait_for()
    candidate.get_by_test_id("step-budget").get_by_text("4 min 30 s", exact=False).wait_for()

    # Both type into step 1 at the same time; each sees the other's words.
    interviewer.locator(".notes .cm-content").click()
    candidate.locator(".notes .cm-content").click()
    for i in range(4):
        interviewer.keyboard.type(f"ivy{i} ")
        candidate.keyboard.type(f"carl{i} ")
    for page in (interviewer, candidate):
        page.wait_for_function(
            "() => { const t = document.querySelector('.notes .cm-content').textContent;"
            " return ['ivy3', 'carl3'].every(w => t.includes(w)) }"
        )
    assert _notes_words(interviewer) == _notes_words(candidate)
    candidate.keyboard.type("\n\n```mermaid\ngraph LR\n  Users-->Ranker\n```\n")
    interviewer.locator(".preview figure.mermaid-diagram svg").wait_for()
    screenshot(interviewer, "20-room-interviewer")
    screenshot(candidate, "21-room-candidate-tablet")

    # The interviewer scores step 1 from the side panel while the interview runs.
    panel = interviewer.get_by_role("complementary", name="Interviewer panel")
    panel.get_by_role("tab", name="Rubric").click()
    panel.locator(".level").nth(2).click()
    panel.get_by_label("Evidence for step 1").fill("Asked about scale and latency first.")
    panel.get_by_text("Draft saved").wait_for()

    interviewer.get_by_role("button", name="Next step →").click()
    candidate.get_by_test_id("current-step").get_by_text("2. Framing as an ML task").wait_for()
    interviewer.get_by_role("button", name="Next step →").click()
    candidate.get_by_test_id("current-step").get_by_text("3. Data preparation").wait_for()

    interviewer.get_by_role("button", name="End interview").click()
    interviewer.get_by_role("button", name="End for both").click()
    for page in (interviewer, candidate):
        page.get_by_text("The interview has ended").wait_for()
    # The step and the clock stand where the interview stopped, for both and after a reload.
    lasted = {
        page.get_by_test_id("interview-clock").inner_text() for page in (interviewer, candidate)
    }
    assert len(lasted) == 1
    for page in (interviewer, candidate):
        page.reload()
        page.get_by_test_id("current-step").get_by_text("3. Data preparation").wait_for()
        page.get_by_test_id("step-clock").get_by_text("/ 6 min 45 s", exact=False).wait_for()
        page.wait_for_timeout(1500)
        assert {page.get_by_test_id("interview-clock").inner_text()} == lasted
    screenshot(candidate, "26-room-after-end-reloaded")
    interview.refresh_from_db()
    assert interview.status == "completed"
    steps = list(
        TimelineEvent.objects.filter(interview=interview, kind="step_entered").values_list(
            "step", flat=True
        )
    )
    assert steps == [1, 2, 3]

    # The interviewer finishes and submits the scorecard.
    interviewer.get_by_role("link", name="Finish the scorecard").click()
    interviewer.get_by_role("heading", name="Scorecard for Carl").wait_for()
    cards = interviewer.locator(".step-score")
    cards.nth(0).get_by_text("Asked about scale and latency first.").wait_for(state="attached")
    for index, level in ((1, 1), (2, 0)):
        cards.nth(index).locator(".level").nth(level).click()
        cards.nth(index).locator("textarea").fill(f"Evidence for step {index + 1}.")
    for index in range(3, 7):
        cards.nth(index).get_by_text("The interview did not reach this step").click()
    interviewer.get_by_label("Ignores monitoring and drift").check()
    interviewer.get_by_label("Recommendation", exact=True).select_option("lean_no_hire")
    screenshot(interviewer, "22-scorecard")
    interviewer.get_by_role("button", name="Submit scorecard").click()
    interviewer.get_by_role("button", name="Submit for good").click()
    interviewer.get_by_text("A submitted scorecard never changes").wait_for()

    # The candidate cannot see it before giving feedback (blind release) ...
    candidate.goto(f"/interviews/{interview.pk}/scorecard")
    candidate.get_by_text("Sealed").wait_for()
    # ... gives feedback on the interviewer ...
    candidate.goto(f"/interviews/{interview.pk}/feedback")
    # The form asks about the interviewer's conduct first, never about a scorecard unseen.
    assert candidate.get_by_text("How useful was the feedback?").count() == 0
    candidate.locator('input[name="preparedness"][value="4"]').check()
    candidate.get_by_label("Comment for the interviewer").fill("Clear, specific feedback.")
    candidate.get_by_label("Step 1: 4").check()
    candidate.get_by_label("Step 2: 3").check()
    screenshot(candidate, "23-feedback")
    candidate.get_by_role("button", name="Submit feedback").click()
    # Released now (the scorecard was submitted first): rate how useful it was.
    rate = candidate.get_by_test_id("rate-the-feedback")
    rate.locator('input[name="usefulness"][value="4"]').check()
    rate.get_by_role("button", name="Send these ratings").click()
    rate.get_by_text("You rated the feedback: useful 4 / 5").wait_for()
    candidate.get_by_role("link", name="See the scorecard you received").click()
    # ... and then sees the scorecard ...
    candidate.get_by_role("heading", name="Your scorecard from Ivy").wait_for()
    candidate.get_by_text("Asked about scale and latency first.").wait_for()
    candidate.get_by_text("Lean no hire").wait_for()
    screenshot(candidate, "24-scorecard-received")

    # ... and a weakness report built from it.
    candidate.goto("/report")
    candidate.get_by_role("heading", name="Your weakness report").wait_for()
    candidate.get_by_test_id("based-on").get_by_text("1 scorecard from 1 interviewer").wait_for()
    candidate.locator(".recharts-surface").first.wait_for()
    # One self-assessment is not yet enough to say the candidate over- or underrates themselves.
    candidate.get_by_test_id("self-assessment").get_by_text(
        "Not enough self-assessments yet (1 of 3 interviews)."
    ).wait_for()
    # The report's budgets read as the room's do.
    budgets = candidate.get_by_test_id("time-table")
    assert "4 min 30 s" in budgets.locator("tr").nth(1).inner_text()
    assert "6 min 45 s" in budgets.locator("tr").nth(3).inner_text()
    screenshot(candidate, "25-report")

    # The past interview replays step by step.
    candidate.goto(f"/interviews/{interview.pk}/replay")
    candidate.get_by_label("Moment", exact=False).wait_for()
    candidate.get_by_text("ivy3", exact=False).first.wait_for()
    screenshot(candidate, "26-replay")
    assert Interview.objects.get(pk=interview.pk).status == "completed"
    assert interviewer.console_errors == [] and candidate.console_errors == []
    # Nor an error status on the way, which the browser would log: every state was asked for
    # in a way that answers it (no draft yet, sealed, logged out) without one.
    assert interviewer.failed_requests == [] and candidate.failed_requests == []
