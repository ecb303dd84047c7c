"""Turn estimates and evidence into report bodies, vectorised over users.

A body stores its per-step figures column-wise ({"estimate": [7 numbers], ...}) and nothing
that can be derived (verdicts, gaps, slope bands, question titles), so a body stays under
PostgreSQL's 2 kB TOAST threshold and the nightly rebuild writes small rows. The API expands
it (scoring.serializers.report_view).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from scoring import estimation as est
from scoring.selectors.report_inputs import TAGS, Bank, Evidence, Timing

RECOMMENDED_QUESTIONS = 3
RUSHED_RATIO = 0.5  # under half the budget
OVER_RATIO = 1.5  # over one and a half times the budget
MIN_TIMED_INTERVIEWS = 2
_LEVEL_BONUS = (0.3, 0.15)  # questions at, then next to, the user's target level first


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


def _lists(values: np.ndarray, digits: int | None = 2) -> list[list[Any]]:
    """Round a (users, k) array and turn it into lists, NaN becoming None."""
    if digits is None:
        return values.tolist()
    rounded = np.round(values.astype(np.float64), digits)
    out = rounded.tolist()
    missing = np.isnan(rounded)
    for user, step in zip(*np.nonzero(missing), strict=True):
        out[user][step] = None
    return out


def _steps_where(mask: np.ndarray) -> list[list[int]]:
    """Return, per user, the step numbers where mask is True."""
    out: list[list[int]] = [[] for _ in range(mask.shape[0])]
    for user, step in zip(*np.nonzero(mask), strict=True):
        out[user].append(int(step) + 1)
    return out


def report_bodies(
    *,
    evidence: Evidence,
    estimates: est.Estimates,
    percentiles: est.FloatArray,
    levels: list[str],
    timing: Timing,
    done: np.ndarray,
    context: Context,
) -> list[dict[str, Any]]:
    """Build one report body per user of the evidence."""
    n = estimates.n
    bars = np.stack([context.bars[level] for level in levels]) if levels else np.zeros((0, 7))
    lower, upper = estimates.lower, estimates.upper
    gap = estimates.estimate - bars
    eligible = n >= est.MIN_RATINGS
    order = est.weakest_first(gap, n)
    weakest = np.where(np.take_along_axis(eligible, order, axis=1), order + 1, 0)

    timed = timing.reached >= MIN_TIMED_INTERVIEWS
    with np.errstate(invalid="ignore"):
        rushed = timed & (timing.mean_ratio < RUSHED_RATIO)
        over = timed & (timing.mean_ratio > OVER_RATIO)
    often_missed = (timing.interviews[:, None] >= MIN_TIMED_INTERVIEWS) & (
        2 * timing.reached <= timing.interviews[:, None]
    )
    questions = _recommend(np.where(eligible, np.maximum(-gap, 0.0), 0.0), levels, done, context)

    columns = {
        "estimate": _lists(estimates.estimate),
        "lower": _lists(lower),
        "upper": _lists(upper),
        "raw_mean": _lists(estimates.raw_mean),
        "n_ratings": _lists(n, None),
        "n_not_reached": _lists(evidence.not_reached, None),
        "bar": _lists(bars),
        "percentile": _lists(np.where(eligible, percentiles, np.nan), 0),
        "trend": _lists(
            est.trend_direction(estimates.slope, estimates.slope_sd, n, estimates.span_days), None
        ),
        "slope": _lists(estimates.slope, 3),
        "slope_sd": _lists(estimates.slope_sd, 3),
        "time_reached": _lists(timing.reached, None),
        "time_mean_seconds": _lists(timing.mean_seconds, 0),
        "time_ratio": _lists(timing.mean_ratio),
    }
    weakest_steps = [[int(step) for step in row if step] for row in weakest]
    rushed_steps, over_steps, missed_steps = (
        _steps_where(rushed),
        _steps_where(over),
        _steps_where(often_missed),
    )
    pitfalls = _pitfalls(evidence, context)
    fitted_at = context.fitted_at.isoformat() if context.fitted_at else None
    enough = eligible.any(axis=1).tolist()
    scorecards, raters = evidence.scorecards.tolist(), evidence.raters.tolist()
    ratings, interviews = n.sum(axis=1).tolist(), timing.interviews.tolist()

    bodies = []
    for u in range(evidence.n_users):
        latest = evidence.latest[u]
        bodies.append(
            {
                "target_level": levels[u],
                "min_ratings": est.MIN_RATINGS,
                "enough_data": enough[u],
                "based_on": {
                    "scorecards": scorecards[u],
                    "ratings": ratings[u],
                    "raters": raters[u],
                    "latest_scorecard_at": None
                    if latest != latest
                    else datetime.fromtimestamp(latest, UTC).isoformat(),
                    "model_fit_id": context.fit_id,
                    "model_fitted_at": fitted_at,
                },
                "steps": {name: values[u] for name, values in columns.items()},
                "weakest_steps": weakest_steps[u],
                "time": {
                    "interviews": interviews[u],
                    "rushed_steps": rushed_steps[u],
                    "over_budget_steps": over_steps[u],
                    "often_not_reached": missed_steps[u],
                },
                "pitfalls": pitfalls[u],
                "recommended_questions": questions[u],
            }
        )
    return bodies


def _pitfalls(evidence: Evidence, context: Context) -> list[list[dict[str, Any]]]:
    """Per user: the tags ticked, recurring ones first."""
    counts = evidence.pitfall_counts
    recurring = est.recurring_pitfalls(
        counts, evidence.scorecards[:, None], context.pitfall_rates[None, :]
    )
    cards = np.maximum(evidence.scorecards, 1)
    rates = [None if r != r else round(float(r), 3) for r in context.pitfall_rates]
    out: list[list[dict[str, Any]]] = [[] for _ in range(evidence.n_users)]
    for u, t in zip(*np.nonzero(counts), strict=True):
        out[u].append(
            {
                "tag": TAGS[t],
                "count": int(counts[u, t]),
                "rate": round(int(counts[u, t]) / int(cards[u]), 3),
                "population_rate": rates[t],
                "recurring": bool(recurring[u, t]),
            }
        )
    for rows in out:
        rows.sort(key=lambda row: (not row["recurring"], -row["count"], row["tag"]))
    return out


def _recommend(
    shortfall: est.FloatArray, levels: list[str], done: np.ndarray, context: Context
) -> list[list[list[int]]]:
    """Pick unseen questions whose guide stresses each user's shortfalls (uniform if none).

    Each pick is [question id, the two steps it exercises most where the user falls short].
    """
    bank = context.bank
    n_users = shortfall.shape[0]
    if not bank.ids or not n_users:
        return [[] for _ in range(n_users)]
    total = shortfall.sum(axis=1, keepdims=True)
    focus = np.where(total > 0, shortfall / np.where(total > 0, total, 1.0), 1.0 / est.N_STEPS)
    score = focus @ bank.emphasis.T  # (users, questions)
    rank = {level: i for i, level in enumerate(context.levels_order)}
    question_rank = np.asarray([rank.get(q["level"], 0) for q in bank.questions])
    user_rank = np.asarray([rank.get(level, 0) for level in levels])
    distance = np.abs(user_rank[:, None] - question_rank[None, :])
    score += np.select([distance == 0, distance == 1], list(_LEVEL_BONUS))
    score[done] = -np.inf
    top = np.argsort(-score, axis=1, kind="stable")[:, :RECOMMENDED_QUESTIONS]
    weight = focus[:, None, :] * bank.emphasis[top]
    stresses = np.argsort(-weight, axis=2, kind="stable")[:, :, :2] + 1
    picks = np.concatenate([np.asarray(bank.ids)[top][:, :, None], stresses], axis=2).tolist()
    unusable = ~np.isfinite(np.take_along_axis(score, top, axis=1))
    for user in np.flatnonzero(unusable.any(axis=1)):
        picks[user] = [
            pick for pick, bad in zip(picks[user], unusable[user], strict=True) if not bad
        ]
    return picks


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
