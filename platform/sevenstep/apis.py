"""The framework vocabulary as data, so clients never spell out a step, level or pitfall."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sevenstep.framework import (
    INTERVIEW_MINUTES,
    PITFALL_STEP,
    STEPS,
    Domain,
    Level,
    Pitfall,
    TargetRole,
    step_budget_seconds,
)


class ChoiceOutput(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label


class StepOutput(serializers.Serializer):
    number = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    covers = serializers.CharField()
    budget_share = serializers.FloatField()
    budget_seconds = serializers.IntegerField()


class PitfallOutput(ChoiceOutput):
    step = serializers.IntegerField(allow_null=True)


class FrameworkOutput(serializers.Serializer):
    interview_minutes = serializers.IntegerField()
    scheduling_weeks_ahead = serializers.IntegerField(
        help_text="How far ahead availability windows may go (SCHEDULING_WEEKS_AHEAD)."
    )
    steps = StepOutput(many=True)
    levels = ChoiceOutput(many=True)
    roles = ChoiceOutput(many=True)
    domains = ChoiceOutput(many=True)
    pitfalls = PitfallOutput(many=True)


def _choices(enum: type[models.Choices]) -> list[dict[str, str]]:
    return [{"value": value, "label": label} for value, label in enum.choices]


class FrameworkApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(responses=FrameworkOutput, summary="The 7 steps, levels, roles, domains")
    def get(self, request: Request) -> Response:
        steps = [
            {
                "number": info.step.value,
                "slug": info.slug,
                "name": info.step.label,
                "covers": info.covers,
                "budget_share": info.budget_share,
                "budget_seconds": step_budget_seconds(info.step.value),
            }
            for info in STEPS
        ]
        pitfalls = [
            {"value": value, "label": label, "step": PITFALL_STEP[value]}
            for value, label in Pitfall.choices
        ]
        return Response(
            {
                "interview_minutes": INTERVIEW_MINUTES,
                "scheduling_weeks_ahead": settings.SCHEDULING_WEEKS_AHEAD,
                "steps": steps,
                "levels": _choices(Level),
                "roles": _choices(TargetRole),
                "domains": _choices(Domain),
                "pitfalls": pitfalls,
            }
        )
