"""Availability windows: entered in the user's zone, stored in UTC, DST-correct, validated."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
import time_machine

from accounts.models import User
from interviews.models import AvailabilityWindow
from tests.factories import UserFactory
from tests.interviews.helpers import ClientFor

if TYPE_CHECKING:  # the test client's response, with .json(): a name only the stubs have
    from rest_framework.response import _MonkeyPatchedResponse

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)
URL = "/api/availability/"


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def berliner(db: None) -> User:
    return UserFactory(profile__time_zone="Europe/Berlin")


def post(client_for: ClientFor, as_user: User, **body: object) -> _MonkeyPatchedResponse:
    return client_for(as_user).post(URL, body, format="json")


def test_a_naive_time_is_read_in_the_profile_zone_and_stored_in_utc(
    client_for: ClientFor, berliner: User
) -> None:
    response = post(client_for, berliner, starts_at="2030-03-05T18:00", ends_at="2030-03-05T20:00")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["starts_at"] == "2030-03-05T17:00:00Z"
    assert body["starts_at_local"] == "2030-03-05T18:00:00+01:00"
    assert body["time_zone"] == "Europe/Berlin"
    window = AvailabilityWindow.objects.get(pk=body["id"])
    assert window.starts_at == datetime(2030, 3, 5, 17, 0, tzinfo=UTC)


def test_an_explicit_offset_wins_over_the_profile_zone(
    client_for: ClientFor, berliner: User
) -> None:
    response = post(
        client_for, berliner, starts_at="2030-03-05T18:00-05:00", ends_at="2030-03-05T20:00-05:00"
    )
    assert response.status_code == 201
    assert response.json()["starts_at"] == "2030-03-05T23:00:00Z"
    assert response.json()["starts_at_local"] == "2030-03-06T00:00:00+01:00"


def test_a_time_zone_in_the_body_overrides_the_profile(
    client_for: ClientFor, berliner: User
) -> None:
    response = post(
        client_for,
        berliner,
        starts_at="2030-03-05T18:00",
        ends_at="2030-03-05T20:00",
        time_zone="Asia/Kolkata",
    )
    assert response.status_code == 201
    assert response.json()["starts_at"] == "2030-03-05T12:30:00Z"


def test_a_wall_clock_time_skipped_by_spring_forward_is_a_clear_400(
    client_for: ClientFor, berliner: User
) -> None:
    # Europe/Berlin jumps from 02:00 to 03:00 on 31 March 2030.
    response = post(client_for, berliner, starts_at="2030-03-31T02:30", ends_at="2030-03-31T05:00")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert "does not exist in Europe/Berlin" in error["fields"]["starts_at"][0]
    assert not AvailabilityWindow.objects.exists()


def test_a_window_across_spring_forward_is_an_hour_shorter_in_real_time(
    client_for: ClientFor, berliner: User
) -> None:
    response = post(client_for, berliner, starts_at="2030-03-31T01:00", ends_at="2030-03-31T04:00")
    assert response.status_code == 201
    window = AvailabilityWindow.objects.get()
    assert (window.ends_at - window.starts_at).total_seconds() == 2 * 3600
    assert response.json()["ends_at_local"] == "2030-03-31T04:00:00+02:00"


def test_a_window_that_spring_forward_makes_too_short_is_refused(
    client_for: ClientFor, berliner: User
) -> None:
    # 01:30 to 03:00 local looks like 90 minutes but is 30 minutes of real time.
    response = post(client_for, berliner, starts_at="2030-03-31T01:30", ends_at="2030-03-31T03:00")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_short"


def test_an_ambiguous_fall_back_time_asks_for_the_offset(
    client_for: ClientFor, berliner: User
) -> None:
    # Europe/Berlin shows 02:00-03:00 twice on 27 October 2030.
    with time_machine.travel(datetime(2030, 10, 1, tzinfo=UTC), tick=False):
        response = post(
            client_for, berliner, starts_at="2030-10-27T02:30", ends_at="2030-10-27T05:00"
        )
    assert response.status_code == 400
    message = response.json()["error"]["fields"]["starts_at"][0]
    assert "happens twice in Europe/Berlin" in message
    assert "+02:00" in message and "+01:00" in message


def test_an_ambiguous_time_with_an_offset_is_placed_exactly(
    client_for: ClientFor, berliner: User
) -> None:
    with time_machine.travel(datetime(2030, 10, 1, tzinfo=UTC), tick=False):
        first = post(
            client_for,
            berliner,
            starts_at="2030-10-27T02:30+02:00",
            ends_at="2030-10-27T05:00",
        )
        assert first.status_code == 201, first.json()
        window = AvailabilityWindow.objects.get()
        assert window.starts_at == datetime(2030, 10, 27, 0, 30, tzinfo=UTC)
        # 02:30 CEST to 05:00 CET is three and a half real hours.
        assert (window.ends_at - window.starts_at).total_seconds() == 3.5 * 3600


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        (
            {"starts_at": "2030-02-27T18:00", "ends_at": "2030-02-27T20:00"},
            "starts_at",
            "in_the_past",
        ),
        ({"starts_at": "2030-03-05T18:00", "ends_at": "2030-03-05T18:30"}, "ends_at", "too_short"),
        (
            {"starts_at": "2030-03-05T18:00", "ends_at": "2030-03-05T17:00"},
            "ends_at",
            "ends_before_start",
        ),
        (
            {"starts_at": "2030-06-05T18:00", "ends_at": "2030-06-05T20:00"},
            "ends_at",
            "too_far_ahead",
        ),
        (
            {
                "starts_at": "2030-03-05T18:00",
                "ends_at": "2030-03-05T20:00",
                "time_zone": "Mars/Olympus",
            },
            "time_zone",
            "validation_error",
        ),
        (
            {"starts_at": "next tuesday", "ends_at": "2030-03-05T20:00"},
            "starts_at",
            "validation_error",
        ),
        ({"starts_at": 1700000000, "ends_at": "2030-03-05T20:00"}, "starts_at", "validation_error"),
        (
            {"starts_at": "2030-13-05T18:00", "ends_at": "2030-03-05T20:00"},
            "starts_at",
            "validation_error",
        ),
        ({"ends_at": "2030-03-05T20:00"}, "starts_at", "validation_error"),
        (
            {"starts_at": "2030-03-05T18:00", "ends_at": "2030-03-05T20:00", "user": 1},
            "user",
            "validation_error",
        ),
    ],
)
def test_bad_windows_get_a_clear_error_naming_the_field(
    client_for: ClientFor, berliner: User, body: dict[str, object], field: str, code: str
) -> None:
    response = post(client_for, berliner, **body)
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == code
    assert field in error["fields"]
    assert not AvailabilityWindow.objects.exists()


def test_overlapping_my_own_window_is_a_conflict_naming_it_in_my_zone(
    client_for: ClientFor, berliner: User
) -> None:
    assert (
        post(
            client_for, berliner, starts_at="2030-03-05T18:00", ends_at="2030-03-05T20:00"
        ).status_code
        == 201
    )
    response = post(client_for, berliner, starts_at="2030-03-05T19:00", ends_at="2030-03-05T21:00")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "overlapping_window"
    assert "18:00 CET (Europe/Berlin)" in error["message"]
    assert AvailabilityWindow.objects.count() == 1


def test_touching_windows_and_other_peoples_windows_do_not_overlap(
    client_for: ClientFor, berliner: User, candidate: User
) -> None:
    assert (
        post(
            client_for, berliner, starts_at="2030-03-05T18:00", ends_at="2030-03-05T20:00"
        ).status_code
        == 201
    )
    assert (
        post(
            client_for, berliner, starts_at="2030-03-05T20:00", ends_at="2030-03-05T21:00"
        ).status_code
        == 201
    )
    assert (
        post(
            client_for, candidate, starts_at="2030-03-05T18:00", ends_at="2030-03-05T20:00"
        ).status_code
        == 201
    )


def test_i_list_only_my_upcoming_windows_unless_i_ask_for_past_ones(
    client_for: ClientFor, berliner: User, candidate: User, clock: time_machine.Traveller
) -> None:
    post(client_for, berliner, starts_at="2030-03-02T18:00", ends_at="2030-03-02T20:00")
    post(client_for, berliner, starts_at="2030-03-05T18:00", ends_at="2030-03-05T20:00")
    post(client_for, candidate, starts_at="2030-03-05T18:00", ends_at="2030-03-05T20:00")
    clock.move_to(datetime(2030, 3, 4, tzinfo=UTC))
    upcoming = client_for(berliner).get(URL).json()
    assert [w["starts_at_local"] for w in upcoming["results"]] == ["2030-03-05T18:00:00+01:00"]
    everything = client_for(berliner).get(URL, {"past": "true"}).json()
    assert everything["count"] == 2
    assert client_for(berliner).get(URL, {"past": "maybe"}).status_code == 400


def test_i_can_remove_my_window_but_not_someone_elses(
    client_for: ClientFor, berliner: User, candidate: User
) -> None:
    window_id = post(
        client_for, berliner, starts_at="2030-03-05T18:00", ends_at="2030-03-05T20:00"
    ).json()["id"]
    assert client_for(candidate).delete(f"{URL}{window_id}/").status_code == 404
    assert client_for(candidate).get(f"{URL}{window_id}/").status_code == 404
    assert client_for(berliner).get(f"{URL}{window_id}/").status_code == 200
    assert client_for(berliner).delete(f"{URL}{window_id}/").status_code == 204
    assert not AvailabilityWindow.objects.exists()
