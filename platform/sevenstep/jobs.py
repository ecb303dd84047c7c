"""Background jobs, one way: a base task that retries transient errors, and queueing on commit.

Every Celery task in the project is declared with `@shared_task(base=Job, name=...)`: an explicit
name (beat entries and jobs already queued refer to tasks by name, so a name never changes), late
acknowledgement, and one retry policy for errors that go away by themselves (a database or mail
server briefly unreachable). A rule violation is not retried: it would fail the same way again.

Services never import their app's tasks module (tasks import services, so that would be a
circle); they queue a job by name with `enqueue_on_commit`, which looks it up in Celery's
registry. The job is sent only once the caller's transaction commits, so a worker never reads a
row that is not there yet, and a rolled-back change queues nothing.

A broker outage at that moment does not undo the change: the commit has happened, the request
succeeds and the failure is logged. Each job that matters has something that redoes it without
the message (the nightly report rebuild, the matching and reminder beats, compaction on the
next close); see the callers.
"""

from __future__ import annotations

import functools
import logging
import smtplib
from typing import Any

from celery import Task, current_app
from django.db import InterfaceError, OperationalError, transaction
from kombu.exceptions import OperationalError as BrokerError

log = logging.getLogger(__name__)

# Errors worth another try later: the database or the mail server was briefly away. A bad
# message or a broken rule never gets better, so nothing else is retried.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    ConnectionError,
)


class Job(Task):
    """The base of every task: acknowledged when done, transient errors retried with backoff."""

    acks_late = True
    autoretry_for = TRANSIENT_ERRORS
    retry_backoff = True
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 5


def job(name: str) -> Task:
    """Return the registered task called name, importing every app's tasks on first use."""
    app = current_app
    if name not in app.tasks:
        # Import <app>.tasks for every installed app, as a worker does at start (without the
        # worker's setup and system checks, which have no place in a request).
        app.autodiscover_tasks(force=True)
    return app.tasks[name]


def enqueue_on_commit(name: str, *args: Any, countdown: float | None = None) -> None:
    """Queue the job called name once the current transaction commits (at once outside one)."""
    task = job(name)  # an unknown name fails here, in the caller, not after the commit
    transaction.on_commit(functools.partial(_send, task, args, countdown))


def _send(task: Task, args: tuple[Any, ...], countdown: float | None) -> None:
    try:
        task.apply_async(args=args, countdown=countdown)
    except BrokerError:
        # The change is committed; failing the request now would only hide that it succeeded.
        log.exception("broker unreachable: job %s%r not queued", task.name, args)
