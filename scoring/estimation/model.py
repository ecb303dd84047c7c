"""The rater-effect model's data: ratings in, parameters, the fit, estimates out, and the
small helpers the fit and the posterior share (see the package doc).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from scoring.estimation.basics import N_STEPS, SCALE, FloatArray, IntArray

HALF_LIFE_DAYS = 180.0
Z_90 = 1.6448536269514722
MIN_RATINGS = 3
NOISE_PRIOR_RATINGS = 10.0
# A rater's noise variance is at most this (sd 2 points on the 1-4 rubric: their scores say
# next to nothing). Scores of only 1s and 4s at random are likeliest under an infinite noise
# (each end's probability tends to 1/2), so without a bound the EM raised such a rater's noise
# night after night (sd 2.4 -> 6.2 over eight nights in a test world of four raters).
NOISE_VAR_MAX = 4.0
MIN_TREND_RATINGS = 4
MIN_TREND_SPAN_DAYS = 14.0
FLAT_SLOPE = 0.1  # points per 30 days that still count as "flat"
MIN_PITFALL_COUNT = 2
PITFALL_P = 0.1
SELF_IN_LINE = 0.5  # a self-assessment this close to the raters' is in line with them
# The smallest spread of true slopes (points per 30 days, squared: 0.02 per 30 days) the trend's
# prior takes: where nobody's skill changes, the fitted spread goes to zero and with it every
# slope's band, and a population that does not change would be declared certainly flat.
SLOPE_TAU2_MIN = 4e-4
# The smallest the skills' model of change takes (0.003 points per 30 days, 0.04 a year): a
# years-old score is never taken as certainly today's. Lower than the trend's: that floor
# made a two-year-old score count for two fifths of a fresh one where nobody changes
# (bench/README.md, seventh round).
CHANGE_TAU2_MIN = 1e-5
# The decimals a rater's figures are stored with (Fit.rater_figures).
RATER_DECIMALS = 4


@dataclass(frozen=True)
class Ratings:
    """Step scores as parallel arrays; users and raters are dense indices."""

    user: IntArray
    rater: IntArray
    step: IntArray  # 0..6 for framework steps 1..7
    score: FloatArray
    age_days: FloatArray
    n_users: int
    n_raters: int
    # Which scorecard each rating is on: its 7 scores share one error in the rater's leniency.
    # None: every (user, rater, age) is taken as one scorecard.
    card: IntArray | None = None

    def __len__(self) -> int:
        return int(self.score.shape[0])


@dataclass(frozen=True)
class Params:
    """The population-level part of a fit, enough to update one user without refitting."""

    mu: FloatArray  # (7,)
    tau2: FloatArray  # (7,) spread of the step deviations d
    tau2_user: float  # spread of the users' general levels a
    sigma2: float
    tau2_leniency: float
    half_life_days: float = HALF_LIFE_DAYS
    # The spread of a leniency-corrected score about its user's line over time, for the trend's
    # standard error; None (a fit stored before it was kept): sigma2.
    trend_sigma2: float | None = None
    # The spread of the true slopes between people (points per 30 days, squared): the trend's
    # prior. None: no prior (the slope as fitted, a flat prior).
    slope_tau2: float | None = None
    # The factors the EM's spreads of skills are multiplied by: from how far they fall short
    # of the truth on data drawn from the fit, moved to where the posterior is calibrated there
    # (scoring.estimation.fitting, _spread_correction and _calibrated), so not the population's
    # spreads themselves; tau2_user and tau2 above already include them. None: not measured (a
    # fit stored before they were kept).
    level_correction: float | None = None
    step_correction: float | None = None
    # How many ratings the correction was measured on: it depends on the design (interviews
    # per person, people per rater), so it is measured again once the ratings have grown by
    # a fifth. None: not known (a fit stored before it was kept), measured again.
    correction_ratings: int | None = None
    # The skills' model of change (scoring.estimation.joint): each (user, step) skill moves along
    # a slope ~ N(0, change_tau2) points per 30 days, integrated out of the report's posterior;
    # the spread of true slopes the trend's prior fits (slope_tau2, which is floored at
    # SLOPE_TAU2_MIN), here floored at CHANGE_TAU2_MIN only.
    # None: a fit stored before it was kept, fitted with old scores discounted by the
    # half-life instead (noise over 0.5 ** (age / half_life_days)), read the same way.
    change_tau2: float | None = None
    # How much the spread of change as fitted falls short where it is told from the noise of
    # the slopes (at or above SLOPE_TAU2_MIN): a factor of 1 or more, measured with
    # level_correction; change_tau2 above includes it. 1 where it is not told.
    # None: not measured (then measured again).
    change_correction: float | None = None
    # Where the spread of change as fitted is not told from the noise of the slopes (below
    # SLOPE_TAU2_MIN): the spread the fit finds where nobody changes, taken off the fitted
    # spread (change_tau2 above is net of it); 0 where the spread is told (then scaled by
    # change_correction instead). None: not measured, or a fit stored before it was kept (whose
    # change_correction may be a factor below 1 that would cut real change): measured again.
    change_spurious: float | None = None
    # The posterior's sd as the report states it (bands, P(skill < bar), the weakest step's
    # probability) is the Laplace posterior's times this: measured with level_correction and
    # step_correction where the posterior is calibrated on data drawn from the fit
    # (scoring.estimation.fitting._calibrated). None: not measured (no correction: 1), or a fit
    # stored before it, whose factors were set by the ratio of spreads alone: measured again.
    band_scale: float | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "mu": [round(float(x), 6) for x in self.mu],
            "tau2": [round(float(x), 6) for x in self.tau2],
            "tau2_user": round(self.tau2_user, 6),
            "sigma2": round(self.sigma2, 6),
            "tau2_leniency": round(self.tau2_leniency, 6),
            "half_life_days": self.half_life_days,
        }
        if self.trend_sigma2 is not None:
            data["trend_sigma2"] = round(self.trend_sigma2, 6)
        if self.slope_tau2 is not None:
            data["slope_tau2"] = round(self.slope_tau2, 8)
        if self.level_correction is not None and self.step_correction is not None:
            data["level_correction"] = round(self.level_correction, 6)
            data["step_correction"] = round(self.step_correction, 6)
        if self.correction_ratings is not None:
            data["correction_ratings"] = self.correction_ratings
        if self.change_tau2 is not None:
            data["change_tau2"] = round(self.change_tau2, 8)
        if self.change_correction is not None:
            data["change_correction"] = round(self.change_correction, 6)
        if self.change_spurious is not None:
            data["change_spurious"] = round(self.change_spurious, 8)
        if self.band_scale is not None:
            data["band_scale"] = round(self.band_scale, 6)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Params:
        return cls(
            mu=np.asarray(data["mu"], dtype=np.float64),
            tau2=np.asarray(data["tau2"], dtype=np.float64),
            tau2_user=float(data["tau2_user"]),
            sigma2=float(data["sigma2"]),
            tau2_leniency=float(data["tau2_leniency"]),
            half_life_days=float(data.get("half_life_days", HALF_LIFE_DAYS)),
            trend_sigma2=None if data.get("trend_sigma2") is None else float(data["trend_sigma2"]),
            slope_tau2=None if data.get("slope_tau2") is None else float(data["slope_tau2"]),
            level_correction=_optional(data.get("level_correction")),
            step_correction=_optional(data.get("step_correction")),
            correction_ratings=(
                None if data.get("correction_ratings") is None else int(data["correction_ratings"])
            ),
            change_tau2=_optional(data.get("change_tau2")),
            change_correction=_optional(data.get("change_correction")),
            change_spurious=_optional(data.get("change_spurious")),
            band_scale=_optional(data.get("band_scale")),
        )

    @classmethod
    def prior(cls) -> Params:
        """Return a vague starting point for when nothing has been fitted yet."""
        return cls(
            mu=np.full(N_STEPS, 2.5),
            tau2=np.full(N_STEPS, 0.2),
            tau2_user=0.3,
            sigma2=0.5,
            tau2_leniency=0.1,
            change_tau2=CHANGE_TAU2_MIN,
        )


@dataclass(frozen=True)
class Fit:
    params: Params
    leniency: FloatArray  # (n_raters,)
    leniency_var: FloatArray  # (n_raters,)
    rater_n: IntArray  # ratings per rater
    rater_noise_var: FloatArray  # noise variance per rater, shrunk toward the population's
    iterations: int
    # The users' joint posterior from the last EM step of the prior, computed under exactly
    # these params and rater arrays: the reports use it as it is (None: not computed, e.g.
    # exact scores; estimate_all then computes it).
    mode: FloatArray | None = None  # (n_users, 7) posterior mode of the deviations
    mode_cov: FloatArray | None = None  # (n_users, 7, 7) its covariance

    def rater_figures(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Each rater's leniency, its sd and their noise's sd, rounded as the nightly rebuild
        stores them (RaterStats): what an incremental update reads, so what every figure
        computed beside the stored ones must read too."""
        # numpy's stubs type the float64 square root as floating[Any].
        return (  # type: ignore[return-value]
            np.round(self.leniency, RATER_DECIMALS),
            np.round(np.sqrt(self.leniency_var), RATER_DECIMALS),
            np.round(np.sqrt(self.rater_noise_var), RATER_DECIMALS),
        )

    def stored_rater_arrays(self, rater: IntArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Per rating of these raters: the leniency, its variance and the noise's variance, as
        an incremental update reads them from the stored figures (rater_figures)."""
        leniency, leniency_sd, noise_sd = self.rater_figures()
        return leniency[rater], np.square(leniency_sd)[rater], np.square(noise_sd)[rater]


class Banded:
    """The 90% band of an estimate with a standard deviation, clipped to the scale, and the
    probabilities its verdicts state (the posterior the band is drawn from: N(latent, sd))."""

    estimate: FloatArray
    sd: FloatArray
    latent: FloatArray  # the estimate before it is clipped to the scale

    def p_below(self, bar: FloatArray | float) -> FloatArray:
        """Return P(skill < bar); nan where there is no sd (nothing to say)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return stats.norm.cdf((bar - self.latent) / self.sd)

    @property
    def lower(self) -> FloatArray:
        return np.clip(self.estimate - Z_90 * self.sd, *SCALE)

    @property
    def upper(self) -> FloatArray:
        return np.clip(self.estimate + Z_90 * self.sd, *SCALE)


@dataclass(frozen=True)
class Estimates(Banded):
    """Per user and step: the shrunk estimate, its sd, the evidence, the raw mean, the trend."""

    estimate: FloatArray  # (n_users, 7)
    sd: FloatArray
    n: IntArray
    raw_mean: FloatArray  # nan without ratings
    slope: FloatArray  # points per 30 days; nan when not computable
    slope_sd: FloatArray
    span_days: FloatArray
    latent: FloatArray  # the estimate before clipping to the scale
    cov: FloatArray  # (n_users, 7, 7) posterior covariance of the user's seven skills
    # How many fresh scores from a typical rater would say as much about today's skill as the
    # step's scores do under the model of change: old scores count for less, and several old
    # scores that share one change of the skill less than as many independent ones.
    n_effective: FloatArray


def _optional(value: Any) -> float | None:
    return None if value is None else float(value)


def recency_weight(age_days: FloatArray, half_life_days: float) -> FloatArray:
    return np.power(0.5, np.maximum(age_days, 0.0) / half_life_days)


def change_months(age_days: FloatArray) -> FloatArray:
    """Return the ages in the model of change's unit: months of 30 days, never negative."""
    return np.maximum(age_days, 0.0) / 30.0


def effective_counts(
    group: IntArray, months: FloatArray, n_groups: int, params: Params
) -> FloatArray:
    """Return per group how many fresh scores tell as much about today's skill as these do.

    For a typical rater (noise sigma2, ratings otherwise independent): under the model of
    change the scores of one (user, step) share its slope, so their information about today's
    skill is sum(1) - k (sum m)^2 / (1 + k sum m^2) fresh scores' worth, k = change_tau2 /
    sigma2, m the ages in months (one score: 1 / (1 + k m^2)). Without it (a fit stored before
    the model of change): the sum of the half-life weights.
    """
    if params.change_tau2 is None:
        weights = recency_weight(months * 30.0, params.half_life_days)
        return np.bincount(group, weights, minlength=n_groups).astype(np.float64)
    k = params.change_tau2 / max(params.sigma2, 1e-9)
    n = np.bincount(group, minlength=n_groups).astype(np.float64)
    first = np.bincount(group, months, minlength=n_groups)
    second = np.bincount(group, months * months, minlength=n_groups)
    return n - k * first * first / (1.0 + k * second)


def _prior(params: Params) -> FloatArray:
    """Return the prior covariance of a user's seven deviations theta = a + d."""
    return params.tau2_user * np.ones((N_STEPS, N_STEPS)) + np.diag(params.tau2)


def scorecards(ratings: Ratings) -> tuple[IntArray, int]:
    """Return each rating's scorecard as a dense index, and how many scorecards there are."""
    if ratings.card is not None:
        compact, index = np.unique(ratings.card, return_inverse=True)
        return index.astype(np.int64), int(compact.size)
    return _cards_of(ratings.user, ratings.age_days, ratings.rater.astype(np.float64))


def _cards_of(user: IntArray, age_days: FloatArray, rater: FloatArray) -> tuple[IntArray, int]:
    """Take the ratings one user got from one rater at one moment as one scorecard."""
    if not len(user):
        return np.zeros(0, dtype=np.int64), 0
    keys = np.stack([user.astype(np.float64), age_days, rater], axis=1)
    compact, index = np.unique(keys, axis=0, return_inverse=True)
    return index.reshape(-1).astype(np.int64), int(compact.shape[0])


def _safe_divide(
    numerator: FloatArray,
    denominator: Any,
    fill: Any,
    *,
    where: NDArray[np.bool_] | None = None,
) -> FloatArray:
    denominator = np.asarray(denominator, dtype=np.float64)
    mask = denominator != 0 if where is None else where
    out = np.broadcast_to(np.asarray(fill, dtype=np.float64), numerator.shape).copy()
    np.divide(numerator, denominator, out=out, where=mask)
    return out
