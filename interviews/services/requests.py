"""Opening, changing and withdrawing the standing request to be paired."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from interviews import selectors
from interviews.models import InterviewRequest, Question, RequestRole, RequestStatus
from sevenstep.errors import ApplicationError, Conflict


def request_open(
    *,
    user: User,
    role: str,
    level: str | None = None,
    domains: list[str] | None = None,
    max_per_week: int = 2,
    question: Question | None = None,
) -> InterviewRequest:
    """Open the user's request; level and domains default to the question's or the profile's."""
    profile = user.profile
    _check_practice(user=user, role=role, question=question)
    if domains is None:
        domains = [question.domain] if question is not None else profile.focus_domains
    try:
        with transaction.atomic():
            return InterviewRequest.objects.create(
                user=user,
                role=role,
                level=level or profile.target_level,
                domains=sorted(set(domains)),
                max_per_week=max_per_week,
                question=question,
            )
    except IntegrityError as exc:
        raise Conflict(
            "You already have an open request; change it or withdraw it first.",
            code="request_already_open",
        ) from exc


def request_update(*, request: InterviewRequest, **changes: Any) -> InterviewRequest:
    """Change an open request; the next matching run uses the new wishes."""
    if request.status != RequestStatus.OPEN:
        raise Conflict("A withdrawn request cannot be changed.", code="request_withdrawn")
    if changes.get("role") == RequestRole.INTERVIEWER and "question" not in changes:
        # Interviewing only: a question asked for as the candidate no longer applies.
        changes["question"] = None
    if changes.get("question") is not None or "role" in changes:
        _check_practice(
            user=request.user,
            role=changes.get("role", request.role),
            question=changes.get("question", request.question),
        )
    if changes.get("question") is not None and "domains" not in changes:
        changes["domains"] = [changes["question"].domain]
    if "domains" in changes:
        changes["domains"] = sorted(set(changes["domains"]))
    for name, value in changes.items():
        setattr(request, name, value)
    request.save()
    return request


def _check_practice(*, user: User, role: str, question: Question | None) -> None:
    """A named question is one to take as the candidate, and one the user has not seen."""
    if question is None:
        return
    if role not in (RequestRole.CANDIDATE, RequestRole.SWAP):
        raise ApplicationError(
            "Only a candidate (or a swap) can ask to practise a question.",
            code="question_needs_candidate",
            fields={"question": ["Ask as a candidate or for a swap."]},
        )
    if question.pk in selectors.question_exposure(user_ids=[user.pk])[user.pk].seen:
        raise Conflict(
            "You have already seen that question; pick another.",
            code="question_seen",
            fields={"question": ["You have already seen this question."]},
        )


def request_withdraw(*, request: InterviewRequest) -> InterviewRequest:
    """Stop matching this request; interviews already booked are kept."""
    if request.status != RequestStatus.OPEN:
        raise Conflict("The request is already withdrawn.", code="request_withdrawn")
    request.status = RequestStatus.WITHDRAWN
    request.withdrawn_at = timezone.now()
    request.save(update_fields=["status", "withdrawn_at", "updated_at"])
    return request
