"""Schemathesis against our own OpenAPI schema, as a normal user: no 5xx, no schema violations."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.services import api_token_create
from tests.factories import InterviewFactory, UserFactory

EXAMPLES = 15

# Server errors and anything the schema does not document fail. Not checked here: that every
# schema-valid body is accepted (the domain adds rules a JSON schema cannot say, such as an
# IANA time-zone name), that every invalid one is refused (unknown query parameters are
# ignored, as most APIs do; bodies are checked by each app's bad-input tests), and auth, which
# the authorisation matrix walks.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# Logging out and deleting the account end the fuzzer's own session half-way, so those two
# operations are left out here and covered by tests/accounts.


schema = (
    schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    .exclude(method="POST", path="/api/auth/logout/")
    .exclude(method="POST", path="/api/me/delete/")
)


@pytest.fixture(autouse=True)
def _keep_the_test_connection_open():
    """Requests run inside the test transaction, as Django's own test client arranges."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_api_never_errors_and_matches_its_schema(case) -> None:
    user = _fuzz_user() or UserFactory(email="fuzz.user@example.com")
    # A fresh token per example; at the per-user cap the oldest such token makes room.
    _, token = api_token_create(user=user, name="fuzz", from_login=True)
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)


def _fuzz_user():
    from accounts.models import User

    return User.objects.filter(email="fuzz.user@example.com").first()


# --- hostile values the schema does not describe ---------------------------------------------
#
# Schemathesis generates what the schema allows and a little around it. An attacker sends what
# a parser, a converter or an echoing message chokes on instead. This pass walks every operation
# of the same schema and sends each such value into each body field (at every depth of a body
# built from the schema, so validation reaches past the first missing field) and each query and
# path parameter: never a 5xx, and every 4xx in the error shape.

DEEP = "[" * 1000 + "]" * 1000
# Raw JSON text, placed as it is: json.dumps would refuse some and rewrite others.
HOSTILE_JSON = [
    '"a\\udfffb"',
    '"0001-01-01T00:00:00+05:00"',
    '"9999-12-31T23:59:59-05:00"',
    "123456789012345678901234567890",
    "-1e999",
    "[" * 40 + "]" * 40,
]
# Raw (already percent-encoded) query and path values: UTF-8-encoded surrogates, NUL, far dates.
HOSTILE_QUERY = [
    "%ED%A0%80",
    "%00",
    "0001-01-01T00%3A00%3A00%2B05%3A00",
    "9999-12-31T23%3A59%3A59-05%3A00",
    "123456789012345678901234567890",
    "%5B" * 1000,
]
PLACEHOLDER = "\x00hostile\x00"
SKIPPED = {("POST", "/api/auth/logout/"), ("POST", "/api/me/delete/")}


