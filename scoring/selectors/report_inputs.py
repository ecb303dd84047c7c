"""Everything a report is built from, read in bulk as numpy arrays (one user or all of them).

Only released scorecards count (blind release): a report never reveals a scorecard the
candidate may not see yet. The nightly rebuild reads every step score ever given: the released
scorecards once (who rated whom, when), then the step scores as three plain number columns
without a join, matched to their scorecard in numpy. On PostgreSQL each query arrives as a
single packed binary value that numpy reads in place instead of as 700k Python tuples.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import BigIntegerField, ExpressionWrapper, F, QuerySet
from django.db.models.functions import Coalesce

from accounts.models import Profile
from interviews.models import InterviewRole, Question
from interviews.selectors import seen_interviews
from scoring import estimation as est
from scoring.models import (
    InterviewerFeedback,
    InterviewTiming,
    ModelFit,
    RaterStats,
    Report,
    Rubric,
    RubricSection,
    Scorecard,
    StepScore,
    SubmissionStatus,
)
from scoring.selectors.submissions import released_scorecards
from sevenstep.framework import INTERVIEW_MINUTES, LEVEL_ORDER, STEP_INFO, Pitfall
from sevenstep.framework import step_budget_seconds as budget_of

T = TypeVar("T")
TAGS: tuple[str, ...] = tuple(Pitfall.values)
_SECONDS_PER_DAY = 86400.0
_STEPS = range(1, est.N_STEPS + 1)
_NO_ROW = -1  # in a scorecard's points: no step score stored (0 is "not reached")


def in_background(load: Callable[[], T], *, worthwhile: bool = True) -> Callable[[], T]:
    """Start a read on a database connection of its own; return a function awaiting its result.

    The database works on it while this process goes on (the plain GROUP BY the benchmark
    compares with runs on parallel workers too). Inside a transaction another connection would
    not see its writes (tests run in one), and for a small read a connection costs more than
    it saves: then the read runs at once.
    """
    if not worthwhile or connection.in_atomic_block:
        value = load()
        return lambda: value
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = load()
        except BaseException as error:  # re-raised by the caller
            outcome["error"] = error
        finally:
            connections.close_all()  # this thread's own

    thread = threading.Thread(target=run, name="scoring-read", daemon=True)
    thread.start()

    def result() -> T:
        thread.join()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    return result


def _sql(queryset: QuerySet[Any]) -> tuple[str, tuple[Any, ...]] | None:
    """Return a query's SQL and parameters, or None when it can match nothing."""
    try:
        return queryset.query.sql_with_params()
    except EmptyResultSet:
        return None


