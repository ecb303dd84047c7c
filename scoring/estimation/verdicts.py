"""Turning estimates into verdicts: bars, trends, weakest steps, percentiles, pitfalls."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from scoring.estimation.model import (
    FLAT_SLOPE,
    MIN_PITFALL_COUNT,
    MIN_RATINGS,
    MIN_TREND_RATINGS,
    MIN_TREND_SPAN_DAYS,
    PITFALL_P,
    SELF_IN_LINE,
    Z_90,
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
    return 100.0 * (below + not_above) / (2.0 * sorted_population.size)


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
