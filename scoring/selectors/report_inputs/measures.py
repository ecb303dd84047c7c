"""What a report measures the evidence against: step timings, target levels, the rubric's bars,
the question bank and the rater model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import F
from django.db.models.functions import Coalesce

from accounts.models import Profile
from interviews.models import InterviewRole, Question
from interviews.selectors import seen_interviews
from scoring import estimation as est
from scoring.models import (
    InterviewTiming,
    ModelFit,
    RaterStats,
    Report,
    Rubric,
    RubricSection,
)
from sevenstep import arrays
from sevenstep.framework import INTERVIEW_MINUTES, LEVEL_ORDER, STEP_INFO
from sevenstep.framework import step_budget_seconds as budget_of

_STEPS = range(1, est.N_STEPS + 1)


@dataclass(frozen=True)
class Timing:
    """Time-on-step over each user's completed interviews, against the framework's budget."""

    interviews: est.IntArray  # (users,)
    reached: est.IntArray  # (users, 7) interviews in which the step was entered
    mean_seconds: est.FloatArray  # (users, 7) nan where never reached
    mean_ratio: est.FloatArray  # (users, 7) time / budget; nan where never reached
    budget_seconds: est.FloatArray  # (7,) for a standard-length interview


def timing_load(user_ids: list[int]) -> Timing:
    """Aggregate the (sorted) users' interview timings per step."""
    timings = InterviewTiming.objects.order_by()
    if len(user_ids) == 1:
        timings = timings.filter(candidate_id=user_ids[0])
    columns = {f"timed_{step}": Coalesce(f"seconds_{step}", -1) for step in _STEPS}
    rows = arrays.query_numbers(
        timings.annotate(timed_user=F("candidate_id"), timed_minutes=F("minutes"), **columns),
        {"timed_user": "int8", "timed_minutes": "int4"} | dict.fromkeys(columns, "int4"),
    )
    n = len(user_ids)
    row, mine = arrays.lookup(np.asarray(user_ids, dtype=np.int64), rows["timed_user"])
    row = row[mine]
    seconds = np.stack([rows[name][mine] for name in columns], axis=1).astype(np.float64)
    budget = rows["timed_minutes"][mine, None] * np.asarray(
        [STEP_INFO[step].budget_share * 60 for step in _STEPS]
    )
    entered = seconds >= 0  # -1: the interview never entered the step
    group = (row[:, None] * est.N_STEPS + np.arange(est.N_STEPS)).ravel()
    per_step = {
        name: np.bincount(group, weights.ravel(), n * est.N_STEPS).reshape(n, est.N_STEPS)
        for name, weights in (
            ("reached", entered),
            ("spent", np.where(entered, seconds, 0.0)),
            ("ratio", np.where(entered, seconds / budget, 0.0)),
        )
    }
    reached = per_step["reached"].astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_seconds = np.where(reached > 0, per_step["spent"] / reached, np.nan)
        mean_ratio = np.where(reached > 0, per_step["ratio"] / reached, np.nan)
    return Timing(
        interviews=np.bincount(row, minlength=n),
        reached=reached,
        mean_seconds=mean_seconds,
        mean_ratio=mean_ratio,
        budget_seconds=np.asarray([budget_of(s, INTERVIEW_MINUTES) for s in _STEPS], dtype=float),
    )


def levels_load(user_ids: list[int]) -> list[str]:
    """Return each user's target level (the default level when they have no profile)."""
    profiles = Profile.objects.order_by()
    if len(user_ids) < 500:
        profiles = profiles.filter(user_id__in=user_ids)
    levels = dict(arrays.rows(profiles.values_list("user_id", "target_level")))
    default = Profile._meta.get_field("target_level").default
    return [levels.get(user_id, default) for user_id in user_ids]


def bars_load() -> dict[str, est.FloatArray]:
    """Return the current rubric's bar per step for each target level."""
    latest = Rubric.objects.order_by("-version").values("pk")[:1]
    bars = dict(
        RubricSection.objects.filter(rubric=latest, step__isnull=False).values_list("step", "bars")
    )
    return {
        level: np.asarray([bars[step][level] for step in _STEPS], dtype=np.float64)
        for level in LEVEL_ORDER
    }


def communication_bars_load() -> dict[str, float] | None:
    """Return the current rubric's communication bar per target level, if it sets one."""
    latest = Rubric.objects.order_by("-version").values("pk")[:1]
    bars = (
        RubricSection.objects.filter(rubric=latest, step__isnull=True)
        .order_by("position")
        .values_list("bars", flat=True)
        .first()
    )
    if not bars or set(bars) != set(LEVEL_ORDER):
        return None
    return {level: float(bars[level]) for level in LEVEL_ORDER}


@dataclass(frozen=True)
class Bank:
    """The active question bank with each question's emphasis per step (rows average 1)."""

    ids: list[int]
    questions: list[dict[str, Any]]  # id, slug, title, level, domain
    emphasis: est.FloatArray  # (questions, 7)


