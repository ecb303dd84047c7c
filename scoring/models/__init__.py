"""Scoring data: rubrics, scorecards and feedback, reports and their statistics."""

from scoring.models.reports import (
    InterviewTiming,
    ModelFit,
    RaterStats,
    Report,
    ReportKind,
    ReportSnapshot,
    ReportState,
    report_document,
)
from scoring.models.rubrics import Rubric, RubricCriterion, RubricPitfall, RubricSection
from scoring.models.submissions import (
    IdempotencyRecord,
    InterviewerFeedback,
    Recommendation,
    Scorecard,
    StepScore,
    SubmissionStatus,
)

__all__ = [
    "IdempotencyRecord",
    "InterviewTiming",
    "InterviewerFeedback",
    "ModelFit",
    "RaterStats",
    "Recommendation",
    "Report",
    "ReportKind",
    "ReportSnapshot",
    "ReportState",
    "Rubric",
    "RubricCriterion",
    "RubricPitfall",
    "RubricSection",
    "Scorecard",
    "StepScore",
    "SubmissionStatus",
    "report_document",
]
