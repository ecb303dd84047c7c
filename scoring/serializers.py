"""Input and output shapes of the scoring API (translation only)."""

from __future__ import annotations

from typing import Any

import numpy as np
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from scoring import estimation as est
from scoring.models import InterviewerFeedback, Recommendation, Scorecard
from scoring.selectors import submission_deadline
from sevenstep.framework import PITFALL_STEP, Level, Pitfall, Step, step_budget_seconds
from sevenstep.serializers import StrictInputSerializer

# --- rubric ------------------------------------------------------------------------------


class CriterionOutput(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    levels = serializers.DictField(
        child=serializers.CharField(), help_text='What a 1, 2, 3 and 4 look like: {"1": …}.'
    )


class SectionOutput(serializers.Serializer):
    key = serializers.CharField()
    step = serializers.IntegerField(allow_null=True, help_text="null: the cross-cutting section")
    title = serializers.CharField()
    weight = serializers.FloatField()
    bars = serializers.DictField(
        child=serializers.FloatField(), help_text="The bar per target level on the 1-4 scale."
    )
    criteria = CriterionOutput(many=True)


class RubricPitfallOutput(serializers.Serializer):
    tag = serializers.ChoiceField(choices=Pitfall.choices)
    label = serializers.CharField(source="get_tag_display")
    step = serializers.SerializerMethodField()
    description = serializers.CharField()

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_step(self, obj: Any) -> int | None:
        step = PITFALL_STEP.get(obj.tag)
        return None if step is None else int(step)


class RubricOutput(serializers.Serializer):
    version = serializers.IntegerField()
    title = serializers.CharField()
    published_at = serializers.DateTimeField()
    sections = SectionOutput(many=True)
    pitfalls = RubricPitfallOutput(many=True)


# --- people ------------------------------------------------------------------------------


class PersonOutput(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField(source="profile.display_name", default="")


class QuestionRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()


# --- scorecards --------------------------------------------------------------------------


class MomentInput(StrictInputSerializer):
    at = serializers.DateTimeField(help_text="A time inside the session (see the timeline).")
    label = serializers.CharField(max_length=200, allow_blank=True, default="")
    note_anchor = serializers.CharField(
        max_length=120, allow_blank=True, default="", help_text="An anchor in the shared notes."
    )


class StepScoreInput(StrictInputSerializer):
    step = serializers.ChoiceField(choices=Step.choices)
    score = serializers.IntegerField(min_value=1, max_value=4, allow_null=True, default=None)
    not_reached = serializers.BooleanField(
        default=False, help_text="The interview never got to this step; leave score null."
    )
    evidence = serializers.CharField(max_length=5000, allow_blank=True, default="")
    moments = MomentInput(many=True, default=list, max_length=20)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["not_reached"] and attrs["score"] is not None:
            raise serializers.ValidationError(
                {"score": ["A step that was not reached has no score."]}
            )
        return attrs


class ScorecardInput(StrictInputSerializer):
    rubric_version = serializers.IntegerField(
        min_value=1, help_text="The rubric version the form was rendered from."
    )
    steps = StepScoreInput(many=True, max_length=7)
    pitfalls = serializers.ListField(
        child=serializers.ChoiceField(choices=Pitfall.choices), default=list, max_length=32
    )
    recommendation = serializers.ChoiceField(
        choices=Recommendation.choices, allow_null=True, default=None
    )
    pass_level = serializers.ChoiceField(
        choices=Level.choices,
        allow_null=True,
        default=None,
        help_text="The highest level the candidate would pass at; null for none.",
    )
    communication_score = serializers.IntegerField(
        min_value=1, max_value=4, allow_null=True, default=None
    )
    summary = serializers.CharField(max_length=10000, allow_blank=True, default="")

    def validate_steps(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        steps = [row["step"] for row in value]
        if len(set(steps)) != len(steps):
            raise serializers.ValidationError("Each step appears at most once.")
        return value


class MomentOutput(serializers.Serializer):
    at = serializers.DateTimeField()
    label = serializers.CharField()
    note_anchor = serializers.CharField()


class StepScoreOutput(serializers.Serializer):
    step = serializers.IntegerField()
    title = serializers.SerializerMethodField()
    score = serializers.IntegerField(allow_null=True)
    not_reached = serializers.BooleanField()
    evidence = serializers.CharField()
    moments = MomentOutput(many=True)

    def get_title(self, obj: Any) -> str:
        return str(Step(obj.step).label)


class ScorecardOutput(serializers.Serializer):
    id = serializers.IntegerField()
    interview_id = serializers.IntegerField()
    rubric_version = serializers.IntegerField(source="rubric.version")
    status = serializers.CharField()
    interviewer = PersonOutput()
    candidate = PersonOutput()
    question = QuestionRefOutput(source="interview.question")
    steps = StepScoreOutput(many=True)
    pitfalls = serializers.ListField(child=serializers.ChoiceField(choices=Pitfall.choices))
    recommendation = serializers.ChoiceField(choices=Recommendation.choices, allow_null=True)
    pass_level = serializers.ChoiceField(choices=Level.choices, allow_null=True)
    communication_score = serializers.IntegerField(allow_null=True)
    summary = serializers.CharField()
    weighted_score = serializers.SerializerMethodField(
        help_text="Scores weighted by the rubric's section weights, over the scored sections."
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    deadline_at = serializers.SerializerMethodField()

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_weighted_score(self, obj: Scorecard) -> float | None:
        weights = {section.step: section.weight for section in obj.rubric.sections.all()}
        scored = [(weights[row.step], row.score) for row in obj.steps.all() if row.score]
        if obj.communication_score:
            scored.append((weights.get(None, 0.0), obj.communication_score))
        total = sum(weight for weight, _ in scored)
        if not total:
            return None
        return round(sum(weight * score for weight, score in scored) / total, 2)

    @extend_schema_field(serializers.DateTimeField())
    def get_deadline_at(self, obj: Scorecard) -> str:
        return submission_deadline(obj.interview).isoformat()


# --- feedback on the interviewer ---------------------------------------------------------


class FeedbackInput(StrictInputSerializer):
    usefulness = serializers.IntegerField(
        min_value=1, max_value=5, allow_null=True, default=None, help_text="1-5"
    )
    specificity = serializers.IntegerField(
        min_value=1, max_value=5, allow_null=True, default=None, help_text="1-5"
    )
    preparedness = serializers.IntegerField(
        min_value=1, max_value=5, allow_null=True, default=None, help_text="1-5"
    )
    comment = serializers.CharField(max_length=5000, allow_blank=True, default="")
    self_assessment = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=4),
        default=dict,
        help_text='Optional 1-4 per step you want to rate yourself on: {"1": 3, "5": 2}.',
    )

    def validate_self_assessment(self, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - {str(step.value) for step in Step})
        if unknown:
            raise serializers.ValidationError(f"Unknown steps: {', '.join(unknown)}.")
        return dict(sorted(value.items()))


class FeedbackOutput(serializers.Serializer):
    id = serializers.IntegerField()
    interview_id = serializers.IntegerField()
    status = serializers.CharField()
    usefulness = serializers.IntegerField(allow_null=True)
    specificity = serializers.IntegerField(allow_null=True)
    preparedness = serializers.IntegerField(allow_null=True)
    comment = serializers.CharField()
    self_assessment = serializers.DictField(child=serializers.IntegerField())
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    deadline_at = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DateTimeField())
    def get_deadline_at(self, obj: InterviewerFeedback) -> str:
        return submission_deadline(obj.interview).isoformat()


# --- reports -----------------------------------------------------------------------------

VERDICTS = ["not_enough_data", "below_bar", "near_bar", "at_or_above_bar"]
TRENDS = ["not_enough_data", "improving", "declining", "flat", "unclear"]


class TrendOutput(serializers.Serializer):
    direction = serializers.ChoiceField(
        choices=TRENDS,
        help_text="improving/declining only when the 90% interval of the slope excludes 0; "
        "flat when it lies within +-0.1 points per 30 days; unclear otherwise.",
    )
    slope_per_30_days = serializers.FloatField(allow_null=True)
    lower = serializers.FloatField(allow_null=True)
    upper = serializers.FloatField(allow_null=True)


class TimeOnStepOutput(serializers.Serializer):
    interviews_reached = serializers.IntegerField()
    mean_seconds = serializers.FloatField(allow_null=True)
    budget_seconds = serializers.IntegerField(help_text="For a standard 45-minute interview.")
    ratio = serializers.FloatField(
        allow_null=True, help_text="Mean time spent / budget over the interviews that reached it."
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
    percentile = serializers.FloatField(
        allow_null=True, help_text="Among users of the same target level; null when thin."
    )
    trend = TrendOutput()
    time = TimeOnStepOutput()
    evidence = QuoteOutput(many=True)


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
    label = serializers.CharField()
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
    weakest_steps = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Steps with enough data, largest shortfall to the bar first.",
    )
    time_management = TimeManagementOutput()
    pitfalls = PitfallReportOutput(many=True)
    recommended_questions = RecommendedQuestionOutput(many=True)


def report_view(report: Any) -> dict[str, Any]:
    """Expand a stored body (per-step columns) into one object per step, deriving the rest."""
    body = report.body
    columns = {
        name: np.asarray(body["steps"][name], dtype=float)
        for name in ("estimate", "lower", "upper", "bar", "n_ratings", "slope", "slope_sd")
    }
    n = columns["n_ratings"].astype(int)
    verdicts = est.bar_verdict(columns["lower"], columns["upper"], columns["bar"], n)
    gaps = np.round(columns["estimate"] - columns["bar"], 2)
    slope_lower = columns["slope"] - est.Z_90 * columns["slope_sd"]
    slope_upper = columns["slope"] + est.Z_90 * columns["slope_sd"]

    def number(value: float, digits: int = 3) -> float | None:
        return None if value != value else round(float(value), digits)

    steps = []
    for s in range(est.N_STEPS):
        column = {name: values[s] for name, values in body["steps"].items()}
        steps.append(
            {
                "step": s + 1,
                "title": str(Step(s + 1).label),
                **{
                    name: column[name]
                    for name in (
                        "estimate",
                        "lower",
                        "upper",
                        "raw_mean",
                        "n_ratings",
                        "n_not_reached",
                        "bar",
                        "percentile",
                    )
                },
                "gap": float(gaps[s]),
                "verdict": str(verdicts[s]),
                "trend": {
                    "direction": column["trend"],
                    "slope_per_30_days": column["slope"],
                    "lower": number(slope_lower[s]),
                    "upper": number(slope_upper[s]),
                },
                "time": {
                    "interviews_reached": column["time_reached"],
                    "mean_seconds": column["time_mean_seconds"],
                    "budget_seconds": step_budget_seconds(s + 1),
                    "ratio": column["time_ratio"],
                },
                "evidence": report.evidence.get(s + 1, []),
            }
        )
    return {
        "user_id": report.user_id,
        "computed_at": report.computed_at,
        "kind": report.kind,
        "target_level": body["target_level"],
        "enough_data": body["enough_data"],
        "min_ratings": body["min_ratings"],
        "based_on": body["based_on"],
        "steps": steps,
        "weakest_steps": body["weakest_steps"],
        "time_management": body["time"],
        "pitfalls": [{**row, "label": str(Pitfall(row["tag"]).label)} for row in body["pitfalls"]],
        "recommended_questions": [
            {**report.questions[question_id], "stresses": stresses}
            for question_id, *stresses in body["recommended_questions"]
            if question_id in report.questions
        ],
    }


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


class ReportExportOutput(serializers.Serializer):
    report = ReportOutput()
    history = SnapshotOutput(many=True)


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
]


def export_rows(report: dict[str, Any], history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Flatten the current report and its history into one CSV row per step."""
    rows = []
    for snapshot in sorted(history, key=lambda item: item["n_scorecards"]):
        for step in snapshot["steps"]:
            rows.append(
                {
                    "computed_at": snapshot["computed_at"],
                    "snapshot": "history",
                    "n_scorecards": snapshot["n_scorecards"],
                    "step_title": str(Step(step["step"]).label),
                    **step,
                }
            )
    for step in report["steps"]:
        rows.append(
            {
                **{name: step[name] for name in EXPORT_COLUMNS if name in step},
                "computed_at": report["computed_at"],
                "snapshot": "current",
                "n_scorecards": report["based_on"]["scorecards"],
                "step_title": step["title"],
                "trend": step["trend"]["direction"],
            }
        )
    return rows


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
