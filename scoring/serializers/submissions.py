"""Input and output shapes for rubrics, scorecards and feedback (translation only)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from scoring.models import InterviewerFeedback, Recommendation, Scorecard
from scoring.selectors import submission_deadline
from scoring.selectors.submissions import ReplayScoresState
from sevenstep.fields import DateTimeField
from sevenstep.framework import PITFALL_STEP, Level, Pitfall, Step
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
    # A field named like Field.label (DRF keeps declared fields apart; its stubs do not).
    label = serializers.CharField(source="get_tag_display")  # type: ignore[assignment]
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
    at = DateTimeField(help_text="A time inside the session (see the timeline).")
    # A field named like Field.label (DRF keeps declared fields apart; its stubs do not).
    label = serializers.CharField(max_length=200, allow_blank=True, default="")  # type: ignore[assignment]
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
    # ListSerializer takes max_length; djangorestframework-stubs do not know it.
    moments = MomentInput(many=True, default=list, max_length=20)  # type: ignore[call-arg]

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
    steps = StepScoreInput(many=True, max_length=7)  # type: ignore[call-arg]  # stubs lack it
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
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
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


class FeedbackRatingsInput(StrictInputSerializer):
    usefulness = serializers.IntegerField(
        min_value=1, max_value=5, help_text="1-5: how useful the scorecard was"
    )
    specificity = serializers.IntegerField(
        min_value=1,
        max_value=5,
        allow_null=True,
        default=None,
        help_text="1-5: how specific it was (optional)",
    )


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


class ReplayStepScoreOutput(serializers.Serializer):
    step = serializers.IntegerField()
    score = serializers.IntegerField(allow_null=True, help_text="1-4; null when not reached.")
    not_reached = serializers.BooleanField()


class ReplayScoresOutput(serializers.Serializer):
    interview = serializers.IntegerField()
    state = serializers.ChoiceField(
        choices=ReplayScoresState.choices,
        help_text="shown: `steps` holds the scores; not_submitted: the interviewer has not "
        "submitted the scorecard (their own view); hidden: the candidate may not see it yet.",
    )
    released_by = DateTimeField(
        allow_null=True,
        help_text="When hidden: the latest it is released (the submission deadline); it comes "
        "sooner once the candidate submits their feedback and the scorecard is in.",
    )
    steps = ReplayStepScoreOutput(many=True, help_text="One per step scored, in step order.")
