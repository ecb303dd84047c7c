"""Fixtures for account tests."""

from __future__ import annotations

from types import TracebackType

import pytest

from tests.interviews.helpers import eager_tasks


@pytest.fixture
def sent(mailoutbox, django_capture_on_commit_callbacks):
    """Run queued jobs and on-commit callbacks inside the block; return the outbox."""

    class Sent:
        outbox = mailoutbox

        def __enter__(self) -> list:
            self._eager = eager_tasks()
            self._eager.__enter__()
            self._commit = django_capture_on_commit_callbacks(execute=True)
            self._commit.__enter__()
            return mailoutbox

        def __exit__(
            self,
            kind: type[BaseException] | None,
            error: BaseException | None,
            traceback: TracebackType | None,
        ) -> None:
            self._commit.__exit__(kind, error, traceback)
            self._eager.__exit__(kind, error, traceback)

    return Sent()
