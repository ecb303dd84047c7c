"""Every scheduling endpoint x every role: anonymous, outsider, interviewer, candidate, staff."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from accounts.models import User
from interviews.models import (
    AvailabilityWindow,
    InstantQueueEntry,
    Interview,
    InterviewRequest,
    MatchRun,
)
from interviews.services import calendar
from interviews.services.booking import interview_book
from tests.factories import InterviewFactory, QuestionFactory
from tests.interviews.helpers import ClientFor, window

NOW = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)
AT = datetime(2030, 3, 5, 17, 0, tzinfo=UTC)
ROLES = ["anonymous", "outsider", "interviewer", "candidate", "staff"]
DENIED = "denied"  # 401 or 403 for anonymous callers


@dataclass
class World:
    interviewer: User
    candidate: User
    outsider: User
    staff: User
    upcoming: Interview
    started: Interview
    window: AvailabilityWindow
    request: InterviewRequest
    feed_token: str
    run: MatchRun


@pytest.fixture
def world(interviewer: User, candidate: User, outsider: User, staff: User) -> Iterator[World]:
    with time_machine.travel(NOW, tick=False):
        upcoming = interview_book(
            interviewer_id=interviewer.pk,
            candidate_id=candidate.pk,
            question=QuestionFactory(),
            starts_at=AT,
        )
        started = InterviewFactory(
            interviewer=interviewer, candidate=candidate, starts_at=NOW - timedelta(minutes=20)
        )
        for person in (interviewer, candidate):
            window(person, AT + timedelta(days=1), hours=3)
        InstantQueueEntry.objects.create(
            user=candidate, role="candidate", level="mid", created_at=NOW, last_seen_at=NOW
        )
        yield World(
            interviewer=interviewer,
            candidate=candidate,
            outsider=outsider,
            staff=staff,
            upcoming=upcoming,
            started=started,
            window=AvailabilityWindow.objects.filter(user=candidate).get(),
            request=InterviewRequest.objects.create(user=candidate, role="swap", level="mid"),
            feed_token=calendar.feed_rotate(user=candidate),
            run=MatchRun.objects.create(key="seen"),
        )


@dataclass(frozen=True)
class Case:
    method: str
    path: Callable[[World], str]
    expected: dict[str, int | str]
    body: Callable[[World], object] | None = None

    def __str__(self) -> str:
        return f"{self.method} {self.path.__doc__ or ''}"


def everyone(code: int, anonymous: int | str = DENIED) -> dict[str, int | str]:
    return {
        "anonymous": anonymous,
        "outsider": code,
        "interviewer": code,
        "candidate": code,
        "staff": code,
    }


def only(owner_code: int, others: int, owner: str = "candidate") -> dict[str, int | str]:
    codes = everyone(others)
    codes[owner] = owner_code
    return codes


def participants(code: int, staff: int = 403) -> dict[str, int | str]:
    return {
        "anonymous": DENIED,
        "outsider": 404,
        "interviewer": code,
        "candidate": code,
        "staff": staff,
    }


def staff_only(code: int) -> dict[str, int | str]:
    return {
        "anonymous": DENIED,
        "outsider": 403,
        "interviewer": 403,
        "candidate": 403,
        "staff": code,
    }


NEW_WINDOW = {"starts_at": "2030-03-10T18:00Z", "ends_at": "2030-03-10T20:00Z"}
MOVE = {"starts_at": "2030-03-06T17:30Z"}
CASES = [
    Case("get", lambda w: "/api/questions/", everyone(200)),
    Case("get", lambda w: "/api/availability/", everyone(200)),
    Case("post", lambda w: "/api/availability/", everyone(201), lambda w: NEW_WINDOW),
    Case("get", lambda w: f"/api/availability/{w.window.pk}/", only(200, 404)),
    Case("delete", lambda w: f"/api/availability/{w.window.pk}/", only(204, 404)),
    Case("get", lambda w: "/api/interview-requests/", everyone(200)),
    Case(
        "post",
        lambda w: "/api/interview-requests/",
        {**everyone(201), "candidate": 409},
        lambda w: {"role": "candidate"},
    ),
    Case("get", lambda w: f"/api/interview-requests/{w.request.pk}/", only(200, 404)),
    Case(
        "patch",
        lambda w: f"/api/interview-requests/{w.request.pk}/",
        only(200, 404),
        lambda w: {"max_per_week": 3},
    ),
    Case("delete", lambda w: f"/api/interview-requests/{w.request.pk}/", only(200, 404)),
    Case("get", lambda w: "/api/interviews/", everyone(200)),
    Case("get", lambda w: f"/api/interviews/{w.upcoming.pk}/", participants(200, staff=200)),
    Case(
        "post",
        lambda w: f"/api/interviews/{w.upcoming.pk}/cancel/",
        participants(200),
        lambda w: {"reason": "Sorry"},
    ),
    Case(
        "post",
        lambda w: f"/api/interviews/{w.upcoming.pk}/reschedule/",
        participants(200),
        lambda w: MOVE,
    ),
    Case("post", lambda w: f"/api/interviews/{w.started.pk}/no-show/", participants(200)),
    Case("get", lambda w: f"/api/interviews/{w.upcoming.pk}/invite.ics", participants(200)),
    Case("get", lambda w: "/api/calendar/feed/", everyone(200)),
    Case("post", lambda w: "/api/calendar/feed/", everyone(201)),
    Case("delete", lambda w: "/api/calendar/feed/", everyone(204)),
    Case("get", lambda w: f"/api/calendar/{w.feed_token}.ics", everyone(200, anonymous=200)),
    # The two participants are in the interview that started 20 minutes ago.
    Case(
        "post",
        lambda w: "/api/match/instant/",
        everyone(201) | {"interviewer": 409, "candidate": 409},
        lambda w: {"role": "interviewer"},
    ),
    Case("get", lambda w: "/api/match/instant/", only(200, 404)),
    Case("delete", lambda w: "/api/match/instant/", only(200, 404)),
    Case("get", lambda w: "/api/me/scheduling/", everyone(200)),
    Case("get", lambda w: "/api/match/runs/", staff_only(200)),
    Case("post", lambda w: "/api/match/runs/", staff_only(202), lambda w: {}),
    Case("get", lambda w: f"/api/match/runs/{w.run.pk}/", staff_only(200)),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[f"{c.method}-{i}" for i, c in enumerate(CASES)])
def test_every_endpoint_answers_every_role_as_the_rules_say(
    client_for: ClientFor, world: World, case: Case, role: str
) -> None:
    user = None if role == "anonymous" else getattr(world, role)
    client = client_for(user)
    moment = NOW + timedelta(minutes=15) if "no-show" in case.path(world) else NOW
    kwargs: dict[str, object] = {"format": "json"}
    if case.body is not None:
        kwargs["data"] = case.body(world)
    with time_machine.travel(moment, tick=False):
        response = getattr(client, case.method)(case.path(world), **kwargs)
    expected = case.expected[role]
    if expected == DENIED:
        assert response.status_code == 403, (case.path(world), response.content)
    else:
        assert response.status_code == expected, (case.path(world), role, response.content)
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "fields"}
