"""Instant match: people online now are paired at once, criteria relax, leaving is possible."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from interviews import selectors
from interviews.models import (
    InstantQueueEntry,
    Interview,
    InterviewSource,
    Question,
    QueueStatus,
)
from interviews.services import instant, session
from tests.factories import InterviewFactory, UserFactory
from tests.interviews.helpers import ClientFor

NOW = datetime(2030, 3, 1, 9, 0, 20, tzinfo=UTC)
URL = "/api/match/instant/"


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def join(client_for: ClientFor, user: User, **body: object) -> dict[str, Any]:
    response = client_for(user).post(URL, body, format="json")
    assert response.status_code in {200, 201}, response.json()
    return response.json()


def test_the_second_person_waiting_for_a_fitting_interview_is_paired_at_once(
    client_for: ClientFor, interviewer: User, candidate: User
) -> None:
    first = join(client_for, candidate, role="candidate")
    assert first["status"] == "waiting" and first["interview_id"] is None
    second = join(client_for, interviewer, role="interviewer")
    assert second["status"] == "matched"
    interview = Interview.objects.get(pk=second["interview_id"])
    assert (interview.interviewer, interview.candidate) == (interviewer, candidate)
    assert interview.source == InterviewSource.INSTANT
    assert interview.starts_at == NOW.replace(second=0)
    polled = client_for(candidate).get(URL).json()
    assert polled["status"] == "matched" and polled["interview_id"] == interview.pk
    assert polled["join_url"].endswith(f"/interviews/{interview.pk}/room")


def test_two_swap_seekers_start_a_swap(
    client_for: ClientFor, interviewer: User, candidate: User
) -> None:
    join(client_for, candidate, role="swap")
    matched = join(client_for, interviewer, role="swap")
    assert matched["status"] == "matched"
    assert Interview.objects.count() == 2


def test_roles_that_do_not_fit_are_never_paired(
    client_for: ClientFor, candidate: User, outsider: User
) -> None:
    join(client_for, candidate, role="candidate")
    assert join(client_for, outsider, role="candidate")["status"] == "waiting"


def test_criteria_relax_after_the_timeout(
    client_for: ClientFor,
    interviewer: User,
    candidate: User,
    clock: time_machine.Traveller,
) -> None:
    join(client_for, candidate, role="candidate", level="mid", domains=["ads"])
    waiting = join(client_for, interviewer, role="interviewer", level="senior", domains=["vision"])
    assert waiting["status"] == "waiting" and waiting["relaxed"] is False
    clock.move_to(NOW + timedelta(seconds=31))
    polled = client_for(candidate).get(URL).json()
    assert polled["status"] == "matched"
    assert polled["relaxed"] is True


def test_levels_three_apart_are_never_paired_even_after_long_waits(
    client_for: ClientFor, candidate: User, interviewer: User, clock: time_machine.Traveller
) -> None:
    join(client_for, candidate, role="candidate", level="new_grad")
    join(client_for, interviewer, role="interviewer", level="staff")
    for seconds in (20, 40, 59):
        clock.move_to(NOW + timedelta(seconds=seconds))
        assert client_for(candidate).get(URL).json()["status"] == "waiting"
        client_for(interviewer).get(URL)


def test_leaving_the_queue_means_nobody_is_paired_with_me(
    client_for: ClientFor, interviewer: User, candidate: User
) -> None:
    join(client_for, candidate, role="candidate")
    left = client_for(candidate).delete(URL)
    assert left.status_code == 200 and left.json()["status"] == "left"
    assert join(client_for, interviewer, role="interviewer")["status"] == "waiting"
    assert client_for(candidate).delete(URL).status_code == 404


def test_a_closed_tab_is_not_paired_and_the_sweep_expires_it(
    client_for: ClientFor, interviewer: User, candidate: User, clock: time_machine.Traveller
) -> None:
    join(client_for, candidate, role="candidate")
    clock.move_to(NOW + timedelta(seconds=61))
    assert join(client_for, interviewer, role="interviewer")["status"] == "waiting"
    instant.instant_sweep()
    assert InstantQueueEntry.objects.get(user=candidate).status == QueueStatus.EXPIRED


def test_the_sweep_pairs_people_whose_criteria_have_relaxed(
    client_for: ClientFor, interviewer: User, candidate: User, clock: time_machine.Traveller
) -> None:
    join(client_for, candidate, role="candidate", level="mid")
    join(client_for, interviewer, role="interviewer", level="senior")
    clock.move_to(NOW + timedelta(seconds=35))
    InstantQueueEntry.objects.update(last_seen_at=NOW + timedelta(seconds=30))
    assert instant.instant_sweep() == 1
    assert set(InstantQueueEntry.objects.values_list("status", flat=True)) == {"matched"}


def test_joining_again_while_waiting_updates_the_wish(
    client_for: ClientFor, candidate: User
) -> None:
    assert client_for(candidate).post(URL, {"role": "candidate"}, format="json").status_code == 201
    again = client_for(candidate).post(URL, {"role": "swap"}, format="json")
    assert again.status_code == 200 and again.json()["role"] == "swap"
    assert InstantQueueEntry.objects.filter(user=candidate).count() == 1


def test_someone_in_an_interview_right_now_cannot_queue(
    client_for: ClientFor, candidate: User
) -> None:
    InterviewFactory(candidate=candidate, starts_at=NOW - timedelta(minutes=10))
    response = client_for(candidate).post(URL, {"role": "candidate"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "busy_now"


def test_polling_without_joining_is_a_404(client_for: ClientFor, candidate: User) -> None:
    response = client_for(candidate).get(URL)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_queued"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "role"),
        ({"role": "boss"}, "role"),
        ({"role": "swap", "level": "principal"}, "level"),
        ({"role": "swap", "domains": ["astrology"]}, "domains.0"),
        ({"role": "swap", "now": True}, "now"),
    ],
)
def test_bad_instant_requests_are_a_400(
    client_for: ClientFor, candidate: User, body: dict[str, object], field: str
) -> None:
    response = client_for(candidate).post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not InstantQueueEntry.objects.exists()


def test_the_candidate_gets_a_fresh_question(client_for: ClientFor) -> None:
    seasoned, fresh = UserFactory(), UserFactory()
    # The candidate has already designed every active question but one.
    *seen, unseen = Question.objects.filter(is_active=True).order_by("pk")
    for days, question in enumerate(seen, start=2):
        InterviewFactory(
            candidate=seasoned, question=question, starts_at=NOW - timedelta(days=days)
        )
    join(client_for, fresh, role="interviewer")
    matched = join(client_for, seasoned, role="candidate")
    assert Interview.objects.get(pk=matched["interview_id"]).question == unseen


def test_match_me_now_works_again_after_an_interview_ends_early(
    client_for: ClientFor,
    interviewer: User,
    candidate: User,
    outsider: User,
    clock: time_machine.Traveller,
) -> None:
    join(client_for, candidate, role="candidate")
    first = Interview.objects.get(
        pk=join(client_for, interviewer, role="interviewer")["interview_id"]
    )
    session.session_start(interview_id=first.pk, user_id=interviewer.pk)
    clock.shift(timedelta(minutes=12))
    session.session_end(interview_id=first.pk, user_id=interviewer.pk)
    # The booked 45 minutes are not over, but the interview is: neither of them is busy.
    assert join(client_for, candidate, role="candidate")["status"] == "waiting"
    again = join(client_for, outsider, role="interviewer")
    assert again["status"] == "matched"
    second = Interview.objects.get(pk=again["interview_id"])
    assert (second.interviewer, second.candidate) == (outsider, candidate)
    assert second.starts_at < first.ends_at


# While waiting: the queue in counts, a role that would pair, and when the search widens.
def test_the_queue_counts_others_waiting_live_but_not_me_nor_closed_tabs(
    client_for: ClientFor, candidate: User, interviewer: User, outsider: User
) -> None:
    # No shared domain before the search widens, so everyone stays waiting.
    join(client_for, candidate, role="candidate", domains=["ads"])
    join(client_for, interviewer, role="swap", domains=["vision"])
    join(client_for, outsider, role="interviewer", domains=["fraud"])
    closed_tab = UserFactory()
    join(client_for, closed_tab, role="interviewer", domains=["search"])
    InstantQueueEntry.objects.filter(user=closed_tab).update(last_seen_at=NOW - timedelta(hours=1))
    polled = client_for(candidate).get(URL).json()
    assert polled["status"] == "waiting"
    assert polled["queue"] == {"candidate": 0, "interviewer": 1, "swap": 1}
    assert set(polled) >= {"queue", "suggested_role", "suggestion", "widens_at", "widens_how"}


def test_the_queue_is_counted_in_one_query(candidate: User, interviewer: User) -> None:
    entry = InstantQueueEntry.objects.create(
        user=candidate, role="candidate", level="mid", created_at=NOW, last_seen_at=NOW
    )
    InstantQueueEntry.objects.create(
        user=interviewer, role="candidate", level="mid", created_at=NOW, last_seen_at=NOW
    )
    with CaptureQueriesContext(connection) as queries:
        view = selectors.instant_queue(entry=entry, now=NOW)
    assert len(queries) == 1
    assert view.counts == {"candidate": 1, "interviewer": 0, "swap": 0}


@pytest.mark.parametrize(
    ("mine", "others", "suggested"),
    [
        ("candidate", ["candidate"], "interviewer"),
        ("candidate", ["candidate", "candidate"], "interviewer"),
        ("interviewer", ["interviewer"], "candidate"),
        ("candidate", ["candidate", "swap"], None),
        ("candidate", ["candidate", "interviewer"], None),
        ("interviewer", ["interviewer", "swap"], None),
        ("swap", ["swap"], None),
        ("candidate", [], None),
    ],
)
def test_a_role_is_suggested_exactly_when_everyone_else_waiting_wants_my_role(
    client_for: ClientFor, candidate: User, mine: str, others: list[str], suggested: str | None
) -> None:
    # No shared domain before the search widens, so everyone stays waiting.
    join(client_for, candidate, role=mine, domains=["ads"])
    for role, domain in zip(others, ["vision", "fraud"], strict=False):
        join(client_for, UserFactory(), role=role, domains=[domain])
    polled = client_for(candidate).get(URL).json()
    assert polled["status"] == "waiting"
    assert polled["suggested_role"] == suggested
    if suggested is None:
        assert polled["suggestion"] is None
    else:
        assert f"switch to {suggested}" in polled["suggestion"]


def test_switching_to_the_suggested_role_gets_me_matched(
    client_for: ClientFor, candidate: User, outsider: User
) -> None:
    join(client_for, candidate, role="candidate")
    waiting = join(client_for, outsider, role="candidate")
    assert waiting["suggested_role"] == "interviewer"
    switched = join(client_for, outsider, role=waiting["suggested_role"])
    assert switched["status"] == "matched"
    assert switched["suggested_role"] is None and switched["queue"] is None


def test_widening_is_announced_before_it_happens_as_the_relax_rule_says(
    client_for: ClientFor,
    candidate: User,
    clock: time_machine.Traveller,
    settings,
) -> None:
    settings.SCHEDULING_INSTANT_RELAX_SECONDS = 30
    first = join(client_for, candidate, role="candidate")
    assert first["widens_at"] == "2030-03-01T09:00:50Z"
    assert "any domain" in first["widens_how"]
    clock.move_to(NOW + timedelta(seconds=31))
    second = client_for(candidate).get(URL).json()
    assert second["relaxed"] is True
    assert second["widens_at"] == "2030-03-01T09:01:20Z"
    assert "two apart" in second["widens_how"]
    clock.move_to(NOW + timedelta(seconds=61))
    widest = client_for(candidate).get(URL).json()
    assert widest["status"] == "waiting"
    assert widest["widens_at"] is None and widest["widens_how"] is None


def test_an_unverified_user_cannot_join_the_instant_queue(client_for: ClientFor) -> None:
    unverified = UserFactory(email_verified=False)
    response = client_for(unverified).post(URL, {"role": "candidate"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "email_unverified"
    assert not InstantQueueEntry.objects.filter(user=unverified).exists()


def test_a_waiting_entry_whose_owner_is_no_longer_verified_is_never_paired(
    client_for: ClientFor, interviewer: User, candidate: User
) -> None:
    from allauth.account.models import EmailAddress

    join(client_for, candidate, role="candidate")
    EmailAddress.objects.filter(user=candidate).update(verified=False)
    second = join(client_for, interviewer, role="interviewer")
    assert second["status"] == "waiting"
    assert not Interview.objects.exists()
