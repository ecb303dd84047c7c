"""The standing interview request: one open at a time, defaults from the profile, bad input."""

from __future__ import annotations

import pytest

from accounts.models import User
from interviews.models import InterviewRequest, RequestStatus
from tests.interviews.helpers import ClientFor

pytestmark = pytest.mark.django_db

URL = "/api/interview-requests/"


def test_a_request_takes_level_and_domains_from_my_profile(
    client_for: ClientFor, candidate: User
) -> None:
    response = client_for(candidate).post(URL, {"role": "swap"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["role"] == "swap"
    assert body["level"] == "mid"
    assert body["domains"] == ["recommendation"]
    assert body["max_per_week"] == 2
    assert body["status"] == "open"


def test_i_can_have_only_one_open_request(client_for: ClientFor, candidate: User) -> None:
    assert client_for(candidate).post(URL, {"role": "candidate"}, format="json").status_code == 201
    again = client_for(candidate).post(URL, {"role": "interviewer"}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "request_already_open"
    assert InterviewRequest.objects.filter(user=candidate).count() == 1


def test_i_can_change_and_withdraw_my_request(client_for: ClientFor, candidate: User) -> None:
    created = client_for(candidate).post(URL, {"role": "candidate"}, format="json").json()
    changed = client_for(candidate).patch(
        f"{URL}{created['id']}/",
        {"domains": ["ads", "search", "ads"], "max_per_week": 4},
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["domains"] == ["ads", "search"]
    assert changed.json()["max_per_week"] == 4
    assert changed.json()["role"] == "candidate"
    withdrawn = client_for(candidate).delete(f"{URL}{created['id']}/")
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"
    assert client_for(candidate).delete(f"{URL}{created['id']}/").status_code == 409
    assert (
        client_for(candidate)
        .patch(f"{URL}{created['id']}/", {"max_per_week": 1}, format="json")
        .status_code
        == 409
    )
    # Withdrawn, so a new one may be opened.
    assert client_for(candidate).post(URL, {"role": "swap"}, format="json").status_code == 201
    assert list(
        InterviewRequest.objects.filter(user=candidate).values_list("status", flat=True)
    ) == [RequestStatus.OPEN, RequestStatus.WITHDRAWN]


def test_nobody_else_sees_or_changes_my_request(
    client_for: ClientFor, candidate: User, outsider: User, staff: User
) -> None:
    created = client_for(candidate).post(URL, {"role": "candidate"}, format="json").json()
    for other in (outsider, staff):
        assert client_for(other).get(f"{URL}{created['id']}/").status_code == 404
        assert client_for(other).delete(f"{URL}{created['id']}/").status_code == 404
        assert client_for(other).get(URL).json()["count"] == 0
    assert client_for(None).get(URL).status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "role"),
        ({"role": "spectator"}, "role"),
        ({"role": "swap", "level": "principal"}, "level"),
        ({"role": "swap", "domains": ["astrology"]}, "domains.0"),
        ({"role": "swap", "domains": "ads"}, "domains"),
        ({"role": "swap", "max_per_week": 0}, "max_per_week"),
        ({"role": "swap", "max_per_week": 15}, "max_per_week"),
        ({"role": "swap", "max_per_week": "many"}, "max_per_week"),
        ({"role": "swap", "status": "withdrawn"}, "status"),
        ({"role": "candidate", "question": True}, "question"),
    ],
)
def test_bad_requests_get_a_400_naming_the_field(
    client_for: ClientFor, candidate: User, body: dict[str, object], field: str
) -> None:
    response = client_for(candidate).post(URL, body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["fields"]
    assert not InterviewRequest.objects.exists()


def test_an_infinite_question_id_is_a_400_not_a_500(client_for: ClientFor, candidate: User) -> None:
    # JSON's -1e999 parses as -inf, which overflowed the database lookup: the parser refuses it.
    body = '{"role": "candidate", "question": -1e999}'
    response = client_for(candidate).post(URL, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "malformed_request"


@pytest.mark.parametrize("question", ["1e30", str(2**70), '"' + "9" * 30 + '"', '"seven"'])
def test_a_question_id_no_key_can_hold_is_a_400_on_the_field(
    client_for: ClientFor, candidate: User, question: str
) -> None:
    body = '{"role": "candidate", "question": ' + question + "}"
    response = client_for(candidate).post(URL, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "question" in response.json()["error"]["fields"]


def test_a_bad_change_is_a_400_and_changes_nothing(client_for: ClientFor, candidate: User) -> None:
    created = client_for(candidate).post(URL, {"role": "candidate"}, format="json").json()
    response = client_for(candidate).patch(
        f"{URL}{created['id']}/", {"role": "boss", "max_per_week": 3}, format="json"
    )
    assert response.status_code == 400
    assert InterviewRequest.objects.get().max_per_week == 2