def bank_load() -> Bank:
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in Question.objects.filter(is_active=True)
        .order_by("pk")
        .values("id", "slug", "title", "level", "domain", "emphasis")
    ]
    weights = [row.pop("emphasis") for row in rows]
    emphasis = np.asarray(
        [[float(weight.get(str(step), 1.0)) for step in _STEPS] for weight in weights]
        or np.zeros((0, est.N_STEPS)),
        dtype=np.float64,
    ).reshape(-1, est.N_STEPS)
    totals = emphasis.sum(axis=1, keepdims=True)
    emphasis = np.divide(
        emphasis * est.N_STEPS, totals, out=np.ones_like(emphasis), where=totals > 0
    )
    return Bank(ids=[row["id"] for row in rows], questions=rows, emphasis=emphasis)


def seen_questions_load(user_ids: list[int], bank: Bank) -> np.ndarray:
    """Return (users, questions): True where the (sorted) user has seen the question.

    "Seen" is the scheduling rule's own (interviews.selectors.seen_interviews: in any role,
    past, live or booked), so "Practise next" never offers a question the user interviewed on,
    or one matching would refuse to give them as a candidate.
    """
    seen = np.zeros((len(user_ids), len(bank.ids)), dtype=bool)
    for role, who in (
        (InterviewRole.CANDIDATE, "candidate_id"),
        (InterviewRole.INTERVIEWER, "interviewer_id"),
    ):
        interviews = seen_interviews(role=role).order_by()
        if len(user_ids) == 1:
            interviews = interviews.filter(**{who: user_ids[0]})
        pairs = arrays.query_numbers(
            interviews.annotate(had_user=F(who), had_question=F("question_id")),
            {"had_user": "int8", "had_question": "int8"},
        )
        row, known_user = arrays.lookup(np.asarray(user_ids, dtype=np.int64), pairs["had_user"])
        column, known_question = arrays.lookup(
            np.asarray(bank.ids, dtype=np.int64), pairs["had_question"]
        )
        known = known_user & known_question
        seen[row[known], column[known]] = True
    return seen


@dataclass(frozen=True)
class RaterModel:
    """The latest fit's population parameters and each rater's leniency and noise."""

    fit: ModelFit | None
    params: est.Params

    def rater_arrays(
        self, rater_ids: list[int], *, unknown_noise: float | None = None
    ) -> tuple[est.FloatArray, ...]:
        """Return leniency, its variance and the noise variance for each rater id.

        A rater without statistics yet is taken as typical: no leniency, the population's
        spread of it and its noise (sigma2), or unknown_noise for the noise when given (the
        nightly fit takes nan: no stored noise, estimate it from tonight's scores).
        """
        p = self.params
        stats = RaterStats.objects.order_by()
        if len(rater_ids) < 500:
            stats = stats.filter(rater_id__in=rater_ids)
        found = arrays.query_numbers(
            stats.annotate(
                stats_of=F("rater_id"),
                stats_leniency=F("leniency"),
                stats_sd=F("leniency_sd"),
                stats_noise=Coalesce("noise_sd", -1.0),  # a standard deviation is never < 0
            ),
            {
                "stats_of": "int8",
                "stats_leniency": "float8",
                "stats_sd": "float8",
                "stats_noise": "float8",
            },
        )
        noise_sd = p.sigma2**0.5 if unknown_noise is None else unknown_noise**0.5
        values = np.tile([0.0, p.tau2_leniency**0.5, noise_sd], (len(rater_ids), 1))
        if found["stats_of"].size:
            order = np.argsort(found["stats_of"])
            position, known = arrays.lookup(
                found["stats_of"][order], np.asarray(rater_ids, np.int64)
            )
            for column, name in enumerate(("stats_leniency", "stats_sd", "stats_noise")):
                stored = found[name][order][position]
                usable = known & (stored >= 0) if name == "stats_noise" else known
                values[:, column] = np.where(usable, stored, values[:, column])
        # A noise stored before est.NOISE_VAR_MAX bounded it counts as the bound: for the
        # nightly fit that resumes from it and for the incremental update alike.
        return values[:, 0], values[:, 1] ** 2, np.minimum(values[:, 2] ** 2, est.NOISE_VAR_MAX)


# The figures of a rater's stored statistics, in the order stored_rater_stats_load gives them.
RATER_FIGURES = ("leniency", "leniency_sd", "noise_sd", "n_ratings", "n_scorecards")


def stored_rater_stats_load() -> dict[int, tuple[Any, ...]]:
    """Return every rater's stored figures (RATER_FIGURES) by rater id."""
    return {
        rater_id: tuple(figures)
        for rater_id, *figures in arrays.rows(
            RaterStats.objects.order_by().values_list("rater_id", *RATER_FIGURES)
        )
    }


def stored_reports_load() -> dict[int, tuple[int | None, int, int]]:
    """Return every stored report's digest, source version and scorecard count by user."""
    return {
        user_id: (digest, version, cards)
        for user_id, digest, version, cards in arrays.rows(
            Report.objects.order_by().values_list(
                "user_id", "digest", "source_version", "n_scorecards"
            )
        )
    }


def rater_model_load() -> RaterModel:
    fit = ModelFit.objects.order_by("-fitted_at", "-pk").first()
    params = est.Params.from_json(fit.params) if fit is not None else est.Params.prior()
    return RaterModel(fit=fit, params=params)
