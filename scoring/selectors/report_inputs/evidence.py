"""The scorecards a report is built from: released cards, their step scores, pitfall tags and
the candidates' self-assessments, as numpy arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.db.models import BigIntegerField, ExpressionWrapper, F
from django.db.models.functions import Coalesce

from scoring import estimation as est
from scoring.models import (
    InterviewerFeedback,
    Scorecard,
    StepScore,
    SubmissionStatus,
)
from scoring.selectors.submissions import released_scorecards
from sevenstep import arrays
from sevenstep.framework import Pitfall

TAGS: tuple[str, ...] = tuple(Pitfall.values)
_SECONDS_PER_DAY = 86400.0
_STEPS = range(1, est.N_STEPS + 1)
_NO_ROW = -1  # in a scorecard's points: no step score stored (0 is "not reached")


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
    found = arrays.query_numbers(
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
    return arrays.query_numbers(steps.annotate(packed_score=packed), {"packed_score": "int8"})[
        "packed_score"
    ]


def _points(card_ids: np.ndarray, packed: np.ndarray) -> np.ndarray:
    """Return (cards, 7): each released scorecard's score per step, 0 not reached, -1 none."""
    points = np.full((card_ids.size, est.N_STEPS), _NO_ROW, dtype=np.int64)
    card, known = arrays.lookup(card_ids, packed >> 6)
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
    query = arrays.query_sql(
        tagged.annotate(tagged_card=F("pk"), tags=F("pitfalls")).values_list("tagged_card", "tags")
    )
    if query is None:
        return arrays.empty(kinds)
    sql, params = query
    cases = " ".join(f"WHEN %s THEN {index}" for index in range(len(TAGS)))
    known = ", ".join(["%s"] * len(TAGS))
    # Tags are distinct within a scorecard (the service removes repeats), so rows count cards.
    return arrays.numbers(
        f"SELECT c.tagged_card AS card, CASE t.value {cases} END AS tag "
        f"FROM ({sql}) c CROSS JOIN {arrays.json_elements('c.tags', 't', pairs=False)} "
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
    query = arrays.query_sql(
        feedback.annotate(assessed=F("interview_id"), claims=F("self_assessment")).values_list(
            "assessed", "claims"
        )
    )
    if query is None:
        return arrays.empty(kinds)
    sql, params = query
    steps, levels = [str(step) for step in _STEPS], [str(level) for level in range(1, 5)]
    value = "CAST(s.value AS TEXT)"  # a JSON number; the input allows only 1-4 on steps 1-7
    return arrays.numbers(
        f"SELECT f.assessed AS interview, CAST(s.key AS INTEGER) AS step, "
        f"CAST({value} AS INTEGER) AS claimed "
        f"FROM ({sql}) f CROSS JOIN {arrays.json_elements('f.claims', 's', pairs=True)} "
        f"WHERE s.key IN ({', '.join(['%s'] * len(steps))}) "
        f"AND {value} IN ({', '.join(['%s'] * len(levels))})",
        (*params, *steps, *levels),
        kinds,
    )


def evidence_load(*, now: datetime, user_id: int | None = None) -> Evidence:
    """Load released scorecards and their step scores: one user's, or everybody's."""
    step_scores = arrays.in_background(
        lambda: _step_scores(user_id=user_id), worthwhile=user_id is None
    )
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

    tagged, known = arrays.lookup(card_ids, tags["card"])
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
    position, known = arrays.lookup(cards["card_interview"][by_interview], claims["interview"])
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
