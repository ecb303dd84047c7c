"""Turn estimates and evidence into report bodies, vectorised over users.

A report stores its per-step figures column-wise as one block of numbers (Report.figures, see
STEP_COLUMNS), the rest as a small JSON body, and nothing that can be derived (verdicts, gaps,
slope bands, question titles), so a row stays under PostgreSQL's 2 kB TOAST threshold and the
nightly rebuild writes small rows. The API expands it (scoring.selectors.report_view).

Everything a body says is first gathered as arrays over users (Contents), rounded as stored,
and a body is built from those arrays alone. So a digest of a user's arrays tells whether their
stored report would change: the nightly rebuild builds and writes only the reports that do.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

import numpy as np

from scoring import estimation as est
from scoring.models.reports import STEP_COLUMNS, figures_encode
from scoring.selectors.report_inputs import TAGS, Bank, Evidence, Timing

RECOMMENDED_QUESTIONS = 3
RUSHED_RATIO = 0.5  # under half the budget
OVER_RATIO = 1.5  # over one and a half times the budget
MIN_TIMED_INTERVIEWS = 2
_LEVEL_BONUS = (0.3, 0.15)  # questions at, then next to, the user's target level first
# Part of every digest: bump it when bodies change shape, so every stored report is rewritten.
BODY_FORMAT = 4


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
    communication_bars: dict[str, float] | None = None  # None: the rubric sets no such bar


@dataclass(frozen=True)
class Contents:
    """What each user's report says, as arrays over users (first axis), rounded as stored.

    Every field takes part in the digest, so whatever a body shows must come from a field.
    """

    level: est.IntArray  # index into Context.levels_order
    scorecards: est.IntArray
    raters: est.IntArray
    latest: est.FloatArray  # epoch seconds of the newest scorecard; nan without
    steps: dict[str, np.ndarray]  # (users, 7) per column of the body's "steps"; nan for null
    # The weakest step is the lowest skill of the seven (not the furthest below the bar):
    weakest: est.IntArray  # (users,) the step number named, 0 when none is sure enough
    weakest_probability: est.FloatArray  # (users,) P(the most likely step is the weakest)
    weakest_more: est.IntArray  # (users,) interviews that would settle it; 0 named, -1 many
    weakest_threshold: est.FloatArray  # (users,) the probability a claim needs
    interviews: est.IntArray  # timed interviews
    rushed: np.ndarray  # (users, 7) bool
    over_budget: np.ndarray
    often_not_reached: np.ndarray
    pitfall_counts: est.IntArray  # (users, tags)
    pitfall_recurring: np.ndarray  # (users, tags) bool
    pitfall_population: est.FloatArray  # (users, tags) the population's rate where ticked
    questions: est.IntArray  # (users, k, 3): question id and the two steps it stresses; -1
    communication: dict[str, np.ndarray]  # (users,) per key of the body's "communication"

    @property
    def n_users(self) -> int:
        return int(self.level.shape[0])

    def digests(self) -> est.IntArray:
        """Return a 64-bit digest per user of everything their body says."""
        digest = np.full(self.n_users, _FNV_OFFSET ^ np.uint64(BODY_FORMAT), dtype=np.uint64)
        for array in self._arrays():
            # FNV-1a over 64-bit words: each step is a bijection of the digest, so two bodies
            # that differ in a single word never share a digest.
            for column in _words(array).T:
                digest = (digest ^ column) * _FNV_PRIME
        return digest.view(np.int64)

    def _arrays(self) -> Iterator[np.ndarray]:
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, dict):
                yield from (value[name] for name in sorted(value))
            else:
                yield value

    def figures(self, users: est.IntArray) -> list[bytes]:
        """Pack the per-step columns of the users at the given indices (see STEP_COLUMNS)."""
        return figures_encode({name: values[users] for name, values in self.steps.items()})

    def bodies(self, users: est.IntArray, context: Context) -> list[dict[str, Any]]:
        """Build the report bodies (all but the per-step columns) of the users at the indices."""
        n_ratings = self.steps["n_ratings"][users]
        enough: list[bool] = np.any(n_ratings >= est.MIN_RATINGS, axis=1).tolist()
        ratings = n_ratings.sum(axis=1).tolist()
        weakest = self.weakest[users].tolist()
        weakest_probability = self.weakest_probability[users].tolist()
        weakest_more = self.weakest_more[users].tolist()
        threshold = self.weakest_threshold[users].tolist()
        rushed, over, missed = (
            _steps_where(mask[users])
            for mask in (self.rushed, self.over_budget, self.often_not_reached)
        )
        fitted_at = context.fitted_at.isoformat() if context.fitted_at else None
        pitfalls = self._pitfalls(users)
        communication = {
            name: [
                int(value) if name == "n_ratings" else _number(value)
                for value in values[users].tolist()
            ]
            for name, values in self.communication.items()
        }
        step_columns = list(STEP_COLUMNS)
        bodies = []
        for i, u in enumerate(users.tolist()):
            latest = self.latest[u]
            bodies.append(
                {
                    "target_level": context.levels_order[self.level[u]],
                    "min_ratings": est.MIN_RATINGS,
                    "enough_data": enough[i],
                    "based_on": {
                        "scorecards": int(self.scorecards[u]),
                        "ratings": ratings[i],
                        "raters": int(self.raters[u]),
                        "latest_scorecard_at": None
                        if latest != latest
                        else datetime.fromtimestamp(latest, UTC).isoformat(),
                        "model_fit_id": context.fit_id,
                        "model_fitted_at": fitted_at,
                    },
                    "step_columns": step_columns,
                    "weakest": {
                        "meaning": "lowest_skill",
                        "step": weakest[i] or None,
                        "probability": weakest_probability[i],
                        "threshold": threshold[i],
                        "more_interviews": None if weakest_more[i] < 0 else weakest_more[i],
                    },
                    "time": {
                        "interviews": int(self.interviews[u]),
                        "rushed_steps": rushed[i],
                        "over_budget_steps": over[i],
                        "often_not_reached": missed[i],
                    },
                    "pitfalls": pitfalls[i],
                    "recommended_questions": [
                        pick for pick in self.questions[u].tolist() if pick[0] >= 0
                    ],
                    "communication": {name: values[i] for name, values in communication.items()},
                }
            )
        return bodies

    def _pitfalls(self, users: est.IntArray) -> list[list[dict[str, Any]]]:
        """Per user: the tags ticked on their scorecards, recurring ones first."""
        counts = self.pitfall_counts[users]
        user, tag = np.nonzero(counts)
        ticked = counts[user, tag]
        cards = np.maximum(self.scorecards[users], 1)[user]
        out: list[list[dict[str, Any]]] = [[] for _ in range(len(users))]
        for i, t, count, rate, population, recurring in zip(
            user.tolist(),
            tag.tolist(),
            ticked.tolist(),
            np.round(ticked / cards, 3).tolist(),
            self.pitfall_population[users][user, tag].tolist(),
            self.pitfall_recurring[users][user, tag].tolist(),
            strict=True,
        ):
            out[i].append(
                {
                    "tag": TAGS[t],
                    "count": count,
                    "rate": rate,
                    "population_rate": _number(population),
                    "recurring": recurring,
                }
            )
        for rows in out:
            rows.sort(key=lambda row: (not row["recurring"], -row["count"], row["tag"]))
        return out


_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_TEXT = "<U32"


def _words(values: np.ndarray) -> np.ndarray:
    """Return an array over users as (users, k) unsigned 64-bit words."""
    values = np.asarray(values)
    values = values.reshape(values.shape[0], math.prod(values.shape[1:]))
    if values.dtype.kind == "f":
        # One NaN and one zero: nan payloads and -0.0 carry no meaning in a body.
        values = np.where(np.isnan(values), np.nan, values.astype(np.float64) + 0.0)
    elif values.dtype.kind == "U":
        # A fixed width, so a word does not depend on the longest string next to it.
        if values.dtype.itemsize > np.dtype(_TEXT).itemsize:
            raise ValueError(f"Text longer than {_TEXT} cannot be digested: {values.dtype}.")
        values = np.ascontiguousarray(values, dtype=_TEXT).view(np.uint32).astype(np.int64)
    else:
        values = values.astype(np.int64)
    return np.ascontiguousarray(values).view(np.uint64)


def _number(value: float) -> float | None:
    return None if value != value else float(value)


def _steps_where(mask: np.ndarray) -> list[list[int]]:
    """Return, per user, the step numbers where mask is True."""
    out: list[list[int]] = [[] for _ in range(mask.shape[0])]
    for user, step in zip(*np.nonzero(mask), strict=True):
        out[user].append(int(step) + 1)
    return out


def report_contents(
    *,
    evidence: Evidence,
    estimates: est.Estimates,
    percentiles: est.FloatArray,
    levels: list[str],
    timing: Timing,
    done: np.ndarray,
    rater_arrays: tuple[est.FloatArray, est.FloatArray, est.FloatArray],
    communication: est.CommunicationEstimates,
    context: Context,
    weakest: est.WeakestClaims,
    threshold: float,
) -> Contents:
    """Gather what each user's report says; rater_arrays: leniency, its variance, noise variance.

    The rater arrays are indexed like evidence.rater_ids.
    """
    communication_bar = np.asarray(
        [
            np.nan if context.communication_bars is None else context.communication_bars[level]
            for level in levels
        ],
        dtype=np.float64,
    )
    n = estimates.n
    bars = np.stack([context.bars[level] for level in levels]) if levels else np.zeros((0, 7))
    gap = estimates.estimate - bars
    eligible = n >= est.MIN_RATINGS
    # P(skill < bar) under the same posterior as the band: the verdict's own probability.
    p_below = estimates.p_below(bars)

    timed = timing.reached >= MIN_TIMED_INTERVIEWS
    with np.errstate(invalid="ignore"):
        rushed = timed & (timing.mean_ratio < RUSHED_RATIO)
        over = timed & (timing.mean_ratio > OVER_RATIO)
    often_missed = (timing.interviews[:, None] >= MIN_TIMED_INTERVIEWS) & (
        2 * timing.reached <= timing.interviews[:, None]
    )

    leniency, leniency_var, noise_var = rater_arrays
    claims = evidence.self_assessed
    self_view = est.self_view(
        user=claims.user,
        step=claims.step,
        claimed=claims.claimed,
        received=claims.received,
        leniency=leniency[claims.rater],
        leniency_var=leniency_var[claims.rater],
        noise_var=noise_var[claims.rater],
        n_users=evidence.n_users,
    )

    counts = evidence.pitfall_counts
    recurring = est.recurring_pitfalls(
        counts, evidence.scorecards[:, None], context.pitfall_rates[None, :]
    )
    population = np.where(counts > 0, np.round(context.pitfall_rates, 3)[None, :], np.nan)

    rank = {level: i for i, level in enumerate(context.levels_order)}
    return Contents(
        level=np.asarray([rank[level] for level in levels], dtype=np.int64),
        scorecards=evidence.scorecards,
        raters=evidence.raters,
        latest=evidence.latest,
        steps={
            "estimate": np.round(estimates.estimate, 2),
            "lower": np.round(estimates.lower, 2),
            "upper": np.round(estimates.upper, 2),
            "raw_mean": np.round(estimates.raw_mean, 2),
            "n_ratings": n,
            "n_not_reached": evidence.not_reached,
            "bar": np.round(bars, 2),
            "percentile": np.round(np.where(eligible, percentiles, np.nan), 0),
            "trend": est.trend_direction(
                estimates.slope, estimates.slope_sd, n, estimates.span_days
            ),
            "slope": np.round(estimates.slope, 3),
            "slope_sd": np.round(estimates.slope_sd, 3),
            "time_reached": timing.reached,
            "time_mean_seconds": np.round(timing.mean_seconds, 0),
            "time_ratio": np.round(timing.mean_ratio, 2),
            "self_n": self_view.n,
            "self_claimed": np.round(self_view.claimed, 2),
            "self_gap": np.round(self_view.gap, 2),
            "self_gap_sd": np.round(self_view.gap_sd, 2),
            "p_weakest": np.round(weakest.probability, 2),
            "p_below_bar": np.round(p_below, 2),
        },
        weakest=weakest.step + 1,
        weakest_probability=np.round(weakest.stated, 2),
        weakest_more=weakest.more_interviews,
        weakest_threshold=np.full(evidence.n_users, round(threshold, 2)),
        interviews=timing.interviews,
        rushed=rushed,
        over_budget=over,
        often_not_reached=often_missed,
        pitfall_counts=counts,
        pitfall_recurring=recurring,
        pitfall_population=population,
        questions=_recommend(np.where(eligible, np.maximum(-gap, 0.0), 0.0), levels, done, context),
        communication={
            "estimate": np.round(communication.estimate, 2),
            "lower": np.round(communication.lower, 2),
            "upper": np.round(communication.upper, 2),
            "raw_mean": np.round(communication.raw_mean, 2),
            "n_ratings": communication.n,
            "bar": np.round(communication_bar, 2),
            # The verdict's own probability, as a step's: null without a bar.
            "p_below_bar": np.round(communication.p_below(communication_bar), 2),
        },
    )


def _recommend(
    shortfall: est.FloatArray, levels: list[str], done: np.ndarray, context: Context
) -> est.IntArray:
    """Pick unseen questions whose guide stresses each user's shortfalls (uniform if none).

    Returns (users, k, 3): each pick's question id and the two steps it exercises most where
    the user falls short; -1 where there is no question left to pick.
    """
    bank = context.bank
    n_users = shortfall.shape[0]
    if not bank.ids or not n_users:
        return np.zeros((n_users, 0, 3), dtype=np.int64)
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
    picks = np.concatenate([np.asarray(bank.ids)[top][:, :, None], stresses], axis=2)
    picks[~np.isfinite(np.take_along_axis(score, top, axis=1))] = -1
    return picks.astype(np.int64)


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
