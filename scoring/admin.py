"""Admin: rubrics and submissions are read-only records; staff can inspect, never rewrite."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from scoring.models import (
    InterviewerFeedback,
    ModelFit,
    RaterStats,
    Report,
    Rubric,
    RubricCriterion,
    RubricSection,
    Scorecard,
    StepScore,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SectionInline(ReadOnlyInline):
    model = RubricSection
    fields = ["position", "key", "step", "title", "weight", "bars"]


class CriterionInline(ReadOnlyInline):
    model = RubricCriterion
    fields = ["position", "key", "title", "level_1", "level_2", "level_3", "level_4"]


@admin.register(Rubric)
class RubricAdmin(ReadOnlyAdmin):
    list_display = ["version", "title", "published_at"]
    inlines = [SectionInline]


@admin.register(RubricSection)
class RubricSectionAdmin(ReadOnlyAdmin):
    list_display = ["rubric", "position", "title", "weight"]
    list_filter = ["rubric"]
    inlines = [CriterionInline]


class StepScoreInline(ReadOnlyInline):
    model = StepScore
    fields = ["step", "score", "not_reached", "evidence"]


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnlyAdmin):
    list_display = ["interview", "interviewer", "candidate", "status", "submitted_at"]
    list_filter = ["status", "rubric"]
    raw_id_fields = ["interview", "interviewer", "candidate"]
    inlines = [StepScoreInline]


@admin.register(InterviewerFeedback)
class InterviewerFeedbackAdmin(ReadOnlyAdmin):
    list_display = ["interview", "interviewer", "candidate", "status", "usefulness"]
    list_filter = ["status"]
    raw_id_fields = ["interview", "interviewer", "candidate"]


@admin.register(ModelFit)
class ModelFitAdmin(ReadOnlyAdmin):
    list_display = ["pk", "fitted_at", "n_ratings", "n_users", "n_raters", "duration_ms"]


@admin.register(RaterStats)
class RaterStatsAdmin(ReadOnlyAdmin):
    list_display = ["rater", "leniency", "leniency_sd", "noise_sd", "n_ratings"]
    raw_id_fields = ["rater"]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["user", "computed_at", "kind", "n_scorecards", "n_ratings"]
    list_filter = ["kind"]
    raw_id_fields = ["user"]
