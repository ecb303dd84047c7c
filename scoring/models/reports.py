"""Weakness reports and the statistics behind them: model fits, rater statistics, timings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from interviews.models import Interview


class ModelFit(models.Model):
    """One fit of the rater-effect model over every released scorecard (see scoring.estimation).

    params: {"mu": [7], "tau2": [7], "sigma2": float, "leniency_tau2": float,
             "half_life_days": float, "pitfall_rates": {tag: rate},
             "percentiles": {level: {step: [101 quantiles]}}}
    Incremental report updates reuse the latest fit; the nightly job makes a new one.
    """

    fitted_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    n_ratings = models.PositiveIntegerField()
    n_users = models.PositiveIntegerField()
    n_raters = models.PositiveIntegerField()
    params = models.JSONField()

    class Meta:
        ordering = ["-fitted_at", "-pk"]

    def __str__(self) -> str:
        return f"Fit {self.pk} at {self.fitted_at:%Y-%m-%d %H:%M} ({self.n_ratings} ratings)"


class RaterStats(models.Model):
    """An interviewer's leniency and consistency as estimated by the latest fit."""

    rater = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    fit = models.ForeignKey(ModelFit, on_delete=models.SET_NULL, null=True, related_name="+")
    # Points on the 1-4 scale this rater gives above (+) or below (-) the same candidate's skill.
    leniency = models.FloatField()
    leniency_sd = models.FloatField()
    # Standard deviation of the rater's scores around the model; lower is more consistent.
    noise_sd = models.FloatField(null=True)
    n_ratings = models.PositiveIntegerField()
    n_scorecards = models.PositiveIntegerField()
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Rater {self.rater_id}: leniency {self.leniency:+.2f}"


class InterviewTiming(models.Model):
    """Seconds spent on each step of a completed interview, summarised once from its timeline."""

    interview = models.OneToOneField(
        Interview, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    minutes = models.PositiveSmallIntegerField()
    # Seconds spent on each step; null for a step never entered. Columns, not a JSON list, so
    # the nightly rebuild aggregates them in SQL.
    seconds_1 = models.PositiveIntegerField(null=True)
    seconds_2 = models.PositiveIntegerField(null=True)
    seconds_3 = models.PositiveIntegerField(null=True)
    seconds_4 = models.PositiveIntegerField(null=True)
    seconds_5 = models.PositiveIntegerField(null=True)
    seconds_6 = models.PositiveIntegerField(null=True)
    seconds_7 = models.PositiveIntegerField(null=True)
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["candidate"])]

    def __str__(self) -> str:
        return f"Timing of interview {self.interview_id}"


class ReportState(models.Model):
    """Debounce bookkeeping: each submission bumps requested_version; a build records its own.

    A job only builds when built_version < requested_version, and only the job enqueued for the
    latest version builds, so many submissions in a short window cost one rebuild.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    requested_version = models.PositiveIntegerField(default=0)
    built_version = models.PositiveIntegerField(default=0)
    requested_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"Report state of {self.user_id}: {self.built_version}/{self.requested_version}"


class ReportKind(models.TextChoices):
    INCREMENTAL = "incremental", "Incremental update"
    NIGHTLY = "nightly", "Nightly rebuild"


class Report(models.Model):
    """The current weakness report of a user; body is built by scoring.services.reports."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    computed_at = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=ReportKind.choices)
    fit = models.ForeignKey(
        ModelFit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source_version = models.PositiveIntegerField(default=0)
    n_scorecards = models.PositiveIntegerField()
    n_ratings = models.PositiveIntegerField()
    body = models.JSONField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ReportKind.values), name="report_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Report of {self.user_id} at {self.computed_at:%Y-%m-%d %H:%M}"


class ReportSnapshot(models.Model):
    """The per-step estimates as they stood after each newly received scorecard."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    computed_at = models.DateTimeField()
    n_scorecards = models.PositiveIntegerField()
    # [{"step", "estimate", "lower", "upper", "n_ratings"}]
    steps = models.JSONField()

    class Meta:
        ordering = ["user", "-n_scorecards"]
        constraints = [
            models.UniqueConstraint(fields=["user", "n_scorecards"], name="snapshot_once"),
        ]

    def __str__(self) -> str:
        return f"Snapshot of {self.user_id} after {self.n_scorecards} scorecards"
