"""Calendar invites and the private feed: valid iCalendar, the zone, the join link, revocation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from icalendar import Calendar

from accounts.models import User
from interviews.models import CalendarFeed, Interview
from interviews.services.booking import interview_book
from interviews.services.lifecycle import interview_cancel
from tests.factories import QuestionFactory
from tests.interviews.helpers import ClientFor

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)
AT = datetime(2030, 3, 5, 17, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def booked(interviewer: User, candidate: User) -> Interview:
    candidate.profile.time_zone = "Europe/Berlin"
    candidate.profile.save()
    return interview_book(
        interviewer_id=interviewer.pk,
        candidate_id=candidate.pk,
        question=QuestionFactory(title="Design a feed"),
        starts_at=AT,
    )


def test_the_invite_is_in_my_zone_with_the_join_link(
    client_for: ClientFor, booked: Interview, candidate: User
) -> None:
    response = client_for(candidate).get(f"/api/interviews/{booked.pk}/invite.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Berlin"]
    (event,) = calendar.events
    start = event.start
    assert isinstance(start, datetime)  # a time of day, not an all-day date
    assert start == datetime(2030, 3, 5, 17, 0, tzinfo=UTC)
    assert str(start.tzinfo) == "Europe/Berlin"
    assert start.hour == 18
    assert event.end - start == AT.replace(minute=45) - AT
    assert f"/interviews/{booked.pk}/room" in str(event["URL"])
    assert f"/interviews/{booked.pk}/room" in str(event["DESCRIPTION"])
    assert "Design a feed" in str(event["SUMMARY"])
    assert "you are the candidate" in str(event["SUMMARY"])
    assert event["UID"] == f"interview-{booked.pk}@localhost"


def test_a_calendar_client_asking_for_text_calendar_gets_it(
    client_for: ClientFor, booked: Interview, interviewer: User
) -> None:
    response = client_for(interviewer).get(
        f"/api/interviews/{booked.pk}/invite.ics", HTTP_ACCEPT="text/calendar"
    )
    assert response.status_code == 200
    assert b"BEGIN:VCALENDAR" in response.content


def test_only_the_two_participants_get_the_invite(
    client_for: ClientFor, booked: Interview, outsider: User, staff: User
) -> None:
    url = f"/api/interviews/{booked.pk}/invite.ics"
    assert client_for(outsider).get(url).status_code == 404
    forbidden = client_for(staff).get(url, HTTP_ACCEPT="text/calendar")
    assert forbidden.status_code == 403
    assert forbidden.json()["error"]["code"] == "not_a_participant"
    assert client_for(None).get(url).status_code == 403


def test_the_feed_lists_my_interviews_and_marks_cancelled_ones(
    client_for: ClientFor, booked: Interview, interviewer: User, candidate: User
) -> None:
    created = client_for(candidate).post("/api/calendar/feed/")
    assert created.status_code == 201
    url = created.json()["url"]
    path = url.removeprefix("http://localhost:8000")
    interview_cancel(interview=booked, user=interviewer, reason="Sorry")
    feed = client_for(None).get(path)
    assert feed.status_code == 200
    (event,) = Calendar.from_ical(feed.content).events
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 1


def test_rotating_the_feed_revokes_the_old_url_and_deleting_revokes_it_all(
    client_for: ClientFor, booked: Interview, candidate: User
) -> None:
    client = client_for(candidate)
    first = client.post("/api/calendar/feed/").json()["url"].removeprefix("http://localhost:8000")
    second = client.post("/api/calendar/feed/").json()["url"].removeprefix("http://localhost:8000")
    assert first != second
    assert client_for(None).get(first).status_code == 404
    assert client_for(None).get(second).status_code == 200
    assert client.get("/api/calendar/feed/").json()["active"] is True
    assert client.delete("/api/calendar/feed/").status_code == 204
    assert client_for(None).get(second).status_code == 404
    assert client.get("/api/calendar/feed/").json() == {"active": False, "created_at": None}


def test_only_a_hash_of_the_feed_secret_is_stored(client_for: ClientFor, candidate: User) -> None:
    url = client_for(candidate).post("/api/calendar/feed/").json()["url"]
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    stored = CalendarFeed.objects.get(user=candidate).token_hash
    assert token not in stored and len(stored) == 64


def test_unknown_feed_tokens_are_a_json_404(client_for: ClientFor) -> None:
    response = client_for(None).get("/api/calendar/not-a-real-token.ics")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("payload", [{"token": "mine"}, [1], "x"])
def test_the_feed_secret_cannot_be_chosen_or_sent_junk(
    client_for: ClientFor, candidate: User, payload: object
) -> None:
    response = client_for(candidate).post("/api/calendar/feed/", payload, format="json")
    assert response.status_code == 400
    assert not CalendarFeed.objects.filter(user=candidate).exists()
