"""Scoring reads: submissions under blind release, reports, rater statistics."""

from scoring.selectors.agenda import agenda_of, submission_state
from scoring.selectors.report_views import report_view, snapshot_view
from scoring.selectors.reports import (
    evidence_quotes,
    interviewer_profile,
    rater_stats,
    report_for_user,
    report_history,
)
from scoring.selectors.submissions import (
    deadline_hours,
    feedback_for_reader,
    interview_for_participant,
    released_feedback,
    released_scorecards,
    replay_scores,
    rubric_current,
    rubric_get,
    scorecard_for_reader,
    scorecards_received,
    submission_deadline,
)

__all__ = [
    "agenda_of",
    "deadline_hours",
    "evidence_quotes",
    "feedback_for_reader",
    "interview_for_participant",
    "interviewer_profile",
    "rater_stats",
    "released_feedback",
    "released_scorecards",
    "replay_scores",
    "report_for_user",
    "report_history",
    "report_view",
    "rubric_current",
    "rubric_get",
    "scorecard_for_reader",
    "scorecards_received",
    "snapshot_view",
    "submission_deadline",
    "submission_state",
]
