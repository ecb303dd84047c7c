"""Booking interviews so that nobody ever holds two overlapping ones, whatever the concurrency.

Each participant gets a Seat over the interview's time range. PostgreSQL refuses overlapping
active seats of a user with an exclusion constraint (migration 0002); the IntegrityError
becomes a Conflict. SQLite has no such constraint, but its connection opens IMMEDIATE
transactions, so the overlap check and the insert below run under the database write lock and
no other booking can slip in between.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from interviews import selectors
from interviews.models import (
    Interview,
    InterviewRole,
    InterviewSource,
    MatchRun,
    NotificationKind,
    Question,
    Seat,
)
from interviews.services import notifications
from sevenstep.errors import ApplicationError, Conflict
from sevenstep.framework import INTERVIEW_MINUTES

INTERVIEW_LENGTH = timedelta(minutes=INTERVIEW_MINUTES)


@dataclass(frozen=True)
class Slot:
    """One interview to book: who interviews whom, on what, when."""

    interviewer_id: int
    candidate_id: int
    question: Question
    starts_at: datetime


def guide_release_at(*, starts_at: datetime) -> datetime:
    """Return when the interviewer's preparation view of the guide opens (stored at booking)."""
    return selectors.guide_preparation_opens_at(starts_at=starts_at)


def interview_book(
    *,
    interviewer_id: int,
    candidate_id: int,
    question: Question,
    starts_at: datetime,
    source: InterviewSource = InterviewSource.MANUAL,
    match_run: MatchRun | None = None,
) -> Interview:
    """Book one interview with both seats, or raise Conflict if either person is busy."""
    (interview,) = interviews_book(
        slots=[Slot(interviewer_id, candidate_id, question, starts_at)],
        source=source,
        match_run=match_run,
    )
    return interview


def swap_book(
    *,
    first_interviewer_id: int,
    first_candidate_id: int,
    first_question: Question,
    second_question: Question,
    starts_at: datetime,
    source: InterviewSource = InterviewSource.MANUAL,
    match_run: MatchRun | None = None,
) -> list[Interview]:
    """Book two back-to-back interviews between the same people with the roles reversed."""
    return interviews_book(
        slots=[
            Slot(first_interviewer_id, first_candidate_id, first_question, starts_at),
            Slot(
                first_candidate_id,
                first_interviewer_id,
                second_question,
                starts_at + INTERVIEW_LENGTH,
            ),
        ],
        source=source,
        match_run=match_run,
    )


def interviews_book(
    *,
    slots: list[Slot],
    source: InterviewSource = InterviewSource.MANUAL,
    match_run: MatchRun | None = None,
) -> list[Interview]:
    """Book the slots all or nothing; several slots form one swap group."""
    now = timezone.now()
    for slot in slots:
        if slot.interviewer_id == slot.candidate_id:
            raise ApplicationError("Nobody can interview themselves.", code="same_person")
        if slot.starts_at < now - timedelta(minutes=1):
            raise ApplicationError("An interview cannot start in the past.", code="in_the_past")
    group = uuid.uuid4() if len(slots) > 1 else None
    with overlaps_refused(), transaction.atomic():
        _refuse_overlaps(slots)
        _refuse_seen_questions(slots)
        interviews = [
            Interview.objects.create(
                interviewer_id=slot.interviewer_id,
                candidate_id=slot.candidate_id,
                question=slot.question,
                starts_at=slot.starts_at,
                ends_at=slot.starts_at + INTERVIEW_LENGTH,
                source=source,
                match_run=match_run,
                swap_group=group,
                time_set_at=now,
                guide_released_at=guide_release_at(starts_at=slot.starts_at),
            )
            for slot in slots
        ]
        seats = [
            Seat(
                interview=interview,
                user_id=user_id,
                role=role,
                starts_at=interview.starts_at,
                ends_at=interview.ends_at,
            )
            for interview in interviews
            for user_id, role in (
                (interview.interviewer_id, InterviewRole.INTERVIEWER),
                (interview.candidate_id, InterviewRole.CANDIDATE),
            )
        ]
        # One insert order for everyone (by user, then time): two bookings that wait on
        # each other's seats always wait in the same direction, so they never deadlock.
        seats.sort(key=lambda seat: (seat.user_id, seat.starts_at))
        for seat in seats:
            seat.save()
        notifications.notify_on_commit(
            interview_ids=[i.pk for i in interviews], kind=NotificationKind.BOOKED
        )
    return interviews


def _refuse_overlaps(slots: list[Slot]) -> None:
    """Raise Conflict if a participant already holds an active seat over any slot."""
    clash = Q()
    for slot in slots:
        clash |= Q(
            user_id__in=(slot.interviewer_id, slot.candidate_id),
            starts_at__lt=slot.starts_at + INTERVIEW_LENGTH,
            ends_at__gt=slot.starts_at,
        )
    if Seat.objects.filter(clash, active=True).exists():
        raise busy()


def _refuse_seen_questions(slots: list[Slot]) -> None:
    """Raise Conflict if a slot's candidate has seen its question or its interviewer takes it.

    The pickers (services.pairing.choose_question) never propose such a slot; this is the
    last line for any caller that names a question itself. Slots of one group count too: in a
    swap, each half's question is seen by both before the other half.
    """
    people = {user_id for slot in slots for user_id in (slot.interviewer_id, slot.candidate_id)}
    exposure = selectors.question_exposure(user_ids=people)
    for slot in slots:
        question_id = slot.question.pk
        if question_id in exposure[slot.candidate_id].seen:
            raise Conflict("The candidate has already seen that question.", code="question_seen")
        if question_id in exposure[slot.interviewer_id].taking:
            raise Conflict(
                "The interviewer is booked to take that question as a candidate.",
                code="question_seen",
            )
        for user_id in (slot.interviewer_id, slot.candidate_id):
            exposure[user_id].seen.add(question_id)
        exposure[slot.candidate_id].taking.add(question_id)


BUSY = "One of the participants already has an interview at that time."


def busy(message: str = BUSY) -> Conflict:
    return Conflict(message, code="double_booking")


@contextmanager
def overlaps_refused(message: str = BUSY) -> Iterator[None]:
    """Turn the database's refusal of an overlapping seat into a Conflict."""
    try:
        yield
    except DatabaseError as exc:
        if is_overlap_refusal(exc):
            raise busy(message) from exc
        raise


def is_overlap_refusal(exc: DatabaseError) -> bool:
    """Tell PostgreSQL's refusal of an overlapping seat from any other database error.

    A deadlock or serialisation failure between two bookings also means someone else got there
    first; anything else is a real fault and must surface.
    """
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate in {"40P01", "40001"}:
        return True
    diag = getattr(cause, "diag", None)
    return isinstance(exc, IntegrityError) and getattr(diag, "constraint_name", None) in {
        "seat_no_overlap"
    }
