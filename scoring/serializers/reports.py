"""Output shapes for weakness reports, their export and interviewer statistics."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from scoring import estimation as est
from scoring.selectors.report_views import snapshot_view
from sevenstep.framework import Level, Pitfall, Step

# --- reports -----------------------------------------------------------------------------

VERDICTS = ["not_enough_data", "below_bar", "near_bar", "at_or_above_bar"]


class TrendOutput(serializers.Serializer):
    direction = serializers.ChoiceField(
        choices=est.TRENDS,
        help_text="improving/declining only when the 90% interval of the slope excludes 0; "
        "flat when it lies within +-0.1 points per 30 days; unclear otherwise.",
    )
    slope_per_30_days = serializers.FloatField(allow_null=True)
    lower = serializers.FloatField(allow_null=True)
    upper = serializers.FloatField(allow_null=True)
    p_improving = serializers.FloatField(
        allow_null=True,
        help_text="Probability (0-1) that the step is improving (slope above 0); null when the "
        "slope cannot be computed.",
    )


class TimeOnStepOutput(serializers.Serializer):
    interviews_reached = serializers.IntegerField()
    mean_seconds = serializers.FloatField(allow_null=True)
    budget_seconds = serializers.IntegerField(help_text="For a standard 45-minute interview.")
    ratio = serializers.FloatField(
        allow_null=True, help_text="Mean time spent / budget over the interviews that reached it."
    )


class SelfAssessmentOutput(serializers.Serializer):
    interviews = serializers.IntegerField(
        help_text="Interviews in which you scored yourself on this step and the interviewer "
        "scored it too."
    )
    mean_self_score = serializers.FloatField(
        allow_null=True, help_text="Your own 1-4 scores of the step, averaged."
    )
    mean_received = serializers.FloatField(
        allow_null=True,
        help_text="What the interviewers of those interviews gave you, each corrected for "
        "their leniency, averaged.",
    )
    gap = serializers.FloatField(
        allow_null=True,
        help_text="mean_self_score - mean_received: above 0 you rate yourself higher than your "
        "raters do, below 0 lower.",
    )
    lower = serializers.FloatField(allow_null=True, help_text="90% band of the gap")
    upper = serializers.FloatField(allow_null=True, help_text="90% band of the gap")
    verdict = serializers.ChoiceField(
        choices=est.SELF_VIEWS,
        help_text="overrates/underrates only when the 90% band of the gap excludes 0; in_line "
        "when it lies within +-0.5 points; unclear otherwise; not_enough_data under "
        "min_ratings interviews.",
    )


class QuoteOutput(serializers.Serializer):
    text = serializers.CharField()
    score = serializers.IntegerField(allow_null=True)
    not_reached = serializers.BooleanField()
    interview_id = serializers.IntegerField()
    question_title = serializers.CharField()
    submitted_at = serializers.DateTimeField()


class StepReportOutput(serializers.Serializer):
    step = serializers.IntegerField()
    title = serializers.CharField()
    estimate = serializers.FloatField(
        help_text="Skill on the 1-4 scale, corrected for rater leniency and shrunk toward the "
        "population when the evidence is thin."
    )
    lower = serializers.FloatField(help_text="90% band")
    upper = serializers.FloatField(help_text="90% band")
    raw_mean = serializers.FloatField(allow_null=True, help_text="Plain mean of the scores.")
    n_ratings = serializers.IntegerField()
    n_not_reached = serializers.IntegerField()
    bar = serializers.FloatField(help_text="The bar of the user's target level.")
    gap = serializers.FloatField(help_text="estimate - bar")
    verdict = serializers.ChoiceField(choices=VERDICTS)
    p_below_bar = serializers.FloatField(
        allow_null=True,
        help_text="Probability (0-1) that your skill on the step is below the bar; null in a "
        "report built before it was computed.",
    )
    p_weakest = serializers.FloatField(
        allow_null=True,
        help_text="Probability (0-1) that this is your weakest step: the lowest skill of the "
        "seven (not the furthest below the bar). Null in a report built before it was computed.",
    )
    percentile = serializers.FloatField(
        allow_null=True, help_text="Among users of the same target level; null when thin."
    )
    trend = TrendOutput()
    time = TimeOnStepOutput()
    self_assessment = SelfAssessmentOutput(
        help_text="How your own scores of the step compare with your interviewers' scores."
    )
    evidence = QuoteOutput(many=True)


class CommunicationOutput(serializers.Serializer):
    estimate = serializers.FloatField(
        help_text="Communication and trade-offs on the 1-4 scale, corrected for each "
        "interviewer's overall leniency and shrunk toward the population when the evidence is "
        "thin."
    )
    lower = serializers.FloatField(help_text="90% band")
    upper = serializers.FloatField(help_text="90% band")
    raw_mean = serializers.FloatField(allow_null=True, help_text="Plain mean of the scores.")
    n_ratings = serializers.IntegerField(help_text="Scorecards that scored communication.")
    bar = serializers.FloatField(
        allow_null=True,
        help_text="The bar of the user's target level; null when the rubric sets none.",
    )
    gap = serializers.FloatField(allow_null=True, help_text="estimate - bar; null without a bar")
    p_below_bar = serializers.FloatField(
        allow_null=True,
        help_text="Probability (0-1) that your communication is below the bar; null without a "
        "bar or in a report built before it was computed.",
    )
    verdict = serializers.ChoiceField(
        choices=[*VERDICTS, "no_bar"],
        help_text="not_enough_data under min_ratings scores; no_bar when the rubric sets no "
        "communication bar for the target level.",
    )


class BasedOnOutput(serializers.Serializer):
    scorecards = serializers.IntegerField()
    ratings = serializers.IntegerField()
    raters = serializers.IntegerField()
    latest_scorecard_at = serializers.DateTimeField(allow_null=True)
    model_fit_id = serializers.IntegerField(allow_null=True)
    model_fitted_at = serializers.DateTimeField(allow_null=True)


class TimeManagementOutput(serializers.Serializer):
    interviews = serializers.IntegerField()
    rushed_steps = serializers.ListField(child=serializers.IntegerField())
    over_budget_steps = serializers.ListField(child=serializers.IntegerField())
    often_not_reached = serializers.ListField(child=serializers.IntegerField())


class PitfallReportOutput(serializers.Serializer):
    tag = serializers.ChoiceField(choices=Pitfall.choices)
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    count = serializers.IntegerField()
    rate = serializers.FloatField()
    population_rate = serializers.FloatField(allow_null=True)
    recurring = serializers.BooleanField(
        help_text="Ticked at least twice and clearly more often than the population's rate."
    )


class RecommendedQuestionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    level = serializers.ChoiceField(choices=Level.choices)
    domain = serializers.CharField()
    stresses = serializers.ListField(
        child=serializers.IntegerField(), help_text="The weak steps this question exercises most."
    )


class WeakestOutput(serializers.Serializer):
    meaning = serializers.ChoiceField(
        choices=["lowest_skill"],
        help_text="What weakest means: the step with the lowest skill of the seven, whatever "
        "the bar of your level.",
    )
    step = serializers.IntegerField(
        allow_null=True,
        help_text="The step named weakest; null when no step is at least threshold likely to be.",
    )
    probability = serializers.FloatField(
        help_text="Probability (0-1) that the most likely step is your weakest; that step is "
        "named only when this reaches threshold. Calibrated on bench/report_accuracy.py: "
        "stated 0.8, right about 8 times in 10."
    )
    threshold = serializers.FloatField(help_text="How sure the report must be to name a step.")
    more_interviews = serializers.IntegerField(
        allow_null=True,
        help_text="When no step is named: about how many more interviews like the ones so far "
        "would make one threshold likely; null when more than 8 (or never, if steps are "
        "alike); 0 when a step is named.",
    )


class ReportOutput(serializers.Serializer):
    user_id = serializers.IntegerField()
    computed_at = serializers.DateTimeField()
    kind = serializers.ChoiceField(
        choices=["incremental", "nightly", "on_demand"],
        help_text="on_demand: no report was built yet, so this one was computed for the request.",
    )
    target_level = serializers.ChoiceField(choices=Level.choices)
    enough_data = serializers.BooleanField(
        help_text="False until some step has min_ratings ratings; until then no verdicts."
    )
    min_ratings = serializers.IntegerField()
    based_on = BasedOnOutput()
    steps = StepReportOutput(many=True)
    weakest = WeakestOutput(
        allow_null=True,
        help_text="Your weakest step, named only when the report is sure enough; null in a "
        "report built before it was computed.",
    )
    time_management = TimeManagementOutput()
    pitfalls = PitfallReportOutput(many=True)
    recommended_questions = RecommendedQuestionOutput(many=True)
    communication = CommunicationOutput(
        allow_null=True,
        help_text="The rubric's cross-cutting section; null in a report built before it was "
        "estimated.",
    )


class SnapshotStepOutput(serializers.Serializer):
    step = serializers.IntegerField()
    estimate = serializers.FloatField()
    lower = serializers.FloatField()
    upper = serializers.FloatField()
    n_ratings = serializers.IntegerField()


class SnapshotOutput(serializers.Serializer):
    computed_at = serializers.DateTimeField()
    n_scorecards = serializers.IntegerField()
    steps = SnapshotStepOutput(many=True)
    communication = CommunicationOutput(
        allow_null=True,
        help_text="Communication and trade-offs as they stood; null in a snapshot taken before "
        "they were recorded.",
    )

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return super().to_representation(snapshot_view(instance))


class ReportExportOutput(serializers.Serializer):
    report = ReportOutput()
    history = SnapshotOutput(many=True)


# CSV column -> key of a step's self_assessment block.
_SELF_COLUMNS = {
    "self_interviews": "interviews",
    "self_mean_score": "mean_self_score",
    "self_mean_received": "mean_received",
    "self_gap": "gap",
    "self_gap_lower": "lower",
    "self_gap_upper": "upper",
    "self_verdict": "verdict",
}

COMMUNICATION_STEP = "communication"  # the `step` of the communication row of the CSV
COMMUNICATION_TITLE = "Communication and trade-offs"

EXPORT_COLUMNS = [
    "computed_at",
    "snapshot",
    "n_scorecards",
    "step",
    "step_title",
    "estimate",
    "lower",
    "upper",
    "n_ratings",
    "raw_mean",
    "bar",
    "gap",
    "verdict",
    "percentile",
    "trend",
    # Appended, never inserted: readers of the CSV may rely on the positions above.
    *_SELF_COLUMNS,
]


def export_rows(report: dict[str, Any], history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Flatten the current report and its history into one CSV row per step."""
    rows = []
    for snapshot in sorted(history, key=lambda item: item["n_scorecards"]):
        common = {
            "computed_at": snapshot["computed_at"],
            "snapshot": "history",
            "n_scorecards": snapshot["n_scorecards"],
        }
        for step in snapshot["steps"]:
            rows.append({**common, "step_title": str(Step(step["step"]).label), **step})
        rows.extend(_communication_rows(common, snapshot.get("communication")))
    current = {
        "computed_at": report["computed_at"],
        "snapshot": "current",
        "n_scorecards": report["based_on"]["scorecards"],
    }
    for step in report["steps"]:
        rows.append(
            {
                **{name: step[name] for name in EXPORT_COLUMNS if name in step},
                **current,
                "step_title": step["title"],
                "trend": step["trend"]["direction"],
                **{column: step["self_assessment"][name] for column, name in _SELF_COLUMNS.items()},
            }
        )
    rows.extend(_communication_rows(current, report["communication"]))
    return rows


