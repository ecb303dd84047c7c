"""Reads for the scheduling API and the matching service."""

from __future__ import annotations

from django.db.models import QuerySet

from interviews.models import Question


def question_list(*, domain: str | None = None, level: str | None = None) -> QuerySet[Question]:
    """Active questions, optionally of one domain and level; callers never expose the guide."""
    questions = Question.objects.filter(is_active=True).defer("guide").order_by("title")
    if domain:
        questions = questions.filter(domain=domain)
    if level:
        questions = questions.filter(level=level)
    return questions
