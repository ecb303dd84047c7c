"""An open request says when matching last looked at it, when it looks next, and why it failed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from accounts.models import User
from interviews.models import InterviewRequest
from interviews.services import matching
from tests.factories import InterviewFactory
from tests.interviews.helpers import ClientFor, window

NOW = datetime(2030, 3, 1, 9, 1, tzinfo=UTC)
EVENING = datetime(2030, 3, 4, 18, 0, tzinfo=UTC)  # a Monday
URL = "/api/interview-requests/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def wants(user: User, role: str, *, max_per_week: int = 1, free: bool = True) -> None:
    InterviewRequest.objects.create(user=user, role=role, level="mid", max_per_week=max_per_week)
    if free:
        window(user, EVENING, hours=3)


def mine(client_for: ClientFor, user: User) -> dict[str, object]:
    (request,) = client_for(user).get(URL).json()["results"]
    return request


def test_before_any_run_the_request_says_when_the_next_one_is(
    client_for: ClientFor, candidate: User
) -> None:
    wants(candidate, "candidate")
    request = mine(client_for, candidate)
    assert request["last_match_run_at"] is None
    assert request["next_match_run_at"] == "2030-03-01T09:05:00Z"
    assert request["unserved_reason"] is None and request["unserved_help"] is None


def test_a_run_with_nobody_free_then_says_wider_windows_help(
    client_for: ClientFor, candidate: User
) -> None:
    wants(candidate, "candidate")
    run = matching.matching_run(key="alone")
    request = mine(client_for, candidate)
    assert run.finished_at is not None
    assert request["last_match_run_at"] == run.finished_at.isoformat().replace("+00:00", "Z")
    assert request["unserved_reason"] == "no_partner"
    assert "wider windows" in str(request["unserved_help"])


def test_two_candidates_free_together_are_told_another_role_would_pair_them(
    client_for: ClientFor, candidate: User, outsider: User
) -> None:
    wants(candidate, "candidate")
    wants(outsider, "candidate")
    matching.matching_run(key="same-role")
    request = mine(client_for, candidate)
    assert request["unserved_reason"] == "another_role"
    assert "interviewer or swap" in str(request["unserved_help"])


def test_a_request_without_free_time_in_the_horizon_is_told_to_publish_some(
    client_for: ClientFor, candidate: User, interviewer: User
) -> None:
    wants(candidate, "candidate", free=False)
    wants(interviewer, "interviewer")
    matching.matching_run(key="no-windows")
    assert mine(client_for, candidate)["unserved_reason"] == "no_windows"


def test_a_full_week_is_named_as_the_reason(
    client_for: ClientFor, candidate: User, interviewer: User, outsider: User
) -> None:
    wants(candidate, "candidate", max_per_week=1)
    wants(interviewer, "interviewer")
    InterviewFactory(
        interviewer=outsider, candidate=candidate, starts_at=EVENING - timedelta(days=1)
    )
    matching.matching_run(key="full")
    request = mine(client_for, candidate)
    assert request["unserved_reason"] == "week_full"
    assert "raise the weekly number" in str(request["unserved_help"])


def test_a_served_request_has_no_reason_and_a_changed_one_waits_for_the_next_run(
    client_for: ClientFor, candidate: User, interviewer: User
) -> None:
    wants(candidate, "candidate", max_per_week=2)
    wants(interviewer, "interviewer")
    matching.matching_run(key="served")
    request = mine(client_for, candidate)
    assert request["last_match_run_at"] is not None
    assert request["unserved_reason"] is None
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        changed = client_for(candidate).patch(
            f"{URL}{request['id']}/", {"max_per_week": 3}, format="json"
        )
        assert changed.json()["last_match_run_at"] is None


def test_a_candidate_who_lost_the_only_interviewer_to_another_is_told_so(
    client_for: ClientFor, candidate: User, interviewer: User, outsider: User
) -> None:
    wants(interviewer, "interviewer")  # room for one interview a week
    wants(candidate, "candidate")
    wants(outsider, "candidate")
    matching.matching_run(key="contested")
    reasons = {mine(client_for, user)["unserved_reason"] for user in (candidate, outsider)}
    assert reasons == {None, "outmatched"}
