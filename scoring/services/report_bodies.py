"""Turn estimates and evidence into report bodies, vectorised over users.

A body stores its per-step figures column-wise ({"estimate": [7 numbers], ...}) so the nightly
rebuild writes small rows; the API expands them into one object per step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from scoring import estimation as est
from scoring.selectors.report_inputs import TAGS, Bank, Evidence, Timing

RECOMMENDED_QUESTIONS = 3
RUSHED_RATIO = 0.5  # under half the budget
OVER_RATIO = 1.5  # over one and a half times the budget
MIN_TIMED_INTERVIEWS = 2
_LEVEL_BONUS = {0: 0.3, 1: 0.15}  # questions at (or next to) the user's target level first


@dataclass(frozen=True)
class Context:
    """What every report of one build shares: the fit, the bars, the bank."""

    params: est.Params
    fit_id: int | None
    fitted_at: datetime | None
    bars: dict[str, est.FloatArray]
    levels_order: tuple[str, ...]
    bank: Bank
    pitfall_rates: est.FloatArray  # (tags,) share of scorecards with each tag


def _column(values: est.FloatArray, digits: int = 2) -> list[float | None]:
    return [None if v != v else v for v in np.round(values, digits).tolist()]


def report_bodies(
    *,
    evidence: Evidence,
    estimates: est.Estimates,
    percentiles: est.FloatArray,
    levels: list[str],
    timing: Timing,
    done: list[set[int]],
    context: Context,
) -> list[dict[str, Any]]:
    """Build one report body per user of the evidence."""
    n = estimates.n
    bars = np.stack([context.bars[level] for level in levels]) if levels else np.zeros((0, 7))
    lower, upper = estimates.lower, estimates.upper
    gap = estimates.estimate - bars
    verdict = est.bar_verdict(lower, upper, bars, n)
    eligible = n >= est.MIN_RATINGS
    order = est.weakest_first(gap, n)
    trend = est.trend_direction(estimates.slope, estimates.slope_sd, n, estimates.span_days)
    slope_low = estimates.slope - est.Z_90 * estimates.slope_sd
    slope_high = estimates.slope + est.Z_90 * estimates.slope_sd
    percentiles = np.where(eligible, percentiles, np.nan)

    timed = timing.reached >= MIN_TIMED_INTERVIEWS
    rushed = timed & (timing.mean_ratio < RUSHED_RATIO)
    over = timed & (timing.mean_ratio > OVER_RATIO)
    often_missed = (timing.interviews[:, None] >= MIN_TIMED_INTERVIEWS) & (
        2 * timing.reached <= timing.interviews[:, None]
    )

    recurring = est.recurring_pitfalls(
        evidence.pitfall_counts, evidence.scorecards[:, None], context.pitfall_rates[None, :]
    )
    questions, stresses = _recommend(
        np.where(eligible, np.maximum(-gap, 0.0), 0.0), levels, done, context
    )
    n_ratings = n.sum(axis=1)
    budget = np.round(timing.budget_seconds).astype(int).tolist()
    fitted_at = context.fitted_at.isoformat() if context.fitted_at else None

    bodies = []
    for u in range(evidence.n_users):
        steps_of = np.arange(1, 8)
        latest = evidence.latest[u]
        bodies.append(
            {
                "target_level": levels[u],
                "min_ratings": est.MIN_RATINGS,
                "enough_data": bool(eligible[u].any()),
                "based_on": {
                    "scorecards": int(evidence.scorecards[u]),
                    "ratings": int(n_ratings[u]),
                    "raters": int(evidence.raters[u]),
                    "latest_scorecard_at": latest.isoformat() if latest else None,
                    "model_fit_id": context.fit_id,
                    "model_fitted_at": fitted_at,
                },
                "steps": {
                    "estimate": _column(estimates.estimate[u]),
                    "lower": _column(lower[u]),
                    "upper": _column(upper[u]),
                    "raw_mean": _column(estimates.raw_mean[u]),
                    "n_ratings": n[u].tolist(),
                    "n_not_reached": evidence.not_reached[u].tolist(),
                    "bar": _column(bars[u]),
                    "gap": _column(gap[u]),
                    "verdict": verdict[u].tolist(),
                    "percentile": _column(percentiles[u], 0),
                    "trend": trend[u].tolist(),
                    "slope": _column(estimates.slope[u], 3),
                    "slope_lower": _column(slope_low[u], 3),
                    "slope_upper": _column(slope_high[u], 3),
                    "time_reached": timing.reached[u].tolist(),
                    "time_mean_seconds": _column(timing.mean_seconds[u], 0),
                    "time_ratio": _column(timing.mean_ratio[u]),
                },
                "weakest_steps": (order[u][eligible[u][order[u]]] + 1).tolist(),
                "time": {
                    "interviews": int(timing.interviews[u]),
                    "budget_seconds": budget,
                    "rushed_steps": steps_of[rushed[u]].tolist(),
                    "over_budget_steps": steps_of[over[u]].tolist(),
                    "often_not_reached": steps_of[often_missed[u]].tolist(),
                },
                "pitfalls": _pitfalls(evidence, recurring, context, u),
                "recommended_questions": [
                    _question(context.bank, q, stresses[u][i]) for i, q in enumerate(questions[u])
                ],
            }
        )
    return bodies


def _pitfalls(evidence: Evidence, recurring: Any, context: Context, u: int) -> list[dict[str, Any]]:
    counts = evidence.pitfall_counts[u]
    cards = max(int(evidence.scorecards[u]), 1)
    rows = [
        {
            "tag": TAGS[t],
            "count": int(counts[t]),
            "rate": round(int(counts[t]) / cards, 3),
            "population_rate": _column(context.pitfall_rates[t : t + 1], 3)[0],
            "recurring": bool(recurring[u, t]),
        }
        for t in np.flatnonzero(counts)
    ]
    return sorted(rows, key=lambda row: (not row["recurring"], -row["count"], row["tag"]))


def _recommend(
    shortfall: est.FloatArray, levels: list[str], done: list[set[int]], context: Context
) -> tuple[list[list[int]], list[list[list[int]]]]:
    """Pick unseen questions whose guide stresses each user's shortfalls (uniform if none)."""
    bank = context.bank
    n_users = shortfall.shape[0]
    if not bank.ids or not n_users:
        return [[] for _ in range(n_users)], [[] for _ in range(n_users)]
    total = shortfall.sum(axis=1, keepdims=True)
    focus = np.where(total > 0, shortfall / np.where(total > 0, total, 1.0), 1.0 / 7)
    score = focus @ bank.emphasis.T  # (users, questions)
    rank = {level: i for i, level in enumerate(context.levels_order)}
    question_rank = np.asarray([rank.get(level, 0) for level in bank.levels])
    user_rank = np.asarray([rank.get(level, 0) for level in levels])
    distance = np.abs(user_rank[:, None] - question_rank[None, :])
    score = score + np.select([distance == 0, distance == 1], [_LEVEL_BONUS[0], _LEVEL_BONUS[1]])
    position = {question_id: i for i, question_id in enumerate(bank.ids)}
    for u, seen in enumerate(done):
        for question_id in seen:
            if question_id in position:
                score[u, position[question_id]] = -np.inf
    top = np.argsort(-score, axis=1, kind="stable")[:, :RECOMMENDED_QUESTIONS]
    picked: list[list[int]] = []
    stressed: list[list[list[int]]] = []
    for u in range(n_users):
        keep = [int(q) for q in top[u] if np.isfinite(score[u, q])]
        picked.append(keep)
        stressed.append(
            [
                [int(s) + 1 for s in np.argsort(-(focus[u] * bank.emphasis[q]), kind="stable")[:2]]
                for q in keep
            ]
        )
    return picked, stressed


def _question(bank: Bank, index: int, stresses: list[int]) -> dict[str, Any]:
    return {
        "id": bank.ids[index],
        "slug": bank.slugs[index],
        "title": bank.titles[index],
        "level": bank.levels[index],
        "domain": bank.domains[index],
        "stresses": stresses,
    }


def snapshot_steps(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the figures a history snapshot keeps from a body."""
    steps = body["steps"]
    return [
        {
            "step": step + 1,
            "estimate": steps["estimate"][step],
            "lower": steps["lower"][step],
            "upper": steps["upper"][step],
            "n_ratings": steps["n_ratings"][step],
        }
        for step in range(est.N_STEPS)
    ]
