"""Shared fixtures: a named cast of users, API clients, and the service requirements.

Tests marked `postgres` or `redis` need the real service. Without it they skip and say why;
with REQUIRE_SERVICES=1 (set by CI) they fail instead.
"""

from __future__ import annotations

import os
import re
import socket
from typing import NoReturn
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from tests.factories import PASSWORD, UserFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _missing(reason: str) -> NoReturn:
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=2).close()
    except OSError:
        return False
    return True


# Each test process has a PostgreSQL test database of its own, named after its process id, so
# that two runs on one machine (a developer's beside CI) never share one, and the databases of
# runs that are gone can be told from those of runs still going.
RUN_SUFFIX = re.compile(r"_run(\d+)$")


def _end_sessions(cursor, name: str) -> None:
    """Terminate every PostgreSQL session on the database name but this connection's."""
    cursor.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = %s AND pid <> pg_backend_pid()",
        [name],
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, django_db_blocker):
    """Name this process's PostgreSQL test database, and drop those of runs that are gone.

    A run that was killed, or a server of its that outlived it (a hung shutdown), leaves its
    database behind, with sessions on it that would stop Django from dropping it.
    """
    if connection.vendor != "postgresql":
        return
    test = settings.DATABASES["default"].setdefault("TEST", {})
    base = test.get("NAME") or f"test_{settings.DATABASES['default']['NAME']}"
    test["NAME"] = f"{base}_run{os.getpid()}"
    with django_db_blocker.unblock(), connection._nodb_cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE 'test\\_%%'")
        for (name,) in cursor.fetchall():
            found = RUN_SUFFIX.search(name)
            if found and not _alive(int(found[1])):
                _end_sessions(cursor, name)
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, dropped at the end even where a connection another
    thread of this process opened (a sync-to-async worker's) is still there."""
    yield django_db_setup
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection._nodb_cursor() as cursor:
            _end_sessions(cursor, settings.DATABASES["default"]["TEST"]["NAME"])


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _missing("needs PostgreSQL: set DATABASE_URL=postgres://… (bin/test does)")
    if item.get_closest_marker("redis"):
        if not settings.REDIS_URL:
            _missing("needs Redis: set REDIS_URL=redis://… (bin/test does)")
        elif not _reachable(settings.REDIS_URL):
            _missing(f"Redis is not reachable at {settings.REDIS_URL}")


@pytest.fixture(autouse=True)
def _isolated_cache() -> None:
    """Throttle counters and other cached state never leak between tests."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def interviewer(db):
    return UserFactory(email="ivy.interviewer@example.com", profile__display_name="Ivy")


@pytest.fixture
def candidate(db):
    return UserFactory(email="carl.candidate@example.com", profile__display_name="Carl")


@pytest.fixture
def outsider(db):
    return UserFactory(email="olga.outsider@example.com", profile__display_name="Olga")


@pytest.fixture
def staff(db):
    return UserFactory(email="sam.staff@example.com", is_staff=True, profile__display_name="Sam")


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for():
    """Return an API client logged in as the given user (or anonymous for None)."""

    def make(user) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture(autouse=True)
def _shipped_rubric(request: pytest.FixtureRequest) -> None:
    """Give transactional tests the rubric v1 the migrations ship.

    A transactional test ends by flushing every table, data migrations' rows included, so the
    next one would otherwise start without the rubric every scorecard is written against.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from scoring.models import Rubric
    from scoring.services.rubrics import rubric_document_load, rubric_publish

    if not Rubric.objects.filter(version=1).exists():
        rubric_publish(document=rubric_document_load(1))


@pytest.fixture
def queue():
    """A Celery queue of our own, so no other run's worker takes these jobs."""
    import uuid

    from config.celery_app import app

    name = f"test-scoring-{uuid.uuid4().hex[:8]}"
    default = app.conf.task_default_queue
    app.conf.task_default_queue = name
    yield name
    app.conf.task_default_queue = default


@pytest.fixture
def harness():
    """Stock Yjs clients in one Node process (tests/support/yjs.py), stopped after the test."""
    from tests.support.yjs import YjsHarness

    driver = YjsHarness()
    yield driver
    driver.close()
