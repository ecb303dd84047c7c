"""The scorecard form folds a step's level descriptors once it is scored, keyboard first."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from interviews.models import Interview
from tests.e2e.conftest import log_in, screenshot
from tests.factories import InterviewFactory, UserFactory


def _height(page) -> int:
    return int(page.evaluate("() => document.documentElement.scrollHeight"))


def test_scored_steps_fold_their_level_descriptors(new_page, password) -> None:
    ivy = UserFactory(email="ivy@example.com", profile__display_name="Ivy")
    carl = UserFactory(email="carl@example.com", profile__display_name="Carl")
    interview = InterviewFactory(
        interviewer=ivy, candidate=carl, starts_at=timezone.now() - timedelta(hours=1)
    )
    Interview.objects.filter(pk=interview.pk).update(status="completed")
    page = new_page()
    log_in(page, "ivy@example.com", password, f"/interviews/{interview.pk}/scorecard")
    page.get_by_role("heading", name="Scorecard for Carl").wait_for()
    cards = page.locator(".step-score")
    cards.nth(6).wait_for()
    unscored = _height(page)
    assert cards.nth(0).locator(".descriptors").count() == 4

    # Keyboard only: Space picks level 1, the arrow moves to 2; focus stays on the radios
    # while the other levels fold away.
    cards.nth(0).locator("input[type=radio]").first.focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("() => document.activeElement.value") == "2"
    assert cards.nth(0).locator(".descriptors").count() == 1
    assert cards.nth(0).locator(".chosen-descriptor").inner_text().startswith("Level 2:")

    for index in (1, 2, 3):
        cards.nth(index).locator(".level").nth(2).click()
    for index in (4, 5, 6):
        cards.nth(index).get_by_text("The interview did not reach this step").click()
    page.get_by_text("Draft saved").wait_for()
    assert page.locator(".step-score .levels:not(.collapsed)").count() == 0
    scored = _height(page)
    # Evidence boxes and pitfalls stay; the three other levels of each step go (8200 -> 4900 px).
    assert scored < 0.7 * unscored, (unscored, scored)

    toggle = cards.nth(1).get_by_role("button", name="Show all levels for step 2")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert cards.nth(1).locator(".descriptors").count() == 4
    hide = cards.nth(1).get_by_role("button", name="Show only level 3 for step 2")
    assert hide.get_attribute("aria-expanded") == "true"
    screenshot(page, "27-scorecard-folded")
    hide.click()
    assert cards.nth(1).locator(".descriptors").count() == 1
    assert page.console_errors == []