def _communication_rows(
    common: dict[str, Any], communication: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """Return the communication row, once a communication score was received; else none.

    Communication is an optional section of a scorecard, so a report with no such score
    has nothing to say about it beyond the population's prior.
    """
    if communication is None or not communication["n_ratings"]:
        return []
    return [
        {
            **{name: communication[name] for name in EXPORT_COLUMNS if name in communication},
            **common,
            "step": COMMUNICATION_STEP,
            "step_title": COMMUNICATION_TITLE,
        }
    ]


# --- interviewer statistics --------------------------------------------------------------


class LeniencyOutput(serializers.Serializer):
    points = serializers.FloatField(
        help_text="How many points above (+) or below (-) the average rater you score the same "
        "performance."
    )
    lower = serializers.FloatField()
    upper = serializers.FloatField()
    n_ratings = serializers.IntegerField()
    enough_data = serializers.BooleanField()


class ConsistencyOutput(serializers.Serializer):
    noise_sd = serializers.FloatField(
        allow_null=True, help_text="Spread of your scores around the model; lower is steadier."
    )
    population_noise_sd = serializers.FloatField(allow_null=True)
    n_ratings = serializers.IntegerField()


class CommentOutput(serializers.Serializer):
    comment = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    interview_id = serializers.IntegerField()


class FeedbackReceivedOutput(serializers.Serializer):
    count = serializers.IntegerField()
    usefulness = serializers.FloatField(allow_null=True)
    specificity = serializers.FloatField(allow_null=True)
    preparedness = serializers.FloatField(allow_null=True)
    recent_comments = CommentOutput(many=True)


class InterviewerStatsOutput(serializers.Serializer):
    scorecards_submitted = serializers.IntegerField()
    model_fitted_at = serializers.DateTimeField(allow_null=True)
    leniency = LeniencyOutput(allow_null=True)
    consistency = ConsistencyOutput(allow_null=True)
    feedback_received = FeedbackReceivedOutput()
