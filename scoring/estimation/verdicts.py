"""Turning estimates into verdicts: bars, trends, weakest steps, percentiles, pitfalls."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats
from scipy.stats import qmc

from scoring.estimation.model import (
    FLAT_SLOPE,
    MIN_PITFALL_COUNT,
    MIN_RATINGS,
    MIN_TREND_RATINGS,
    MIN_TREND_SPAN_DAYS,
    N_STEPS,
    PITFALL_P,
    SELF_IN_LINE,
    Z_90,
    Estimates,
    FloatArray,
    IntArray,
)

TRENDS = ("not_enough_data", "improving", "declining", "flat", "unclear")
SELF_VIEWS = ("not_enough_data", "in_line", "overrates", "underrates", "unclear")


def trend_direction(slope: Any, slope_sd: Any, n: Any, span_days: Any) -> Any:
    """Name the trend only when the data make it clear (works on scalars and arrays)."""
    slope, slope_sd = np.asarray(slope, dtype=np.float64), np.asarray(slope_sd, dtype=np.float64)
    low, high = slope - Z_90 * slope_sd, slope + Z_90 * slope_sd
    thin = (np.asarray(n) < MIN_TREND_RATINGS) | (np.asarray(span_days) < MIN_TREND_SPAN_DAYS)
    with np.errstate(invalid="ignore"):
        return np.select(
            [
                thin | ~np.isfinite(slope),
                low > 0,
                high < 0,
                (low > -FLAT_SLOPE) & (high < FLAT_SLOPE),
            ],
            list(TRENDS[:4]),
            TRENDS[4],
        )


def self_view_band(gap: Any, gap_sd: Any, n: Any) -> tuple[Any, Any]:
    """Return the 90% interval of a mean self-assessment gap (scalars or arrays).

    A t interval with n - 1 degrees of freedom: the spread of the gaps is estimated from the
    few interviews compared, and a normal interval would call too many people overconfident.
    """
    gap, gap_sd = np.asarray(gap, dtype=np.float64), np.asarray(gap_sd, dtype=np.float64)
    t = stats.t.ppf(0.95, np.maximum(np.asarray(n) - 1, 1))
    return gap - t * gap_sd, gap + t * gap_sd


def self_view_verdict(gap: Any, gap_sd: Any, n: Any) -> Any:
    """Say whether users rate themselves above or below their raters (scalars or arrays).

    "in_line" when the 90% interval of the gap lies within +-SELF_IN_LINE points; "overrates"
    or "underrates" when it excludes zero; "unclear" otherwise.
    """
    low, high = self_view_band(gap, gap_sd, n)
    with np.errstate(invalid="ignore"):
        return np.select(
            [
                (np.asarray(n) < MIN_RATINGS) | ~np.isfinite(low),
                (low > -SELF_IN_LINE) & (high < SELF_IN_LINE),
                low > 0,
                high < 0,
            ],
            list(SELF_VIEWS[:4]),
            SELF_VIEWS[4],
        )


def bar_verdict(lower: Any, upper: Any, bar: Any, n: Any) -> Any:
    """Compare a step's band with the bar of the user's target level (scalars or arrays)."""
    return np.select(
        [np.asarray(n) < MIN_RATINGS, np.asarray(upper) < bar, np.asarray(lower) >= bar],
        ["not_enough_data", "below_bar", "at_or_above_bar"],
        "near_bar",
    )


def weakest_first(gap: FloatArray, n: IntArray) -> NDArray[np.int64]:
    """Order each user's steps from the largest shortfall to the bar; thin steps go last.

    Returns (n_users, 7) step indices; ``eligible(n)`` says which of them carry a verdict.
    """
    return np.argsort(np.where(n >= MIN_RATINGS, gap, np.inf), axis=1, kind="stable")


def weakest_step(gap: FloatArray, n: IntArray) -> NDArray[np.int64]:
    """Return each user's weakest step index, or -1 where no step has enough evidence."""
    first = weakest_first(gap, n)[:, 0]
    has_verdict = np.take_along_axis(n, first[:, None], axis=1)[:, 0] >= MIN_RATINGS
    return np.where(has_verdict, first, -1)


