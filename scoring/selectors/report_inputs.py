"""Everything a report is built from, read in bulk as numpy arrays (one user or all of them).

Only released scorecards count (blind release): a report never reveals a scorecard the
candidate may not see yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

from accounts.models import Profile
from interviews.models import Interview, InterviewStatus, Question
from scoring import estimation as est
from scoring.models import InterviewTiming, ModelFit, RaterStats, StepScore
from scoring.selectors.submissions import released_scorecards, rubric_current
from sevenstep.framework import INTERVIEW_MINUTES, LEVEL_ORDER, Pitfall, step_budget_seconds

TAGS: tuple[str, ...] = tuple(Pitfall.values)
_TAG_INDEX = {tag: index for index, tag in enumerate(TAGS)}
_SECONDS_PER_DAY = 86400.0


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


@dataclass(frozen=True)
class Evidence:
    """The released scorecards of a set of users, as arrays over users (dense index)."""

    user_ids: list[int]
    ratings: est.Ratings
    rater_ids: list[int]  # rater index -> user id
    rater_scorecards: est.IntArray  # (raters,)
    scorecards: est.IntArray  # (users,)
    raters: est.IntArray  # (users,) distinct raters
    latest: list[datetime | None]  # (users,)
    not_reached: est.IntArray  # (users, 7)
    pitfall_counts: est.IntArray  # (users, tags)

    @property
    def n_users(self) -> int:
        return len(self.user_ids)


def evidence_load(*, now: datetime, user_id: int | None = None) -> Evidence:
    """Load released scorecards and their step scores: one user's, or everybody's."""
    cards = released_scorecards(now=now)
    if user_id is not None:
        cards = cards.filter(candidate_id=user_id)
    card_rows = sorted(cards.values_list("pk", "candidate_id", "interviewer_id", "submitted_at"))
    card_ids = np.asarray([row[0] for row in card_rows], dtype=np.int64)
    card_user_ids = np.asarray([row[1] for row in card_rows], dtype=np.int64)
    card_rater_ids = np.asarray([row[2] for row in card_rows], dtype=np.int64)
    user_ids, card_user = np.unique(card_user_ids, return_inverse=True)
    rater_ids, card_rater = np.unique(card_rater_ids, return_inverse=True)
    if user_id is not None and not user_ids.size:
        user_ids = np.asarray([user_id], dtype=np.int64)
    n_users = user_ids.size
    card_age = np.asarray(
        [(now - row[3]).total_seconds() / _SECONDS_PER_DAY for row in card_rows], dtype=np.float64
    )

    steps = StepScore.objects.filter(scorecard__in=cards).values_list(
        "scorecard_id", "step", "score", "not_reached"
    )
    step_rows = np.asarray(
        [
            (card, step, -1 if score is None else score, 1 if missed else 0)
            for card, step, score, missed in _rows(steps)
        ]
        or np.zeros((0, 4)),
        dtype=np.int64,
    ).reshape(-1, 4)
    card = np.searchsorted(card_ids, step_rows[:, 0])
    scored = step_rows[:, 2] > 0
    missed = step_rows[:, 3] == 1
    ratings = est.Ratings(
        user=card_user[card[scored]],
        rater=card_rater[card[scored]],
        step=step_rows[scored, 1] - 1,
        score=step_rows[scored, 2].astype(np.float64),
        age_days=card_age[card[scored]],
        n_users=n_users,
        n_raters=rater_ids.size,
    )
    not_reached = np.bincount(
        card_user[card[missed]] * est.N_STEPS + step_rows[missed, 1] - 1,
        minlength=n_users * est.N_STEPS,
    ).reshape(n_users, est.N_STEPS)

    latest: list[datetime | None] = [None] * n_users
    for (_, _, _, submitted_at), index in zip(card_rows, card_user, strict=True):
        if latest[index] is None or submitted_at > latest[index]:  # type: ignore[operator]
            latest[index] = submitted_at
    distinct_pairs = np.unique(card_user * max(rater_ids.size, 1) + card_rater)
    raters = np.bincount(distinct_pairs // max(rater_ids.size, 1), minlength=n_users)

    pitfall_counts = np.zeros((n_users, len(TAGS)), dtype=np.int64)
    for pk, tags in cards.exclude(pitfalls=[]).values_list("pk", "pitfalls"):
        row = card_user[np.searchsorted(card_ids, pk)]
        for tag in set(tags):
            if tag in _TAG_INDEX:
                pitfall_counts[row, _TAG_INDEX[tag]] += 1

    return Evidence(
        user_ids=user_ids.tolist(),
        ratings=ratings,
        rater_ids=rater_ids.tolist(),
        rater_scorecards=np.bincount(card_rater, minlength=rater_ids.size),
        scorecards=np.bincount(card_user, minlength=n_users),
        raters=raters,
        latest=latest,
        not_reached=not_reached,
        pitfall_counts=pitfall_counts,
    )


def _json(value: Any) -> Any:
    import json

    return json.loads(value) if isinstance(value, str | bytes) else value


@dataclass(frozen=True)
class Timing:
    """Time-on-step over each user's completed interviews, against the framework's budget."""

    interviews: est.IntArray  # (users,)
    reached: est.IntArray  # (users, 7) interviews in which the step was entered
    mean_seconds: est.FloatArray  # (users, 7) nan where never reached
    mean_ratio: est.FloatArray  # (users, 7) time / budget; nan where never reached
    budget_seconds: est.FloatArray  # (7,) for a standard-length interview


def timing_load(user_ids: list[int]) -> Timing:
    """Summarise the users' interview timings (InterviewTiming rows) per step."""
    index = {user_id: i for i, user_id in enumerate(user_ids)}
    n = len(user_ids)
    rows = InterviewTiming.objects.values_list("candidate_id", "minutes", "seconds")
    if n == 1:
        rows = rows.filter(candidate_id=user_ids[0])
    interviews = np.zeros(n, dtype=np.int64)
    reached = np.zeros((n, est.N_STEPS), dtype=np.int64)
    seconds = np.zeros((n, est.N_STEPS))
    ratio = np.zeros((n, est.N_STEPS))
    budgets = {}
    for candidate_id, minutes, per_step in _rows(rows):
        row = index.get(candidate_id)
        if row is None:
            continue
        if minutes not in budgets:
            budgets[minutes] = np.asarray(
                [step_budget_seconds(step, minutes) for step in range(1, 8)], dtype=np.float64
            )
        values = np.asarray([np.nan if x is None else x for x in _json(per_step)], dtype=np.float64)
        entered = ~np.isnan(values)
        interviews[row] += 1
        reached[row] += entered
        seconds[row] += np.where(entered, values, 0.0)
        ratio[row] += np.where(entered, values / budgets[minutes], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_seconds = np.where(reached > 0, seconds / reached, np.nan)
        mean_ratio = np.where(reached > 0, ratio / reached, np.nan)
    return Timing(
        interviews=interviews,
        reached=reached,
        mean_seconds=mean_seconds,
        mean_ratio=mean_ratio,
        budget_seconds=np.asarray(
            [step_budget_seconds(step, INTERVIEW_MINUTES) for step in range(1, 8)],
            dtype=np.float64,
        ),
    )


def levels_load(user_ids: list[int]) -> list[str]:
    """Return each user's target level (the default level when they have no profile)."""
    levels = dict(
        _rows(Profile.objects.filter(user_id__in=user_ids).values_list("user_id", "target_level"))
        if len(user_ids) < 1000
        else _rows(Profile.objects.values_list("user_id", "target_level"))
    )
    default = Profile._meta.get_field("target_level").default
    return [levels.get(user_id, default) for user_id in user_ids]


def bars_load() -> dict[str, est.FloatArray]:
    """Return the current rubric's bar per step for each target level."""
    sections = {s.step: s for s in rubric_current().sections.all() if s.step is not None}
    return {
        level: np.asarray([sections[step].bars[level] for step in range(1, 8)], dtype=np.float64)
        for level in LEVEL_ORDER
    }


@dataclass(frozen=True)
class Bank:
    """The active question bank with each question's emphasis per step (rows sum to 7)."""

    ids: list[int]
    slugs: list[str]
    titles: list[str]
    levels: list[str]
    domains: list[str]
    emphasis: est.FloatArray  # (questions, 7)


def bank_load() -> Bank:
    rows = _rows(
        Question.objects.filter(is_active=True)
        .order_by("pk")
        .values_list("pk", "slug", "title", "level", "domain", "emphasis")
    )
    emphasis = np.asarray(
        [[float(_json(row[5]).get(str(step), 1.0)) for step in range(1, 8)] for row in rows]
        or np.zeros((0, 7)),
        dtype=np.float64,
    ).reshape(-1, 7)
    totals = emphasis.sum(axis=1, keepdims=True)
    emphasis = np.divide(emphasis * 7, totals, out=np.ones_like(emphasis), where=totals > 0)
    return Bank(
        ids=[row[0] for row in rows],
        slugs=[row[1] for row in rows],
        titles=[row[2] for row in rows],
        levels=[row[3] for row in rows],
        domains=[row[4] for row in rows],
        emphasis=emphasis,
    )


def done_questions_load(user_ids: list[int]) -> list[set[int]]:
    """Return the questions each user has already had as a candidate (held or booked)."""
    index = {user_id: i for i, user_id in enumerate(user_ids)}
    done: list[set[int]] = [set() for _ in user_ids]
    rows = Interview.objects.exclude(
        status__in=[InterviewStatus.CANCELLED, InterviewStatus.NO_SHOW]
    ).values_list("candidate_id", "question_id")
    if len(user_ids) == 1:
        rows = rows.filter(candidate_id=user_ids[0])
    for candidate_id, question_id in _rows(rows.order_by().distinct()):
        row = index.get(candidate_id)
        if row is not None:
            done[row].add(question_id)
    return done


@dataclass(frozen=True)
class RaterModel:
    """The latest fit's population parameters and each rater's leniency and noise."""

    fit: ModelFit | None
    params: est.Params

    def rater_arrays(self, rater_ids: list[int]) -> tuple[est.FloatArray, ...]:
        """Return leniency, its variance and the noise variance for each rater id."""
        stats = {
            row[0]: row[1:]
            for row in RaterStats.objects.filter(rater_id__in=rater_ids).values_list(
                "rater_id", "leniency", "leniency_sd", "noise_sd"
            )
        }
        p = self.params
        unknown = (0.0, p.tau2_leniency**0.5, p.sigma2**0.5)
        values = np.asarray(
            [[v if v is not None else unknown[2] for v in stats.get(r, unknown)] for r in rater_ids]
            or np.zeros((0, 3)),
            dtype=np.float64,
        ).reshape(-1, 3)
        return values[:, 0], values[:, 1] ** 2, values[:, 2] ** 2


def rater_model_load() -> RaterModel:
    fit = ModelFit.objects.order_by("-fitted_at", "-pk").first()
    params = est.Params.from_json(fit.params) if fit is not None else est.Params.prior()
    return RaterModel(fit=fit, params=params)
