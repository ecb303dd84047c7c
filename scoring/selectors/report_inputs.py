"""Everything a report is built from, read in bulk as numpy arrays (one user or all of them).

Only released scorecards count (blind release): a report never reveals a scorecard the
candidate may not see yet. The nightly rebuild reads every step score ever given, so on
PostgreSQL that one query streams as binary COPY straight into a numpy array; everything else
is aggregated by the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    BigIntegerField,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    QuerySet,
    Sum,
)
from django.db.models.functions import Cast, Coalesce

from accounts.models import Profile
from interviews.models import Interview, InterviewStatus, Question
from scoring import estimation as est
from scoring.models import (
    InterviewerFeedback,
    InterviewTiming,
    ModelFit,
    RaterStats,
    Rubric,
    RubricSection,
    StepScore,
)
from scoring.selectors.submissions import released_condition, released_scorecards
from sevenstep.framework import INTERVIEW_MINUTES, LEVEL_ORDER, STEP_INFO, Pitfall
from sevenstep.framework import step_budget_seconds as budget_of

TAGS: tuple[str, ...] = tuple(Pitfall.values)
_TAG_INDEX = {tag: index for index, tag in enumerate(TAGS)}
_SECONDS_PER_DAY = 86400.0
_STEPS = range(1, est.N_STEPS + 1)


def _rows(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """Fetch plain columns in one go, skipping the ORM's per-row conversion.

    Only for numbers and text: dates and JSON come back in the database's raw form.
    """
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


_PACKED = {
    "int8": ("int8send", ">i8"),
    "int4": ("int4send", ">i4"),
    "float8": ("float8send", ">f8"),
}


def _pg_packed(queryset: QuerySet[Any], kinds: dict[str, str]) -> dict[str, np.ndarray]:
    """Fetch NOT NULL number columns of a values query as one packed binary value, into numpy.

    The server concatenates every row's columns in binary form into a single bytea, so 700k
    rows arrive as one value that numpy reads in place instead of as 700k Python tuples.
    """
    sql, params = queryset.query.sql_with_params()
    record = " || ".join(f"{_PACKED[kind][0]}(r.{name})" for name, kind in kinds.items())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(string_agg({record}, ''), '') FROM ({sql}) r", params)
        (packed,) = cursor.fetchone()
    layout = np.dtype([(name, _PACKED[kind][1]) for name, kind in kinds.items()])
    rows = np.frombuffer(bytes(packed), dtype=layout)
    return {
        name: rows[name].astype(_PACKED[kind][1].replace(">", "=")) for name, kind in kinds.items()
    }


class _Epoch(Func):
    """Seconds since 1970 of a timestamptz, without the time-zone round trip Extract adds."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)::float8"
    output_field = FloatField()


@dataclass(frozen=True)
class Evidence:
    """The released scorecards of a set of users, as arrays over users (dense index)."""

    user_ids: list[int]
    ratings: est.Ratings
    rater_ids: list[int]  # rater index -> user id
    rater_scorecards: est.IntArray  # (raters,)
    scorecards: est.IntArray  # (users,)
    raters: est.IntArray  # (users,) distinct raters
    latest: est.FloatArray  # (users,) epoch seconds of the newest scorecard, nan without
    not_reached: est.IntArray  # (users, 7)
    pitfall_counts: est.IntArray  # (users, tags)

    @property
    def n_users(self) -> int:
        return len(self.user_ids)


def _step_scores(*, now: datetime, user_id: int | None) -> dict[str, np.ndarray]:
    """Every step score of released scorecards with who gave it to whom, and when."""
    steps = StepScore.objects.filter(
        released_condition(InterviewerFeedback, now, prefix="scorecard__")
    ).order_by()
    if user_id is not None:
        steps = steps.filter(scorecard__candidate_id=user_id)
    if connection.vendor == "postgresql":
        return _pg_packed(
            steps.annotate(
                card=Cast("scorecard_id", BigIntegerField()),
                user=Cast("scorecard__candidate_id", BigIntegerField()),
                rater=Cast("scorecard__interviewer_id", BigIntegerField()),
                number=Cast("step", IntegerField()),
                points=Cast(Coalesce("score", 0), IntegerField()),
                at=_Epoch("scorecard__submitted_at"),
            ).values("card", "user", "rater", "number", "points", "at"),
            {
                "card": "int8",
                "user": "int8",
                "rater": "int8",
                "number": "int4",
                "points": "int4",
                "at": "float8",
            },
        )
    found = list(
        steps.values_list(
            "scorecard_id",
            "scorecard__candidate_id",
            "scorecard__interviewer_id",
            "step",
            "score",
            "scorecard__submitted_at",
        )
    )
    columns = list(zip(*found, strict=True)) or [()] * 6
    return {
        "card": np.asarray(columns[0], dtype=np.int64),
        "user": np.asarray(columns[1], dtype=np.int64),
        "rater": np.asarray(columns[2], dtype=np.int64),
        "number": np.asarray(columns[3], dtype=np.int64),
        "points": np.asarray([s or 0 for s in columns[4]], dtype=np.int64),
        "at": np.asarray([at.timestamp() for at in columns[5]], dtype=np.float64),
    }


