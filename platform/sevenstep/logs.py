"""Structured logs: the JSON formatter's fields and the interview every live-room line is about.

A live socket binds its interview when it connects (`bind_interview`); from then on every log
line its task writes, and every line of the database work it hands to a thread (asgiref copies
the context), carries `interview_id`. The registry's own tasks serve every room of the process
and must not inherit the binding of the socket that happened to start them: sockets join their
room `unbound()`, the block in which those tasks may start.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterator

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

_interview: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "log_interview_id", default=None
)


def bind_interview(interview_id: int) -> None:
    """Tag every later log line of this task (and of the threads it uses) with the interview."""
    _interview.set(interview_id)


@contextlib.contextmanager
def unbound() -> Iterator[None]:
    """Run a block (and the tasks it starts) without the interview binding."""
    token = _interview.set(None)
    try:
        yield
    finally:
        _interview.reset(token)


class InterviewFilter(logging.Filter):
    """Add `interview_id` to a record written while an interview is bound; drop nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        interview_id = _interview.get()
        if interview_id is not None:
            record.interview_id = interview_id
        return True


class JsonFormatter(_JsonFormatter):
    """One JSON object a line: time, level, logger, message, and extras such as interview_id."""

    def __init__(self) -> None:
        super().__init__(
            "{asctime}{levelname}{name}{message}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
