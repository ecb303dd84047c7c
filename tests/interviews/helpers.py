"""Shared by the scheduling tests: the client factory's type and small builders."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from rest_framework.test import APIClient

from accounts.models import User
from interviews.models import AvailabilityWindow, Question
from tests.factories import QuestionFactory

ClientFor = Callable[[User | None], APIClient]


def window(user: User, starts_at: datetime, hours: float = 3) -> AvailabilityWindow:
    return AvailabilityWindow.objects.create(
        user=user,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        time_zone=user.profile.time_zone,
    )


def question(**kwargs: Any) -> Question:
    return QuestionFactory(**kwargs)


@contextmanager
def eager_tasks() -> Iterator[None]:
    """Run Celery tasks in-process even when a broker is configured (the PostgreSQL pass)."""
    from config.celery_app import app

    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = saved