def percentile_of(values: FloatArray, sorted_population: FloatArray) -> FloatArray:
    """Mid-rank percentile (0-100) of each value within a sorted population."""
    if sorted_population.size == 0:
        return np.full(values.shape, np.nan)
    below = np.searchsorted(sorted_population, values, side="left")
    not_above = np.searchsorted(sorted_population, values, side="right")
    # numpy's stubs type this float64 arithmetic as floating[Any].
    return 100.0 * (below + not_above) / (2.0 * sorted_population.size)  # type: ignore[return-value]


def quantiles(values: FloatArray) -> list[float]:
    """Summarise a population by its 0th..100th percentiles (for incremental updates)."""
    if values.size == 0:
        return []
    return [round(float(q), 4) for q in np.quantile(values, np.linspace(0, 1, 101))]


def percentile_from_quantiles(value: float, table: list[float]) -> float | None:
    """Percentile of a value within a population summarised by ``quantiles``."""
    if not table:
        return None
    grid = np.asarray(table)
    if value <= grid[0]:
        return 0.0
    if value >= grid[-1]:
        return 100.0
    # Interpolate the inverse of the quantile function; flat runs take their midpoint.
    lo = int(np.searchsorted(grid, value, side="left"))
    hi = int(np.searchsorted(grid, value, side="right"))
    if lo != hi:
        return float((lo + hi - 1) / 2)
    return float(np.interp(value, grid, np.arange(101)))


def recurring_pitfalls(
    counts: IntArray, scorecards: IntArray, population_rate: FloatArray
) -> NDArray[np.bool_]:
    """Flag (user, tag) pairs ticked clearly more often than the population's rate."""
    p_value = stats.binom.sf(counts - 1, scorecards, np.clip(population_rate, 1e-6, 1 - 1e-6))
    return (counts >= MIN_PITFALL_COUNT) & (p_value < PITFALL_P)


# --- the weakest step ---------------------------------------------------------------------------

# "Weakest" means the lowest skill of the seven, not the furthest below the bar of a level.
WEAKEST_THRESHOLD = 0.65  # the report names a step only this sure (REPORT_WEAKEST_PERCENT)
WEAKEST_DRAWS = 256
WEAKEST_MORE_MAX = 8  # "more interviews needed" is counted up to this, then "many"
_CHUNK = 1024  # users sampled at once: bounds memory to ~CHUNK * DRAWS * 7 numbers


@dataclass(frozen=True)
class WeakestClaims:
    """Per user: how likely each step is their lowest-skill step, and what the report says."""

    probability: FloatArray  # (users, 7) P(step is the user's lowest skill)
    step: NDArray[np.int64]  # (users,) the step named weakest (0-6), -1 when none is
    stated: FloatArray  # (users,) the probability of the most likely step, named or not
    more_interviews: NDArray[np.int64]  # (users,) 0 when named; -1 over WEAKEST_MORE_MAX


@functools.cache
def _normal_draws(draws: int) -> FloatArray:
    """Return fixed standard normal draws (draws, 7): scrambled Sobol points, seeded.

    The same for every user and every run, so the incremental update and the nightly rebuild
    state the same probability for the same evidence, and a report does not change (and is not
    rewritten) just because the dice fell differently.
    """
    points = qmc.Sobol(d=N_STEPS, scramble=True, seed=20261206).random(draws)
    return np.asarray(stats.norm.ppf(np.clip(points, 1e-12, 1 - 1e-12)), dtype=np.float32)