def _rows(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """Fetch plain columns in one go, skipping the ORM's per-row conversion.

    Only for numbers and text: dates and JSON come back in the database's raw form.
    """
    query = _sql(queryset)
    if query is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(*query)
        return cursor.fetchall()


# A column kind: how PostgreSQL sends one value in binary, and its numpy type.
_KINDS = {
    "int8": ("int8send({}::bigint)", ">i8"),
    "int4": ("int4send({}::integer)", ">i4"),
    "int2": ("int2send({}::smallint)", ">i2"),
    "float8": ("float8send({}::float8)", ">f8"),
    # A timestamp with time zone: microseconds since 2000-01-01 UTC, read as epoch seconds.
    "epoch": ("timestamptz_send({})", ">i8"),
}
_PG_EPOCH_SECONDS = 946684800.0  # 2000-01-01 UTC, where PostgreSQL's timestamps count from


def _numbers(sql: str, params: Any, kinds: dict[str, str]) -> dict[str, np.ndarray]:
    """Run a query whose named columns are NOT NULL numbers; return each as a numpy array.

    On PostgreSQL the server concatenates every row's columns in binary form into one bytea,
    so hundreds of thousands of rows arrive as one value that numpy reads in place.
    """
    if connection.vendor == "postgresql":
        record = " || ".join(_KINDS[kind][0].format(f"r.{name}") for name, kind in kinds.items())
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(string_agg({record}, ''), '') FROM ({sql}) r", params)
            (packed,) = cursor.fetchone()
        layout = np.dtype([(name, _KINDS[kind][1]) for name, kind in kinds.items()])
        rows = np.frombuffer(bytes(packed), dtype=layout)
        columns = {name: rows[name].astype(_dtype(kind)) for name, kind in kinds.items()}
        for name, kind in kinds.items():
            if kind == "epoch":
                columns[name] = rows[name] / 1e6 + _PG_EPOCH_SECONDS
        return columns
    # SQLite keeps UTC timestamps as text; julianday keeps ~10 microseconds of precision.
    selected = ", ".join(
        f"(julianday(r.{name}) - 2440587.5) * 86400.0" if kind == "epoch" else f"r.{name}"
        for name, kind in kinds.items()
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {selected} FROM ({sql}) r", params)
        found = cursor.fetchall()
    values = list(zip(*found, strict=True)) if found else [()] * len(kinds)
    return {
        name: np.asarray(column, dtype=_dtype(kind))
        for (name, kind), column in zip(kinds.items(), values, strict=True)
    }


def _dtype(kind: str) -> type[np.generic]:
    return np.float64 if kind in ("epoch", "float8") else np.int64


def _empty(kinds: dict[str, str]) -> dict[str, np.ndarray]:
    return {name: np.zeros(0, dtype=_dtype(kind)) for name, kind in kinds.items()}


def _query_numbers(queryset: QuerySet[Any], kinds: dict[str, str]) -> dict[str, np.ndarray]:
    """Fetch the named (annotated) columns of a queryset as numpy arrays."""
    query = _sql(queryset.values_list(*kinds))
    return _empty(kinds) if query is None else _numbers(*query, kinds)


def _json_elements(column: str, alias: str, *, pairs: bool) -> str:
    """Return a table function over a JSON array (value) or object (key, value) as text."""
    if connection.vendor == "postgresql":
        function = "jsonb_each_text" if pairs else "jsonb_array_elements_text"
        columns = "(key, value)" if pairs else "(value)"
        return f"{function}({column}) AS {alias}{columns}"
    return f"json_each({column}) AS {alias}"


@dataclass(frozen=True)
class SelfAssessed:
    """The candidates' own scores next to what the rater of the same interview gave them."""

    user: est.IntArray  # dense user index
    rater: est.IntArray  # dense rater index
    step: est.IntArray  # 0..6
    claimed: est.FloatArray  # the candidate's own 1-4
    received: est.FloatArray  # the rater's 1-4 on the same interview and step


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
    self_assessed: SelfAssessed
    communication: est.CommunicationRatings

    @property
    def n_users(self) -> int:
        return len(self.user_ids)


def _released_cards(*, now: datetime, user_id: int | None) -> dict[str, np.ndarray]:
    """Return the released scorecards (id, candidate, rater, interview, when, communication score).

    Ordered by id; the communication score is 0 where the rater left it out.
    """
    cards = released_scorecards(now=now).order_by()
    if user_id is not None:
        cards = cards.filter(candidate_id=user_id)
    found = _query_numbers(
        cards.annotate(
            card_id=F("pk"),
            card_user=F("candidate_id"),
            card_rater=F("interviewer_id"),
            card_interview=F("interview_id"),
            card_at=F("submitted_at"),
            card_communication=Coalesce("communication_score", 0),  # 0: not scored
        ),
        {
            "card_id": "int8",
            "card_user": "int8",
            "card_rater": "int8",
            "card_interview": "int8",
            "card_at": "epoch",
            "card_communication": "int2",
        },
    )
    order = np.argsort(found["card_id"], kind="stable")
    return {name: values[order] for name, values in found.items()}


def _lookup(sorted_ids: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the position of each id among sorted_ids, and whether it is there at all."""
    if not sorted_ids.size:
        return np.zeros(ids.size, dtype=np.int64), np.zeros(ids.size, dtype=bool)
    position = np.minimum(np.searchsorted(sorted_ids, ids), sorted_ids.size - 1)
    return position, sorted_ids[position] == ids


def _step_scores(*, user_id: int | None) -> np.ndarray:
    """Return every step score (one user's), each as scorecard id * 64 + step * 8 + points.

    One number a row instead of three makes the rebuild's largest read a third cheaper. Points
    are 1-4, 0 for not reached. Everybody's: without a join; the few of drafts and scorecards
    not released yet match no released scorecard and are dropped in numpy.
    """
    steps = StepScore.objects.order_by()
    if user_id is not None:
        steps = steps.filter(scorecard__candidate_id=user_id)
    packed = ExpressionWrapper(
        F("scorecard_id") * 64 + F("step") * 8 + Coalesce("score", 0),
        output_field=BigIntegerField(),
    )
    return _query_numbers(steps.annotate(packed_score=packed), {"packed_score": "int8"})[
        "packed_score"
    ]


def _points(card_ids: np.ndarray, packed: np.ndarray) -> np.ndarray:
    """Return (cards, 7): each released scorecard's score per step, 0 not reached, -1 none."""
    points = np.full((card_ids.size, est.N_STEPS), _NO_ROW, dtype=np.int64)
    card, known = _lookup(card_ids, packed >> 6)
    points[card[known], ((packed >> 3) & 7)[known] - 1] = (packed & 7)[known]
    return points


def _pitfall_tags(*, user_id: int | None) -> dict[str, np.ndarray]:
    """Return (scorecard id, tag index) for each known tag ticked on a submitted scorecard."""
    kinds = {"card": "int8", "tag": "int2"}
    tagged = (
        Scorecard.objects.filter(status=SubmissionStatus.SUBMITTED).exclude(pitfalls=[]).order_by()
    )
    if user_id is not None:
        tagged = tagged.filter(candidate_id=user_id)
    query = _sql(
        tagged.annotate(tagged_card=F("pk"), tags=F("pitfalls")).values_list("tagged_card", "tags")
    )
    if query is None:
        return _empty(kinds)
    sql, params = query
    cases = " ".join(f"WHEN %s THEN {index}" for index in range(len(TAGS)))
    known = ", ".join(["%s"] * len(TAGS))
    # Tags are distinct within a scorecard (the service removes repeats), so rows count cards.
    return _numbers(
        f"SELECT c.tagged_card AS card, CASE t.value {cases} END AS tag "
        f"FROM ({sql}) c CROSS JOIN {_json_elements('c.tags', 't', pairs=False)} "
        f"WHERE t.value IN ({known})",
        (*TAGS, *params, *TAGS),
        kinds,
    )


def _self_assessments(*, user_id: int | None) -> dict[str, np.ndarray]:
    """Return (interview id, step, score) for each step candidates scored themselves on."""
    kinds = {"interview": "int8", "step": "int2", "claimed": "int2"}
    feedback = (
        InterviewerFeedback.objects.filter(status=SubmissionStatus.SUBMITTED)
        .exclude(self_assessment={})
        .order_by()
    )
    if user_id is not None:
        feedback = feedback.filter(candidate_id=user_id)
    query = _sql(
        feedback.annotate(assessed=F("interview_id"), claims=F("self_assessment")).values_list(
            "assessed", "claims"
        )
    )
    if query is None:
        return _empty(kinds)
    sql, params = query
    steps, levels = [str(step) for step in _STEPS], [str(level) for level in range(1, 5)]
    value = "CAST(s.value AS TEXT)"  # a JSON number; the input allows only 1-4 on steps 1-7
    return _numbers(
        f"SELECT f.assessed AS interview, CAST(s.key AS INTEGER) AS step, "
        f"CAST({value} AS INTEGER) AS claimed "
        f"FROM ({sql}) f CROSS JOIN {_json_elements('f.claims', 's', pairs=True)} "
        f"WHERE s.key IN ({', '.join(['%s'] * len(steps))}) "
        f"AND {value} IN ({', '.join(['%s'] * len(levels))})",
        (*params, *steps, *levels),
        kinds,
    )


def evidence_load(*, now: datetime, user_id: int | None = None) -> Evidence:
    """Load released scorecards and their step scores: one user's, or everybody's."""
    step_scores = in_background(lambda: _step_scores(user_id=user_id), worthwhile=user_id is None)
    cards = _released_cards(now=now, user_id=user_id)
    card_ids = cards["card_id"]
    tags = _pitfall_tags(user_id=user_id)
    claims = _self_assessments(user_id=user_id)
    points = _points(card_ids, step_scores())
    user_ids, card_user = np.unique(cards["card_user"], return_inverse=True)
    rater_ids, card_rater = np.unique(cards["card_rater"], return_inverse=True)
    if user_id is not None and not user_ids.size:
        user_ids = np.asarray([user_id], dtype=np.int64)
    n_users, n_raters = user_ids.size, rater_ids.size

    latest = np.full(n_users, -np.inf)
    np.maximum.at(latest, card_user, cards["card_at"])
    pairs = np.unique(card_user * max(n_raters, 1) + card_rater)

    # A submitted scorecard scores every step or marks it not reached (points 0).
    card, step = np.nonzero(points > 0)
    ratings = est.Ratings(
        user=card_user[card],
        rater=card_rater[card],
        step=step,
        score=points[card, step].astype(np.float64),
        age_days=(now.timestamp() - cards["card_at"][card]) / _SECONDS_PER_DAY,
        n_users=n_users,
        n_raters=n_raters,
        card=card,
    )
    missed_card, missed_step = np.nonzero(points == 0)
    not_reached = np.bincount(
        card_user[missed_card] * est.N_STEPS + missed_step, minlength=n_users * est.N_STEPS
    ).reshape(n_users, est.N_STEPS)

    communicated = np.flatnonzero(cards["card_communication"] > 0)

    tagged, known = _lookup(card_ids, tags["card"])
    pitfall_counts = np.bincount(
        card_user[tagged[known]] * len(TAGS) + tags["tag"][known], minlength=n_users * len(TAGS)
    ).reshape(n_users, len(TAGS))

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
        self_assessed=_self_assessed(cards, points, card_user, card_rater, claims),
        communication=est.CommunicationRatings(
            user=card_user[communicated],
            rater=card_rater[communicated],
            score=cards["card_communication"][communicated].astype(np.float64),
            age_days=(now.timestamp() - cards["card_at"][communicated]) / _SECONDS_PER_DAY,
        ),
    )


def _self_assessed(
    cards: dict[str, np.ndarray],
    points: np.ndarray,
    card_user: np.ndarray,
    card_rater: np.ndarray,
    claims: dict[str, np.ndarray],
) -> SelfAssessed:
    """Pair each self-assessed step with the score the rater gave on the same interview."""
    by_interview = np.argsort(cards["card_interview"], kind="stable")
    position, known = _lookup(cards["card_interview"][by_interview], claims["interview"])
    card = by_interview[position[known]]
    step = claims["step"][known].astype(np.int64) - 1
    received = points[card, step]
    scored = received > 0  # a step not reached has no score to compare with
    return SelfAssessed(
        user=card_user[card[scored]],
        rater=card_rater[card[scored]],
        step=step[scored],
        claimed=claims["claimed"][known][scored].astype(np.float64),
        received=received[scored].astype(np.float64),
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
    """Aggregate the (sorted) users' interview timings per step."""
    timings = InterviewTiming.objects.order_by()
    if len(user_ids) == 1:
        timings = timings.filter(candidate_id=user_ids[0])
    columns = {f"timed_{step}": Coalesce(f"seconds_{step}", -1) for step in _STEPS}
    rows = _query_numbers(
        timings.annotate(timed_user=F("candidate_id"), timed_minutes=F("minutes"), **columns),
        {"timed_user": "int8", "timed_minutes": "int4"} | dict.fromkeys(columns, "int4"),
    )
    n = len(user_ids)
    row, mine = _lookup(np.asarray(user_ids, dtype=np.int64), rows["timed_user"])
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
        pairs = _query_numbers(
            interviews.annotate(had_user=F(who), had_question=F("question_id")),
            {"had_user": "int8", "had_question": "int8"},
        )
        row, known_user = _lookup(np.asarray(user_ids, dtype=np.int64), pairs["had_user"])
        column, known_question = _lookup(
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

    def rater_arrays(self, rater_ids: list[int]) -> tuple[est.FloatArray, ...]:
        """Return leniency, its variance and the noise variance for each rater id."""
        p = self.params
        stats = RaterStats.objects.order_by()
        if len(rater_ids) < 500:
            stats = stats.filter(rater_id__in=rater_ids)
        found = _query_numbers(
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
        # Raters without statistics yet are assumed typical.
        values = np.tile([0.0, p.tau2_leniency**0.5, p.sigma2**0.5], (len(rater_ids), 1))
        if found["stats_of"].size:
            order = np.argsort(found["stats_of"])
            position, known = _lookup(found["stats_of"][order], np.asarray(rater_ids, np.int64))
            for column, name in enumerate(("stats_leniency", "stats_sd", "stats_noise")):
                stored = found[name][order][position]
                usable = known & (stored >= 0) if name == "stats_noise" else known
                values[:, column] = np.where(usable, stored, values[:, column])
        return values[:, 0], values[:, 1] ** 2, values[:, 2] ** 2


def stored_reports_load() -> dict[int, tuple[int | None, int, int]]:
    """Return every stored report's digest, source version and scorecard count by user."""
    return {
        user_id: (digest, version, cards)
        for user_id, digest, version, cards in _rows(
            Report.objects.order_by().values_list(
                "user_id", "digest", "source_version", "n_scorecards"
            )
        )
    }


def rater_model_load() -> RaterModel:
    fit = ModelFit.objects.order_by("-fitted_at", "-pk").first()
    params = est.Params.from_json(fit.params) if fit is not None else est.Params.prior()
    return RaterModel(fit=fit, params=params)
