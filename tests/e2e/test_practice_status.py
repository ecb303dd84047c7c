"""What the app says about scheduling: why a request waits, and when both people are free."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

from django.utils import timezone

from interviews.models import Interview, InterviewRequest
from interviews.services import matching
from interviews.services.booking import interview_book
from tests.e2e.conftest import log_in, screenshot
from tests.factories import QuestionFactory, UserFactory
from tests.interviews.helpers import window

KOLKATA = zoneinfo.ZoneInfo("Asia/Kolkata")


def test_an_open_request_the_last_run_could_not_serve_says_why(new_page, password) -> None:
    ada = UserFactory(email="ada@example.com", profile__display_name="Ada")
    InterviewRequest.objects.create(user=ada, role="candidate", level="mid")
    window(ada, timezone.now() + timedelta(days=2), hours=3)
    matching.matching_run(key="e2e-alone")
    page = new_page()
    log_in(page, "ada@example.com", password, "/availability")
    page.get_by_test_id("match-runs").get_by_text("Last matching run:", exact=False).wait_for()
    assert "Next:" in page.get_by_test_id("match-runs").inner_text()
    page.get_by_test_id("unserved").get_by_text("wider windows help", exact=False).wait_for()
    page.get_by_text("in any 7 days", exact=False).first.wait_for()
    screenshot(page, "47-request-unserved")


def test_rescheduling_offers_the_times_both_are_free_in_my_zone(new_page, password) -> None:
    ivy = UserFactory(email="ivy@example.com", profile__display_name="Ivy")
    carl = UserFactory(
        email="carl@example.com", profile__display_name="Carl", profile__time_zone="Asia/Kolkata"
    )
    interview = interview_book(
        interviewer_id=ivy.pk,
        candidate_id=carl.pk,
        question=QuestionFactory(),
        starts_at=(timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0),
    )
    day = (timezone.now() + timedelta(days=3)).astimezone(KOLKATA).date()
    evening = datetime(day.year, day.month, day.day, 19, 0, tzinfo=KOLKATA)  # 19:00 in Kolkata
    window(ivy, evening - timedelta(hours=1), hours=3)
    window(carl, evening, hours=3)
    page = new_page()
    log_in(page, "carl@example.com", password, f"/interviews/{interview.pk}")
    free = page.get_by_test_id("both-free")
    free.get_by_text("start by 20:15", exact=False).wait_for()
    assert "GMT+5:30" in free.inner_text()
    free.get_by_role("button", name="Pick 19:00").click()
    assert page.get_by_label("New start (Asia/Kolkata)").input_value() == evening.strftime(
        "%Y-%m-%dT%H:%M"
    )
    screenshot(page, "48-reschedule-both-free")
    page.get_by_role("button", name="Reschedule").click()
    page.get_by_text("Interview moved", exact=False).wait_for()
    interview.refresh_from_db()
    assert interview.starts_at == evening
    assert Interview.objects.count() == 1
