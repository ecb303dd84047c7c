"""Schemathesis against our own OpenAPI schema, as a normal user: no 5xx, no schema violations."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.services import api_token_create
from tests.factories import UserFactory

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
def _keep_the_test_connection_open():  # type: ignore[no-untyped-def]
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
def test_api_never_errors_and_matches_its_schema(case) -> None:  # type: ignore[no-untyped-def]
    user = _fuzz_user() or UserFactory(email="fuzz.user@example.com")
    # A fresh token per example; at the per-user cap the oldest such token makes room.
    _, token = api_token_create(user=user, name="fuzz", from_login=True)
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)


def _fuzz_user():  # type: ignore[no-untyped-def]
    from accounts.models import User

    return User.objects.filter(email="fuzz.user@example.com").first()