def _resolve(node: dict[str, Any], raw: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = raw["components"]["schemas"][name]
    for combined in ("allOf", "oneOf", "anyOf"):
        if combined in node:
            return _resolve(node[combined][0], raw)
    return node


def _example(node: dict[str, Any], raw: dict[str, Any]) -> Any:
    """Return a plausible value for a schema node: enough for validation to reach every field."""
    node = _resolve(node, raw)
    if node.get("enum"):
        return next((value for value in node["enum"] if value not in (None, "")), None)
    kind = node.get("type")
    if kind == "object":
        props = node.get("properties", {})
        return {k: _example(v, raw) for k, v in props.items() if not v.get("readOnly")}
    if kind == "array":
        return [_example(node.get("items", {}), raw)]
    if kind == "string":
        return {"date-time": "2030-03-28T18:00:00+00:00", "email": "x@example.com"}.get(
            node.get("format", ""), "x"
        )
    if kind in ("integer", "number"):
        return node.get("minimum", 1)
    if kind == "boolean":
        return False
    return "x"


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Yield the path of every value inside a JSON document, containers included."""
    if path:
        yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))


def _with_hostile(body: Any, path: tuple[Any, ...], raw_value: str) -> str:
    copy = json.loads(json.dumps(body))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = PLACEHOLDER
    return json.dumps(copy).replace(json.dumps(PLACEHOLDER), raw_value)


def _hostile_requests(raw: dict[str, Any], ids: dict[str, str]) -> Iterator[tuple[str, str, str]]:
    """Yield (method, url, JSON body) for every hostile value in every input of the API."""
    for template, operations in raw["paths"].items():
        for method, operation in operations.items():
            method = method.upper()
            if (method, template) in SKIPPED:
                continue
            params = operation.get("parameters", [])
            path_values = {
                p["name"]: ids[_id_kind(template, p["name"])] for p in params if p["in"] == "path"
            }
            url = _fill(template, path_values)
            content = operation.get("requestBody", {}).get("content", {})
            body = (
                _example(content["application/json"]["schema"], raw)
                if "application/json" in content
                else {}
            )
            text = json.dumps(body)
            for value in HOSTILE_QUERY:
                for name in path_values:
                    yield method, _fill(template, {**path_values, name: value}), text
                for param in params:
                    if param["in"] == "query":
                        yield method, f"{url}?{param['name']}={value}", text
            if method in ("GET", "DELETE"):
                continue
            yield method, url, DEEP
            yield method, url, '{"\\ud800": 1}'
            for path in _leaves(body):
                for value in HOSTILE_JSON:
                    yield method, url, _with_hostile(body, path, value)


# Which object of the fuzz user's world a path parameter points at, by the path's start.
_ID_KINDS = [
    ("/api/interviews/{interview_id}/interviewer-feedback/", "held_as_candidate"),
    ("/api/interviews/{interview_id}/", "held"),
    ("/api/interviews/", "upcoming"),
    ("/api/availability/", "window"),
    ("/api/interview-requests/", "request"),
    ("/api/match/runs/", "run"),
    ("/api/rubrics/", "version"),
    ("/api/calendar/", "token"),
]


def _id_kind(template: str, name: str) -> str:
    return next((kind for prefix, kind in _ID_KINDS if template.startswith(prefix)), "unknown")


def _fill(template: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template


def _hostile_world(user: Any) -> dict[str, str]:
    """Give the fuzz user something behind every path parameter, so the body is read."""
    from interviews.models import AvailabilityWindow, InterviewRequest
    from interviews.models.scheduling import MatchRun
    from tests.scoring.conftest import held_interview

    partner = UserFactory(email="fuzz.partner@example.com", password=None)
    upcoming = InterviewFactory(interviewer=user, candidate=partner)
    soon = upcoming.starts_at + timedelta(days=2)
    window = AvailabilityWindow.objects.create(
        user=user, starts_at=soon, ends_at=soon + timedelta(hours=2)
    )
    request = InterviewRequest.objects.create(user=user, role="candidate", level="mid")
    return {
        "held": str(held_interview(user, partner).pk),
        "held_as_candidate": str(held_interview(partner, user, ended_ago=timedelta(hours=3)).pk),
        "upcoming": str(upcoming.pk),
        "window": str(window.pk),
        "request": str(request.pk),
        "run": str(MatchRun.objects.create().pk),
        "version": "1",
        "token": "not-a-feed",
        "unknown": "1",
    }


@pytest.mark.django_db
def test_hostile_values_in_every_input_of_every_operation_are_never_a_server_error() -> None:
    from django.core.cache import cache

    user = UserFactory(email="fuzz.user@example.com")
    ids = _hostile_world(user)
    _, token = api_token_create(user=user, name="hostile", from_login=True)
    client = APIClient(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {token}")
    failures: list[str] = []
    sent = 0
    for method, url, body in _hostile_requests(schema.raw_schema, ids):
        # Throttles answer before the body is parsed; clearing them keeps every value reaching it.
        cache.clear()
        response = client.generic(
            method,
            url,
            # DRF's stub types data as str; generic() hands bytes on to Django's, which takes them.
            body.encode(),  # type: ignore[arg-type]
            content_type="application/json",
        )
        sent += 1
        if not _answered_in_shape(response):
            failures.append(f"{method} {url[:120]} {body[:120]!r} -> {response.status_code}")
    assert sent > 500
    assert not failures, "\n".join(failures[:40])


def _answered_in_shape(response: Any) -> bool:
    if response.status_code >= 500:
        return False
    if response.status_code < 400:
        return True
    try:
        error = json.loads(response.content)["error"]
    except (ValueError, KeyError, TypeError):
        return False
    return set(error) == {"code", "message", "fields"}
