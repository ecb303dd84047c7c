from __future__ import annotations

from django.db import models

from sevenstep.framework import Domain, Level


class Question(models.Model):
    """An ML system design problem with a guide per framework step for the interviewer.

    guide: {"1": {"covers": [...], "follow_ups": [...], "red_flags": [...]}, ... "7": {...}}
    emphasis: {"1": weight, ... "7": weight}, how strongly the question exercises each step.
    """

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=160)
    domain = models.CharField(max_length=24, choices=Domain.choices)
    level = models.CharField(max_length=16, choices=Level.choices)
    prompt = models.TextField()
    guide = models.JSONField(default=dict)
    emphasis = models.JSONField(default=dict)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(domain__in=Domain.values), name="question_domain_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(level__in=Level.values), name="question_level_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def emphasis_for(self, step: int) -> float:
        return float(self.emphasis.get(str(step), 1.0))
