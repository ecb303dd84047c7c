"""The shape of the live documents: the one place that names their parts.

The browser, the export and the replay all agree on these names; the server treats `board`
as opaque (the diagram board owns its inner structure).
"""

from __future__ import annotations

from django.db import models

from sevenstep.framework import STEPS, Step


class DocumentKind(models.TextChoices):
    NOTES = "notes", "Shared notes"
    PRIVATE = "private", "Interviewer's private notes"


def step_text(step: int) -> str:
    """Return the name of the Y.Text that holds the notes of a framework step."""
    return f"step-{Step(step).value}"


STEP_TEXTS: tuple[str, ...] = tuple(step_text(info.step) for info in STEPS)
SCRATCH = "scratch"
BOARD = "board"
TEXTS: tuple[str, ...] = (*STEP_TEXTS, SCRATCH)


def control_group(interview_id: int) -> str:
    """Return the channel-layer group of an interview's control sockets."""
    return f"live.{interview_id}.control"
