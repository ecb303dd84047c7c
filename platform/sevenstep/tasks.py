"""Diagnostic jobs that prove the worker runs our code."""

from __future__ import annotations

import platform
import socket

from celery import shared_task

from sevenstep.jobs import Job


@shared_task(base=Job, name="sevenstep.ping")
def ping(value: int) -> dict[str, object]:
    """Echo a value with facts about the worker process that ran it."""
    return {
        "value": value,
        "python_implementation": platform.python_implementation(),
        "python_version": platform.python_version(),
        "platform_file": platform.__file__,
        "hostname": socket.gethostname(),
    }
