"""Reading reports: the current one (built on demand when missing), history, evidence, raters."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Avg, Count, QuerySet
from django.utils import timezone

from interviews.models import Question
from interviews.selectors import question_exposure
from scoring.models import (
    ModelFit,
    RaterStats,
    Report,
    ReportSnapshot,
    Scorecard,
    StepScore,
    report_document,
)
from scoring.selectors.submissions import released_feedback, released_scorecards

QUOTES_PER_STEP = 2
ENOUGH_RATINGS_FOR_LENIENCY = 20


@dataclass(frozen=True)
class CurrentReport:
    user_id: int
    computed_at: datetime
    kind: str
    body: dict[str, Any]
    evidence: dict[int, list[dict[str, Any]]]
    questions: Mapping[int, Mapping[str, Any]]  # the recommended ones, by id


def report_for_user(*, user_id: int) -> CurrentReport:
    """Return the stored report, or one computed now (not stored) if none was built yet.

    Computing one writes nothing: interviews completed since the last build count from the
    next build on (the update their scorecard queues, or the nightly rebuild).
    """
    from scoring.services.reports import report_compute

    stored = Report.objects.filter(user_id=user_id).first()
    if stored is not None:
        computed_at, kind, body = stored.computed_at, stored.kind, stored.document()
    else:
        computed_at, kind = timezone.now(), "on_demand"
        built = report_compute(user_id=user_id, now=computed_at)
        body = report_document(built.body, built.figures)
    # A stored report is as old as its last rebuild; a question seen since (an interview given
    # or booked today) is left out now rather than at the next night.
    seen = question_exposure(user_ids=[user_id])[user_id].seen
    picked = [pick[0] for pick in body["recommended_questions"] if pick[0] not in seen]
    questions = {
        row["id"]: row
        for row in Question.objects.filter(pk__in=picked, is_active=True).values(
            "id", "slug", "title", "level", "domain"
        )
    }
    return CurrentReport(
        user_id=user_id,
        computed_at=computed_at,
        kind=kind,
        body=body,
        evidence=evidence_quotes(user_id=user_id),
        questions=questions,
    )


def evidence_quotes(*, user_id: int) -> dict[int, list[dict[str, Any]]]:
    """Return the latest written evidence per step from the user's released scorecards."""
    rows = (
        StepScore.objects.filter(scorecard__in=released_scorecards().filter(candidate_id=user_id))
        .exclude(evidence="")
        .order_by("-scorecard__submitted_at", "step")
        .values_list(
            "step",
            "score",
            "not_reached",
            "evidence",
            "scorecard__interview_id",
            "scorecard__submitted_at",
            "scorecard__interview__question__title",
        )[:200]
    )
    quotes: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for step, score, not_reached, text, interview_id, submitted_at, question in rows:
        if len(quotes[step]) < QUOTES_PER_STEP:
            quotes[step].append(
                {
                    "text": text,
                    "score": score,
                    "not_reached": not_reached,
                    "interview_id": interview_id,
                    "question_title": question,
                    "submitted_at": submitted_at,
                }
            )
    return dict(quotes)


def report_history(*, user_id: int) -> QuerySet[ReportSnapshot]:
    return ReportSnapshot.objects.filter(user_id=user_id).order_by("-n_scorecards")


def rater_stats(*, rater_ids: list[int]) -> dict[int, RaterStats]:
    """Return the latest leniency and consistency of each rater (for matching, too)."""
    return {row.rater_id: row for row in RaterStats.objects.filter(rater_id__in=rater_ids)}


def interviewer_profile(*, user_id: int) -> dict[str, Any]:
    """Return how a user scores as an interviewer and how useful candidates found them."""
    stats = RaterStats.objects.filter(rater_id=user_id).first()
    fit = ModelFit.objects.order_by("-fitted_at", "-pk").first()
    feedback = released_feedback().filter(interviewer_id=user_id)
    ratings = feedback.aggregate(
        count=Count("pk"),
        usefulness=Avg("usefulness"),
        specificity=Avg("specificity"),
        preparedness=Avg("preparedness"),
    )
    comments = list(
        feedback.exclude(comment="")
        .order_by("-submitted_at")
        .values("comment", "submitted_at", "interview_id")[:5]
    )
    population_noise = (fit.params["sigma2"] ** 0.5) if fit else None
    return {
        "scorecards_submitted": Scorecard.objects.filter(
            interviewer_id=user_id, status="submitted"
        ).count(),
        "model_fitted_at": fit.fitted_at if fit else None,
        "leniency": None
        if stats is None
        else {
            "points": stats.leniency,
            "lower": stats.leniency - 1.645 * stats.leniency_sd,
            "upper": stats.leniency + 1.645 * stats.leniency_sd,
            "n_ratings": stats.n_ratings,
            "enough_data": stats.n_ratings >= ENOUGH_RATINGS_FOR_LENIENCY,
        },
        "consistency": None
        if stats is None
        else {
            "noise_sd": stats.noise_sd,
            "population_noise_sd": population_noise,
            "n_ratings": stats.n_ratings,
        },
        "feedback_received": {
            "count": ratings["count"],
            "usefulness": _rounded(ratings["usefulness"]),
            "specificity": _rounded(ratings["specificity"]),
            "preparedness": _rounded(ratings["preparedness"]),
            "recent_comments": comments,
        },
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
