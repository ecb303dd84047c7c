"""Every page passes axe-core's checks for serious and critical accessibility problems."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.e2e.conftest import ROOT, _missing, log_in
from tests.factories import InterviewFactory, UserFactory

AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
# Excalidraw's own toolbar is outside our control; the board is checked by hand.
EXCLUDE = [".excalidraw"]


def _violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async (exclude) => {
            const r = await axe.run({ exclude: exclude.map((s) => [s]) },
                { resultTypes: ['violations'] });
            return r.violations
              .filter((v) => ['serious', 'critical'].includes(v.impact))
              .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`);
        }""",
        EXCLUDE,
    )
    return list(result)


@pytest.fixture
def axe_page(browser, e2e_server):
    if not AXE.is_file():
        _missing("axe-core is not installed: npm ci in frontend/")
    # Injecting axe needs an inline script, which our CSP rightly forbids.
    context = browser.new_context(base_url=e2e_server.http_url, bypass_csp=True)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_the_pages_have_no_serious_accessibility_violations(axe_page, password) -> None:
    page = axe_page
    carl = UserFactory(email="carl@example.com", profile__display_name="Carl")
    interview = InterviewFactory(candidate=carl, starts_at=timezone.now() + timedelta(minutes=2))
    # A finished one too, so home lists feedback due and the history has a row with its links.
    held_at = timezone.now() - timedelta(hours=1)
    InterviewFactory(
        interviewer=interview.interviewer,
        candidate=carl,
        starts_at=held_at,
        ends_at=held_at + timedelta(minutes=45),
        status="completed",
        started_at=held_at,
        ended_at=held_at + timedelta(minutes=45),
    )
    found: dict[str, list[str]] = {}

    page.goto("/")
    page.get_by_role("heading", name="The 7 steps").wait_for()
    found["/ (landing)"] = _violations(page)
    page.goto("/login")
    page.get_by_role("heading", name="Log in").wait_for()
    found["/login"] = _violations(page)
    page.goto("/register")
    page.get_by_role("heading", name="Create an account").wait_for()
    found["/register"] = _violations(page)

    log_in(page, "carl@example.com", password)
    pages = {
        "/": "Due from you",
        "/interviews": "Upcoming interviews",
        "/history": "Interview history",
        "/welcome": "The 7 steps",
        "/profile": "Your profile",
        "/availability": "Availability and requests",
        f"/interviews/{interview.pk}": interview.question.title,
        "/report": "Your weakness report",
        "/as-interviewer": "You as an interviewer",
        f"/interviews/{interview.pk}/feedback": "Your feedback on",
    }
    for path, heading in pages.items():
        page.goto(path)
        page.get_by_role("heading", name=heading).first.wait_for()
        page.wait_for_load_state("networkidle")
        found[path] = _violations(page)

    page.goto(f"/interviews/{interview.pk}/room")
    page.get_by_test_id("connection").get_by_text("Connected").wait_for()
    found["room (candidate)"] = _violations(page)

    page.context.clear_cookies()
    log_in(page, interview.interviewer.email, password, f"/interviews/{interview.pk}/room")
    page.get_by_test_id("connection").get_by_text("Connected").wait_for()
    panel = page.get_by_role("complementary", name="Interviewer panel")
    panel.get_by_test_id("question-prompt").wait_for()
    found["room (interviewer), question"] = _violations(page)
    panel.get_by_role("tab", name="Guide").click()
    found["room (interviewer), guide"] = _violations(page)
    panel.get_by_role("tab", name="Rubric").click()
    page.get_by_text("Score for step 1").wait_for()
    found["room (interviewer)"] = _violations(page)
    page.goto(f"/interviews/{interview.pk}/scorecard")
    page.get_by_role("heading", name="Scorecard for Carl").wait_for()
    found["scorecard"] = _violations(page)
    page.get_by_role("button", name="Submit scorecard").click()
    page.get_by_role("dialog", name="Submit the scorecard for good?").wait_for()
    found["scorecard, confirming the submission"] = _violations(page)

    assert {path: issues for path, issues in found.items() if issues} == {}
