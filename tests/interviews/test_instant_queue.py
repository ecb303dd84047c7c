"""Waiting for an instant match shows the queue in counts, a role that would pair, and widening."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from interviews import selectors
from interviews.models import InstantQueueEntry
from tests.factories import UserFactory
from tests.interviews.helpers import ClientFor

NOW = datetime(2030, 3, 1, 9, 0, 20, tzinfo=UTC)
URL = "/api/match/instant/"


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def join(client_for: ClientFor, user: User, **body: object) -> dict[str, object]:
    response = client_for(user).post(URL, body, format="json")
    assert response.status_code in {200, 201}, response.json()
    return response.json()


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
    clock: time_machine.Coordinates,
    settings,  # type: ignore[no-untyped-def]
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
