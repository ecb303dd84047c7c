"""Weakness reports and the statistics behind them: model fits, rater statistics, timings."""

from __future__ import annotations

from typing import Any

import numpy as np
from django.conf import settings
from django.db import models
from django.db.models import Q

from interviews.models import Interview
from scoring.estimation import N_STEPS, TRENDS

# A report's per-step columns, kept in Report.figures as one block of float64 numbers in this
# order rather than in its JSON body: turning ~1M numbers into text for every nightly rebuild
# (and back) was most of its cost. NaN stands for null; "trend" is its index in TRENDS.
STEP_COLUMNS: tuple[str, ...] = (
    "estimate",
    "lower",
    "upper",
    "raw_mean",
    "n_ratings",
    "n_not_reached",
    "bar",
    "percentile",
    "trend",
    "slope",
    "slope_sd",
    "time_reached",
    "time_mean_seconds",
    "time_ratio",
    "self_n",
    "self_claimed",
    "self_gap",
    "self_gap_sd",
    "p_weakest",
    "p_below_bar",
)
_COUNTS = frozenset({"n_ratings", "n_not_reached", "time_reached", "self_n"})


def figures_encode(columns: dict[str, np.ndarray]) -> list[bytes]:
    """Pack each user's STEP_COLUMNS ((users, 7) arrays by name) into one figures value."""
    if set(columns) != set(STEP_COLUMNS):
        raise ValueError(f"Per-step columns {sorted(columns)} are not STEP_COLUMNS.")
    trend = np.asarray(columns["trend"])
    codes = np.select([trend == name for name in TRENDS], range(len(TRENDS)), -1)
    if (codes < 0).any():
        raise ValueError(f"A trend not in {TRENDS}.")
    block = np.stack(
        [codes if name == "trend" else columns[name] for name in STEP_COLUMNS], axis=1
    ).astype("<f8")
    return [row.tobytes() for row in block]


def figures_decode(figures: bytes | memoryview, names: list[str]) -> dict[str, list[Any]]:
    """Unpack a figures value into per-step lists by column name, None for NaN."""
    block = np.frombuffer(figures, dtype="<f8").reshape(len(names), N_STEPS)
    steps: dict[str, list[Any]] = {}
    for name, row in zip(names, block.tolist(), strict=True):
        if name == "trend":
            steps[name] = [TRENDS[int(code)] for code in row]
        elif name in _COUNTS:
            steps[name] = [int(value) for value in row]
        else:
            steps[name] = [None if value != value else value for value in row]
    return steps


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
    """An interviewer's leniency and consistency as estimated by the latest fit.

    The nightly rebuild writes a row only when its figures change: `fit` and `updated_at` say
    which fit last changed them, and when.
    """

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


def report_document(body: dict[str, Any], figures: bytes | memoryview | None) -> dict[str, Any]:
    """Return a report body with its per-step columns under "steps"."""
    if figures is None:  # written before the per-step columns moved out of the body
        return body
    return {**body, "steps": figures_decode(figures, body["step_columns"])}


class DocumentField(models.JSONField):
    """A JSON document stored as PostgreSQL json (checked text) rather than jsonb.

    jsonb parses every number into a numeric on the way in, which was most of the nightly
    rebuild's write of thousands of number-heavy report bodies. A body is only ever read and
    written whole, never queried inside, so jsonb's operators and indexes would buy nothing.
    """

    def db_type(self, connection: Any) -> str | None:
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if isinstance(value, dict | list):  # psycopg decodes json (not jsonb) itself
            return value
        return super().from_db_value(value, expression, connection)


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
    # Everything but the per-step columns, which are in figures (see STEP_COLUMNS); reports
    # written before figures existed have them in body["steps"].
    body = DocumentField()
    figures = models.BinaryField(null=True, blank=True)
    # A digest of everything the body says (scoring.services.report_bodies.Contents): the
    # nightly rebuild rewrites a report only when it changes. computed_at, kind and fit then
    # tell when the figures last changed, not when they were last checked.
    digest = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ReportKind.values), name="report_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Report of {self.user_id} at {self.computed_at:%Y-%m-%d %H:%M}"

    def document(self) -> dict[str, Any]:
        """Return the body with its per-step columns under "steps", however it was stored."""
        return report_document(self.body, self.figures)


class ReportSnapshot(models.Model):
    """The per-step estimates as they stood after each newly received scorecard."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    computed_at = models.DateTimeField()
    n_scorecards = models.PositiveIntegerField()
    # [{"step", "estimate", "lower", "upper", "n_ratings"}]
    steps = models.JSONField()
    # The report's communication block as it stood; null in snapshots taken before it existed.
    communication = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["user", "-n_scorecards"]
        constraints = [
            models.UniqueConstraint(fields=["user", "n_scorecards"], name="snapshot_once"),
        ]

    def __str__(self) -> str:
        return f"Snapshot of {self.user_id} after {self.n_scorecards} scorecards"
