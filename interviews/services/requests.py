"""Opening, changing and withdrawing the standing request to be paired."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from interviews.models import InterviewRequest, RequestStatus
from sevenstep.errors import Conflict


def request_open(
    *,
    user: User,
    role: str,
    level: str | None = None,
    domains: list[str] | None = None,
    max_per_week: int = 2,
) -> InterviewRequest:
    """Open the user's request; level and domains default to their profile's."""
    profile = user.profile
    try:
        with transaction.atomic():
            return InterviewRequest.objects.create(
                user=user,
                role=role,
                level=level or profile.target_level,
                domains=sorted(set(domains if domains is not None else profile.focus_domains)),
                max_per_week=max_per_week,
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
    if "domains" in changes:
        changes["domains"] = sorted(set(changes["domains"]))
    for name, value in changes.items():
        setattr(request, name, value)
    request.save()
    return request


def request_withdraw(*, request: InterviewRequest) -> InterviewRequest:
    """Stop matching this request; interviews already booked are kept."""
    if request.status != RequestStatus.OPEN:
        raise Conflict("The request is already withdrawn.", code="request_withdrawn")
    request.status = RequestStatus.WITHDRAWN
    request.withdrawn_at = timezone.now()
    request.save(update_fields=["status", "withdrawn_at", "updated_at"])
    return request
