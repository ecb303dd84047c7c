"""Time-on-step: each completed interview's timeline summarised once into seconds per step."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db.models import Exists, OuterRef

from interviews.models import Interview, InterviewStatus, TimelineEvent, TimelineKind
from interviews.models.sessions import SIDE_KINDS
from scoring.models import InterviewTiming
from sevenstep.framework import Step

_BATCH = 2000


def seconds_per_step(
    events: list[tuple[str, int | None, datetime]], ended_at: datetime | None
) -> list[int | None]:
    """Sum the time between entering a step and the next event; None for steps never entered."""
    totals: list[int | None] = [None] * len(Step)
    # Consent to recording or the call may change mid-step; the step goes on all the same.
    session = [event for event in events if event[0] not in SIDE_KINDS]
    ordered = sorted(session, key=lambda event: event[2])
    for index, (kind, step, at) in enumerate(ordered):
        if kind != TimelineKind.STEP_ENTERED or step is None:
            continue
        following = ordered[index + 1][2] if index + 1 < len(ordered) else ended_at
        spent = max(int((following - at).total_seconds()), 0) if following else 0
        totals[step - 1] = (totals[step - 1] or 0) + spent
    return totals


def interview_timings_fill(*, candidate_id: int | None = None) -> int:
    """Summarise completed interviews that have no timing yet; return how many were added.

    A completed interview's timeline no longer changes, so each is read once.
    """
    # EXISTS, not IN: PostgreSQL turns NOT IN over 100k summaries into a quadratic scan.
    summarised = InterviewTiming.objects.filter(interview_id=OuterRef("pk"))
    timed = TimelineEvent.objects.filter(
        interview_id=OuterRef("pk"), kind=TimelineKind.STEP_ENTERED
    )
    pending = Interview.objects.filter(
        Exists(timed), ~Exists(summarised), status=InterviewStatus.COMPLETED
    ).order_by()
    if candidate_id is not None:
        pending = pending.filter(candidate_id=candidate_id)
    rows = list(pending.values_list("pk", "candidate_id", "starts_at", "ends_at", "ended_at"))
    added = 0
    for start in range(0, len(rows), _BATCH):
        batch = rows[start : start + _BATCH]
        events: dict[int, list[tuple[str, int | None, datetime]]] = defaultdict(list)
        for interview_id, kind, step, at in TimelineEvent.objects.filter(
            interview_id__in=[row[0] for row in batch]
        ).values_list("interview_id", "kind", "step", "at"):
            events[interview_id].append((kind, step, at))
        timings = [
            InterviewTiming(
                interview_id=pk,
                candidate_id=candidate,
                minutes=max(round((ends_at - starts_at).total_seconds() / 60), 1),
                **{
                    f"seconds_{step}": seconds
                    for step, seconds in enumerate(seconds_per_step(events[pk], ended_at), 1)
                },
            )
            for pk, candidate, starts_at, ends_at, ended_at in batch
        ]
        # Two rebuilds may summarise the same interview at once; the result is the same.
        InterviewTiming.objects.bulk_create(timings, ignore_conflicts=True)
        added += len(timings)
    return added
