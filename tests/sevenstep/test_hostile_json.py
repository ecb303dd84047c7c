"""Hostile JSON is a 400 in the error shape: deep nesting, lone surrogates, far-off dates."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from interviews.models import Interview
from tests.factories import InterviewFactory
from tests.sevenstep.test_errors import assert_error_shape

pytestmark = pytest.mark.django_db

DEEP_ARRAY = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000
# Just past the bound: deep enough to refuse, shallow enough that Python's json parses it.
PAST_THE_BOUND = '{"time_zone":' + "[" * 40 + "]" * 40 + "}"
SURROGATE = "\\ud800"
FAR_DATES = ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "0001-01-01T00:00"]

# Every operation whose validation message echoes a string it was given, with that string.
ECHOING = [
    ("post", "/api/auth/token/", '{"email": "%s", "password": "x"}'),
    ("post", "/api/auth/login/", '{"email": "%s", "password": "x"}'),
    ("patch", "/api/me/", '{"time_zone": "%s"}'),
    ("patch", "/api/me/", '{"%s": 1}'),
    ("post", "/api/interview-requests/", '{"domains": ["%s"]}'),
    ("post", "/api/match/instant/", '{"domains": ["%s"], "role": "%s"}'),
    ("post", "/api/availability/", '{"starts_at": "2030-01-01T10:00", "time_zone": "%s"}'),
    ("post", "/api/calendar/feed/", '{"%s": "%s"}'),
]


def send(client: APIClient, method: str, url: str, raw: str):
    # DRF's stub types generic()'s data as str; it hands bytes on to Django's, which takes them.
    return client.generic(
        method.upper(),
        url,
        raw.encode(),  # type: ignore[arg-type]
        content_type="application/json",
    )


@pytest.fixture
def question():
    from tests.factories import QuestionFactory

    return QuestionFactory()


@pytest.fixture
def ivy(client_for, interviewer: User) -> APIClient:
    client = client_for(interviewer)
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("raw", [DEEP_ARRAY, DEEP_OBJECT, PAST_THE_BOUND])
@pytest.mark.parametrize(("method", "url"), [("post", "/api/auth/token/"), ("patch", "/api/me/")])
def test_deeply_nested_json_is_a_400_even_anonymously(
    ivy: APIClient, method: str, url: str, raw: str
) -> None:
    client = ivy if url == "/api/me/" else APIClient(raise_request_exception=False)
    response = send(client, method, url, raw)
    assert response.status_code == 400, response.content
    assert_error_shape(response.json(), "malformed_request")
    assert "32 levels" in response.json()["error"]["message"]


@pytest.mark.parametrize("number", ["1e999", "-1e999", "[1e400]"])
def test_a_number_too_large_for_a_float_is_a_400_in_any_field(
    ivy: APIClient,
    question,
    number: str,
) -> None:
    """1e999 parses as infinity; a key field converting it used to raise OverflowError."""
    raw = '{"role": "candidate", "level": "new_grad", "domains": ["recommendation"], '
    raw += f'"max_per_week": 1, "question": {number}}}'
    response = send(ivy, "post", "/api/interview-requests/", raw)
    assert response.status_code == 400, response.content
    assert_error_shape(response.json(), "malformed_request")


def test_json_as_deep_as_the_bound_is_still_parsed(ivy: APIClient) -> None:
    raw = '{"time_zone": ' + "[" * 31 + "]" * 31 + "}"
    response = send(ivy, "patch", "/api/me/", raw)
    assert response.status_code == 400
    assert_error_shape(response.json(), "validation_error")


@pytest.mark.parametrize(("method", "url", "template"), ECHOING)
def test_a_lone_surrogate_in_any_echoed_field_is_a_400(
    ivy: APIClient, method: str, url: str, template: str
) -> None:
    raw = template.replace("%s", SURROGATE)
    response = send(ivy, method, url, raw)
    assert response.status_code == 400, response.content
    assert_error_shape(response.json(), "malformed_request")
    assert "surrogate" in response.json()["error"]["message"]


def test_a_surrogate_pair_is_an_ordinary_character(ivy: APIClient) -> None:
    response = send(ivy, "patch", "/api/me/", '{"display_name": "Ivy \\ud83d\\ude00"}')
    assert response.status_code == 200, response.content
    assert response.json()["profile"]["display_name"] == "Ivy \U0001f600"


def test_an_echoed_lone_surrogate_renders_as_an_escape_not_an_error() -> None:
    from sevenstep.parsers import JSONRenderer

    rendered = JSONRenderer().render({"error": {"message": "'\ud800' is not a zone."}})
    assert json.loads(rendered) == {"error": {"message": "'\ud800' is not a zone."}}
    assert b"\\ud800" in rendered


@pytest.mark.parametrize("when", FAR_DATES)
def test_availability_at_the_edge_of_time_is_a_400(ivy: APIClient, when: str) -> None:
    response = ivy.post("/api/availability/", {"starts_at": when, "ends_at": when}, format="json")
    assert response.status_code == 400, response.content
    assert_error_shape(response.json(), "validation_error")
    assert "starts_at" in response.json()["error"]["fields"]


@pytest.mark.parametrize("when", FAR_DATES)
def test_rescheduling_to_the_edge_of_time_is_a_400(
    ivy: APIClient, interviewer: User, candidate: User, when: str
) -> None:
    interview: Interview = InterviewFactory(interviewer=interviewer, candidate=candidate)
    response = ivy.post(
        f"/api/interviews/{interview.pk}/reschedule/", {"starts_at": when}, format="json"
    )
    assert response.status_code == 400, response.content
    assert_error_shape(response.json(), "validation_error")
    interview.refresh_from_db()
    assert interview.sequence == 0


@pytest.mark.parametrize(
    "query", ["?email=%ED%A0%80", "?format=%ED%A0%80", "?%ED%A0%80=%FF", "?page=%00"]
)
def test_odd_query_strings_on_the_token_and_login_endpoints_are_never_a_server_error(
    query: str,
) -> None:
    client = APIClient(raise_request_exception=False)
    for url in ("/api/auth/token/", "/api/auth/login/"):
        response = client.post(url + query, {"email": "a@b.c", "password": "x"}, format="json")
        assert response.status_code < 500, response.content
        assert_error_shape(response.json())


@pytest.mark.parametrize(
    "body", [b"email=%ED%A0%80&password=x", b"email=\xed\xa0\x80&password=\xff", b"%%%=&&="]
)
def test_form_bodies_with_odd_bytes_on_the_token_and_login_endpoints_are_a_415(
    body: bytes,
) -> None:
    client = APIClient(raise_request_exception=False)
    for url in ("/api/auth/token/", "/api/auth/login/"):
        response = client.generic(
            "POST",
            url,
            body,  # type: ignore[arg-type]  # bytes are fine: as in send() above
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 415, response.content
        assert_error_shape(response.json())
