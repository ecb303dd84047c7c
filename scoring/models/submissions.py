"""What participants write after an interview: the scorecard and the feedback on the interviewer.

Both are drafts until submitted and immutable afterwards. The database enforces it (triggers
in migration 0002), so no code path through the ORM, the admin or raw SQL can change a
submitted row; the guard in save() only turns that into a readable error earlier.
"""

from __future__ import annotations

from typing import ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Q

from interviews.models import Interview
from scoring.models.rubrics import Rubric
from sevenstep.errors import Conflict
from sevenstep.framework import Level, Step


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class Recommendation(models.TextChoices):
    STRONG_NO_HIRE = "strong_no_hire", "Strong no hire"
    NO_HIRE = "no_hire", "No hire"
    LEAN_NO_HIRE = "lean_no_hire", "Lean no hire"
    LEAN_HIRE = "lean_hire", "Lean hire"
    HIRE = "hire", "Hire"
    STRONG_HIRE = "strong_hire", "Strong hire"


class Submission(models.Model):
    """A draft that becomes immutable once submitted."""

    status = models.CharField(
        max_length=16, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    candidate_id: int
    # Each concrete submission's plain manager, declared for the methods written once here.
    objects: ClassVar[models.Manager[Self]]
    draft_code: str  # error codes say "<draft_code>_not_started"

    class Meta:
        abstract = True

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == SubmissionStatus.SUBMITTED:
                raise Conflict("It was submitted and can no longer change.", code="immutable")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        if self.is_submitted:
            raise Conflict("It was submitted and can no longer be deleted.", code="immutable")
        return super().delete(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def is_submitted(self) -> bool:
        return self.status == SubmissionStatus.SUBMITTED


class Scorecard(Submission):
    """The interviewer's assessment of the candidate, one per interview."""

    draft_code = "scorecard"

    interview = models.OneToOneField(Interview, on_delete=models.PROTECT, related_name="scorecard")
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="scorecards")
    # Copied from the interview so reports read scorecards without joining interviews.
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="scorecards_given"
    )
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="scorecards_received"
    )
    # Null, not "", so the constraints can say "a submitted scorecard has a recommendation" and
    # "passes at no level" stays distinct from any level.
    recommendation = models.CharField(  # noqa: DJ001
        max_length=16, choices=Recommendation.choices, null=True, blank=True
    )
    # The highest level the candidate would pass at; null means none.
    pass_level = models.CharField(  # noqa: DJ001
        max_length=16, choices=Level.choices, null=True, blank=True
    )
    communication_score = models.PositiveSmallIntegerField(null=True, blank=True)
    summary = models.TextField(blank=True)
    pitfalls = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["candidate", "status", "submitted_at"]),
            models.Index(fields=["interviewer", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SubmissionStatus.values), name="scorecard_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | Q(submitted_at__isnull=False, recommendation__isnull=False),
                name="scorecard_submitted_complete",
            ),
            models.CheckConstraint(
                condition=Q(recommendation__isnull=True)
                | Q(recommendation__in=Recommendation.values),
                name="scorecard_recommendation_valid",
            ),
            models.CheckConstraint(
                condition=Q(pass_level__isnull=True) | Q(pass_level__in=Level.values),
                name="scorecard_pass_level_valid",
            ),
            models.CheckConstraint(
                condition=Q(communication_score__isnull=True)
                | Q(communication_score__gte=1, communication_score__lte=4),
                name="scorecard_communication_range",
            ),
            models.CheckConstraint(
                condition=~Q(interviewer=models.F("candidate")), name="scorecard_two_people"
            ),
        ]

    def __str__(self) -> str:
        return f"Scorecard for interview {self.interview_id} ({self.status})"


class StepScore(models.Model):
    """A 1-4 score with evidence for one framework step, or "not reached"."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="steps")
    step = models.PositiveSmallIntegerField(choices=Step.choices)
    # Null with not_reached false is a draft that has not scored this step yet.
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    not_reached = models.BooleanField(default=False)
    evidence = models.TextField(blank=True)
    # [{"at": ISO time in the session, "label": str, "note_anchor": str}]
    moments = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["scorecard", "step"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "step"], name="step_score_once"),
            models.CheckConstraint(condition=Q(step__gte=1, step__lte=7), name="step_score_step"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=4),
                name="step_score_range",
            ),
            models.CheckConstraint(
                condition=Q(not_reached=False) | Q(score__isnull=True),
                name="step_score_not_reached_has_no_score",
            ),
        ]

    def __str__(self) -> str:
        return f"step {self.step}: {'not reached' if self.not_reached else self.score}"


class InterviewerFeedback(Submission):
    """The candidate's feedback on the interviewer, with an optional self-assessment."""

    draft_code = "feedback"

    interview = models.OneToOneField(
        Interview, on_delete=models.PROTECT, related_name="interviewer_feedback"
    )
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="feedback_given"
    )
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="feedback_received"
    )
    # 1-5: how useful, how specific the interviewer's feedback was, how prepared they were.
    # The first two judge the scorecard, which blind release hides until this feedback is
    # submitted, so they are optional at submission and may be given once afterwards, when
    # the scorecard is released (the one change a submitted row allows: migration 0007).
    usefulness = models.PositiveSmallIntegerField(null=True, blank=True)
    specificity = models.PositiveSmallIntegerField(null=True, blank=True)
    preparedness = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    # {"1": 1-4, …}: the candidate's own view per step, for comparison with the estimates.
    self_assessment = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["interviewer", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SubmissionStatus.values), name="feedback_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | Q(submitted_at__isnull=False, preparedness__isnull=False),
                name="feedback_submitted_complete",
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True})
                    | Q(**{f"{name}__gte": 1, f"{name}__lte": 5}),
                    name=f"feedback_{name}_range",
                )
                for name in ("usefulness", "specificity", "preparedness")
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback on interview {self.interview_id} ({self.status})"


class IdempotencyRecord(models.Model):
    """The stored outcome of a request sent with an Idempotency-Key, replayed on retry."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    scope = models.CharField(max_length=120)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once"),
        ]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.scope} [{self.key}]"