def _pitfall_rows(cards: QuerySet[Any]) -> list[tuple[int, str, int]]:
    """Count the scorecards in which each candidate had each pitfall tag ticked."""
    try:
        sql, params = (
            cards.exclude(pitfalls=[])
            .order_by()
            .values_list("candidate_id", "pitfalls")
            .query.sql_with_params()
        )
    except EmptyResultSet:
        return []
    tags = (
        "jsonb_array_elements_text(c.pitfalls) AS t(value)"
        if connection.vendor == "postgresql"
        else "json_each(c.pitfalls) AS t"
    )
    # Tags are distinct within a scorecard (the service removes repeats), so rows count cards.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT c.candidate_id, t.value, COUNT(*) FROM ({sql}) c CROSS JOIN {tags} "
            f"GROUP BY c.candidate_id, t.value",
            params,
        )
        return cursor.fetchall()


def evidence_load(*, now: datetime, user_id: int | None = None) -> Evidence:
    """Load released scorecards and their step scores: one user's, or everybody's."""
    rows = _step_scores(now=now, user_id=user_id)
    card_ids, card_of = np.unique(rows["card"], return_inverse=True)
    user_ids, user_of = np.unique(rows["user"], return_inverse=True)
    rater_ids, rater_of = np.unique(rows["rater"], return_inverse=True)
    if user_id is not None and not user_ids.size:
        user_ids = np.asarray([user_id], dtype=np.int64)
    n_users, n_raters, n_cards = user_ids.size, rater_ids.size, card_ids.size

    # One entry per scorecard: its candidate, its rater, when it was submitted.
    first = np.unique(card_of, return_index=True)[1]
    card_user, card_rater, card_at = user_of[first], rater_of[first], rows["at"][first]
    latest = np.full(n_users, -np.inf)
    np.maximum.at(latest, card_user, card_at)
    pairs = np.unique(card_user * max(n_raters, 1) + card_rater)

    # A submitted scorecard scores every step or marks it not reached (points 0).
    scored = rows["points"] > 0
    missed = ~scored
    ratings = est.Ratings(
        user=user_of[scored],
        rater=rater_of[scored],
        step=rows["number"][scored].astype(np.int64) - 1,
        score=rows["points"][scored].astype(np.float64),
        age_days=(now.timestamp() - rows["at"][scored]) / _SECONDS_PER_DAY,
        n_users=n_users,
        n_raters=n_raters,
    )
    not_reached = np.bincount(
        user_of[missed] * est.N_STEPS + rows["number"][missed] - 1,
        minlength=n_users * est.N_STEPS,
    ).reshape(n_users, est.N_STEPS)

    pitfall_counts = np.zeros((n_users, len(TAGS)), dtype=np.int64)
    if n_cards:
        cards = released_scorecards(now=now)
        if user_id is not None:
            cards = cards.filter(candidate_id=user_id)
        for candidate_id, tag, count in _pitfall_rows(cards):
            row = int(np.searchsorted(user_ids, candidate_id))
            if tag in _TAG_INDEX and row < n_users and user_ids[row] == candidate_id:
                pitfall_counts[row, _TAG_INDEX[tag]] = count

    return Evidence(
        user_ids=user_ids.tolist(),
        ratings=ratings,
        rater_ids=rater_ids.tolist(),
        rater_scorecards=np.bincount(card_rater, minlength=n_raters),
        scorecards=np.bincount(card_user, minlength=n_users),
        raters=np.bincount(pairs // max(n_raters, 1), minlength=n_users),
        latest=np.where(np.isfinite(latest), latest, np.nan),
        not_reached=not_reached,
        pitfall_counts=pitfall_counts,
    )


@dataclass(frozen=True)
class Timing:
    """Time-on-step over each user's completed interviews, against the framework's budget."""

    interviews: est.IntArray  # (users,)
    reached: est.IntArray  # (users, 7) interviews in which the step was entered
    mean_seconds: est.FloatArray  # (users, 7) nan where never reached
    mean_ratio: est.FloatArray  # (users, 7) time / budget; nan where never reached
    budget_seconds: est.FloatArray  # (7,) for a standard-length interview


def timing_load(user_ids: list[int]) -> Timing:
    """Aggregate the users' interview timings per step in the database."""
    timings = InterviewTiming.objects.order_by()
    if len(user_ids) == 1:
        timings = timings.filter(candidate_id=user_ids[0])
    aggregates: dict[str, Any] = {"interviews": Count("pk")}
    for step in _STEPS:
        seconds = Cast(F(f"seconds_{step}"), FloatField())
        share = STEP_INFO[step].budget_share * 60
        aggregates[f"reached_{step}"] = Count(f"seconds_{step}")
        aggregates[f"spent_{step}"] = Sum(seconds)
        aggregates[f"ratio_{step}"] = Sum(seconds / (Cast(F("minutes"), FloatField()) * share))
    names = list(aggregates)
    rows = _rows(
        timings.values("candidate_id").annotate(**aggregates).values_list("candidate_id", *names)
    )
    n = len(user_ids)
    table = np.zeros((n, len(names)))
    if rows:
        found = np.asarray(rows, dtype=np.float64)
        position = np.searchsorted(user_ids, found[:, 0].astype(np.int64))
        position = np.minimum(position, max(n - 1, 0))
        mine = np.asarray(user_ids)[position] == found[:, 0] if n else np.zeros(0, bool)
        table[position[mine]] = np.nan_to_num(found[mine, 1:])
    reached = table[:, 1::3].astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_seconds = np.where(reached > 0, table[:, 2::3] / reached, np.nan)
        mean_ratio = np.where(reached > 0, table[:, 3::3] / reached, np.nan)
    return Timing(
        interviews=table[:, 0].astype(np.int64),
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
    levels = dict(_rows(profiles.values_list("user_id", "target_level")))
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


@dataclass(frozen=True)
class Bank:
    """The active question bank with each question's emphasis per step (rows average 1)."""

    ids: list[int]
    questions: list[dict[str, Any]]  # id, slug, title, level, domain
    emphasis: est.FloatArray  # (questions, 7)


def bank_load() -> Bank:
    rows = list(
        Question.objects.filter(is_active=True)
        .order_by("pk")
        .values("id", "slug", "title", "level", "domain", "emphasis")
    )
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


def done_questions_load(user_ids: list[int], bank: Bank) -> np.ndarray:
    """Return (users, questions): True where the user already had the question as candidate."""
    done = np.zeros((len(user_ids), len(bank.ids)), dtype=bool)
    interviews = Interview.objects.exclude(
        status__in=[InterviewStatus.CANCELLED, InterviewStatus.NO_SHOW]
    ).order_by()
    if len(user_ids) == 1:
        interviews = interviews.filter(candidate_id=user_ids[0])
    pairs = np.asarray(
        _rows(interviews.values_list("candidate_id", "question_id").distinct()) or np.zeros((0, 2)),
        dtype=np.int64,
    ).reshape(-1, 2)
    if not pairs.size or not done.size:
        return done
    users, questions = np.asarray(user_ids), np.asarray(bank.ids)
    row = np.minimum(np.searchsorted(users, pairs[:, 0]), users.size - 1)
    column = np.minimum(np.searchsorted(questions, pairs[:, 1]), questions.size - 1)
    known = (users[row] == pairs[:, 0]) & (questions[column] == pairs[:, 1])
    done[row[known], column[known]] = True
    return done


@dataclass(frozen=True)
class RaterModel:
    """The latest fit's population parameters and each rater's leniency and noise."""

    fit: ModelFit | None
    params: est.Params

    def rater_arrays(self, rater_ids: list[int]) -> tuple[est.FloatArray, ...]:
        """Return leniency, its variance and the noise variance for each rater id."""
        p = self.params
        stats = RaterStats.objects.order_by()
        if len(rater_ids) < 500:
            stats = stats.filter(rater_id__in=rater_ids)
        known = {
            rater: (leniency, sd, noise)
            for rater, leniency, sd, noise in _rows(
                stats.values_list("rater_id", "leniency", "leniency_sd", "noise_sd")
            )
        }
        unknown = (0.0, p.tau2_leniency**0.5, p.sigma2**0.5)
        values = np.asarray(
            [known.get(rater, unknown) for rater in rater_ids] or np.zeros((0, 3)),
            dtype=np.float64,
        ).reshape(-1, 3)
        values[:, 2] = np.where(np.isnan(values[:, 2]), unknown[2], values[:, 2])
        return values[:, 0], values[:, 1] ** 2, values[:, 2] ** 2


def rater_model_load() -> RaterModel:
    fit = ModelFit.objects.order_by("-fitted_at", "-pk").first()
    params = est.Params.from_json(fit.params) if fit is not None else est.Params.prior()
    return RaterModel(fit=fit, params=params)