def weakest_claims(
    estimates: Estimates,
    *,
    threshold: float = WEAKEST_THRESHOLD,
    draws: int = WEAKEST_DRAWS,
) -> WeakestClaims:
    """Say for each user how likely each step is their weakest, and name it when sure enough.

    P(step is the lowest of the seven skills) is the share of draws from the posterior (the
    joint one: the user's general level and a rater's leniency move all steps together, and
    cancel in the comparison) in which the step is the lowest. A step is named only when that
    share reaches the threshold and the step was rated at least once. Otherwise the report
    says how many more interviews like the ones so far would make it that sure: the data
    part of the covariance shrinking as 1/interviews, the estimates as they are.
    """
    latent, n = estimates.latent, estimates.n
    n_users = latent.shape[0]
    z = _normal_draws(draws)
    probability = np.zeros((n_users, N_STEPS))
    more = np.zeros(n_users, dtype=np.int64)
    interviews = np.maximum(n.max(axis=1), 1).astype(np.float64) if n_users else np.zeros(0)
    for start in range(0, n_users, _CHUNK):
        part = slice(start, min(start + _CHUNK, n_users))
        root = np.linalg.cholesky(estimates.cov[part])
        # (users, draws, 7), in single precision: half the memory traffic, and a probability
        # from 256 draws has no use for more digits.
        spread = np.matmul(z[None, :, :], np.swapaxes(root, 1, 2).astype(np.float32))
        probability[part] = _shares(_lowest(latent[part, None, :].astype(np.float32) + spread))
        unsure = probability[part].max(axis=1) < threshold
        if unsure.any():
            more[part][unsure] = 0
            chunk_more = np.zeros(part.stop - part.start, dtype=np.int64)
            chunk_more[unsure] = _interviews_to_settle(
                latent[part][unsure],
                spread[unsure][:, : max(draws // 4, 1)],
                interviews[part][unsure],
                threshold,
            )
            more[part] = chunk_more
    top = np.argmax(probability, axis=1) if n_users else np.zeros(0, dtype=np.int64)
    stated = np.take_along_axis(probability, top[:, None], axis=1)[:, 0]
    rated = np.take_along_axis(n, top[:, None], axis=1)[:, 0] > 0
    named = (stated >= threshold) & rated
    return WeakestClaims(
        probability=probability,
        step=np.where(named, top, -1),
        stated=stated,
        more_interviews=np.where(named, 0, np.where(stated >= threshold, 1, more)),
    )


def _interviews_to_settle(
    latent: FloatArray, spread: FloatArray, interviews: FloatArray, threshold: float
) -> NDArray[np.int64]:
    """How many more interviews like the ones so far would make a step that sure (-1: many).

    The data's share of the uncertainty shrinks as interviews / (interviews + more); the
    estimates stay. A bisection over 1..WEAKEST_MORE_MAX (sureness grows with more).
    """
    low = np.zeros(latent.shape[0], dtype=np.int64)  # not sure with this many more
    high = np.full(latent.shape[0], WEAKEST_MORE_MAX + 1, dtype=np.int64)  # sure (or beyond)
    while True:
        open_ = high - low > 1
        if not open_.any():
            break
        middle = (low + high) // 2
        rows = np.flatnonzero(open_)
        scale = np.sqrt(interviews[rows] / (interviews[rows] + middle[rows]))
        moved = latent[rows, None, :] + scale[:, None, None] * spread[rows]
        sure = _shares(_lowest(moved)).max(axis=1) >= threshold
        high[rows[sure]] = middle[rows[sure]]
        low[rows[~sure]] = middle[rows[~sure]]
    return np.where(high > WEAKEST_MORE_MAX, -1, high)


def _lowest(values: FloatArray) -> NDArray[np.int64]:
    """Index of the smallest of the 7 values on the last axis."""
    return np.argmin(values, axis=-1)


def _shares(lowest: NDArray[np.int64]) -> FloatArray:
    """Return, per row of step indices, the share of each step (rows, 7)."""
    rows, draws = lowest.shape
    counts = np.bincount(
        (np.arange(rows)[:, None] * N_STEPS + lowest).ravel(), minlength=rows * N_STEPS
    )
    return counts.reshape(rows, N_STEPS) / draws
