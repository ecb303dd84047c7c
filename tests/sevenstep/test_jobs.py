"""Jobs are queued by name once the change commits; a broker outage loses a job, not a change."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from celery import Celery, current_app
from django.db import transaction

from accounts.models import User
from sevenstep.jobs import enqueue_on_commit, job

# Nothing listens on port 1: connecting is refused at once, as with a broker that is down.
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


def test_every_task_has_an_explicit_name_and_the_shared_retry_policy() -> None:
    from config.celery_app import app

    app.loader.import_default_modules()
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert "interviews.live.tasks.compact_document" in ours  # its name before names were given
    for name, task in ours.items():
        assert task.acks_late is True, name
        assert task.max_retries is not None and task.autoretry_for, name


def test_an_unknown_job_fails_where_it_is_queued_not_after_the_commit() -> None:
    with pytest.raises(KeyError):
        job("interviews.no_such_job")


@pytest.mark.django_db
def test_a_committed_change_stands_and_the_caller_goes_on_when_the_broker_is_down(
    interviewer: User,
    django_capture_on_commit_callbacks: Callable,
    caplog: pytest.LogCaptureFixture,
) -> None:
    job("sevenstep.ping")  # imports every app's tasks, which a new app then shares
    outage = Celery("outage", broker=UNREACHABLE_BROKER, set_as_current=False)
    outage.conf.broker_connection_timeout = 1
    previous = current_app._get_current_object()
    outage.set_current()
    try:
        with (
            caplog.at_level(logging.ERROR, logger="sevenstep.jobs"),
            django_capture_on_commit_callbacks(execute=True),
            transaction.atomic(),
        ):
            User.objects.filter(pk=interviewer.pk).update(first_name="Changed")
            enqueue_on_commit("sevenstep.ping", 41)
    finally:
        previous.set_current()
    interviewer.refresh_from_db()
    assert interviewer.first_name == "Changed"
    assert "job sevenstep.ping(41,) not queued" in caplog.text
