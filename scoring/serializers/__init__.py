"""Input and output shapes of the scoring API (translation only)."""

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
    RubricOutput,
    ScorecardInput,
    ScorecardOutput,
)

__all__ = [
    "EXPORT_COLUMNS",
    "FeedbackInput",
    "FeedbackOutput",
    "FeedbackRatingsInput",
    "InterviewerStatsOutput",
    "ReportExportOutput",
    "ReportOutput",
    "RubricOutput",
    "ScorecardInput",
    "ScorecardOutput",
    "SnapshotOutput",
    "export_rows",
]
