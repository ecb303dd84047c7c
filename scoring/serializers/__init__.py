"""Input and output shapes of the scoring API (translation only)."""

from scoring.serializers.agenda import AgendaOutput, SubmissionStateOutput
from scoring.serializers.reports import (
    EXPORT_COLUMNS,
    InterviewerStatsOutput,
    ReportExportOutput,
    ReportOutput,
    SnapshotOutput,
    export_rows,
)
from scoring.serializers.submissions import (
    FeedbackInput,
    FeedbackOutput,
    FeedbackRatingsInput,
    ReplayScoresOutput,
    RubricOutput,
    ScorecardInput,
    ScorecardOutput,
)

__all__ = [
    "EXPORT_COLUMNS",
    "AgendaOutput",
    "FeedbackInput",
    "FeedbackOutput",
    "FeedbackRatingsInput",
    "InterviewerStatsOutput",
    "ReplayScoresOutput",
    "ReportExportOutput",
    "ReportOutput",
    "RubricOutput",
    "ScorecardInput",
    "ScorecardOutput",
    "SnapshotOutput",
    "SubmissionStateOutput",
    "export_rows",
]
